/* Calibration statistics of a Darknet network: which layers are recorded,
 * the recording forward passes (fxq_stats_collect.c) and the check that a
 * stats file belongs to a network. The data itself is fxq_stats.h. */
#ifndef FXQ_STATS_NET_H
#define FXQ_STATS_NET_H

#include "darknet.h"
#include "fxq_stats.h"

/* Layers whose tensors are recorded: "convolutional"/"connected", else NULL. */
const char *fxq_stats_layer_type(const layer *l);

/* Float forward passes over paths[0..n-1] (batched, OpenMP, progress on
 * stderr); net must be loaded with weights. Returns NULL + why on failure
 * (e.g. an image that fails to decode: stops and names it). */
fxq_stats *fxq_stats_collect(network *net, char **paths, int n, int quiet, char *why, size_t why_len);
/* The same over nnets replicas of one network (same cfg, weights and batch),
 * one per OpenMP thread: each takes whole batches. The result does not
 * depend on nnets (batches are merged in order). */
fxq_stats *fxq_stats_collect_nets(network **nets, int nnets, char **paths, int n, int quiet, char *why,
                                  size_t why_len);
/* 0 + why when s does not match net's layers (index/type/count). */
int fxq_stats_match(const fxq_stats *s, const network *net, char *why, size_t why_len);
/* The calibration set-up the verbs share: min(threads, batches) replicas
 * of cfg + weights at `batch` (threads 0: OpenMP's count), then
 * fxq_stats_collect_nets. Unless quiet, one line "<label><n> images from
 * <list>, batch B, T threads" on stderr; `announce` lets the first replica
 * print Darknet's layer table. NULL + why on failure. */
fxq_stats *fxq_stats_calibrate(const char *cfg, const char *weights, char **paths, int n, const char *list, int batch,
                               int threads, int quiet, int announce, const char *label, char *why, size_t why_len);

#endif
