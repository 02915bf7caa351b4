/* The per-run pipeline of a qconv plan and its OpenMP team.
 *
 *   for each image:  1. convert   input codes -> padded image (the s8 B byte
 *                                 -- code + the set's input offset -- or s16;
 *                                 the border holds code 0 and is written once),
 *                                 stored polyphase (one plane per y % stride,
 *                                 x % stride) so im2col rows are contiguous
 *                    2. pack B    im2col rows -- or none at all when a row is
 *                                 already contiguous in the image (1x1/s1/p0),
 *                                 or when out_w % NR == 0 (each output row's
 *                                 tiles packed straight from the image) --
 *                                 interleaved into the kernel's
 *                                 [kc/KR][NR][KR] panels
 *                    3. GEMM      one microkernel call per MR x NR output tile,
 *                                 requantization + activation fused (the
 *                                 plan's tile: the set's, its narrow 16x16 one
 *                                 for <= 16 outputs, its one-call split tile
 *                                 for 16-bit inputs with K in one chunk);
 *                                 m tiles inner, or n tiles inner when the
 *                                 weights outweigh the B panels
 * A few output positions (2 <= P <= igemm_max_p, 8-bit -- or, where the
 * set has an s16 igemm tile, the s16 int32 path -- windows wider than 1x1)
 * skip phase 2: the input is converted into a padded image with 4 (s8) or
 * 2 (s16) channels interleaved and the set's igemm tile reads each
 * position's k-groups there in place (fxq_qconv_igemm.c).
 * One output column (P == 1: connected layers, 1x1 outputs) instead gathers
 * the column into x and runs GEMV kernels over row-major weights, gmr
 * filters per call, when the kernel set has them.
 *
 * Each phase is split statically over the threads of one parallel region
 * (barriers between phases); small problems run on the calling thread.
 * Batch > 1: whole rounds of images run in parallel, one image per thread
 * on that thread's single-image copy of the plan (img_plans), the rest
 * through the team as above. All
 * scratch memory belongs to the plan, so a plan must not be run by two
 * callers at the same time. Input codes must lie in the a_bits range (the s8
 * path saturates them to 8 bits; the int64 chunk sizes assume it). Every
 * ISA-specific step is a kernel of the plan's set (fxq_kernels.h).
 */
#include <omp.h>
#include <stddef.h>
#include <string.h>

#include "fxq_qconv_impl.h"

/* Below this many multiply-accumulates (per image for a team, per batch for
 * images in parallel) a run stays on one thread: waking the team costs more
 * than it saves. */
#define FXQ_PAR_MIN_MACS (1L << 18)

/* ---- phase 1: input codes -> padded image ---- */

/* Work items of the conversion: whole channels, or -- stride 1 with few
 * channels for the team (the 3-channel first layers) -- row bands of
 * them, so every thread gets a share. Item i covers a contiguous run of
 * the input: channel-major, bands in row order. */
static int fxq_convert_bands(const fxq_qconv_plan *p, int nth)
{
    if (p->d.stride != 1 || nth < 2 || p->d.c >= 4 * nth) return 1;
    const int b = (4 * nth + p->d.c - 1) / p->d.c;
    return b < p->d.h ? b : p->d.h;
}

/* Stride 1, no padding: the padded image has the input's own layout, so
 * any run of whole rows converts as one row (short rows cost the kernels
 * a masked tail each). */
int fxq_qconv_convert_flat(const fxq_qconv_plan *p)
{
    return p->d.stride == 1 && p->d.pad == 0 && (size_t)p->d.c * p->d.h * p->d.w < (size_t)1 << 30;
}

static void fxq_convert(const fxq_qconv_plan *p, const int16_t *in, int bands, long i0, long i1)
{
    const int h = p->d.h, w = p->d.w, st = p->d.stride;
    const size_t phase = (size_t)p->hs * p->ws, es = (size_t)p->esz;
    if (fxq_qconv_convert_flat(p) && i1 > i0) { /* items i0..i1-1 are one run of the input */
        const size_t b = (size_t)(i0 / bands) * h * w + (size_t)(h * (int)(i0 % bands) / bands) * w;
        const size_t e = (size_t)((i1 - 1) / bands) * h * w + (size_t)(h * (int)((i1 - 1) % bands + 1) / bands) * w;
        p->ks->convert(in + b, 1, (int)(e - b), 1, 0, p->esz, p->lo8, p->off8, p->img + b * es, phase, (int)(e - b));
        return;
    }
    for (long i = i0; i < i1; ++i) {
        const int ch = (int)(i / bands), y0 = h * (int)(i % bands) / bands, y1 = h * (int)(i % bands + 1) / bands;
        /* stride 1: row y of the plane is row y + pad of its only phase */
        p->ks->convert(in + (size_t)ch * h * w + (size_t)y0 * w, y1 - y0, w, st, p->d.pad, p->esz, p->lo8, p->off8,
                       p->img + ((size_t)ch * st * st * phase + (size_t)y0 * p->ws) * es, phase, p->ws);
    }
}

