/* Forward of the non-fixed code layers (fxq_pipe.h): int mode on codes
 * (kernels/fxq_pool.h), emulate mode on floats with the same rounding
 * (dequantized values, exact or double arithmetic, then Q_out): the two give
 * the same codes bit for bit. Upstream's forward serves the float side
 * where it is exact already (maxpool, upsample, route copies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_pipe.h"
#include "fxq_qconv.h"

static float fxq_q(double x, fxq_cfmt f)
{
    return fxq_dequantize(fxq_quantize64_ref(x, f.frac, fxq_cfmt_lo(f), fxq_cfmt_hi(f)), f.frac);
}

static void fxq_pipe_emulate(layer l, network net)
{
    const struct fxq_pipe *p = l.fxq_pipe;
    const size_t n = (size_t)l.outputs * l.batch;
    switch (l.type) {
    case AVGPOOL: {
        const size_t hw = (size_t)l.h * l.w;
        for (size_t k = 0; k < (size_t)l.c * l.batch; ++k) {
            double s = 0; /* exact: at most 2^16 codes of 16 bits */
            for (size_t i = 0; i < hw; ++i) s += net.input[k * hw + i];
            l.output[k] = fxq_q(s / (double)hw, p->fmt);
        }
        return;
    }
    case SHORTCUT: {
        const float *add = net.layers[l.index].output;
        for (size_t i = 0; i < n; ++i) {
            const double s = (double)net.input[i] + (double)add[i];
            const int64_t q = fxq_quantize64_ref(s, p->fmt.frac, fxq_cfmt_lo(p->fmt), fxq_cfmt_hi(p->fmt));
            l.output[i] = fxq_dequantize(fxq_act_ref(q, p->act), p->fmt.frac);
        }
        return;
    }
    case ROUTE: {
        p->upstream(l, net);
        int same = 1;
        for (int j = 0; j < p->nsrc; ++j) same &= fxq_cfmt_eq(net.layers[p->src[j]].fxq_pipe->fmt, p->fmt);
        if (!same)
            for (size_t i = 0; i < n; ++i) l.output[i] = fxq_q(l.output[i], p->fmt);
        return;
    }
    default: /* maxpool, upsample, reorg: exact on the grid */
        p->upstream(l, net);
    }
}

static void fxq_pipe_int(layer l, network net)
{
    struct fxq_pipe *p = l.fxq_pipe;
    const size_t n = (size_t)l.outputs * l.batch;
    int16_t *out = fxq_pipe_reserve(&p->buf, &p->buf_cap, n);
    const struct fxq_pipe *s0 = net.layers[p->src[0]].fxq_pipe;
    switch (l.type) {
    case MAXPOOL: {
        const fxq_maxpool_geom g = {l.h, l.w, l.size, l.stride, l.pad, l.out_h, l.out_w};
        if (!fxq_maxpool_ok(&g)) {
            fprintf(stderr, "darknet fxq: layer %d: maxpool resized to a shape the integer path refuses\n", net.index);
            exit(1);
        }
        fxq_s16_maxpool(&g, (size_t)l.c * l.batch, s0->codes, out);
        break;
    }
    case AVGPOOL:
        fxq_s16_avgpool((size_t)l.c * l.batch, (size_t)l.h * l.w, p->fmt.frac - s0->fmt.frac, s0->codes, out);
        break;
    case UPSAMPLE:
        fxq_s16_upsample((size_t)l.c * l.batch, l.h, l.w, l.stride, s0->codes, out);
        break;
    case REORG:
        fxq_s16_reorg(s0->codes, l.w, l.h, l.c, l.batch, l.stride, l.reverse != 0, out);
        break;
    case SHORTCUT: {
        const struct fxq_pipe *s1 = net.layers[p->src[1]].fxq_pipe;
        fxq_s16_add(n, s0->codes, s0->fmt.frac, s1->codes, s1->fmt.frac, p->fmt, p->act, out);
        break;
    }
    case ROUTE: {
        size_t offset = 0;
        for (int j = 0; j < p->nsrc; ++j) {
            const struct fxq_pipe *s = net.layers[p->src[j]].fxq_pipe;
            const size_t size = (size_t)l.input_sizes[j];
            for (int b = 0; b < l.batch; ++b) {
                const int16_t *from = s->codes + (size_t)b * size;
                int16_t *to = out + offset + (size_t)b * l.outputs;
                if (fxq_cfmt_eq(s->fmt, p->fmt)) memcpy(to, from, size * sizeof *to);
                else fxq_codes_convert(from, size, s->fmt.frac, p->fmt, to);
            }
            offset += size;
        }
        break;
    }
    default:
        fprintf(stderr, "darknet fxq: layer %d: no integer forward for this layer type\n", net.index);
        exit(1);
    }
    p->codes = out;
    if (fxq_pipe_writes_float(&l)) fxq_qconv_dequantize(out, n, p->fmt.frac, l.output);
}

