/* Integer pooling / route / shortcut / upsample drivers (fxq_pool.h):
 * OpenMP over planes (or element blocks), the kernel set's row ukernels in
 * the interior of maxpool windows, plain loops at the borders. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_pool.h"

/* Chunk for element-wise loops: small tensors are not worth a thread team. */
enum { FXQ_POOL_PAR_MIN = 1 << 15 };

static inline int16_t fxq_clamp16(int64_t v, int lo, int hi) { return (int16_t)(v < lo ? lo : v > hi ? hi : v); }

void fxq_codes_convert(const int16_t *src, size_t n, int from_frac, fxq_cfmt to, int16_t *dst)
{
    const int lo = fxq_cfmt_lo(to), hi = fxq_cfmt_hi(to), d = to.frac - from_frac;
    if (d >= 0) {
        /* a non-zero code shifted by 15 is outside every 16-bit range already */
        const int s = d > 15 ? 15 : d;
#pragma omp parallel for schedule(static) if (n > FXQ_POOL_PAR_MIN)
        for (size_t i = 0; i < n; ++i) {
            const int32_t v = (int32_t)src[i] * (1 << s);
            dst[i] = (int16_t)(v < lo ? lo : v > hi ? hi : v);
        }
    } else {
        /* |code| <= 2^15: a shift by 17 or more rounds every code to 0 */
        const int s = -d > 17 ? 17 : -d;
        const int32_t half = (int32_t)1 << (s - 1);
#pragma omp parallel for schedule(static) if (n > FXQ_POOL_PAR_MIN)
        for (size_t i = 0; i < n; ++i) {
            /* half away from zero, branch-free (vectorises): a negative v
             * rounds as floor((v + half - 1) / 2^s) = -round(-v / 2^s) */
            const int32_t v = src[i], q = (v + half - (v < 0)) >> s;
            dst[i] = (int16_t)(q < lo ? lo : q > hi ? hi : q);
        }
    }
}

int fxq_maxpool_ok(const fxq_maxpool_geom *g)
{
    if (g->size < 1 || g->stride < 1 || g->out_h < 1 || g->out_w < 1 || g->h < 1 || g->w < 1) return 0;
    const int off = -(g->pad / 2);
    /* first window reaches row/column 0, last one starts inside the image */
    return off + g->size - 1 >= 0 && off + (g->out_h - 1) * g->stride <= g->h - 1 &&
           off + (g->out_w - 1) * g->stride <= g->w - 1;
}

/* One output element the plain way (borders, odd shapes). */
static int16_t fxq_maxpool_at(const fxq_maxpool_geom *g, const int16_t *src, int oy, int ox)
{
    const int off = -(g->pad / 2), y0 = off + oy * g->stride, x0 = off + ox * g->stride;
    int m = INT_MIN;
    for (int y = y0 < 0 ? 0 : y0; y < y0 + g->size && y < g->h; ++y)
        for (int x = x0 < 0 ? 0 : x0; x < x0 + g->size && x < g->w; ++x)
            m = src[y * g->w + x] > m ? src[y * g->w + x] : m;
    return (int16_t)m;
}

void fxq_s16_maxpool_ref(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out)
{
    for (size_t p = 0; p < nc; ++p)
        for (int oy = 0; oy < g->out_h; ++oy)
            for (int ox = 0; ox < g->out_w; ++ox)
                out[(p * g->out_h + oy) * g->out_w + ox] = fxq_maxpool_at(g, in + p * g->h * g->w, oy, ox);
}

/* Output row oy of every window shape but 2x2 stride 2 inside the image:
 * the column-wise max of the window's valid rows into tmp (w codes,
 * contiguous: vectorised), then each window's max along tmp -- the kernel
 * set's stride-1 ukernel for the interior columns [xa, xb). */
