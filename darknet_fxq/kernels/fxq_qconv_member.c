/* The network-wide team's side of a qconv plan (fxq_qconv_run_member):
 * each thread of a team that runs a whole forward works on its own copy of
 * the plan's scratch, so a layer needs no barrier of its own. The
 * per-run phases it reuses live in fxq_qconv_run.c. */
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>

#include "fxq_env.h"
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
 *            or, where the n tiles do not divide over the threads, an
 *            equal run of (n tile, m tile) cells (fxq_member_cells);
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
    if (q->dconv) return; /* reads the image in place */
    for (int g = 0; g < q->kc / q->kr; ++g) {
        const unsigned char *r[FXQ_KR_MAX];
        unsigned char *o = dst + (size_t)g * nr * q->kr * es;
        for (int j = 0; j < q->kr; ++j) {
            const int k = g * q->kr + j < q->K ? g * q->kr + j : g * q->kr; /* zero weights: any data */
            const unsigned char *src = q->img + (size_t)q->off_k[k] * es;
            if (q->gpack || tpr) {
                r[j] = src; /* the tiles' bases / per output row below */
            } else if (q->direct) {
                r[j] = src + (size_t)t0 * nr * es;
            } else { /* im2col of output rows oy0..oy1; tile t0 starts at column t0*nr - oy0*out_w */
                unsigned char *t = rows + (size_t)j * q->row_len * es;
                q->ks->im2col_row(t, src + (size_t)oy0 * q->ws * es, (size_t)out_w * es, (size_t)q->ws * es,
                                  oy1 - oy0 + 1);
                r[j] = t + ((size_t)t0 * nr - (size_t)oy0 * out_w) * es;
            }
        }
        if (q->gpack) {
            q->gpack(r, q->pbase + t0, q->pidx + (size_t)t0 * nr, (size_t)(t1 - t0), nr, o, q->b_panel);
        } else if (tpr) { /* whole output rows of tiles, straight from the image */
            for (long t = t0; t < t1; t += tpr) { /* t0, t1: whole rows */
                const unsigned char *rr[FXQ_KR_MAX];
                const size_t oy = (size_t)(t / tpr);
                for (int j = 0; j < q->kr; ++j) rr[j] = r[j] + oy * q->ws * es;
                unsigned char *ot = o + (size_t)(t - t0) * q->b_panel * es;
                if (q->esz == 1) q->pack8(rr, (size_t)tpr, nr, ot, q->b_panel);
                else q->ks->pack_s16c2((const int16_t *)rr[0], (const int16_t *)rr[1], (size_t)tpr, nr, (int16_t *)ot,
                                       q->b_panel, q->split ? (size_t)q->kc * nr : 0);
            }
        } else if (q->esz == 1) {
            q->pack8(r, (size_t)(t1 - t0), nr, o, q->b_panel);
        } else {
            q->ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], (size_t)(t1 - t0), nr, (int16_t *)o,
                              q->b_panel, q->split ? (size_t)q->kc * nr : 0);
        }
    }
}

/* The fused 2x2 / 2 max pool (o->pool2, fxq_qconv_plan_pool2): m tiles
 * [mt0, mt1) x pooled rows [py0, py1), each from image rows 2py and 2py + 1
 * (stride 1: the window of output row oy starts at image row oy). */
static void fxq_dconv_pool_rows(const fxq_qconv_plan *q, int16_t *out, long mt0, long mt1, int py0, int py1)
{
    const size_t pw = (size_t)q->d.out_w / 2, pp = (size_t)q->d.out_h / 2 * pw;
    for (long mt = mt0; mt < mt1; ++mt) {
        const size_t mr = (size_t)(q->d.m - mt * q->mr < q->mr ? q->d.m - mt * q->mr : q->mr);
        for (int py = py0; py < py1; ++py)
            q->ks->s8_dconv_pool(mr, pw, (size_t)q->kc / 4, q->a + (size_t)mt * q->a_stride,
                                 q->img + (size_t)2 * py * q->ws, (size_t)q->ws, q->dc_pidx, q->dc_off,
                                 out + (size_t)mt * q->mr * pp + (size_t)py * pw, pp, fxq_qconv_rq(q, (int)mt * q->mr));
    }
}

