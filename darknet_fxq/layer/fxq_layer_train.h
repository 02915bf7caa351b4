/* Training [fxconvolutional] / [fxconnected] inside their formats (paper §5.3).
 *
 * A layer is trainable when it was parsed while training mode was on
 * (fxq_set_training(1), a process-wide default read once per layer at parse
 * time; `classifier train` and `fxq finetune` turn it on). Such a layer
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

/* 1 when value x quantized to f is not saturated: x * 2^frac within
 * [code_min, code_max] (the straight-through estimator's pass region). */
static inline int fxq_ste_pass(double x, fxq_format f)
{
    const double v = ldexp(x, f.frac);
    return v >= (double)fxq_code_min(f.bits) && v <= (double)fxq_code_max(f.bits);
}

#endif