int fxq_pipe_team_ready(layer *l)
{
    struct fxq_pipe *p = l->fxq_pipe;
    if (!p || p->mode != FXQ_PIPE_INT || !fxq_pipe_reads_codes(l) || l->batch != 1) return 0;
    if (l->type == MAXPOOL) {
        const fxq_maxpool_geom g = {l->h, l->w, l->size, l->stride, l->pad, l->out_h, l->out_w};
        if (!fxq_maxpool_ok(&g)) return 0;
    }
    fxq_pipe_reserve(&p->buf, &p->buf_cap, (size_t)l->outputs);
    return 1;
}

/* [lo, hi) of n for thread tid of nth */
static void fxq_share(size_t n, int tid, int nth, size_t *lo, size_t *hi)
{
    *lo = n * tid / nth;
    *hi = n * (tid + 1) / nth;
}

/* fxq_pipe_int by one thread of the team (batch 1): its share of the
 * channel planes (avgpool, upsample), of the elements (shortcut,
 * each route input), of the output rows (maxpool), or all of it on
 * thread 0 (reorg). */
void fxq_pipe_forward_member(const layer *lp, const network *net, int tid, int nth)
{
    const layer l = *lp;
    struct fxq_pipe *p = l.fxq_pipe;
    int16_t *out = p->buf;
    const struct fxq_pipe *s0 = net->layers[p->src[0]].fxq_pipe;
    size_t a, b;
    switch (l.type) {
    case MAXPOOL: {
        const fxq_maxpool_geom g = {l.h, l.w, l.size, l.stride, l.pad, l.out_h, l.out_w};
        /* large planes by output rows (the rows the convolutions around it
         * keep on this thread), small ones by channels (measured faster:
         * a few rows per plane cost more per code than a cross-core read) */
        if (l.out_h * l.out_w >= 4096) {
            fxq_share((size_t)l.out_h, tid, nth, &a, &b);
            if (b > a) fxq_s16_maxpool_rows(&g, (size_t)l.c, s0->codes, out, (int)a, (int)b);
        } else {
            fxq_share((size_t)l.c, tid, nth, &a, &b);
            if (b > a) fxq_s16_maxpool_rows(&g, b - a, s0->codes + a * l.h * l.w, out + a * l.out_h * l.out_w, 0, l.out_h);
        }
        break;
    }
    case AVGPOOL:
        fxq_share((size_t)l.c, tid, nth, &a, &b);
        if (b > a)
            fxq_s16_avgpool(b - a, (size_t)l.h * l.w, p->fmt.frac - s0->fmt.frac, s0->codes + a * l.h * l.w, out + a);
        break;
    case UPSAMPLE:
        fxq_share((size_t)l.c, tid, nth, &a, &b);
        if (b > a)
            fxq_s16_upsample(b - a, l.h, l.w, l.stride, s0->codes + a * l.h * l.w,
                             out + a * (size_t)l.h * l.w * l.stride * l.stride);
        break;
    case SHORTCUT: {
        const struct fxq_pipe *s1 = net->layers[p->src[1]].fxq_pipe;
        fxq_share((size_t)l.outputs, tid, nth, &a, &b);
        if (b > a) fxq_s16_add(b - a, s0->codes + a, s0->fmt.frac, s1->codes + a, s1->fmt.frac, p->fmt, p->act, out + a);
        break;
    }
    case ROUTE: {
        size_t offset = 0;
        for (int j = 0; j < p->nsrc; ++j) {
            const struct fxq_pipe *s = net->layers[p->src[j]].fxq_pipe;
            const size_t size = (size_t)l.input_sizes[j];
            fxq_share(size, tid, nth, &a, &b);
            if (b > a) {
                if (fxq_cfmt_eq(s->fmt, p->fmt)) memcpy(out + offset + a, s->codes + a, (b - a) * sizeof *out);
                else fxq_codes_convert(s->codes + a, b - a, s->fmt.frac, p->fmt, out + offset + a);
            }
            offset += size;
        }
        break;
    }
    default: /* reorg */
        if (tid == 0) fxq_s16_reorg(s0->codes, l.w, l.h, l.c, 1, l.stride, l.reverse != 0, out);
    }
    if (fxq_pipe_writes_float(&l)) {
        if (nth > 1) {
#pragma omp barrier
        }
        fxq_share((size_t)l.outputs / 64, tid, nth, &a, &b);
        a *= 64, b = tid + 1 == nth ? (size_t)l.outputs : b * 64;
        if (b > a) fxq_qconv_dequantize(out + a, b - a, p->fmt.frac, l.output + a);
    }
    if (tid == 0) p->codes = out;
}