/* Tiles per cache block of B (about 16 KiB, at least one). */
static long fxq_block_tiles(const fxq_qconv_plan *q)
{
    const long nb = (long)((16 * 1024) / (q->b_panel * q->esz));
    return nb < 1 ? 1 : nb;
}

static long fxq_gcd(long a, long b) { return b ? fxq_gcd(b, a % b) : a; }

/* The spatial split's unit: *tpu tiles, *units of them (the last may be
 * short). One tile, or whole output rows where B is packed row by row; with
 * align > 1 a multiple of align output rows (of the GEMM's grid, wide or
 * not) that is also a whole number of tiles. */
static void fxq_spatial_units(const fxq_qconv_plan *q, int align, long *tpu, long *units)
{
    const long pw = q->wide ? q->ws : q->d.out_w;
    if (q->rowwise) {
        *tpu = (long)(align > 1 ? align : 1) * (q->d.out_w / q->nr);
    } else if (align > 1) {
        const long span = align * pw;
        *tpu = span / fxq_gcd(span, q->nr); /* lcm(span, nr) / nr */
    } else {
        *tpu = 1;
    }
    *units = (q->n_tiles + *tpu - 1) / *tpu;
}

/* Input rows [cy0, cy1) of the thread's image are converted already. */
typedef struct fxq_rows_done {
    int cy0, cy1;
} fxq_rows_done;

/* n tiles [t0, t1) x every filter, from the input rows those positions
 * read (converted unless done already: consecutive chunks of one share
 * convert each row once); blocked: B packed in cache-sized blocks. */
/* Output rows oy0 .. oy1 (inclusive) of the GEMM's grid that n tiles
 * [t0, t1) cover, and the input rows [y0, y1) they read (y0 on the
 * stride). */
static void fxq_tiles_rows(const fxq_qconv_plan *q, long t0, long t1, int *oy0, int *oy1, int *y0, int *y1)
{
    const fxq_qconv_desc *d = &q->d;
    const int p_last = (int)(t1 * q->nr < q->P ? t1 * q->nr : q->P) - 1;
    const int pw = q->wide ? q->ws : d->out_w; /* positions per output row of the GEMM's grid */
    *oy0 = (int)(t0 * q->nr / pw), *oy1 = p_last / pw;
    *y0 = *oy0 * d->stride - d->pad, *y1 = *oy1 * d->stride - d->pad + d->ksize;
    if (*y0 < 0) *y0 = 0;
    *y0 -= *y0 % d->stride;
    if (*y1 > d->h) *y1 = d->h;
}

/* Input rows [y0, y1) into the thread's image unless converted already
 * (rd: the run of rows converted last). */
static void fxq_rows_need(const fxq_qconv_plan *q, const int16_t *in, int y0, int y1, fxq_rows_done *rd)
{
    if (y0 >= rd->cy0 && y0 <= rd->cy1 && rd->cy1 > rd->cy0) {
        const int from = rd->cy1 - rd->cy1 % q->d.stride; /* a row again: starts stay on the stride */
        if (y1 > rd->cy1) fxq_convert_rows(q, in, from, y1), rd->cy1 = y1;
    } else {
        fxq_convert_rows(q, in, y0, y1);
        rd->cy0 = y0, rd->cy1 = y1;
    }
}

