/* Weight packing of a qconv plan (once per plan) and the im2col source
 * offsets. Layouts: fxq_qgemm.h (A panels: bias[MR] then [kc/KR][MR][KR];
 * GEMV: row-major rows kcg apart, gmr-row padded, bias beside). Where the s8
 * B operand holds code + off8 (the kernel set's input offset), the bias
 * absorbs it: bias - off8 * sum_k w, mod 2^32 like the kernels' sums.
 * One-column (GEMV) plans gather their column straight from the input
 * codes: their off_k are input indices (-1: padding), not image offsets. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_qconv_impl.h"

static int64_t fxq_row_sum(const int32_t *w, int K)
{
    int64_t s = 0;
    for (int k = 0; k < K; ++k) s += w[k];
    return s;
}

/* wm: the row's K weights as the kernel sees them (a GEMV in input order:
 * its kcg scattered ones, padding dropped, zeros elsewhere); read only
 * where the s8 input offset needs their sum (NULL elsewhere is fine) */
static int32_t fxq_bias32(const fxq_qconv_plan *p, const int32_t *wm, int K, int64_t bias)
{
    const int64_t corr = p->path == FXQ_PATH_S8_I32 && p->off8 ? p->off8 * fxq_row_sum(wm, K) : 0;
    return (int32_t)(uint32_t)(uint64_t)(bias - corr);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FXQ_LITTLE_ENDIAN 1
#else
#define FXQ_LITTLE_ENDIAN 0
#endif

/* Element idx of a panel's weights: s8 or s16. */
static inline void fxq_put_w(const fxq_qconv_plan *p, unsigned char *w, size_t idx, int32_t v)
{
    if (p->path == FXQ_PATH_S8_I32) ((int8_t *)w)[idx] = (int8_t)v;
    else ((int16_t *)w)[idx] = (int16_t)v;
}

/* A k-group of row m at k (kr consecutive weights) as the 32-bit word the
 * panel stores: 4 x s8 or 2 x s16, little-endian. */
static inline uint32_t fxq_group_word(fxq_wsrc w, size_t at, int s8)
{
    if (s8) {
        if (w.w32)
            return (uint32_t)(uint8_t)w.w32[at] | (uint32_t)(uint8_t)w.w32[at + 1] << 8 |
                   (uint32_t)(uint8_t)w.w32[at + 2] << 16 | (uint32_t)(uint8_t)w.w32[at + 3] << 24;
        return (uint32_t)(uint8_t)w.w16[at] | (uint32_t)(uint8_t)w.w16[at + 1] << 8 |
               (uint32_t)(uint8_t)w.w16[at + 2] << 16 | (uint32_t)(uint8_t)w.w16[at + 3] << 24;
    }
    if (w.w32) return (uint32_t)(uint16_t)w.w32[at] | (uint32_t)(uint16_t)w.w32[at + 1] << 16;
    return (uint32_t)(uint16_t)w.w16[at] | (uint32_t)(uint16_t)w.w16[at + 1] << 16;
}

/* One A panel: row i of tile t, k-group g at [g][i][0..kr). */
static void fxq_pack_a_panel(const fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias, int t, int32_t *row)
{
    const int M = p->d.m, K = p->K, mr = p->mr, kr = p->kr, kg = K / kr, kt = K % kr;
    const size_t bias_bytes = (size_t)mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
    unsigned char *panel = p->a + (size_t)t * p->a_stride;
    const int s8 = p->path == FXQ_PATH_S8_I32, rows = M - t * mr < mr ? M - t * mr : mr; /* the rest: zeros */
    for (int i = 0; i < rows; ++i) {
        const int m = t * mr + i;
        if (p->path == FXQ_PATH_S16_I64)
            ((int64_t *)panel)[i] = bias[m];
        else
            ((int32_t *)panel)[i] = fxq_bias32(p, s8 && p->off8 ? fxq_wsrc_row(w, m, K, row) : NULL, K, bias[m]);
    }
    if (FXQ_LITTLE_ENDIAN && kr == (s8 ? 4 : 2)) {
        /* a k-group of one row is one 32-bit word, stored whole; k-group
         * by k-group, so the panel is written in order and the rows read
         * as mr streams (row by row wrote it at a stride of mr words: a
         * quarter of darknet.cfg's extra load time) */
        uint32_t *o = (uint32_t *)(panel + bias_bytes);
        for (int g = 0; g < kg; ++g, o += mr)
            for (int i = 0; i < rows; ++i) {
                const uint32_t v = fxq_group_word(w, (size_t)(t * mr + i) * K + (size_t)g * kr, s8);
                memcpy(o + i, &v, 4);
            }
    } else {
        for (int i = 0; i < rows; ++i) {
            const int32_t *wm = fxq_wsrc_row(w, t * mr + i, K, row);
            for (int k = 0; k < kg * kr; ++k)
                fxq_put_w(p, panel + bias_bytes, ((size_t)(k / kr) * mr + i) * kr + k % kr, wm[k]);
        }
    }
    for (int i = 0; i < rows && kt; ++i) /* the last k-group's kt weights, read in place */
        for (int j = 0; j < kt; ++j)
            fxq_put_w(p, panel + bias_bytes, ((size_t)kg * mr + i) * kr + j,
                      fxq_wsrc_at(w, (size_t)(t * mr + i) * K + (size_t)kg * kr + j));
}

/* Panels shared out over the threads when the layer is large (plans are
 * built while loading: yolov3-tiny packs 8.8 M weights). */
static int fxq_pack_a(fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias)
{
    const int par = (long long)p->d.m * p->K >= (1 << 18) && p->m_tiles > 1 && !omp_in_parallel();
    int ok = 1;
#pragma omp parallel if (par) reduction(&& : ok)
    {
        int32_t *row = w.w16 ? malloc((size_t)p->K * sizeof *row) : NULL;
        ok = !w.w16 || row;
#pragma omp for schedule(static)
        for (int t = 0; t < p->m_tiles; ++t)
            if (ok) fxq_pack_a_panel(p, w, bias, t, row);
        free(row);
    }
    return ok;
}

/* In input order (p->gin) weight k of a row goes to column off_k[k] and a
 * padding k (off_k -1) is dropped: it multiplies code 0, so the sum is the
 * same, and the bias's input-offset correction counts only the weights the
 * kernel sees. Columns no k reads keep weight 0. */
static int fxq_pack_gemv(fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias)
{
    const int K = p->K;
    int32_t *row = p->gin ? calloc((size_t)p->kcg, sizeof *row) : NULL;
    int32_t *wrow = w.w16 ? malloc((size_t)K * sizeof *wrow) : NULL;
    if ((p->gin && !row) || (w.w16 && !wrow)) return free(row), free(wrow), 0;
    for (int m = 0; m < p->d.m; ++m) {
        const int32_t *wm = fxq_wsrc_row(w, m, K, wrow);
        if (row) {
            for (int k = 0; k < p->kcg; ++k) row[k] = 0;
            for (int k = 0; k < K; ++k)
                if (p->off_k[k] >= 0) row[p->off_k[k]] = wm[k];
            wm = row;
        }
        const int n = row ? p->kcg : K;
        for (int k = 0; k < n; ++k) {
            if (p->esz == 1)
                ((int8_t *)p->gw)[(size_t)m * p->kcg + k] = (int8_t)wm[k];
            else
                ((int16_t *)p->gw)[(size_t)m * p->kcg + k] = (int16_t)wm[k];
        }
        if (p->gbias64)
            p->gbias64[m] = bias[m];
        else
            p->gbias[m] = fxq_bias32(p, wm, n, bias[m]);
    }
    free(row);
    free(wrow);
    return 1;
}

/* igemm plans: A panels of mr rows, k-group g = (cg, ky, kx) holding
 * channels kr cg .. kr cg + kr - 1 of tap (ky, kx) (fxq_qconv_igemm.c; s8
 * kr 4, s16 kr 2); channels past c get zero weights. */
static int fxq_pack_a_igemm(fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias)
{
    const int M = p->d.m, K = p->K, C = p->d.c, kk = p->d.ksize * p->d.ksize, mr = p->mr, kr = p->kr;
    const int cgs = p->kc / kr / kk, s8 = p->path == FXQ_PATH_S8_I32;
    /* large layers on the threads, as fxq_pack_a (darknet.cfg's layer 12,
     * 3x3 512 -> 1024 on 4x4, packs 4.7 M weights here: a division and a
     * reloaded path per weight made it a fifth of the plans' extra load
     * time); loops in the panel's order */
    const int par = (long long)M * K >= (1 << 18) && p->m_tiles > 1 && !omp_in_parallel();
    int ok = 1;
#pragma omp parallel if (par) reduction(&& : ok)
    {
        int32_t *row = s8 && p->off8 ? malloc((size_t)K * sizeof *row) : NULL;
        ok = !(s8 && p->off8) || row;
#pragma omp for schedule(static)
        for (int t = 0; t < p->m_tiles; ++t) {
            if (!ok) continue;
            unsigned char *panel = p->a + (size_t)t * p->a_stride;
            int8_t *w8 = (int8_t *)(panel + (size_t)mr * 4);
            int16_t *w16 = (int16_t *)(panel + (size_t)mr * 4);
            for (int i = 0; i < mr && t * mr + i < M; ++i) {
                const int m = t * mr + i;
                ((int32_t *)panel)[i] = fxq_bias32(p, row ? fxq_wsrc_row(w, m, K, row) : NULL, K, bias[m]);
                const size_t base = (size_t)m * K;
                for (int cg = 0; cg < cgs; ++cg)
                    for (int tap = 0; tap < kk; ++tap) {
                        const size_t at = ((size_t)(cg * kk + tap) * mr + i) * kr;
                        for (int j = 0; j < kr; ++j) {
                            const int ch = kr * cg + j;
                            const int32_t v = ch >= C ? 0 : fxq_wsrc_at(w, base + (size_t)ch * kk + tap);
                            if (s8) w8[at + j] = (int8_t)v;
                            else w16[at + j] = (int16_t)v;
                        }
                    }
            }
        }
        free(row);
    }
    return ok;
}

int fxq_qconv_pack_weights(fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias)
{
    if (p->gemv || p->gemv64) return fxq_pack_gemv(p, w, bias);
    if (p->kig) return fxq_pack_a_igemm(p, w, bias);
    return fxq_pack_a(p, w, bias);
}
void fxq_qconv_pack_offsets(fxq_qconv_plan *p)
{
    if (p->kig) {
        fxq_qconv_igemm_offsets(p);
        return;
    }
    const int ks = p->d.ksize, st = p->d.stride;
    for (int k = 0; k < p->K; ++k) {
        const int ch = k / (ks * ks), ky = (k / ks) % ks, kx = k % ks;
        if (p->gemv || p->gemv64) { /* the one column's input element, or -1 for padding */
            const int y = ky - p->d.pad, x = kx - p->d.pad;
            p->off_k[k] = y < 0 || y >= p->d.h || x < 0 || x >= p->d.w ? -1
                                                                          : (int32_t)(((size_t)ch * p->d.h + y) * p->d.w + x);
            continue;
        }
        p->off_k[k] = (int32_t)((((size_t)ch * st + ky % st) * st + kx % st) * p->hs * p->ws +
                                (size_t)(ky / st) * p->ws + kx / st);
    }
}
