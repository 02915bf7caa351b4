/* `fxq quantize --formats refine`: measured fractional bits.
 *
 * Starting from the plan's formats (the mse policy), every tensor's frac is
 * tried at n-1 and n+1, greedily, layer by layer in cfg order (per layer:
 * input, weights, output before the activation), and a move is kept when it
 * lowers the squared error of the network's logits against the float
 * network on held-out images (= raises the output SQNR). The fixed-point
 * network that is measured is the real one: the plan written to a temporary
 * cfg, loaded with its .weights, integer layers (FXQ_MODE as set), formats
 * changed in place and the layer's codes rebuilt from its float weights.
 *
 * With `agree`, a move is kept when more held-out images get float's top-1,
 * or as many with a lower logit error.
 *
 * Cost: one float pass and 1 + 2T fixed-point passes over the held-out
 * images, T = 3 x quantized layers. Deterministic: the integer layers are
 * exact, every float layer computes each image independently of the batch
 * and of the thread count, and errors are summed in image order. */
#ifndef FXQ_REFINE_H
#define FXQ_REFINE_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

typedef struct fxq_refine_opts {
    const char *cfg, *weights; /* the float network */
    const char *list;          /* held-out images */
    int n;                     /* first n of them (0: all) */
    int batch;
    int quiet;                 /* no progress on stderr */
    int agree;                 /* objective: most images whose top-1 agrees with float,
                                * ties broken by the logit error (default: logit error) */
    const fxq_stats *stats;    /* to re-derive bias formats when w/in move */
    const fxq_qopts *q;
} fxq_refine_opts;

/* Refines p's formats in place (p->has_formats required; text is the cfg
 * the plan was made from) and fills p->refine_*. 0 + why on failure (an
 * image that does not decode, a network that does not load). */
int fxq_refine(fxq_qplan *p, const fxq_cfgtext *text, const fxq_refine_opts *o, char *why, size_t why_len);

/* Shared with bias correction (fxq_biascorr.h): the plan as a cfg in a fresh
 * temporary directory `dir` (256 bytes), its path in `path`; and a
 * fixed-point network loaded keeping its float weights, so formats and
 * biases can change in place (fxq_layer_prepare again). */
int fxq_refine_write_cfg(const fxq_qplan *p, const fxq_cfgtext *text, char *dir, char *path, size_t path_len,
                         char *why, size_t why_len);
/* Removes what fxq_refine_write_cfg made (nothing when *dir is empty) and
 * empties dir. */
void fxq_refine_remove_cfg(char *dir, const char *path);
network *fxq_refine_load_fx(const char *cfg, const char *weights, int batch, char *why, size_t why_len);

#endif