static void fxq_spatial_run(const fxq_qconv_plan *q, const int16_t *in, int16_t *out, long t0, long t1, int blocked,
                            fxq_rows_done *rd, const fxq_qconv_member_opts *o)
{
    const fxq_qconv_desc *d = &q->d;
    const int pw = q->wide ? q->ws : d->out_w;
    int oy0, oy1, y0, y1;
    fxq_tiles_rows(q, t0, t1, &oy0, &oy1, &y0, &y1);
    fxq_rows_need(q, in, y0, y1, rd);
    if (o && o->pool2) { /* whole pairs of output rows (align 2) */
        fxq_dconv_pool_rows(q, out, 0, q->m_tiles, oy0 / 2, (t1 == q->n_tiles ? d->out_h : (int)(t1 * q->nr / pw)) / 2);
        return;
    }
    int16_t *ow = q->wide ? q->wout : out;
    if (blocked) {
        const long nb = q->rowwise ? d->out_w / q->nr : fxq_block_tiles(q);
        for (long b0 = t0; b0 < t1; b0 += nb) {
            const long b1 = b0 + nb < t1 ? b0 + nb : t1;
            fxq_pack_tiles(q, b0, b1, 0, 0, q->bpack);
            for (long nt = b0; nt < b1; ++nt) {
                const size_t tnr = (size_t)(q->P - nt * q->nr < q->nr ? q->P - nt * q->nr : q->nr);
                for (int mt = 0; mt < q->m_tiles; ++mt) {
                    const size_t tmr = (size_t)(d->m - mt * q->mr < q->mr ? d->m - mt * q->mr : q->mr);
                    q->k32(tmr, tnr, (size_t)q->kc, q->a + (size_t)mt * q->a_stride,
                           q->bpack + (size_t)(nt - b0) * q->b_panel * q->esz,
                           ow + (size_t)mt * q->mr * q->P + (size_t)nt * q->nr, (size_t)q->P, fxq_qconv_rq(q, mt * q->mr));
                }
            }
        }
    } else {
        fxq_pack_tiles(q, t0, t1, oy0, oy1, q->bpack + (size_t)t0 * q->b_panel * q->esz);
        if (q->n_inner)
            for (long nt = t0; nt < t1; ++nt)
                for (long mt = 0; mt < q->m_tiles; ++mt)
                    fxq_qconv_gemm_tiles(q, ow, mt * q->n_tiles + nt, mt * q->n_tiles + nt + 1, 0);
        else
            fxq_qconv_gemm_tiles(q, ow, t0 * q->m_tiles, t1 * q->m_tiles, 0);
    }
    if (q->wide) fxq_qconv_compact(q, out, 0, d->m, t0 * q->nr, t1 * q->nr);
    if (o && o->done) {
        const fxq_qconv_share b = {0, d->m, (int)(t0 * q->nr / pw), t1 == q->n_tiles ? d->out_h : (int)(t1 * q->nr / pw)};
        o->done(o->ctx, &b);
    }
}

/* FXQ_CELLS=0 in the environment: whole n tiles per thread always (for
 * comparisons). */
static int fxq_cells_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_CELLS", 1, &on);
}

/* Cells: the grid of n tiles x m tiles in n-major order, each thread an
 * equal run of it -- whole n tiles, and at either end of its run part of
 * one n tile's filters. Used where the n tiles do not divide evenly over
 * the threads: paper-cifar10's 12x12 layer has 5 n tiles, 3 went to one
 * thread and 2 to the other (measured at 59b80e9, 2 threads: 0.135 and
 * 0.170 ms busy; as cells 0.150 and 0.150); 13x13 outputs have 6, the
 * last 9 positions wide. An n tile two threads share is packed by both,
 * each into its own B (reading B another core packed costs more than
 * packing it again: a shared pack of paper-cifar10's 2x2 layer's B
 * measured 0.13 -> 0.29 ms). Not with a done callback or the direct
 * kernel's fused pool (a pool fused behind: its blocks are whole output
 * rows), dynamic shares, nor the direct and small-P plans (no B tiles). */
static int fxq_member_cells(const fxq_qconv_plan *q, int nth, int blocked, const fxq_qconv_member_opts *o)
{
    return q->n_tiles % nth != 0 && q->m_tiles >= nth && !blocked && !(o && (o->dynamic || o->done || o->pool2)) &&
           !q->dconv && !q->kig && fxq_cells_enabled();
}

