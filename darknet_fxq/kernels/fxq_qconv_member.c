/* The network-wide team's side of a qconv plan (fxq_qconv_run_member):
 * each thread of a team that runs a whole forward works on its own copy of
 * the plan's scratch, so a layer needs no barrier of its own. The
 * per-run phases it reuses live in fxq_qconv_run.c. */
#include <stddef.h>
#include <string.h>

#include "fxq_qconv_impl.h"

/* Below this many multiply-accumulates a layer inside a running team stays
 * on thread 0: there a split costs barriers only, no wake-up, so the bar is
 * lower than fxq_qconv_run.c's FXQ_PAR_MIN_MACS. */
#define FXQ_TEAM_MIN_MACS (1L << 17)

/* ---- one team for a whole network: each thread on its own scratch ----
 *
 * A barrier costs more than a microsecond on a 2-core VM and data another
 * core wrote costs several times more to read than one's own, so inside a
 * network-wide team (fxq_qconv_run_member) a layer runs without a barrier
 * of its own: each thread converts the input rows it needs into its own
 * copy of the scratch (img_plans[tid]), packs its own B panels and runs
 * its own tiles --
 *   spatial: its share of the n tiles (output positions) x every filter,
 *            from the input rows those positions read (+ the window's halo);
 *   filters: its share of the m tiles x every position (the weights are the
 *            larger operand, or too few n tiles to share), from the whole
 *            input (converted and packed by every thread);
 *   one column: its share of the GEMV rows, the whole input gathered. */

/* Threads of an enclosing team of nth that run plan p: all, or thread 0
 * alone for small layers. */
int fxq_qconv_member_threads(const fxq_qconv_plan *p, int nth)
{
    if (nth > p->nthreads || !p->img_plans || fxq_qconv_image_macs(p) < (double)FXQ_TEAM_MIN_MACS) return 1;
    return nth;
}

/* Input rows [y0, y1) of every channel -> q's padded image; y0 a multiple
 * of the stride, so row y0 starts row y0 / stride of its phase plane. */
static void fxq_convert_rows(const fxq_qconv_plan *q, const int16_t *in, int y0, int y1)
{
    const int h = q->d.h, w = q->d.w, st = q->d.stride;
    const size_t phase = (size_t)q->hs * q->ws, es = (size_t)q->esz;
    if (y1 <= y0) return;
    if (fxq_qconv_convert_flat(q)) { /* the image is the input: one run per channel's rows, or one in all */
        if (y0 == 0 && y1 == h) {
            q->ks->convert(in, 1, q->d.c * h * w, 1, 0, q->esz, q->lo8, q->off8, q->img, phase, q->d.c * h * w);
            return;
        }
        for (int ch = 0; ch < q->d.c; ++ch)
            q->ks->convert(in + ((size_t)ch * h + y0) * w, 1, (y1 - y0) * w, 1, 0, q->esz, q->lo8, q->off8,
                           q->img + ((size_t)ch * h + y0) * w * es, phase, (y1 - y0) * w);
        return;
    }
    for (int ch = 0; ch < q->d.c; ++ch)
        q->ks->convert(in + (size_t)ch * h * w + (size_t)y0 * w, y1 - y0, w, st, q->d.pad, q->esz, q->lo8, q->off8,
                       q->img + ((size_t)ch * st * st * phase + (size_t)(y0 / st) * q->ws) * es, phase, q->ws);
}

/* B panels of n tiles [t0, t1) (output rows oy0 .. oy1 inclusive) into
 * dst (tile t0's panel first). */
