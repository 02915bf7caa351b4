/* [fxconvolutional] / [fxconnected]: Darknet layers computing in fixed point.
 *
 * cfg keys (besides every key of [convolutional]/[connected]):
 *   w_bits, w_frac      weights (batch norm folded in)          bits 2..16
 *   in_bits, in_frac    the layer's input activations           bits 2..16
 *   out_bits, out_frac  outputs *before* the activation (Fig. 2) bits 2..16
 *   b_bits, b_frac      biases (optional; default 32 bits at the accumulator's
 *                       frac w_frac+in_frac). A bias finer than the accumulator
 *                       is rounded into it (half away from zero).
 *   fxq_mode            int (default) | emulate. The environment variable
 *                       FXQ_MODE overrides it for every layer.
 *
 * Forward (int): x -> code(in) -> integer conv/GEMM + bias (exact int32/int64)
 *   -> rounding shift to out_frac, saturate to out_bits -> activation on codes
 *   (linear, relu, leaky) -> l.output = code * 2^-out_frac, so upstream layers
 *   after it work unchanged.
 * Forward (emulate): the same formats through Darknet's float im2col/gemm on
 *   dequantized values ("fake quantization"); equal to int where float32 sums
 *   are exact, within an output LSB otherwise.
 */
#ifndef FXQ_LAYER_H
#define FXQ_LAYER_H

#include <stdint.h>

#include "darknet.h"
#include "fxq_format.h"
#include "fxq_qconv.h"

enum { FXQ_MODE_INT = 0, FXQ_MODE_EMULATE = 1 };

struct fxq_layer_state {
    fxq_format w, b, in, out;
    int act;                /* FXQ_ACT_* */
    int mode;               /* FXQ_MODE_* */
    int units, fan_in;      /* filters/outputs, weights per unit */
    int prepared;           /* codes built from float weights */
    int16_t *w_codes;       /* units x fan_in */
    int64_t *bias_acc;      /* units, in 2^-(w.frac + in.frac) */
    fxq_qconv_desc desc;    /* desc.batch = batch the plan was made for */
    fxq_qconv_plan *plan;   /* int mode */
    int16_t *in_codes, *out_codes;
    float *w_deq;           /* emulate mode only */
    float *b_deq;
};

/* Builds codes (and the kernel plan) from the layer's float weights, folding
 * batch norm. Called after loading; also lazily on first forward, so a cfg
 * run without a weights file uses Darknet's random init. Exits on failure. */
void fxq_layer_prepare(layer *l);

/* After w_codes/bias_acc were (re)written: drops what was derived from the
 * old codes (kernel plan, emulation copies) and marks the layer prepared. */
void fxq_layer_codes_changed(struct fxq_layer_state *s);

/* Releases the float parameter buffers Darknet allocated (weights etc.). */
void fxq_layer_drop_float(layer *l);

void forward_fxq_layer(layer l, network net);

/* Accumulator format's fractional bits. */
static inline int fxq_acc_frac(const struct fxq_layer_state *s) { return s->w.frac + s->in.frac; }

#endif