/* Cells [i0, i1) of the grid (fxq_member_cells): the input rows and B of
 * the n tiles they touch, then their tiles. */
static void fxq_cells_run(const fxq_qconv_plan *q, const int16_t *in, int16_t *out, long i0, long i1)
{
    const fxq_qconv_desc *d = &q->d;
    const long mtn = q->m_tiles, nta = i0 / mtn, ntb = (i1 - 1) / mtn + 1; /* n tiles [nta, ntb) */
    /* B packed row by row: whole output rows of tiles */
    const long tpr = q->rowwise ? q->d.out_w / q->nr : 1, pa = nta / tpr * tpr, pb = (ntb + tpr - 1) / tpr * tpr;
    int oy0, oy1, y0, y1;
    fxq_tiles_rows(q, pa, pb, &oy0, &oy1, &y0, &y1);
    fxq_rows_done rd = {0, 0};
    fxq_rows_need(q, in, y0, y1, &rd);
    fxq_pack_tiles(q, pa, pb, oy0, oy1, q->bpack + (size_t)pa * q->b_panel * q->esz);
    int16_t *ow = q->wide ? q->wout : out;
    for (long nt = nta; nt < ntb; ++nt) {
        const long ma = nt == nta ? i0 % mtn : 0, mb = nt + 1 == ntb ? (i1 - 1) % mtn + 1 : mtn; /* m tiles [ma, mb) */
        /* the plan's tile numbering: mt * n_tiles + nt (n tiles inner) or nt * m_tiles + mt */
        if (q->n_inner)
            for (long mt = ma; mt < mb; ++mt) fxq_qconv_gemm_tiles(q, ow, mt * q->n_tiles + nt, mt * q->n_tiles + nt + 1, 0);
        else
            fxq_qconv_gemm_tiles(q, ow, nt * mtn + ma, nt * mtn + mb, 0);
        if (q->wide)
            fxq_qconv_compact(q, out, (int)ma * q->mr, (int)(mb * q->mr < d->m ? mb * q->mr : d->m), nt * q->nr,
                              (nt + 1) * q->nr);
    }
}

/* Its share of the n tiles x every filter: at once, or (o->dynamic) in
 * chunks from its copy's ticket and then chunks of the others' shares
 * still untaken, as fxq_member_filters does. */
static void fxq_member_spatial(const fxq_qconv_plan *p, const fxq_qconv_plan *q, const int16_t *in, int16_t *out,
                               int tid, int nth, const fxq_qconv_member_opts *o)
{
    long tpu, units, u0, u1;
    fxq_spatial_units(q, o ? o->align : 1, &tpu, &units);
    fxq_qconv_split(units, tid, nth, &u0, &u1);
    const long t0 = u0 * tpu, t1 = u1 * tpu < q->n_tiles ? u1 * tpu : q->n_tiles;
    /* B from the image in blocks that stay in cache: a whole layer's B
     * of the wide first layers (few k per output, megabytes of B) would
     * otherwise go through memory and back on both threads (the blocks
     * reuse one buffer). Measured: yolov3-tiny / darknet.cfg layer 0
     * gain; so do the next layers (K = 144, 1.2 / 3.1 MiB of B per
     * thread: yolov3-tiny layer 2 0.74-0.93 -> 0.62-0.76 ms,
     * darknet.cfg's 0.22-0.24 -> 0.20-0.21), where a thread's B exceeds
     * its 1 MiB L2; deeper layers whose B fits there (K >= 288) do not. */
    const int blocked = q->k32 && !q->n_inner && (q->rowwise || q->direct) &&
                        (q->kc <= 64 || (size_t)(t1 - t0) * q->b_panel * q->esz > ((size_t)1 << 20));
    fxq_rows_done rd = {0, 0};
    if (fxq_member_cells(q, nth, blocked, o)) {
        long i0, i1;
        fxq_qconv_split((long)q->n_tiles * q->m_tiles, tid, nth, &i0, &i1);
        if (i1 > i0) fxq_cells_run(q, in, out, i0, i1);
        return;
    }
    if (!(o && o->dynamic)) {
        if (t1 > t0) fxq_spatial_run(q, in, out, t0, t1, blocked, &rd, o);
        return;
    }
    long chunk = units / (8L * nth); /* units per chunk: about 1/8 of a share */
    if (chunk < 1) chunk = 1;
    if (t1 > t0) { /* its own share's rows at once, not a conversion call per channel and chunk */
        int oy0, oy1, y0, y1;
        fxq_tiles_rows(q, t0, t1, &oy0, &oy1, &y0, &y1);
        fxq_rows_need(q, in, y0, y1, &rd);
    }
    for (int k = 0; k < nth; ++k) {
        const int v = (tid + k) % nth;
        long v0, v1;
        fxq_qconv_split(units, v, nth, &v0, &v1);
        atomic_long *ticket = (atomic_long *)&p->img_plans[v].ticket;
        for (long c; (c = v0 + atomic_fetch_add_explicit(ticket, 1, memory_order_relaxed) * chunk) < v1;) {
            const long e = c + chunk < v1 ? c + chunk : v1, e_t = e * tpu < q->n_tiles ? e * tpu : q->n_tiles;
            fxq_spatial_run(q, in, out, c * tpu, e_t, blocked, &rd, o);
        }
    }
}