/* ---- phase 2: im2col rows + interleave into B panels ---- */

/* Source rows of k-group g: image rows when contiguous there, else built
 * into rows[] (im2col). */
static void fxq_group_rows(const fxq_qconv_plan *p, int g, unsigned char *rows, const unsigned char **r)
{
    const int kr = p->kr;
    const size_t es = (size_t)p->esz;
    for (int j = 0; j < kr; ++j) {
        const int k = g * kr + j;
        if (k >= p->K) {
            r[j] = r[0]; /* zero weights: any readable data */
        } else if (p->direct) {
            r[j] = p->img + (size_t)p->off_k[k] * es;
        } else {
            unsigned char *t = rows + (size_t)j * p->row_len * es;
            p->ks->im2col_row(t, p->img + (size_t)p->off_k[k] * es, (size_t)p->d.out_w * es, (size_t)p->ws * es,
                              p->d.out_h);
            r[j] = t;
        }
    }
}

/* B panel rows g*KR .. g*KR+KR-1 of every panel from the KR source rows r[]. */
static void fxq_interleave(const fxq_qconv_plan *p, const unsigned char *const *r, int g)
{
    const size_t nr = (size_t)p->nr;
    if (p->esz == 1) {
        p->pack8(r, (size_t)p->n_tiles, nr, p->bpack + (size_t)g * nr * p->kr, p->b_panel);
        return;
    }
    /* split: the low bytes follow the kc high-byte rows of the panel */
    p->ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], (size_t)p->n_tiles, nr,
                      (int16_t *)p->bpack + (size_t)g * nr * 2, p->b_panel, p->split ? (size_t)p->kc * nr : 0);
}

/* rowwise plans: k-groups g0..g1 packed output row by output row, the
 * sources read in place in the (polyphase) image: output row oy of im2col
 * row k starts at img + off_k[k] + oy * ws, and its out_w / nr tiles are
 * whole B panels. */
static void fxq_pack_b_rowwise(const fxq_qconv_plan *p, int g0, int g1)
{
    const size_t es = (size_t)p->esz, nr = (size_t)p->nr, tpr = (size_t)(p->d.out_w / p->nr);
    const size_t row_step = (size_t)p->ws * es, tile_step = tpr * p->b_panel * es;
    for (int g = g0; g < g1; ++g) {
        const unsigned char *r[FXQ_KR_MAX];
        for (int j = 0; j < p->kr; ++j) {
            const int k = g * p->kr + j;
            r[j] = p->img + (size_t)p->off_k[k < p->K ? k : g * p->kr] * es; /* zero weights: any data */
        }
        unsigned char *o = p->bpack + (size_t)g * nr * p->kr * es;
        for (int oy = 0; oy < p->d.out_h; ++oy, o += tile_step) {
            if (p->esz == 1)
                p->pack8(r, tpr, nr, o, p->b_panel);
            else
                p->ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], tpr, nr, (int16_t *)o, p->b_panel,
                                  p->split ? (size_t)p->kc * nr : 0);
            for (int j = 0; j < p->kr; ++j) r[j] += row_step;
        }
    }
}

/* one-pass plans: k-groups g0..g1 of every panel straight from the image */
static void fxq_pack_b_gather(const fxq_qconv_plan *p, int g0, int g1)
{
    for (int g = g0; g < g1; ++g) {
        const unsigned char *r[4];
        for (int j = 0; j < 4; ++j) {
            const int k = g * 4 + j;
            r[j] = p->img + p->off_k[k < p->K ? k : g * 4]; /* zero weights: any data */
        }
        p->gpack(r, p->pbase, p->pidx, (size_t)p->n_tiles, (size_t)p->nr, p->bpack + (size_t)g * p->nr * 4, p->b_panel);
    }
}