static void fxq_maxpool_row(const fxq_maxpool_geom *g, const int16_t *src, int oy, int xa, int xb,
                            fxq_s16_maxpool_s1_fn mps1, int16_t *tmp, int16_t *orow)
{
    const int off = -(g->pad / 2), st = g->stride, sz = g->size, y0 = off + oy * st;
    const int ya = y0 < 0 ? 0 : y0, yb = y0 + sz < g->h ? y0 + sz : g->h;
    memcpy(tmp, src + (size_t)ya * g->w, (size_t)g->w * sizeof *tmp);
    for (int y = ya + 1; y < yb; ++y) {
        const int16_t *r = src + (size_t)y * g->w;
        for (int x = 0; x < g->w; ++x) tmp[x] = r[x] > tmp[x] ? r[x] : tmp[x];
    }
    int ox = 0;
    if (st == 1 && xb > xa) {
        mps1((size_t)(xb - xa), 1, sz, tmp + off + xa, (size_t)g->w, orow + xa);
    } else {
        xa = xb = 0;
    }
    for (; ox < g->out_w; ++ox) {
        if (ox == xa && xb > xa) {
            ox = xb - 1;
            continue;
        }
        const int x0 = off + ox * st;
        int m = INT_MIN;
        for (int x = x0 < 0 ? 0 : x0; x < x0 + sz && x < g->w; ++x) m = tmp[x] > m ? tmp[x] : m;
        orow[ox] = (int16_t)m;
    }
}

/* What every plane of one maxpool shares: kernels, the interior columns
 * [xa, xb) and, for stride 1 with Darknet's default padding (size - 1:
 * out_w == w), the interior rows [ya, yb) -- an output plane lines up with
 * the input plane shifted by off rows and columns there, so one ukernel
 * call covers all interior rows at once, from the first interior window to
 * the last; the border columns it passes over (windows wrapping into the
 * next row) are redone row by row. */
typedef struct fxq_maxpool_plan {
    fxq_s16_maxpool_2x2_fn mp2;
    fxq_s16_maxpool_s1_fn mps1;
    int off, xa, xb, ya, yb, whole;
} fxq_maxpool_plan;

static fxq_maxpool_plan fxq_maxpool_plan_make(const fxq_maxpool_geom *g)
{
    const fxq_kernel_set *ks = fxq_kernel_set_active();
    fxq_maxpool_plan m = {0};
    m.mp2 = ks->maxpool_2x2 ? ks->maxpool_2x2 : fxq_s16_maxpool_2x2_ukernel__scalar;
    m.mps1 = ks->maxpool_s1 ? ks->maxpool_s1 : fxq_s16_maxpool_s1_ukernel__scalar;
    m.off = -(g->pad / 2);
    const int st = g->stride, sz = g->size;
    while (m.xa < g->out_w && m.off + m.xa * st < 0) ++m.xa;
    for (m.xb = m.xa; m.xb < g->out_w && m.off + m.xb * st + sz <= g->w; ++m.xb) {}
    m.whole = st == 1 && g->out_w == g->w && m.xb > m.xa;
    if (m.whole) {
        while (m.ya < g->out_h && m.off + m.ya < 0) ++m.ya;
        for (m.yb = m.ya; m.yb < g->out_h && m.off + m.yb + sz <= g->h; ++m.yb) {}
    }
    return m;
}

/* Output rows [r0, r1) of a stride-1 plane with Darknet's default padding
 * (m->whole): the window max is separable -- the max over the window's
 * valid rows of each column into v ((r1 - r0) * w codes), then the max
 * over its valid columns of v -- two ukernel passes over the whole band
 * and a short scalar loop per border cell of v, instead of a 2-D window
 * per border cell (yolov3-tiny's 13x13 stride-1 pool: 25 of its 169
 * outputs per plane are border cells). */