/* m tiles (or GEMV row groups) [m0, m1) of every position, then the
 * block written reported */
static void fxq_filters_run(const fxq_qconv_plan *q, int16_t *out, long m0, long m1, const fxq_qconv_member_opts *o)
{
    const fxq_qconv_desc *d = &q->d;
    const int rows = q->gemv || q->gemv64 ? q->gmr : q->mr;
    if (o && o->pool2) {
        fxq_dconv_pool_rows(q, out, m0, m1, 0, d->out_h / 2);
        return;
    }
    if (q->gemv || q->gemv64) {
        fxq_qconv_gemv_rows(q, out, m0, m1);
    } else {
        int16_t *w = q->wide ? q->wout : out;
        if (q->n_inner)
            fxq_qconv_gemm_tiles(q, w, m0 * q->n_tiles, m1 * q->n_tiles, 0);
        else
            for (long nt = 0; nt < q->n_tiles; ++nt)
                fxq_qconv_gemm_tiles(q, w, nt * q->m_tiles + m0, nt * q->m_tiles + m1, 0);
        if (q->wide) fxq_qconv_compact(q, out, (int)m0 * q->mr, (int)(m1 * q->mr < d->m ? m1 * q->mr : d->m), 0, q->P);
    }
    const fxq_qconv_share b = {(int)m0 * rows, (int)(m1 * rows < d->m ? m1 * rows : d->m), 0, d->out_h};
    if (o && o->done) o->done(o->ctx, &b);
}

/* Every thread converts and packs the whole input, then runs its m tiles:
 * a fixed share, or (o->dynamic) that share in chunks, taken from its
 * copy's ticket, and then chunks of the others' shares still untaken --
 * whichever thread is slower this time (on a VM that varies from layer to
 * layer and run to run) ends up with fewer. A thread runs its own chunks
 * in order (the weights stream as in the fixed split) and takes from
 * another only at the end. */