static void fxq_pack_b(const fxq_qconv_plan *p, int g0, int g1, int tid)
{
    if (p->dconv) return; /* reads the image in place */
    if (p->rowwise) {
        fxq_pack_b_rowwise(p, g0, g1);
        return;
    }
    if (p->gpack) {
        fxq_pack_b_gather(p, g0, g1);
        return;
    }
    const size_t es = (size_t)p->esz;
    /* two sets of rows: group g+1 is built before group g is interleaved, so
     * the interleave's loads never wait on the copy's overlapping stores */
    unsigned char *rows = p->rows ? p->rows + (size_t)tid * 2 * FXQ_KR_MAX * p->row_len * es : NULL;
    const unsigned char *r[2][FXQ_KR_MAX];
    if (g0 >= g1) return;
    fxq_group_rows(p, g0, rows, r[0]);
    for (int g = g0; g < g1; ++g) {
        const int cur = (g - g0) & 1;
        if (g + 1 < g1) fxq_group_rows(p, g + 1, rows ? rows + (size_t)(1 - cur) * p->kr * p->row_len * es : NULL, r[1 - cur]);
        fxq_interleave(p, r[cur], g);
    }
}

/* ---- wide plans: drop the columns past each output row ---- */

/* n >= 8 int16 from s to d in 16-byte moves, the last one overlapping the
 * one before (fixed-size memcpy: plain vector moves, no call): short rows
 * (fmnist's 13 and 5 wide) cost a loop and a tail each otherwise. */
static inline void fxq_copy_row16(int16_t *restrict d, const int16_t *restrict s, long n)
{
    long i = 0;
    for (; i + 8 < n; i += 8) memcpy(d + i, s + i, 16);
    memcpy(d + n - 8, s + n - 8, 16);
}

void fxq_qconv_compact(const fxq_qconv_plan *p, int16_t *out, int m0, int m1, long c0, long c1)
{
    const int ws = p->ws, out_w = p->d.out_w;
    const size_t P = (size_t)p->P, Po = (size_t)p->d.out_h * out_w;
    if (c1 > (long)P) c1 = (long)P;
    if (c0 % ws == 0 && (c1 % ws == 0 || c1 == (long)P) && m1 > m0 && c1 > c0) { /* whole output rows */
        const long oy0 = c0 / ws, oy1 = (c1 + ws - 1) / ws;
        if (out_w >= 8) {
            for (int m = m0; m < m1; ++m)
                for (long oy = oy0; oy < oy1; ++oy)
                    fxq_copy_row16(out + (size_t)m * Po + oy * out_w, p->wout + (size_t)m * P + oy * ws, out_w);
            return;
        }
        /* rows of 4..7: one 16-byte move each where the next row in memory
         * (which its excess, <= out_w, spills into) is one this call writes
         * after it; else exactly -- nothing outside the buffers or the range
         * is read or written */
        const int h = p->d.out_h;
        for (int m = m0; m < m1 && out_w >= 4; ++m)
            for (long oy = oy0; oy < oy1; ++oy) {
                int16_t *d = out + (size_t)m * Po + oy * out_w;
                const int16_t *r = p->wout + (size_t)m * P + oy * ws;
                if (oy + 1 < oy1 || (oy + 1 == h && oy0 == 0 && m + 1 < m1)) memcpy(d, r, 16);
                else for (int i = 0; i < out_w; ++i) d[i] = r[i];
            }
        if (out_w >= 4) return;
    }
    for (int m = m0; m < m1; ++m) {
        const int16_t *src = p->wout + (size_t)m * P;
        int16_t *dst = out + (size_t)m * Po;
        for (long c = c0; c < c1;) {
            const long oy = c / ws, x = c % ws, end = (oy + 1) * ws < c1 ? (oy + 1) * ws : c1;
            if (x < out_w) { /* short rows: a plain loop beats a memcpy call */
                const long n = (end - c < out_w - x ? end - c : out_w - x);
                int16_t *restrict d = dst + oy * out_w + x;
                const int16_t *restrict r = src + c;
                for (long i = 0; i < n; ++i) d[i] = r[i];
            }
            c = end;
        }
    }
}

