/* Predicted vs measured SQNR per quantized layer (paper §4.1, §5.3, its
 * Table 6), the engine of `darknet fxq sqnr`.
 *
 * Measured: the fixed-point network and the float network run on the same
 * images; at every fixed-point layer L, the SQNR of its output (what the
 * next layer sees) against the float network's output at L,
 *     10 log10( sum f^2 / sum (q - f)^2 )  over all images and elements.
 *
 * Predicted, Eq. 9: 1/gamma(L) = sum of 1/gamma_i over the quantization steps
 * up to L: the first fixed-point layer's input a(0); each fixed-point layer's
 * weights w(l) and output a(l) (its out format; measured after the
 * activation, which for relu/linear commutes with rounding); and the input
 * of a fixed-point layer whenever its in format is not lossless for what
 * feeds it (only clipping when it keeps the previous layer's grid). Each
 * step's gamma_i = kappa_i * beta_i (Eq. 2), with three kappas:
 *   cfg       the kappa the allocation assumed (the "# kappa: K dB/bit" line
 *             fxq quantize writes, else a default: 3 dB/bit, the paper's §5.1);
 *   tensor    SQNR of quantizing the recorded float tensor (fxq stats, same
 *             images) to the step's format, / beta: the efficiency of §3.1,
 *             what the paper's own predictions use;
 *   measured  SQNR that the step alone causes at its own layer's output in
 *             the float network (float inputs, only this one thing
 *             quantized), / beta: the efficiency the step achieves where it
 *             happens, so Eq. 9 is left to model only how steps add up and
 *             travel through later layers.
 * A fourth prediction drops Eq. 9's assumption that noise keeps its SQNR
 * through later layers: each layer's measured gain (see fxq_sqnr_layer)
 * scales the noise arriving from upstream. */
#ifndef FXQ_SQNR_H
#define FXQ_SQNR_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_alloc.h"
#include "fxq_format.h"
#include "fxq_stats.h"

typedef struct fxq_sqnr_step {
    int layer;
    fxq_step_kind kind;
    fxq_format f;
    int clip_only;         /* input already on a grid this format keeps */
    int unsig;             /* unsigned input codes: negatives clip to 0 */
    int win, wlo, wbits;   /* a zero-point window: codes wlo .. wlo + 2^wbits - 1
                            * (f is then one bit wider, the signed range
                            * holding the window) */
    int per_row;           /* per-channel weights: tensor_db with each row's
                            * own format, exact on the folded float weights */
    double tensor_db;      /* SQNR of the recorded tensor in format f */
    double sig, err;       /* at the layer's output, this step alone */
    double alone_db;
} fxq_sqnr_step;

typedef struct fxq_sqnr_layer {
    int layer;             /* cfg index of a fixed-point layer */
    int nsteps;            /* steps up to and including this layer */
    double sig, err;       /* sum f^2, sum (q - f)^2 */
    long count;
    double measured_db;
    double pred_cfg_db, pred_tensor_db, pred_meas_db;
    /* noise gain: the layer run in float on the fixed-point network's input
     * (upstream noise only) vs the previous fixed-point layer's measured
     * SQNR; Eq. 9 takes it as 0 dB ("irrespective of where it happens") */
    double up_sig, up_err;
    double gain_db;
    double pred_gain_db;   /* measured kappa, upstream noise scaled by the gains */
} fxq_sqnr_layer;

typedef struct fxq_sqnr_report {
    int n;                 /* fixed-point layers */
    fxq_sqnr_layer *layers;
    int nsteps;
    fxq_sqnr_step *steps;
    fxq_step *cfg, *tensor, *meas; /* Eq. 2 models of the steps (offset 0) */
    float *buf;            /* scratch: one layer's re-quantized input/output */
    size_t buf_len;
} fxq_sqnr_report;

/* 0 + why unless `fx` and `flt` have the same layers, fixed-point layers in
 * `fx` standing where `flt` has convolutional/connected layers of the same
 * shape, and at least one fixed-point layer. */
int fxq_sqnr_match(const network *flt, const network *fx, char *why, size_t why_len);

/* The report and its steps. kappa_cfg[i] (per cfg layer, may be NULL; <= 0
 * means none) is the cfg's kappa for layer i, default_kappa otherwise.
 * st: float statistics of the same images (for tensor kappa). flt (the float
 * network, may be NULL): per-channel weights' tensor SQNR with every row in
 * its own format, from its folded weights; without it, the coarsest row's
 * format on the tensor histogram (pessimistic). */
fxq_sqnr_report *fxq_sqnr_plan(const network *fx, const network *flt, const fxq_stats *st, const double *kappa_cfg,
                               double default_kappa, char *why, size_t why_len);

/* Makes `wq` (a float network of the same cfg as flt) compute with the
 * fixed-point network's dequantized weights and biases (batch norm folded,
 * left as identity): the weights-alone twin. */
void fxq_sqnr_weights_twin(const fxq_sqnr_report *r, const network *fx, network *wq);

/* Adds one batch: flt and fx have just run the same `m` images (network
 * input x); wq (weights twin) and f2 (a second float network) are run layer
 * by layer here on flt's activations. All four have the same batch size. */
void fxq_sqnr_accumulate(fxq_sqnr_report *r, const network *flt, const network *fx, network *wq, network *f2,
                         const float *x, int m);

/* Fills measured and predicted dB per layer and step. */
void fxq_sqnr_finish(fxq_sqnr_report *r);

void fxq_sqnr_free(fxq_sqnr_report *r);

#endif