static void fxq_member_filters(const fxq_qconv_plan *p, const fxq_qconv_plan *q, const int16_t *in, int16_t *out,
                               int tid, int nth, const fxq_qconv_member_opts *o)
{
    const fxq_qconv_desc *d = &q->d;
    const int gemv = q->gemv || q->gemv64;
    const long units = gemv ? (d->m + q->gmr - 1) / q->gmr : q->m_tiles;
    long m0, m1;
    fxq_qconv_split(units, tid, nth, &m0, &m1);
    const int dynamic = o && o->dynamic;
    if (m1 <= m0 && !dynamic) return;
    if (gemv) {
        fxq_qconv_gather_x(q, in, 0, q->kcg);
    } else if (q->kig) {
        fxq_qconv_igemm_image(q, in, 0, fxq_qconv_igemm_groups(q));
    } else {
        fxq_convert_rows(q, in, 0, d->h);
        fxq_pack_tiles(q, 0, q->n_tiles, 0, d->out_h - 1, q->bpack);
    }
    if (!dynamic) {
        fxq_filters_run(q, out, m0, m1, o);
        return;
    }
    /* chunks of about 1/8 of a share: at most one chunk of imbalance left
     * (1/32 measured slower: darknet.cfg 1.29 -> 1.46 ms on two threads) */
    long chunk = units / (8L * nth);
    if (chunk < 1) chunk = 1;
    for (int k = 0; k < nth; ++k) {
        const int v = (tid + k) % nth;
        long v0, v1;
        fxq_qconv_split(units, v, nth, &v0, &v1);
        atomic_long *ticket = (atomic_long *)&p->img_plans[v].ticket;
        for (long c; (c = v0 + atomic_fetch_add_explicit(ticket, 1, memory_order_relaxed) * chunk) < v1;)
            fxq_filters_run(q, out, c, c + chunk < v1 ? c + chunk : v1, o);
    }
}

/* By output positions (else by filters or GEMV rows) when use threads
 * run p: only where the weights are the larger operand and do not fit each
 * core's L2 as well, or B costs little to build (1x1 direct plans), does a
 * filter split pay for converting and packing the whole input on every
 * thread (darknet.cfg's 16x16 layer, K = 1152, 295 KiB of weights:
 * 0.12-0.16 -> 0.11-0.12 ms by output positions). */
static int fxq_member_by_positions(const fxq_qconv_plan *p, int use)
{
    const int w_small = p->a_stride * (size_t)p->m_tiles <= ((size_t)512 << 10) && !p->direct;
    return !p->gemv && !p->gemv64 && !p->kig && p->n_tiles >= 2 * use && (!p->n_inner || p->m_tiles < use || w_small);
}

int fxq_qconv_member_aligns(const fxq_qconv_plan *p, int nth, int align)
{
    const int use = fxq_qconv_member_threads(p, nth);
    if (use == 1 || align <= 1 || !fxq_member_by_positions(p, use)) return 1;
    long tpu, units;
    fxq_spatial_units(p, align, &tpu, &units);
    /* the largest share (fxq_qconv_split: whole units) at most 1/32 over an even split of the tiles */
    long most = (units + use - 1) / use * tpu;
    if (most > p->n_tiles) most = p->n_tiles;
    return most * use * 32 <= (long)p->n_tiles * 33;
}

void fxq_qconv_member_arm(fxq_qconv_plan *p)
{
    for (int t = 0; p->img_plans && t < p->nthreads; ++t)
        atomic_store_explicit(&p->img_plans[t].ticket, 0, memory_order_relaxed);
}

void fxq_qconv_run_member_ex(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth,
                             const fxq_qconv_member_opts *o)
{
    const int use = fxq_qconv_member_threads(p, nth);
    if (use == 1 && o && o->pool2) {
        if (tid == 0) {
            fxq_convert_rows(p, in, 0, p->d.h);
            fxq_dconv_pool_rows(p, out, 0, p->m_tiles, 0, p->d.out_h / 2);
        }
        return;
    }
    if (use == 1) {
        if (tid == 0) {
            fxq_qconv_run_team(p, in, out, 0, 1);
            const fxq_qconv_share b = {0, p->d.m, 0, p->d.out_h};
            if (o && o->done) o->done(o->ctx, &b);
        }
        return;
    }
    const fxq_qconv_plan *q = &p->img_plans[tid];
    if (fxq_member_by_positions(p, use))
        fxq_member_spatial(p, q, in, out, tid, use, o);
    else
        fxq_member_filters(p, q, in, out, tid, use, o);
}

void fxq_qconv_run_member(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth)
{
    fxq_qconv_run_member_ex(p, in, out, tid, nth, NULL);
}