/* ---- phase 3: GEMM tiles / GEMV rows ---- */

/* Direct plans: tiles t0..t1 (m tiles inner: t = nt * m_tiles + mt), each
 * m tile's run of positions one output row segment per kernel call; the
 * window of output (oy, ox) starts at img + oy * ws + ox (stride 1). */
static void fxq_dconv_tiles(const fxq_qconv_plan *p, int16_t *out, long t0, long t1)
{
    const long mt_n = p->m_tiles, P = p->P, out_w = p->d.out_w;
    for (long mt = 0; mt < mt_n && t1 > t0; ++mt) {
        const long nt0 = t0 > mt ? (t0 - mt + mt_n - 1) / mt_n : 0, nt1 = t1 > mt ? (t1 - 1 - mt) / mt_n + 1 : 0;
        const long p1 = nt1 * p->nr < P ? nt1 * p->nr : P;
        const size_t mr = (size_t)(p->d.m - mt * p->mr < p->mr ? p->d.m - mt * p->mr : p->mr);
        for (long q = nt0 * p->nr; q < p1;) {
            const long oy = q / out_w, ox = q % out_w, n = p1 - q < out_w - ox ? p1 - q : out_w - ox;
            p->dconv(mr, (size_t)n, (size_t)p->kc / 4, p->a + (size_t)mt * p->a_stride,
                     p->img + (size_t)oy * p->ws + ox, p->dc_idx, p->dc_off, out + (size_t)mt * p->mr * P + q,
                     (size_t)P, fxq_qconv_rq(p, (int)mt * p->mr));
            q += n;
        }
    }
}

void fxq_qconv_gemm_tiles(const fxq_qconv_plan *p, int16_t *out, long t0, long t1, int tid)
{
    if (p->dconv) {
        fxq_dconv_tiles(p, out, t0, t1);
        return;
    }
    const int M = p->d.m, P = p->P, mr = p->mr, nr = p->nr;
    const size_t es = (size_t)p->esz;
    for (long t = t0; t < t1; ++t) {
        const int nt = p->n_inner ? (int)(t % p->n_tiles) : (int)(t / p->m_tiles);
        const int mt = p->n_inner ? (int)(t / p->n_tiles) : (int)(t % p->m_tiles);
        const size_t tmr = (size_t)(M - mt * mr < mr ? M - mt * mr : mr);
        const size_t tnr = (size_t)(P - nt * nr < nr ? P - nt * nr : nr);
        const unsigned char *a = p->a + (size_t)mt * p->a_stride;
        const unsigned char *b = p->bpack + (size_t)nt * p->b_panel * es;
        int16_t *c = out + (size_t)mt * mr * P + (size_t)nt * nr;
        if (p->kig) {
            fxq_qconv_igemm_tile(p, out, mt, nt);
            continue;
        }
        const fxq_rq_params *rq = fxq_qconv_rq(p, mt * mr);
        if (p->k32) { /* int32 paths, and the int64 split single-chunk tile */
            p->k32(tmr, tnr, (size_t)p->kc, a, b, c, (size_t)P, rq);
            continue;
        }
        int64_t *acc = p->acc64 + (size_t)tid * mr * nr;
        const int64_t *bias = (const int64_t *)a;
        const int16_t *w = (const int16_t *)(a + (size_t)mr * 8);
        const int16_t *x = (const int16_t *)b, *xlo = x + (size_t)p->kc * nr;
        for (int i = 0; i < mr; ++i)
            for (int n = 0; n < nr; ++n) acc[i * nr + n] = bias[i];
        for (int k0 = 0; k0 < p->kc; k0 += p->chunk) {
            const size_t kc = (size_t)(p->kc - k0 < p->chunk ? p->kc - k0 : p->chunk);
            p->k64(kc, w + (size_t)k0 * mr, x + (size_t)k0 * nr, acc, p->split ? 8 : 0);
            if (p->split) p->k64(kc, w + (size_t)k0 * mr, xlo + (size_t)k0 * nr, acc, 0);
        }
        p->rq64(tmr, tnr, acc, (size_t)nr, c, (size_t)P, rq);
    }
}