int fxq_pipe_pool_fusable(const network *net, int i, int src)
{
    const layer *l = &net->layers[i], *s = &net->layers[src];
    const struct fxq_pipe *p = l->fxq_pipe;
    if (!p || p->mode != FXQ_PIPE_INT || !fxq_pipe_reads_codes(l) || p->nsrc != 1 || p->src[0] != src ||
        fxq_pipe_writes_float(l) || l->batch != 1 || !p->buf || l->c != s->out_c || l->h != s->out_h || l->w != s->out_w)
        return 0;
    if (l->type == AVGPOOL) return l->h; /* whole planes */
    if (l->type != MAXPOOL || l->size != l->stride || l->stride < 2 || l->pad / 2 != 0) return 0;
    const fxq_maxpool_geom g = {l->h, l->w, l->size, l->stride, l->pad, l->out_h, l->out_w};
    return fxq_maxpool_ok(&g) ? l->stride : 0;
}

void fxq_pipe_pool_block(const layer *l, const layer *src, const int16_t *in, int c0, int c1, int y0, int y1)
{
    const struct fxq_pipe *p = l->fxq_pipe;
    if (c1 <= c0) return;
    if (l->type == AVGPOOL) { /* whole planes only: y0 = 0, y1 = h */
        const int up = p->fmt.frac - src->fxq_pipe->fmt.frac;
        fxq_s16_avgpool((size_t)(c1 - c0), (size_t)l->h * l->w, up, in + (size_t)c0 * l->h * l->w, p->buf + c0);
        return;
    }
    const int st = l->stride, r0 = y0 / st, r1 = y1 >= l->h || y1 / st > l->out_h ? l->out_h : y1 / st;
    if (r1 <= r0) return;
    const fxq_maxpool_geom g = {l->h, l->w, l->size, l->stride, l->pad, l->out_h, l->out_w};
    fxq_s16_maxpool_rows(&g, (size_t)(c1 - c0), in + (size_t)c0 * l->h * l->w,
                         p->buf + (size_t)c0 * l->out_h * l->out_w, r0, r1);
}

void fxq_pipe_forward(layer l, network net)
{
    const struct fxq_pipe *p = l.fxq_pipe;
    if (p->mode == FXQ_PIPE_INT && fxq_pipe_reads_codes(&l)) fxq_pipe_int(l, net);
    else fxq_pipe_emulate(l, net);
}
