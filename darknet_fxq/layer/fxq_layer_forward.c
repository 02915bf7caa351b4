/* Forward pass of [fxconvolutional] / [fxconnected]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "convolutional_layer.h"
#include "gemm.h"
#include "im2col.h"
#include "fxq_env.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"
#include "fxq_pipe.h"
#include "fxq_walk.h"

static void fxq_oom(void)
{
    fprintf(stderr, "darknet fxq: out of memory in a fixed-point layer\n");
    exit(1);
}

static fxq_qconv_desc fxq_layer_desc(const layer *l, int batch)
{
    const struct fxq_layer_state *s = l->fxq;
    fxq_qconv_desc d = {0};
    d.batch = batch;
    if (l->type == FXCONNECTED) {
        d.c = l->inputs, d.h = d.w = 1, d.m = l->outputs, d.ksize = 1, d.stride = 1, d.pad = 0;
        d.out_h = d.out_w = 1;
    } else {
        d.c = l->c, d.h = l->h, d.w = l->w, d.m = l->n, d.ksize = l->size, d.stride = l->stride, d.pad = l->pad;
        d.out_h = l->out_h, d.out_w = l->out_w;
    }
    d.w_bits = s->w.bits, d.a_bits = s->in.bits, d.o_bits = s->out.bits + s->out_unsigned;
    d.shift = fxq_acc_frac(s) - s->out.frac;
    d.act = s->act;
    d.in_unsigned = s->in_unsigned;
    d.in_window = s->in_win, d.in_lo = s->in_lo;
    d.out_window = s->out_win, d.out_lo = s->out_lo;
    if (s->w_fracs) {
        for (int u = 0; u < s->units; ++u) s->row_shift[u] = fxq_row_acc_frac(s, u) - s->out.frac;
        d.row_shift = s->row_shift;
    }
    return d;
}

void fxq_layer_plan_ready(layer *l, int batch)
{
    struct fxq_layer_state *s = l->fxq;
    if (!s->prepared) fxq_layer_prepare(l);
    if (s->plan && s->desc.batch == batch) return;
    if (s->plan) fxq_qconv_plan_free(s->plan);
    s->desc = fxq_layer_desc(l, batch);
    char why[256] = "";
    s->plan = fxq_qconv_plan_create16(&s->desc, s->w_codes, s->bias_acc, why, sizeof why);
    if (!s->plan) {
        fprintf(stderr, "darknet fxq: cannot build the integer kernel for a fixed-point layer: %s\n", why);
        exit(1);
    }
    free(s->in_codes);
    free(s->out_codes);
    s->in_codes = malloc((size_t)l->inputs * batch * sizeof *s->in_codes);
    s->out_codes = malloc((size_t)l->outputs * batch * sizeof *s->out_codes);
    if (!s->in_codes || !s->out_codes) fxq_oom();
}

/* Creates the plan (and code buffers) for the batch size Darknet uses now. */
static void fxq_layer_ready(layer *l) { fxq_layer_plan_ready(l, l->batch); }

/* Round half away from zero, saturate to the input codes' range (signed,
 * unsigned or the window). */
void fxq_layer_quantize_input(const struct fxq_layer_state *s, const float *x, size_t n, int16_t *codes)
{
    const fxq_cfmt f = fxq_layer_in_cfmt(s);
    fxq_qconv_quantize_lohi(x, n, f.frac, fxq_cfmt_lo(f), fxq_cfmt_hi(f), codes);
}

/* Input codes: the producer's own when it hands codes over (an exact
 * integer conversion when its format is not `in`: the same codes as
 * dequantizing and quantizing again), else net.input quantized. Output:
 * codes kept for the consumers, floats written only where read. */
