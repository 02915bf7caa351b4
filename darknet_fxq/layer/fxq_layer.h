/* [fxconvolutional] / [fxconnected]: Darknet layers computing in fixed point.
 *
 * cfg keys (besides every key of [convolutional]/[connected]):
 *   w_bits, w_frac      weights (batch norm folded in)          bits 2..16
 *   in_bits, in_frac    the layer's input activations           bits 2..16
 *   in_unsigned         1: input codes are unsigned, 0 .. 2^in_bits - 1 (for
 *                       inputs never negative: one more bit of resolution;
 *                       negative inputs saturate to 0); in_bits <= 15.
 *                       Default 0: signed codes.
 *   out_unsigned        1 (activation=relu only): output codes after the ReLU
 *                       are 0 .. 2^out_bits - 1: the kernel requantizes to
 *                       out_bits + 1 signed bits and the ReLU drops the
 *                       negative half; out_bits <= 15. Default 0.
 *   w_frac=a,b,c,...    per output channel: one frac per filter/output (a
 *                       comma list of exactly `units` integers); a single
 *                       value is one format for the whole tensor. Row m is
 *                       requantized by w_frac[m] + in_frac - out_frac.
 *   in_zero=Z           input codes -Z .. 2^in_bits - 1 - Z (a zero point: the
 *                       unsigned code of 0, 0 .. 2^in_bits - 1; in_bits <= 15):
 *                       value = code * 2^-in_frac still. 0 is in_unsigned=1,
 *                       2^(in_bits-1) the signed default.
 *   out_zero=Z          the output codes *after* the activation are
 *                       -Z .. 2^out_bits - 1 - Z: requantized without
 *                       saturation, activated, then clamped (fxq_qconv.h);
 *                       out_bits <= 15. relu with 0 is out_unsigned=1, linear
 *                       with 2^(out_bits-1) the default; leaky with 2^(bits-1)
 *                       is not (the default saturates before the activation).
 *                       Trainable: the training forward clamps to the window
 *                       (fxq_train_out_range, fxq_layer_train.h).
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
#include "fxq_pool.h"
#include "fxq_qconv.h"

enum { FXQ_MODE_INT = 0, FXQ_MODE_EMULATE = 1 };

struct fxq_layer_state {
    fxq_format w, b, in, out;
    int act;                /* FXQ_ACT_* */
    int mode;               /* FXQ_MODE_* */
    int units, fan_in;      /* filters/outputs, weights per unit */
    int in_unsigned;        /* input codes 0 .. 2^in.bits - 1 */
    int out_unsigned;       /* relu output codes 0 .. 2^out.bits - 1 */
    int in_win, in_lo;      /* in_zero: input codes in_lo .. in_lo + 2^in.bits - 1
                             * (in_win 0 where in_zero gave the signed or
                             * unsigned range) */
    int out_win, out_lo;    /* out_zero: outputs clamped after the activation to
                             * out_lo .. out_lo + 2^out.bits - 1 (fxq_qconv.h) */
    int *w_fracs;           /* units fracs (per-channel weights) or NULL:
                             * w.frac for every row (w.frac = their minimum) */
    int *row_shift;         /* units requant shifts when w_fracs */
    int prepared;           /* codes installed (from floats or a .fxw) */
    int keep_float;         /* keep Darknet's float buffers and the folded
                             * masters below (fxq_layer_set_keep_float) */
    int16_t *w_codes;       /* units x fan_in, format w */
    int64_t *b_codes;       /* units, format b: what a .fxw stores */
    int64_t *bias_acc;      /* units, b_codes in 2^-(w.frac + in.frac): what
                             * the kernels add */
    float *w_master;        /* keep_float only: batch-norm-folded float */
    float *b_master;        /* weights/biases the codes were made from */
    fxq_qconv_desc desc;    /* desc.batch = batch the plan was made for */
    fxq_qconv_plan *plan;   /* int mode */
    int16_t *in_codes, *out_codes;
    float *w_deq;           /* emulate mode only */
    float *b_deq;
    struct fxq_train *train; /* trainable: float masters kept (fxq_layer_train.h) */
    uint32_t *logistic_memo; /* a yolo layer reading this one's outputs: the
                              * logistic of each output code as float bits,
                              * all ones until first met (fxq_team.c) */
    char *cfg;              /* the cfg it was parsed from and its index there: */
    int index;              /* run-time errors name them */
};

/* Builds codes (and the kernel plan) from the layer's float weights, folding
 * batch norm. Called after loading; also lazily on first forward, so a cfg
 * run without a weights file uses Darknet's random init. Exits on failure. */
