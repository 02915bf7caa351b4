/* Fine-tuning a fixed-point network inside its formats (paper §5.3) with
 * Darknet's own data loader and training step (train_network): the network
 * must have been loaded in training mode (fxq_layer_train.h). */
#ifndef FXQ_FINETUNE_H
#define FXQ_FINETUNE_H

#include <stddef.h>

#include "darknet.h"

typedef struct fxq_finetune_opts {
    double lr;        /* learning rate of the first step (no burn-in) */
    int cosine;       /* 0: constant lr; 1: lr * (1 + cos(pi * step / steps)) / 2,
                       * from lr down to 0 over the run (fine-tuning settles) */
    long batches;     /* training steps of net->batch * net->subdivisions images */
    int quiet;        /* no progress on stderr */
    int report_every; /* progress line every so many steps */
    network *teacher; /* non-NULL: distillation targets (fxq_distill.h), batch = net->batch */
    float temperature; /* of both softmax layers while distilling (0 or 1: plain) */
} fxq_finetune_opts;

typedef struct fxq_finetune_result {
    double loss_first, loss_last; /* mean loss of the first / last 10% of steps */
    long batches, images;
    double seconds;
} fxq_finetune_result;

/* Trains `net` on the data cfg's `train=` list with the cfg's augmentation
 * (crop scales, angle, aspect, exposure, saturation, hue; random flips as
 * `classifier train`). 0 + why on a bad data cfg or list. */
int fxq_finetune_run(network *net, const char *datacfg, const fxq_finetune_opts *o, fxq_finetune_result *res,
                     char *why, size_t why_len);

/* Checks that `cfg` is a fixed-point cfg fit for training: at least one
 * [fxconvolutional]/[fxconnected] section, and [net] keys momentum and decay
 * (and learning_rate when need_lr) rather than Darknet's silent defaults.
 * *lr receives learning_rate when present. With requantize, no zero points
 * (fxq_requant re-chooses fracs only). 0 + why (naming the file). */
int fxq_finetune_cfg_check(const char *cfg, int need_lr, int requantize, double *lr, char *why, size_t why_len);

/* Writes the float twin of a fixed-point cfg to a new temporary file
 * (path_out, PATH_MAX): fixed-point sections renamed to their float types,
 * the Q-format keys blanked (every line keeps its number, and cfg messages
 * about the twin name `fxcfg`: fxq_cfgcheck_alias). The file is removed at
 * exit if the caller has not: fxq_finetune_float_cfg_remove. 0 + why. */
int fxq_finetune_float_cfg(const char *fxcfg, char *path_out, size_t path_len, char *why, size_t why_len);
void fxq_finetune_float_cfg_remove(const char *path);

#endif
