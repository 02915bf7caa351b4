/* `fxq quantize --act-scales W`: real-valued activation steps without a
 * kernel or cfg change, by cross-layer scaling folded into the float
 * weights. For each activation tensor y (a group of tensors where layers tie
 * them together) a factor c = 2^(k/N) in [1, 2) is chosen from the recorded
 * histograms (fxq_actscale.h); the producer computes y / c (batch norm's
 * scales and biases, or its weight rows and biases, divided by c: linear,
 * relu and leaky commute with c > 0) and every consumer multiplies its
 * weight columns of y by c, so the float network computes the same logits
 * and y's power-of-two codes are codes of y at the real step c * 2^-frac.
 *
 * Groups: [maxpool]/[avgpool]/[upsample] pass c per channel, [reorg] when
 * all its channels share one, [route] concatenates its inputs' channels (a
 * consumer folds each block's own c), [shortcut] ties its two inputs and its
 * output channel by channel. c stays 1 for the image, for every tensor read
 * by any other layer (softmax, cost, a layer the plan does not quantize) and
 * for the network's output, so the logits are unchanged. */
#ifndef FXQ_ACTSCALE_NET_H
#define FXQ_ACTSCALE_NET_H

#include <stddef.h>

#include "fxq_qplan.h"
#include "fxq_stats.h"

typedef struct fxq_actscale_opts {
    const char *cfg, *weights; /* the float network */
    int per_octave;            /* grid of c: 2^(k / per_octave) */
    int per_channel;           /* the weights get one frac per row (--per-channel) */
    int weight_terms;          /* c also weighs the weights' rounding (rows scaled by c_in / c_out) */
    double channel_floor;      /* fxq_act_channels: the smallest factor of a channel */
    int quiet;
    int batch;                 /* fxq_act_channels: images per forward pass (0: 32) */
} fxq_actscale_opts;

/* Chooses every group's c for plan p (bits and policy as allocated; q the
 * format options) on the statistics st of the float network, scales the
 * network and saves it as a Darknet .weights file to `out` (written
 * directly: the caller owns that temporary path). One line per group on
 * stderr unless quiet. 0 + why. */
int fxq_act_scales(const fxq_qplan *p, const fxq_stats *st, const fxq_qopts *q, const fxq_actscale_opts *o,
                   const char *out, char *why, size_t why_len);

/* --act-channels: before the groups' c, each channel of a group is scaled
 * by a factor of its own, d = its max|x| relative to the group's largest
 * channel (the largest d over the group's tensors, each tensor relative to
 * its own largest channel), at least channel_floor, so small channels use
 * more of the codes; as above, the producer's row divides by d and the
 * consumers' columns multiply by it. The maxima come from the float network
 * on paths[0..npaths-1]; the scaled network is saved to `out`. Groups whose
 * channels a [reorg] or a [shortcut] of mismatched channels mixes keep
 * d = 1. One line per group on stderr unless quiet. 0 + why. */
int fxq_act_channels(const fxq_qplan *p, const fxq_actscale_opts *o, char **paths, int npaths, const char *out,
                     char *why, size_t why_len);

#endif