void fxq_layer_prepare(layer *l);

/* Installs codes into a prepared-or-not layer: copies w_codes (units x
 * fan_in, format s->w) and b_codes (units, format s->b), derives bias_acc and
 * drops derived state (fxq_layer_codes_changed). The one way codes enter a
 * layer: from float weights (fxq_layer_prepare), from a .fxw, or from a
 * later training step. 0 when out of memory. */
int fxq_layer_install_codes(struct fxq_layer_state *s, const int16_t *w_codes, const int64_t *b_codes);

/* Process-wide default for state.keep_float of layers parsed afterwards
 * (default 0: the float weights are freed once the codes exist). Tools that
 * need the float buffers after loading (packing with a bias finer than the
 * accumulator, fine-tuning) set it before parsing the cfg. */
void fxq_layer_set_keep_float(int on);
int fxq_layer_keep_float_default(void);

/* After w_codes/bias_acc were (re)written: drops what was derived from the
 * old codes (kernel plan, emulation copies) and marks the layer prepared. */
void fxq_layer_codes_changed(struct fxq_layer_state *s);

/* Releases the float parameter buffers Darknet allocated (weights etc.). */
void fxq_layer_drop_float(layer *l);

void forward_fxq_layer(layer l, network net);

/* The kernel plan (and code buffers) for `batch` images, built unless the
 * layer has one for that batch: by the weights loader for batch 1, by the
 * forward for the batch it runs. Exits on failure. */
void fxq_layer_plan_ready(layer *l, int batch);

/* Inside one team for the whole network (fxq_team.h): fxq_layer_team_ready
 * before the region (plan, buffers; 0 when the layer cannot run in a team:
 * emulate mode, trainable, no plan for tid < nth), then every thread calls
 * fxq_layer_forward_member; a barrier must follow before its output is read. */
int fxq_layer_team_ready(layer *l, int nth);
void fxq_layer_forward_member(const layer *l, const network *net, int tid, int nth);
/* The same with a [maxpool] / [avgpool] consumer fused in
 * (fxq_pipe_pool_fusable: align its row alignment): each thread pools the
 * blocks it wrote. Whether the layer's split can give such blocks about
 * as evenly as its own: fxq_layer_member_aligns (after
 * fxq_layer_team_ready). */
int fxq_layer_member_aligns(const layer *l, int nth, int align);
/* 1 when thread 0 alone runs the layer in a team of nth (a small layer:
 * fxq_qconv_member_threads) -- the other threads touch nothing of it. */
int fxq_layer_member_solo(const layer *l, int nth);
void fxq_layer_forward_member_pool(const layer *l, const network *net, int tid, int nth, const layer *pool, int align);

/* 1 when a format is float (bits 0, fxq_layer_train.h). */
static inline int fxq_has_float(const struct fxq_layer_state *s)
{
    return s->w.bits == 0 || s->in.bits == 0 || s->out.bits == 0;
}

/* Accumulator format's fractional bits (per tensor: with per-channel
 * weights, the coarsest row's). */
static inline int fxq_acc_frac(const struct fxq_layer_state *s) { return s->w.frac + s->in.frac; }
/* Row u's weight / accumulator fracs. */
static inline int fxq_row_w_frac(const struct fxq_layer_state *s, int u) { return s->w_fracs ? s->w_fracs[u] : s->w.frac; }
static inline int fxq_row_acc_frac(const struct fxq_layer_state *s, int u) { return fxq_row_w_frac(s, u) + s->in.frac; }

/* The codes entering / leaving the layer (after the activation): signed,
 * unsigned or a window. */
static inline fxq_cfmt fxq_layer_in_cfmt(const struct fxq_layer_state *s)
{
    return s->in_win ? fxq_cfmt_window(s->in.bits, s->in.frac, s->in_lo)
                     : (fxq_cfmt){s->in.bits, s->in.frac, s->in_unsigned, 0};
}
static inline fxq_cfmt fxq_layer_out_cfmt(const struct fxq_layer_state *s)
{
    return s->out_win ? fxq_cfmt_window(s->out.bits, s->out.frac, s->out_lo)
                      : (fxq_cfmt){s->out.bits, s->out.frac, s->out_unsigned, 0};
}

/* Input codes of the layer's format (signed or unsigned), exact twin of
 * fxq_quantize_ref / fxq_quantize64_ref with the unsigned range. */
void fxq_layer_quantize_input(const struct fxq_layer_state *s, const float *x, size_t n, int16_t *codes);

#endif