static void fxq_pack_tiles(const fxq_qconv_plan *q, long t0, long t1, int oy0, int oy1, unsigned char *dst)
{
    const size_t es = (size_t)q->esz, nr = (size_t)q->nr;
    const int out_w = q->d.out_w, tpr = q->rowwise ? out_w / q->nr : 0;
    unsigned char *rows = q->rows;
    for (int g = 0; g < q->kc / q->kr; ++g) {
        const unsigned char *r[4];
        unsigned char *o = dst + (size_t)g * nr * q->kr * es;
        for (int j = 0; j < q->kr; ++j) {
            const int k = g * q->kr + j < q->K ? g * q->kr + j : g * q->kr; /* zero weights: any data */
            const unsigned char *src = q->img + (size_t)q->off_k[k] * es;
            if (q->direct) {
                r[j] = src + (size_t)t0 * nr * es;
            } else if (tpr) {
                r[j] = src; /* per output row below */
            } else { /* im2col of output rows oy0..oy1; tile t0 starts at column t0*nr - oy0*out_w */
                unsigned char *t = rows + (size_t)j * q->row_len * es;
                q->ks->im2col_row(t, src + (size_t)oy0 * q->ws * es, (size_t)out_w * es, (size_t)q->ws * es,
                                  oy1 - oy0 + 1);
                r[j] = t + ((size_t)t0 * nr - (size_t)oy0 * out_w) * es;
            }
        }
        if (tpr) { /* whole output rows of tiles, straight from the image */
            for (long t = t0; t < t1; t += tpr) { /* t0, t1: whole rows */
                const unsigned char *rr[4];
                const size_t oy = (size_t)(t / tpr);
                for (int j = 0; j < q->kr; ++j) rr[j] = r[j] + oy * q->ws * es;
                unsigned char *ot = o + (size_t)(t - t0) * q->b_panel * es;
                if (q->esz == 1) q->ks->pack_u8c4(rr, (size_t)tpr, nr, ot, q->b_panel);
                else q->ks->pack_s16c2((const int16_t *)rr[0], (const int16_t *)rr[1], (size_t)tpr, nr, (int16_t *)ot,
                                       q->b_panel, q->split ? (size_t)q->kc * nr : 0);
            }
        } else if (q->esz == 1) {
            q->ks->pack_u8c4(r, (size_t)(t1 - t0), nr, o, q->b_panel);
        } else {
            q->ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], (size_t)(t1 - t0), nr, (int16_t *)o,
                              q->b_panel, q->split ? (size_t)q->kc * nr : 0);
        }
    }
}

/* Tiles per cache block of B (about 16 KiB, at least one). */
static long fxq_block_tiles(const fxq_qconv_plan *q)
{
    const long nb = (long)((16 * 1024) / (q->b_panel * q->esz));
    return nb < 1 ? 1 : nb;
}

/* Spatial split wants tiles whole output rows apart when B is packed row
 * by row: the split is over rows of tiles then. */
static void fxq_member_spatial(const fxq_qconv_plan *q, const int16_t *in, int16_t *out, int tid, int nth)
{
    const fxq_qconv_desc *d = &q->d;
    const long unit = q->rowwise ? d->out_w / q->nr : 1, units = q->n_tiles / unit;
    long u0, u1;
    fxq_qconv_split(units, tid, nth, &u0, &u1);
    const long t0 = u0 * unit, t1 = u1 * unit;
    if (t1 <= t0) return;
    const int p_last = (int)(t1 * q->nr < q->P ? t1 * q->nr : q->P) - 1;
    const int pw = q->wide ? q->ws : d->out_w; /* positions per output row of the GEMM's grid */
    const int oy0 = (int)(t0 * q->nr / pw), oy1 = p_last / pw;
    int y0 = oy0 * d->stride - d->pad, y1 = oy1 * d->stride - d->pad + d->ksize;
    if (y0 < 0) y0 = 0;
    y0 -= y0 % d->stride;
    if (y1 > d->h) y1 = d->h;
    fxq_convert_rows(q, in, y0, y1);
    int16_t *o = q->wide ? q->wout : out;
    if (q->k32 && !q->n_inner && (q->rowwise || q->direct) &&
        (q->kc <= 64 || (size_t)(t1 - t0) * q->b_panel * q->esz > ((size_t)1 << 20))) {
        /* B from the image in blocks that stay in cache: a whole layer's B
         * of the wide first layers (few k per output, megabytes of B) would
         * otherwise go through memory and back on both threads (the blocks
         * reuse one buffer). Measured: yolov3-tiny / darknet.cfg layer 0
         * gain; so do the next layers (K = 144, 1.2 / 3.1 MiB of B per
         * thread: yolov3-tiny layer 2 0.74-0.93 -> 0.62-0.76 ms,
         * darknet.cfg's 0.22-0.24 -> 0.20-0.21), where a thread's B exceeds
         * its 1 MiB L2; deeper layers whose B fits there (K >= 288) do not. */
        const long nb = q->rowwise ? unit : fxq_block_tiles(q);
        for (long b0 = t0; b0 < t1; b0 += nb) {
            const long b1 = b0 + nb < t1 ? b0 + nb : t1;
            fxq_pack_tiles(q, b0, b1, 0, 0, q->bpack);
            for (long nt = b0; nt < b1; ++nt) {
                const size_t tnr = (size_t)(q->P - nt * q->nr < q->nr ? q->P - nt * q->nr : q->nr);
                for (int mt = 0; mt < q->m_tiles; ++mt) {
                    const size_t tmr = (size_t)(d->m - mt * q->mr < q->mr ? d->m - mt * q->mr : q->mr);
                    q->k32(tmr, tnr, (size_t)q->kc, q->a + (size_t)mt * q->a_stride,
                           q->bpack + (size_t)(nt - b0) * q->b_panel * q->esz,
                           o + (size_t)mt * q->mr * q->P + (size_t)nt * q->nr, (size_t)q->P, fxq_qconv_rq(q, mt * q->mr));
                }
            }
        }
        if (q->wide) fxq_qconv_compact(q, out, 0, d->m, t0 * q->nr, t1 * q->nr);
        return;
    }
    fxq_pack_tiles(q, t0, t1, oy0, oy1, q->bpack + (size_t)t0 * q->b_panel * q->esz);
    if (q->n_inner)
        for (long nt = t0; nt < t1; ++nt)
            for (long mt = 0; mt < q->m_tiles; ++mt) fxq_qconv_gemm_tiles(q, o, mt * q->n_tiles + nt, mt * q->n_tiles + nt + 1, 0);
    else
        fxq_qconv_gemm_tiles(q, o, t0 * q->m_tiles, t1 * q->m_tiles, 0);
    if (q->wide) fxq_qconv_compact(q, out, 0, d->m, t0 * q->nr, t1 * q->nr);
}