static void forward_fxq_int(layer l, network net)
{
    struct fxq_layer_state *s = l.fxq;
    const size_t nin = (size_t)l.inputs * l.batch;
    const int16_t *in = s->in_codes;
    if (fxq_pipe_reads_codes(&l)) {
        const fxq_cfmt want = fxq_layer_in_cfmt(s);
        in = fxq_pipe_source_codes(&net, l.fxq_pipe->src[0], want, s->in_codes, nin);
    } else {
        /* exact twin of fxq_quantize_ref */
        fxq_layer_quantize_input(s, net.input, nin, s->in_codes);
    }
    fxq_qconv_run(s->plan, in, s->out_codes);
    if (l.fxq_pipe) l.fxq_pipe->codes = s->out_codes;
    if (fxq_pipe_writes_float(&l)) fxq_qconv_dequantize(s->out_codes, (size_t)l.outputs * l.batch, s->out.frac, l.output);
}

int fxq_layer_team_ready(layer *l, int nth)
{
    struct fxq_layer_state *s = l->fxq;
    if (s->train || s->mode == FXQ_MODE_EMULATE || l->batch != 1) return 0;
    fxq_layer_ready(l);
    fxq_qconv_member_arm(s->plan); /* a split by filters shares its tiles out as threads come (fxq_qconv.h) */
    (void)nth;
    return 1;
}

/* forward_fxq_int by one thread of the team. Input codes that need work
 * (quantizing net.input, or a shift from the producer's format) are shared
 * out, then a barrier; a layer thread 0 runs alone does them itself. */
struct fxq_pool_ctx {
    const layer *pool, *src;
    const int16_t *in;
};

static void fxq_pool_block(void *ctx, const fxq_qconv_share *b)
{
    const struct fxq_pool_ctx *c = ctx;
    fxq_pipe_pool_block(c->pool, c->src, c->in, b->m0, b->m1, b->oy0, b->oy1);
}

/* FXQ_STEAL=1: the tiles are shared out as threads come for them
 * (fxq_qconv_member_opts.dynamic); else fixed shares. Off by default: it
 * evens out the threads' busy times per layer, but on this 2-vCPU VM the
 * whole network measured no faster (docs/architecture.md). */
static int fxq_steal_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_STEAL", 0, &on);
}

int fxq_layer_member_aligns(const layer *l, int nth, int align)
{
    return fxq_qconv_member_aligns(((struct fxq_layer_state *)l->fxq)->plan, nth, align);
}

int fxq_layer_member_solo(const layer *l, int nth)
{
    return fxq_qconv_member_threads(((struct fxq_layer_state *)l->fxq)->plan, nth) == 1;
}

/* A fused [maxpool] size=2 stride=2 that the plan can do inside its kernel
 * (fxq_qconv_plan_pool2: the first layers' direct convolution): the
 * pool's codes straight from the sums, the layer's own output never
 * written -- only where the pool is its only reader and nothing reads its
 * floats. Measured at 886651d + this (2 threads, alternated rounds,
 * layer 0 with its pool, ms): yolov3-tiny 0.53-0.56 unfused (FXQ_POOL2=0)
 * -> 0.34-0.35, darknet.cfg 0.18-0.22 -> 0.105-0.116 (the GEMM path
 * before the direct kernel: 0.66-0.75 and 0.21-0.26). */
static int fxq_layer_pool2(const layer *l, const network *net, const layer *pool)
{
    static int on = -1; /* FXQ_POOL2=0: the pool on the full output (for comparisons) */
    const int i = (int)(l - net->layers);
    return fxq_env_switch("FXQ_POOL2", 1, &on) && pool->type == MAXPOOL && pool->size == 2 && pool->stride == 2 && pool->pad / 2 == 0 &&
           pool->out_h * 2 == l->out_h && pool->out_w * 2 == l->out_w && pool->c == l->out_c && pool->batch == 1 &&
           fxq_qconv_plan_pool2(((struct fxq_layer_state *)l->fxq)->plan) && !fxq_pipe_writes_float(l) &&
           i >= 0 && i + 1 < net->n && pool == &net->layers[i + 1] && fxq_pipe_sole_reader(net, i, i + 1);
}

void fxq_layer_forward_member(const layer *l, const network *net, int tid, int nth)
{
    fxq_layer_forward_member_pool(l, net, tid, nth, NULL, 1);
}