/* P == 1: x[k] = input element off_k[k] as the kernels take it (padding
 * k's: code 0), straight from the input codes: a one-column layer reads
 * each input element at most once, so the padded image would be a copy of
 * the input for nothing (fmnist's 7x7/s5 layer: 3.1 of its 5.4 us). In
 * input order (p->gin) x[k] is input element k: the kernel set's
 * conversion of a run of codes, no gather (that layer: 2.0 -> 0.1 us,
 * and half the k's). */
void fxq_qconv_gather_x(const fxq_qconv_plan *p, const int16_t *restrict in, long k0, long k1)
{
    const int32_t *restrict off = p->off_k;
    const long n = p->gin ? (long)p->d.c * p->d.h * p->d.w : p->K;
    if (k1 > n) { /* rows past the column (zero weights): code 0 */
        for (long k = k0 > n ? k0 : n; k < k1; ++k) {
            if (p->esz == 1) ((uint8_t *)p->gx)[k] = (uint8_t)p->off8;
            else if (p->gemv64 && p->split) ((int16_t *)p->gx)[k] = ((int16_t *)p->gx)[p->kcg + k] = 0;
            else ((int16_t *)p->gx)[k] = 0;
        }
        k1 = n;
    }
    if (k1 <= k0) return;
    if (p->gin && !(p->gemv64 && p->split)) {
        p->ks->convert(in + k0, 1, (int)(k1 - k0), 1, 0, p->esz, p->lo8, p->off8, p->gx + (size_t)k0 * p->esz, 0,
                       (int)(k1 - k0));
    } else if (p->esz == 1) {
        uint8_t *restrict x = p->gx;
        const int lo = p->lo8, hi = p->lo8 + 255, off8 = p->off8;
        for (long k = k0; k < k1; ++k) { /* padding: the padded image's byte, off8 */
            const int v = off[k] < 0 ? 0 : in[off[k]];
            x[k] = (uint8_t)((off[k] < 0 ? 0 : v < lo ? lo : v > hi ? hi : v) + off8);
        }
    } else if (p->gemv64 && p->split) { /* x = 256 * high + low byte */
        int16_t *restrict xh = (int16_t *)p->gx, *restrict xl = xh + p->kcg;
        for (long k = k0; k < k1; ++k) {
            const int v = p->gin ? in[k] : off[k] < 0 ? 0 : in[off[k]];
            xl[k] = (int16_t)(v & 0xff);
            xh[k] = (int16_t)((v - (v & 0xff)) / 256);
        }
    } else {
        int16_t *restrict x = (int16_t *)p->gx;
        for (long k = k0; k < k1; ++k) x[k] = off[k] < 0 ? 0 : in[off[k]];
    }
}

void fxq_qconv_gemv_rows(const fxq_qconv_plan *p, int16_t *out, long g0, long g1)
{
    const size_t row = (size_t)p->kcg * p->esz;
    const int16_t *xh = (const int16_t *)p->gx, *xl = p->split ? xh + p->kcg : NULL;
    for (long g = g0; g < g1; ++g) {
        const int m0 = (int)g * p->gmr, mr = p->d.m - m0 < p->gmr ? p->d.m - m0 : p->gmr;
        const fxq_rq_params *rq = fxq_qconv_rq(p, m0);
        if (p->gemv64)
            p->gemv64((size_t)mr, (size_t)p->kcg, (size_t)p->chunk / 32 * 32, (const int16_t *)(p->gw + m0 * row),
                      p->gbias64 + m0, xh, xl, out + m0, rq);
        else
            p->gemv((size_t)mr, (size_t)p->kcg, p->gw + m0 * row, p->gbias + m0, p->gx, out + m0, rq);
    }
}

static void fxq_barrier(int nth)
{
    if (nth > 1) {
#pragma omp barrier
    }
}

