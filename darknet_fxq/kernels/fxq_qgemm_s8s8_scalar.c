/* Portable scalar twins of the s8 x s8 kernels (the NEON sets: B holds
 * code - lowest code - 128 as int8, fxq_kernels.h), over the same packed
 * layouts (fxq_qgemm.h), and the 8-row B interleave of the c8 layout.
 *
 *   fxq_s8s8_gemm_ukernel_4x16c4__scalar       A s8 [kc/4][4][4] after int32 bias[4],
 *                                               B s8 [kc/4][16][4]; int32 acc, wrap-around
 *   fxq_s8s8_gemm_ukernel_4x16c8__scalar       the same with KR = 8 (smmla's layout)
 *   fxq_s8s8_gemm_ukernel_4x16c4_mlal__scalar  4x16c4 with the mlal kernel's int16
 *                                               lanes: the products of k-groups 2i and
 *                                               2i+1 at the same k % 4 summed in int16,
 *                                               wrapping, then added exactly
 *   fxq_s8s8_gemv_ukernel_16c64__scalar        one output column, s8 x s8, int32 acc
 * Wrap-around is done in uint32_t / uint16_t (signed overflow is undefined
 * in C); requantization by fxq_rq_apply with row m's fxq_rq_row(rq, m). */
#include "fxq_kernels.h"

static void fxq_s8s8_tile(size_t mr, size_t nr, size_t kc, const void *a, const void *b, int16_t *c, size_t c_stride,
                          const fxq_rq_params *rq, int kr, int pair16)
{
    enum { MR = 4, NR = 16 };
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + MR), *x = (const int8_t *)b;
    for (size_t m = 0; m < mr; ++m) {
        for (size_t n = 0; n < nr; ++n) {
            uint32_t acc = (uint32_t)bias[m];
            for (size_t g = 0; g < kc / (size_t)kr; ++g) {
                const int8_t *wg = w + (g * MR + m) * kr, *xg = x + (g * NR + n) * kr;
                for (int j = 0; j < kr; ++j) {
                    int32_t p = wg[j] * xg[j];
                    if (pair16 && g % 2 == 0 && g + 1 < kc / (size_t)kr) { /* the partner group's product, int16 */
                        p += w[((g + 1) * MR + m) * kr + j] * x[((g + 1) * NR + n) * kr + j];
                        p = (int16_t)(uint16_t)(uint32_t)p;
                    } else if (pair16 && g % 2) {
                        continue; /* added with group g - 1 */
                    }
                    acc += (uint32_t)p;
                }
            }
            c[m * c_stride + n] = fxq_rq_apply((int32_t)acc, fxq_rq_row(rq, m));
        }
    }
}

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4__scalar)
{
    fxq_s8s8_tile(mr, nr, kc, a, b, c, c_stride, rq, 4, 0);
}

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c8__scalar)
{
    fxq_s8s8_tile(mr, nr, kc, a, b, c, c_stride, rq, 8, 0);
}

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4_mlal__scalar)
{
    fxq_s8s8_tile(mr, nr, kc, a, b, c, c_stride, rq, 4, 1);
}

FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__scalar)
{
    const int8_t *wr = (const int8_t *)w, *xv = (const int8_t *)x;
    for (size_t m = 0; m < mr; ++m) {
        uint32_t acc = (uint32_t)bias[m];
        for (size_t k = 0; k < kc; ++k) acc += (uint32_t)((int32_t)wr[m * kc + k] * xv[k]);
        c[m] = fxq_rq_apply((int32_t)acc, fxq_rq_row(rq, m));
    }
}

void fxq_pack_u8c8__scalar(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; ++n)
            for (int j = 0; j < 8; ++j) o[8 * n + j] = r[j][t * nr + n];
}