static void fxq_maxpool_s1_band(const fxq_maxpool_geom *g, const fxq_maxpool_plan *m, const int16_t *src,
                                int16_t *dst, int r0, int r1, int16_t *v)
{
    const int w = g->w, h = g->h, sz = g->size, off = m->off, xa = m->xa, xb = m->xb;
    for (int y = r0; y < r1;) {
        const int ya = y + off < 0 ? 0 : y + off, yb = y + off + sz > h ? h : y + off + sz;
        int16_t *vr = v + (size_t)(y - r0) * w;
        if (ya == y + off && yb == y + off + sz) { /* a run of rows whose windows are whole */
            int ye = y + 1;
            while (ye < r1 && ye + off + sz <= h) ++ye;
            m->mps1((size_t)(ye - y) * w, sz, 1, src + (size_t)ya * w, (size_t)w, vr);
            y = ye;
        } else {
            m->mps1((size_t)w, yb - ya, 1, src + (size_t)ya * w, (size_t)w, vr);
            ++y;
        }
    }
    const int rows = r1 - r0;
    int16_t *out = dst + (size_t)r0 * w;
    /* interior columns of every row in one pass: the windows it forms at
     * border columns (wrapping into the next row) are redone below */
    m->mps1((size_t)(rows - 1) * w + (xb - xa), 1, sz, v + xa + off, (size_t)w, out + xa);
    for (int r = 0; r < rows; ++r) {
        const int16_t *vr = v + (size_t)r * w;
        for (int x = 0; x < w; ++x) {
            if (x == xa) x = xb;
            if (x >= w) break;
            const int x0 = x + off < 0 ? 0 : x + off, x1 = x + off + sz > w ? w : x + off + sz;
            int16_t mx = vr[x0];
            for (int i = x0 + 1; i < x1; ++i) mx = vr[i] > mx ? vr[i] : mx;
            out[(size_t)r * w + x] = mx;
        }
    }
}

/* Output rows [r0, r1) of one plane; tmp: tmp_len codes (at least w) or
 * NULL. */
static void fxq_maxpool_plane(const fxq_maxpool_geom *g, const fxq_maxpool_plan *m, const int16_t *src, int16_t *dst,
                              int r0, int r1, int16_t *tmp, size_t tmp_len)
{
    if (m->whole && tmp && tmp_len >= (size_t)(r1 - r0) * g->w && r1 > r0) {
        fxq_maxpool_s1_band(g, m, src, dst, r0, r1, tmp);
        return;
    }
    const int off = m->off, st = g->stride, sz = g->size, xa = m->xa, xb = m->xb;
    const int ya = m->ya > r0 ? m->ya : r0, yb = m->yb < r1 ? m->yb : r1;
    if (m->whole && yb > ya) {
        const size_t j0 = (size_t)ya * g->w + xa, j1 = (size_t)(yb - 1) * g->w + xb;
        m->mps1(j1 - j0, sz, sz, src + (size_t)(ya + off) * g->w + xa + off, (size_t)g->w, dst + j0);
    }
    for (int oy = r0; oy < r1; ++oy) {
        int16_t *orow = dst + (size_t)oy * g->out_w;
        const int y0 = off + oy * st;
        if (m->whole && oy >= ya && oy < yb) {
            for (int ox = 0; ox < xa; ++ox) orow[ox] = fxq_maxpool_at(g, src, oy, ox);
            for (int ox = xb; ox < g->out_w; ++ox) orow[ox] = fxq_maxpool_at(g, src, oy, ox);
        } else if (sz == 2 && st == 2 && y0 >= 0 && y0 + 2 <= g->h && xb > xa) {
            const int16_t *r = src + (size_t)y0 * g->w + (off + xa * st);
            m->mp2((size_t)(xb - xa), r, r + g->w, orow + xa);
            for (int ox = 0; ox < xa; ++ox) orow[ox] = fxq_maxpool_at(g, src, oy, ox);
            for (int ox = xb; ox < g->out_w; ++ox) orow[ox] = fxq_maxpool_at(g, src, oy, ox);
        } else if (tmp) {
            fxq_maxpool_row(g, src, oy, xa, xb, m->mps1, tmp, orow);
        } else { /* out of memory for the row buffer: the plain way */
            for (int ox = 0; ox < g->out_w; ++ox) orow[ox] = fxq_maxpool_at(g, src, oy, ox);
        }
    }
}

void fxq_s16_maxpool(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out)
{
    const fxq_maxpool_plan m = fxq_maxpool_plan_make(g);
    const size_t in_plane = (size_t)g->h * g->w, out_plane = (size_t)g->out_h * g->out_w;
    const size_t tmp_len = m.whole ? out_plane : (size_t)g->w;
#pragma omp parallel if (nc * out_plane > FXQ_POOL_PAR_MIN / 4)
    {
        int16_t *tmp = malloc(tmp_len * sizeof *tmp);
#pragma omp for schedule(static)
        for (size_t p = 0; p < nc; ++p)
            fxq_maxpool_plane(g, &m, in + p * in_plane, out + p * out_plane, 0, g->out_h, tmp, tmp_len);
        free(tmp);
    }
}

