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
 * its kcg scattered ones, padding dropped, zeros elsewhere) */
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

/* One A panel: row i of tile t, k-group g at [g][i][0..kr). */
static void fxq_pack_a_panel(const fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias, int t, int32_t *row)
{
    const int M = p->d.m, K = p->K, mr = p->mr, kr = p->kr, kg = K / kr, kt = K % kr;
    const size_t bias_bytes = (size_t)mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
    unsigned char *panel = p->a + (size_t)t * p->a_stride;
    for (int i = 0; i < mr; ++i) {
        const int m = t * mr + i;
        if (m >= M) continue; /* zero (a fresh buffer) */
        const int32_t *wm = fxq_wsrc_row(w, m, K, row);
        if (p->path == FXQ_PATH_S16_I64)
            ((int64_t *)panel)[i] = bias[m];
        else
            ((int32_t *)panel)[i] = fxq_bias32(p, wm, K, bias[m]);
        /* a k-group of one row is one 32-bit word (4 x s8 or 2 x s16):
         * built from consecutive weights and stored whole */
        unsigned char *o = panel + bias_bytes + (size_t)i * 4;
        const size_t step = (size_t)mr * 4;
        if (FXQ_LITTLE_ENDIAN && p->path == FXQ_PATH_S8_I32 && kr == 4) {
            for (int g = 0; g < kg; ++g) {
                const int32_t *q = wm + 4 * g;
                const uint32_t v = (uint32_t)(uint8_t)q[0] | (uint32_t)(uint8_t)q[1] << 8 |
                                   (uint32_t)(uint8_t)q[2] << 16 | (uint32_t)(uint8_t)q[3] << 24;
                memcpy(o + g * step, &v, 4);
            }
        } else if (FXQ_LITTLE_ENDIAN && p->path != FXQ_PATH_S8_I32 && kr == 2) {
            for (int g = 0; g < kg; ++g) {
                const uint32_t v = (uint32_t)(uint16_t)wm[2 * g] | (uint32_t)(uint16_t)wm[2 * g + 1] << 16;
                memcpy(o + g * step, &v, 4);
            }
        } else {
            for (int k = 0; k < kg * kr; ++k) fxq_put_w(p, panel + bias_bytes, ((size_t)(k / kr) * mr + i) * kr + k % kr, wm[k]);
        }
        for (int j = 0; j < kt; ++j) fxq_put_w(p, panel + bias_bytes, ((size_t)kg * mr + i) * kr + j, wm[kg * kr + j]);
    }
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
    const int groups = p->kc / kr;
    int32_t *row = malloc((size_t)K * sizeof *row);
    if (!row) return 0;
    for (int t = 0; t < p->m_tiles; ++t) {
        unsigned char *panel = p->a + (size_t)t * p->a_stride;
        unsigned char *wp = panel + (size_t)mr * 4;
        for (int i = 0; i < mr && t * mr + i < M; ++i) {
            const int m = t * mr + i;
            const int32_t *wm = fxq_wsrc_row(w, m, K, row);
            ((int32_t *)panel)[i] = fxq_bias32(p, wm, K, bias[m]);
            for (int g = 0; g < groups; ++g) {
                const int cg = g / kk, tap = g % kk;
                for (int j = 0; j < kr; ++j) {
                    const int ch = kr * cg + j;
                    fxq_put_w(p, wp, ((size_t)g * mr + i) * kr + j, ch < C ? wm[(size_t)ch * kk + tap] : 0);
                }
            }
        }
    }
    free(row);
    return 1;
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