void fxq_layer_forward_member_pool(const layer *l, const network *net, int tid, int nth, const layer *pool, int align)
{
    struct fxq_layer_state *s = l->fxq;
    const int use = fxq_qconv_member_threads(s->plan, nth);
    /* thread 0 alone: the others touch nothing, not even the producer's
     * codes pointer (no barrier may separate this layer from a producer
     * thread 0 also ran alone, fxq_team.c) */
    if (use == 1 && tid) return;
    const int16_t *in = s->in_codes;
    const struct fxq_pipe *src = fxq_pipe_reads_codes(l) ? net->layers[l->fxq_pipe->src[0]].fxq_pipe : NULL;
    const fxq_cfmt want = fxq_layer_in_cfmt(s);
    if (src && fxq_cfmt_eq(src->fmt, want)) {
        in = src->codes;
    } else if (use > 1 || tid == 0) {
        /* a band of rows of every channel: mostly the rows this thread's
         * share of the layer reads (fxq_qconv_run_member splits by output
         * positions where it can); else one run of the input per thread
         * (a call per short row would cost more than the conversion) */
        const int spatial = use > 1 && l->type == FXCONVOLUTIONAL && l->h >= 2 * nth && l->w >= 16;
        const size_t step = use > 1 ? (size_t)nth : 1, me = use > 1 ? (size_t)tid : 0;
        const size_t plane = spatial ? (size_t)l->h * l->w : (size_t)l->inputs, planes = spatial ? (size_t)l->c : 1;
        const size_t unit = spatial ? (size_t)l->w : 1, units = plane / unit;
        const size_t b = units * me / step * unit, e = units * (me + 1) / step * unit;
        for (size_t c = 0; c < planes && e > b; ++c) {
            const size_t o = c * plane + b;
            if (src) fxq_codes_convert(src->codes + o, e - b, src->fmt.frac, want, s->in_codes + o);
            else fxq_layer_quantize_input(s, net->input + o, e - b, s->in_codes + o);
        }
        if (use > 1) {
#pragma omp barrier
        }
    }
    struct fxq_pool_ctx pc = {pool, l, s->out_codes};
    const int pool2 = pool && fxq_layer_pool2(l, net, pool);
    const fxq_qconv_member_opts o = {pool ? align : 1, fxq_steal_enabled(), pool && !pool2 ? fxq_pool_block : NULL,
                                     &pc, pool2};
    if (pool && tid == 0) pool->fxq_pipe->codes = pool->fxq_pipe->buf;
    fxq_qconv_run_member_ex(s->plan, in, pool2 ? pool->fxq_pipe->buf : s->out_codes, tid, nth, &o);
    if (!fxq_pipe_writes_float(l)) { /* pool2: no codes of its own (the pool is its only reader) */
        if (tid == 0 && l->fxq_pipe) l->fxq_pipe->codes = pool2 ? NULL : s->out_codes;
        return;
    }
    if (use > 1) {
#pragma omp barrier
    } else if (tid) {
        return; /* thread 0 wrote every code: it writes every float */
    }
    const size_t total = (size_t)l->outputs, k = use > 1 ? (size_t)nth : 1, me = use > 1 ? (size_t)tid : 0;
    const size_t e0 = total * me / k / 64 * 64, e1 = me + 1 == k ? total : total * (me + 1) / k / 64 * 64;
    if (e1 > e0) fxq_qconv_dequantize(s->out_codes + e0, e1 - e0, s->out.frac, l->output + e0);
    if (tid == 0 && l->fxq_pipe) l->fxq_pipe->codes = s->out_codes;
}

/* Fake quantization: Darknet's own float im2col + gemm on dequantized values,
 * then the same requantization, applied to the float sum. */
