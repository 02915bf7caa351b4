/* `fxq quantize --round-opt OUT.weights`: post-training weight rounding
 * (beyond the paper; AdaRound/GPTQ-like, no gradient training). After the
 * formats are final, layer by layer in cfg order, every earlier layer
 * already done: on the calibration images the fixed-point network's actual
 * input to the layer (Xq: codes of its `in` format, every earlier layer with
 * its chosen codes and biases) and the float network's input to it (Xf) are
 * im2col'ed, and per output row the integer codes q minimising
 * || s q^T Xq - w^T Xf ||^2 over every position (centred: the bias absorbs
 * the mean) are found by integer coordinate descent from round-to-nearest
 * (quant/fxq_roundopt.h). The bias then takes the mean difference:
 * b += w^T mean(Xf) - s q^T mean(Xq) (bias correction, exact for the
 * pre-activation). The written .weights holds float weights that the loader's
 * batch-norm fold + rounding turns into exactly the chosen codes (checked
 * in process by re-preparing the layer). The formats do not change.
 *
 * Cost per quantized layer with K = c*k*k inputs per output (a connected
 * layer: K = inputs), P positions per image, n images, U rows:
 *   memory: 3 K^2 doubles (Xq Xq^T, Xq D^T, D D^T with D = Xf - Xq) + K^2
 *           floats, plus 2 K x 4096 floats of im2col columns;
 *   time:   one pass of both networks up to the layer over the images,
 *           3 K^2 n P multiply-adds (float, summed into double every 4096
 *           columns), then per row K^2 for C w and K per coordinate visited
 *           and per move (at most `sweeps` sweeps).
 * Deterministic: integer layers exact, float layers per image, column blocks
 * fixed by image count (not batch or threads), fixed coordinate order. */
#ifndef FXQ_ROUNDOPT_NET_H
#define FXQ_ROUNDOPT_NET_H

#include <stddef.h>

#include "fxq_calpair.h"
#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

typedef struct fxq_roundopt_opts {
    fxq_calpair_src src;       /* the float network and calibration images */
    int target_fixed;          /* 1: target w^T Xq (the fixed network's own input) instead of w^T Xf */
    double damp;               /* lambda: adds lambda * sum_i H_ii (s q_i - w_i)^2 (pulls toward w) */
    int max_sweeps;
} fxq_roundopt_opts;

#define FXQ_ROUNDOPT_DAMP_DEFAULT 0.01
#define FXQ_ROUNDOPT_SWEEPS_DEFAULT 50

/* Chooses the codes of every quantized layer of plan p (formats final):
 * fills p->layers[k].w_opt and .b_shift (write them with
 * fxq_bias_save_weights). 0 + why on failure. */
int fxq_round_opt(fxq_qplan *p, const fxq_cfgtext *text, const fxq_roundopt_opts *o, char *why, size_t why_len);

#endif
