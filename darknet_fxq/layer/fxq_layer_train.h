/* Training [fxconvolutional] / [fxconnected] inside their formats (paper §5.3).
 *
 * A layer is trainable when it was parsed while training mode was on
 * (fxq_set_training(1), a process-wide default read once per layer at parse
 * time; `classifier train`, `detector train` and `fxq finetune` turn it
 * on). Such a layer
 *   - keeps float master weights (l->weights, l->biases) and their update
 *     buffers; batch norm is folded into them once, when they are loaded (or
 *     at the first training step without a weights file), and the layer's
 *     batch-norm parameters become Darknet's identity (scale 1, mean 0,
 *     sqrt(var) = 1 - 1e-6), so the masters *are* the folded weights
 *     (docs/finetune.md says why: the quantizer sees exactly what inference
 *     quantizes, no batch statistics);
 *   - forward with net.train: fake quantization in the layer's formats
 *     (weights, bias, input, output rounding and saturation, activation on
 *     codes), the emulation path's arithmetic on Darknet's float gemm;
 *     forward without net.train: the layer's normal (integer) path on the
 *     codes of the current masters;
 *   - backward: straight-through estimator. Every quantizer passes the
 *     gradient unchanged where its input lies in the format's representable
 *     range [code_min, code_max] * 2^-frac and blocks it outside (saturated);
 *     the ranges are the integer path's: unsigned inputs 0 .. 2^bits - 1,
 *     out_unsigned outputs one more signed bit before the ReLU, per-channel
 *     weights each row in its own w_frac;
 *   - update: SGD with momentum and weight decay on the masters (upstream's
 *     update_connected_layer without batch-norm scales); codes are rebuilt
 *     from the masters before the next forward;
 *   - save_weights writes the folded masters (identity batch norm), which
 *     load back into the same fx cfg as exactly the codes it trained with.
 */
#ifndef FXQ_LAYER_TRAIN_H
#define FXQ_LAYER_TRAIN_H

#include <stdint.h>
#include <stdio.h>

#include "darknet.h"
#include "fxq_format.h"

struct fxq_train {
    int folded;        /* batch norm folded into the masters */
    int dirty;         /* masters changed since the codes were built */
    int batch;         /* buffers below sized for this batch */
    float *wq, *bq;    /* dequantized codes the forward used */
    uint8_t *w_pass, *b_pass, *in_pass, *out_pass; /* STE masks */
    float *xq;         /* quantized input of the last training forward */
    float *grad_w, *grad_b, *dx;
};

/* 1: layers parsed from now on are trainable (keep float masters). */
void fxq_set_training(int on);
int fxq_training(void);
/* "darknet regressor train" when this process runs an upstream trainer
 * that cannot train fixed-point layers (fxq_command_line), else NULL. */
const char *fxq_untrainable_command(void);

/* Parse-time: makes the layer trainable (installs backward/update). */
void fxq_layer_train_attach(layer *l);
/* After the float records were read (or lazily): folds batch norm into the
 * masters, sets identity batch norm and builds the codes. */
void fxq_layer_train_begin(layer *l);
/* save_weights record of a trainable layer: the folded masters. */
void fxq_layer_train_save(const layer *l, FILE *fp);

void forward_fxq_train(layer l, network net);
void backward_fxq_layer(layer l, network net);
void update_fxq_layer(layer l, update_args a);

/* A format with bits 0 is float (not quantized), for the paper's Table 2
 * mixes such as float weights with 8-bit activations: such a layer is always
 * trainable and always runs the fake-quantized forward (no integer kernel);
 * with float weights or input, the bias stays float too. */
static inline int fxq_fmt_float(fxq_format f) { return f.bits == 0; }

/* 1 when x * 2^frac lies within [lo, hi], the code range the value is
 * rounded and saturated into (the straight-through estimator's pass region;
 * rounding is the identity for the gradient). */
static inline int fxq_ste_pass_range(double x, int frac, int64_t lo, int64_t hi)
{
    const double v = ldexp(x, frac);
    return v >= (double)lo && v <= (double)hi;
}

/* The same for a signed format f: [code_min, code_max] of f.bits. */
static inline int fxq_ste_pass(double x, fxq_format f)
{
    return fxq_ste_pass_range(x, f.frac, fxq_code_min(f.bits), fxq_code_max(f.bits));
}

/* Code ranges the integer path uses (fxq_layer.h): the input's, signed,
 * unsigned (0 .. 2^bits - 1) or its in_zero window; the output's before the
 * activation, with one more signed bit when out_unsigned (the ReLU then drops
 * the negative half), or for an out_zero window the codes whose activation
 * falls inside it (fxq_act_floor .. the window's top). */
struct fxq_layer_state;
void fxq_train_in_range(const struct fxq_layer_state *s, int64_t *lo, int64_t *hi);
void fxq_train_out_range(const struct fxq_layer_state *s, int64_t *lo, int64_t *hi);

#endif