static void forward_fxq_emulate(layer l, network net)
{
    struct fxq_layer_state *s = l.fxq;
    const size_t nw = (size_t)s->units * s->fan_in;
    if (!s->w_deq) {
        s->w_deq = malloc(nw * sizeof *s->w_deq);
        s->b_deq = malloc((size_t)s->units * sizeof *s->b_deq);
        if (!s->w_deq || !s->b_deq) fxq_oom();
        for (size_t i = 0; i < nw; ++i) s->w_deq[i] = fxq_dequantize(s->w_codes[i], fxq_row_w_frac(s, (int)(i / s->fan_in)));
        for (int u = 0; u < s->units; ++u) s->b_deq[u] = (float)ldexp((double)s->bias_acc[u], -fxq_row_acc_frac(s, u));
    }
    const size_t nin = (size_t)l.inputs * l.batch;
    float *xq = malloc(nin * sizeof *xq);
    if (!xq) fxq_oom();
    const fxq_cfmt ifmt = fxq_layer_in_cfmt(s);
    const int64_t ilo = fxq_cfmt_lo(ifmt), ihi = fxq_cfmt_hi(ifmt);
    for (size_t i = 0; i < nin; ++i)
        xq[i] = (float)ldexp((double)fxq_quantize64_ref((double)net.input[i], s->in.frac, ilo, ihi), -s->in.frac);

    fill_cpu(l.outputs * l.batch, 0, l.output, 1);
    if (l.type == FXCONNECTED) {
        gemm(0, 1, l.batch, l.outputs, l.inputs, 1, xq, l.inputs, s->w_deq, l.inputs, 1, l.output, l.outputs);
        add_bias(l.output, s->b_deq, l.batch, l.outputs, 1);
    } else {
        const int m = l.n, k = l.size * l.size * l.c, n = l.out_w * l.out_h;
        for (int i = 0; i < l.batch; ++i) {
            float *im = xq + (size_t)i * l.c * l.h * l.w, *b = net.workspace;
            if (l.size == 1) b = im;
            else im2col_cpu(im, l.c, l.h, l.w, l.size, l.stride, l.pad, b);
            gemm(0, 0, m, n, k, 1, s->w_deq, k, b, n, 1, l.output + (size_t)i * n * m, n);
        }
        add_bias(l.output, s->b_deq, l.batch, l.n, l.out_h * l.out_w);
    }
    free(xq);
    const size_t n = (size_t)l.outputs * l.batch;
    const int ob = s->out.bits + s->out_unsigned; /* relu drops the negative half */
    /* a window: saturated after the activation (fxq_qconv.h), so the
     * pre-activation code is only bounded far outside it */
    const int64_t lo = s->out_win ? INT32_MIN : fxq_code_min(ob), hi = s->out_win ? INT32_MAX : fxq_code_max(ob);
    const int64_t wlo = s->out_lo, whi = s->out_lo + ((int64_t)1 << s->out.bits) - 1;
    for (size_t i = 0; i < n; ++i) {
        int64_t q = fxq_act_ref(fxq_quantize64_ref((double)l.output[i], s->out.frac, lo, hi), s->act);
        if (s->out_win) q = q < wlo ? wlo : q > whi ? whi : q;
        l.output[i] = fxq_dequantize(q, s->out.frac);
    }
}

void forward_fxq_layer(layer l, network net)
{
    struct fxq_layer_state *s = l.fxq;
    if (net.train && !s->train) {
        /* Only trainers that turn on training mode before parsing give the
         * layer float masters and a backward; any other (rnn, ...) would
         * reach a NULL backward after this forward. */
        fprintf(stderr, "%s: layer %d [%s]: cannot train a fixed-point layer here: use `darknet classifier train`, "
                        "`darknet detector train` or `darknet fxq finetune`, or train the float cfg\n", s->cfg,
                s->index, fxq_layer_type_name(l.type));
        exit(1);
    }
    if (s->train && (net.train || fxq_has_float(s))) {
        forward_fxq_train(l, net);
    } else if (s->mode == FXQ_MODE_EMULATE) {
        if (!s->prepared) fxq_layer_prepare(&l);
        forward_fxq_emulate(l, net);
    } else {
        fxq_layer_ready(&l);
        forward_fxq_int(l, net);
    }
}