void fxq_qconv_run_team(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth)
{
    const fxq_qconv_desc *d = &p->d;
    const long groups = p->kc / p->kr, tiles = (long)p->m_tiles * p->n_tiles;
    long b0, b1;
    for (int b = 0; b < d->batch; ++b) {
        const int16_t *img = in + (size_t)b * d->c * d->h * d->w;
        int16_t *o = out + (size_t)b * d->m * d->out_h * d->out_w;
        if (p->gemv || p->gemv64) {
            fxq_qconv_split(p->kcg, tid, nth, &b0, &b1);
            fxq_qconv_gather_x(p, img, b0, b1);
            fxq_barrier(nth);
            fxq_qconv_split((d->m + p->gmr - 1) / p->gmr, tid, nth, &b0, &b1);
            fxq_qconv_gemv_rows(p, o, b0, b1);
        } else if (p->kig) { /* no B panels: the interleaved image is read in place */
            fxq_qconv_split(fxq_qconv_igemm_groups(p), tid, nth, &b0, &b1);
            fxq_qconv_igemm_image(p, img, b0, b1);
            fxq_barrier(nth);
            fxq_qconv_split(tiles, tid, nth, &b0, &b1);
            fxq_qconv_gemm_tiles(p, o, b0, b1, tid);
        } else {
            const int bands = fxq_convert_bands(p, nth);
            fxq_qconv_split((long)d->c * bands, tid, nth, &b0, &b1);
            fxq_convert(p, img, bands, b0, b1);
            fxq_barrier(nth);
            fxq_qconv_split(groups, tid, nth, &b0, &b1);
            fxq_pack_b(p, (int)b0, (int)b1, tid);
            fxq_barrier(nth);
            fxq_qconv_split(tiles, tid, nth, &b0, &b1);
            fxq_qconv_gemm_tiles(p, p->wide ? p->wout : o, b0, b1, tid);
            if (p->wide) {
                fxq_barrier(nth);
                fxq_qconv_split(d->m, tid, nth, &b0, &b1);
                fxq_qconv_compact(p, o, (int)b0, (int)b1, 0, p->P);
            }
        }
        if (b + 1 < d->batch) fxq_barrier(nth);
    }
}

/* Multiply-accumulates of one image as the kernels do them (padding included). */
double fxq_qconv_image_macs(const fxq_qconv_plan *p)
{
    return p->gemv || p->gemv64 ? (double)p->kcg * p->d.m * (p->split ? 2 : 1)
                                : (double)p->kc * p->d.m * p->n_tiles * p->nr;
}

static int fxq_threads_for(const fxq_qconv_plan *p, double macs)
{
    if (macs < (double)FXQ_PAR_MIN_MACS) return 1;
    int nth = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (nth > p->nthreads) nth = p->nthreads;
    return nth < 1 ? 1 : nth;
}

int fxq_qconv_team_size(const fxq_qconv_plan *p) { return fxq_threads_for(p, fxq_qconv_image_macs(p)); }

/* Images [0, n) of the batch, image b on thread b % nth with that thread's
 * single-image copy of the plan: no barriers, each image's data stays in
 * one core's caches. */
static void fxq_run_images(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int n, int nth)
{
    const size_t isz = (size_t)p->d.c * p->d.h * p->d.w, osz = (size_t)p->d.m * p->d.out_h * p->d.out_w;
#pragma omp parallel num_threads(nth)
    {
        const int tid = omp_get_thread_num(), team = omp_get_num_threads();
        for (int b = tid; b < n; b += team) fxq_qconv_run_team(&p->img_plans[tid], in + b * isz, out + b * osz, 0, 1);
    }
}

/* All images of p by one team sized for it (serial when one thread pays). */
static void fxq_run_on_team(const fxq_qconv_plan *p, const int16_t *in, int16_t *out)
{
    const int nth = fxq_qconv_team_size(p);
    if (nth <= 1) {
        fxq_qconv_run_team(p, in, out, 0, 1);
        return;
    }
#pragma omp parallel num_threads(nth)
    fxq_qconv_run_team(p, in, out, omp_get_thread_num(), omp_get_num_threads());
}

void fxq_qconv_run(const fxq_qconv_plan *p, const int16_t *in, int16_t *out)
{
    const int batch = p->d.batch;
    int nth = fxq_threads_for(p, fxq_qconv_image_macs(p) * batch);
    if (p->img_plans && nth > 1 && batch >= nth) {
        /* whole rounds of nth images in parallel, the rest (< nth) by the team */
        const int whole = batch / nth * nth;
        fxq_run_images(p, in, out, whole, nth);
        if (whole == batch) return;
        const size_t isz = (size_t)p->d.c * p->d.h * p->d.w, osz = (size_t)p->d.m * p->d.out_h * p->d.out_w;
        in += whole * isz, out += whole * osz;
        fxq_qconv_plan rest = *p; /* the remaining images through the shared scratch */
        rest.d.batch = batch - whole;
        fxq_run_on_team(&rest, in, out);
        return;
    }
    fxq_run_on_team(p, in, out);
}
