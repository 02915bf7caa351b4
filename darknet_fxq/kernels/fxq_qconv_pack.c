/* Weight packing of a qconv plan (once per plan) and the im2col source
 * offsets. Layouts: fxq_qgemm.h (A panels: bias[MR] then [kc/KR][MR][KR];
 * GEMV: row-major rows kcg apart, gmr-row padded, bias beside). Where the s8
 * B operand holds code + off8 (the kernel set's input offset), the bias
 * absorbs it: bias - off8 * sum_k w, mod 2^32 like the kernels' sums.
 * One-column (GEMV) plans gather their column straight from the input
 * codes: their off_k are input indices (-1: padding), not image offsets. */
#include <stdlib.h>

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

static void fxq_pack_a(fxq_qconv_plan *p, const int32_t *w, const int64_t *bias)
{
    const int M = p->d.m, K = p->K, mr = p->mr, kr = p->kr;
    const size_t bias_bytes = (size_t)mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
    for (int t = 0; t < p->m_tiles; ++t) {
        unsigned char *panel = p->a + (size_t)t * p->a_stride;
        for (int i = 0; i < mr; ++i) {
            const int m = t * mr + i;
            if (m >= M) continue; /* zero (calloc'ed) */
            const int32_t *wm = w + (size_t)m * K;
            if (p->path == FXQ_PATH_S16_I64)
                ((int64_t *)panel)[i] = bias[m];
            else
                ((int32_t *)panel)[i] = fxq_bias32(p, wm, K, bias[m]);
            for (int k = 0; k < K; ++k) {
                const size_t idx = ((size_t)(k / kr) * mr + i) * kr + k % kr;
                if (p->path == FXQ_PATH_S8_I32)
                    ((int8_t *)(panel + bias_bytes))[idx] = (int8_t)wm[k];
                else
                    ((int16_t *)(panel + bias_bytes))[idx] = (int16_t)wm[k];
            }
        }
    }
}

/* In input order (p->gin) weight k of a row goes to column off_k[k] and a
 * padding k (off_k -1) is dropped: it multiplies code 0, so the sum is the
 * same, and the bias's input-offset correction counts only the weights the
 * kernel sees. Columns no k reads keep weight 0. */
static int fxq_pack_gemv(fxq_qconv_plan *p, const int32_t *w, const int64_t *bias)
{
    const int K = p->K;
    int32_t *row = p->gin ? calloc((size_t)p->kcg, sizeof *row) : NULL;
    if (p->gin && !row) return 0;
    for (int m = 0; m < p->d.m; ++m) {
        const int32_t *wm = w + (size_t)m * K;
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
    return 1;
}

int fxq_qconv_pack_weights(fxq_qconv_plan *p, const int32_t *w, const int64_t *bias)
{
    if (p->gemv || p->gemv64) return fxq_pack_gemv(p, w, bias);
    fxq_pack_a(p, w, bias);
    return 1;
}
void fxq_qconv_pack_offsets(fxq_qconv_plan *p)
{
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