void fxq_s16_maxpool_rows(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out, int r0, int r1)
{
    const fxq_maxpool_plan m = fxq_maxpool_plan_make(g);
    const size_t in_plane = (size_t)g->h * g->w, out_plane = (size_t)g->out_h * g->out_w;
    const size_t tmp_len = m.whole && r1 > r0 ? (size_t)(r1 - r0) * g->w : (size_t)g->w;
    int16_t *tmp = malloc(tmp_len * sizeof *tmp);
    for (size_t p = 0; p < nc; ++p) fxq_maxpool_plane(g, &m, in + p * in_plane, out + p * out_plane, r0, r1, tmp, tmp_len);
    free(tmp);
}

void fxq_s16_avgpool(size_t nc, size_t hw, int up, const int16_t *in, int16_t *out)
{
    const int64_t n = (int64_t)hw;
#pragma omp parallel for schedule(static) if (nc * hw > FXQ_POOL_PAR_MIN)
    for (size_t p = 0; p < nc; ++p) {
        int64_t s = 0;
        for (size_t i = 0; i < hw; ++i) s += in[p * hw + i];
        s *= (int64_t)1 << up; /* |s| < 2^15 * hw, up <= 15: far inside int64 */
        /* round(s / n) half away from zero */
        const int64_t a = s < 0 ? -s : s, q = (2 * a + n) / (2 * n);
        out[p] = (int16_t)(s < 0 ? -q : q);
    }
}

void fxq_s16_add(size_t n, const int16_t *a, int fa, const int16_t *b, int fb, fxq_cfmt out, int act, int16_t *dst)
{
    const int lo = fxq_cfmt_lo(out), hi = fxq_cfmt_hi(out), f = fa > fb ? fa : fb;
    const int sa = f - fa, sb = f - fb, d = f - out.frac; /* sum exact at frac f (< 2^48), rounded once */
    const int s = d > 62 ? 62 : d;
#pragma omp parallel for schedule(static) if (n > FXQ_POOL_PAR_MIN)
    for (size_t i = 0; i < n; ++i) {
        int64_t v = (int64_t)a[i] * ((int64_t)1 << sa) + (int64_t)b[i] * ((int64_t)1 << sb);
        if (s > 0) v = fxq_rshift_round(v, s);
        dst[i] = (int16_t)fxq_act_ref(fxq_clamp16(v, lo, hi), act);
    }
}

void fxq_s16_upsample(size_t nc, int h, int w, int stride, const int16_t *in, int16_t *out)
{
    const size_t ow = (size_t)w * stride, oplane = ow * h * stride;
#pragma omp parallel for schedule(static) if (nc * oplane > FXQ_POOL_PAR_MIN)
    for (size_t p = 0; p < nc; ++p)
        for (int y = 0; y < h; ++y) {
            const int16_t *src = in + (p * h + y) * w;
            int16_t *row = out + p * oplane + (size_t)y * stride * ow;
            for (int x = 0; x < w; ++x)
                for (int k = 0; k < stride; ++k) row[(size_t)x * stride + k] = src[x];
            for (int r = 1; r < stride; ++r)
                for (size_t x = 0; x < ow; ++x) row[r * ow + x] = row[x];
        }
}

void fxq_s16_reorg(const int16_t *x, int w, int h, int c, int batch, int stride, int forward, int16_t *out)
{
    const int out_c = c / (stride * stride);
#pragma omp parallel for collapse(2) schedule(static) if ((size_t)batch * c * h * w > FXQ_POOL_PAR_MIN)
    for (int b = 0; b < batch; ++b)
        for (int k = 0; k < c; ++k) {
            const int c2 = k % out_c, offset = k / out_c;
            for (int j = 0; j < h; ++j)
                for (int i = 0; i < w; ++i) {
                    const size_t in_index = i + (size_t)w * (j + (size_t)h * (k + (size_t)c * b));
                    const int w2 = i * stride + offset % stride, h2 = j * stride + offset / stride;
                    const size_t out_index = w2 + (size_t)w * stride * (h2 + (size_t)h * stride * (c2 + (size_t)out_c * b));
                    if (forward) out[out_index] = x[in_index];
                    else out[in_index] = x[out_index];
                }
        }
}