static void fxq_member_filters(const fxq_qconv_plan *q, const int16_t *in, int16_t *out, int tid, int nth)
{
    const fxq_qconv_desc *d = &q->d;
    long m0, m1;
    fxq_qconv_split(q->gemv || q->gemv64 ? (d->m + q->gmr - 1) / q->gmr : q->m_tiles, tid, nth, &m0, &m1);
    if (m1 <= m0) return;
    if (q->gemv || q->gemv64) {
        fxq_qconv_gather_x(q, in, 0, q->kcg);
        fxq_qconv_gemv_rows(q, out, m0, m1);
        return;
    }
    fxq_convert_rows(q, in, 0, d->h);
    fxq_pack_tiles(q, 0, q->n_tiles, 0, d->out_h - 1, q->bpack);
    int16_t *o = q->wide ? q->wout : out;
    if (q->n_inner)
        fxq_qconv_gemm_tiles(q, o, m0 * q->n_tiles, m1 * q->n_tiles, 0);
    else
        for (long nt = 0; nt < q->n_tiles; ++nt)
            fxq_qconv_gemm_tiles(q, o, nt * q->m_tiles + m0, nt * q->m_tiles + m1, 0);
    if (q->wide) fxq_qconv_compact(q, out, (int)m0 * q->mr, (int)(m1 * q->mr < d->m ? m1 * q->mr : d->m), 0, q->P);
}

void fxq_qconv_run_member(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth)
{
    const int use = fxq_qconv_member_threads(p, nth);
    if (use == 1) {
        if (tid == 0) fxq_qconv_run_team(p, in, out, 0, 1);
        return;
    }
    const fxq_qconv_plan *q = &p->img_plans[tid];
    /* by filters only where the weights are the larger operand and do not
     * fit each core's L2 as well, or B costs little to build (1x1 direct
     * plans): a filter split converts and packs the whole input on every
     * thread (darknet.cfg's 16x16 layer, K = 1152, 295 KiB of weights:
     * 0.12-0.16 -> 0.11-0.12 ms by output positions) */
    const int w_small = p->a_stride * (size_t)p->m_tiles <= ((size_t)512 << 10) && !p->direct;
    if (!p->gemv && !p->gemv64 && p->n_tiles >= 2 * use && (!p->n_inner || p->m_tiles < use || w_small))
        fxq_member_spatial(q, in, out, tid, use);
    else
        fxq_member_filters(q, in, out, tid, use);
}

