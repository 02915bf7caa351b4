/* Portable scalar microkernels: the twins of the SIMD kernels, over the same
 * packed layouts (see fxq_qgemm.h), and the generic fallback on any CPU.
 *
 *   fxq_s8_gemm_ukernel_8x32c4__scalar       A s8 [kc/4][8][4] after int32 bias[8],
 *                                             B u8 (code + 128) [kc/4][32][4];
 *                                             int32 acc, wrap-around (the bias
 *                                             holds bias - 128 * sum_k w, so the
 *                                             final value is exact)
 *   fxq_s16_gemm_ukernel_8x32c2__scalar      A s16 [kc/2][8][2] after int32 bias[8],
 *                                             B s16 [kc/2][32][2]; int32 acc
 *   fxq_s16_gemm_ukernel_6x16c2__scalar      same with a 6x16 tile
 *   fxq_s8_gemm_ukernel_6x16c4__scalar       the 6x16 s8 layout of the AVX2 set,
 *                                             k pairs saturated to int16 first
 *                                             (vpmaddubsw's semantics)
 *   fxq_s16_gemm_i64_ukernel_{8x32,6x16}c2__scalar
 *                                             int32 chunk sums added (times
 *                                             2^lshift) into an int64 tile
 *   fxq_i64_requant_ukernel__scalar           requantizes an int64 tile
 *   fxq_s8_gemv_ukernel_16c64__scalar,       one output column, weights row-major
 *   fxq_s16_gemv_ukernel_16c32__scalar        (P == 1), int32 acc
 *   fxq_s16_gemv_i64_ukernel_16c32__scalar    same, exact int64 sums
 *   fxq_s8_igemm_ukernel_64x4c4__scalar      the small-P tile: A as the 8x32 s8
 *                                             kernel (MR = 64), B read in place
 *                                             at x[n] + off[g]
 *   fxq_s16_igemm_ukernel_16x4c2__scalar     the same on the s16 path: A as the
 *                                             6x16 s16 kernel (MR = 16), B two
 *                                             int16 at x[n] + off[g]
 * Wrap-around is done in uint32_t (signed overflow is undefined in C); the
 * callers guarantee the true sums fit, so the wrapped value is the true one.
 * Rounding: fxq_rq_apply (round half away from zero, then saturate), with
 * row m's parameters fxq_rq_row(rq, m). */
#include <string.h>

#include "fxq_qgemm.h"

static inline void fxq_store_rq_row(int16_t *c, const uint32_t *acc, size_t nr, const fxq_rq_params *rq)
{
    for (size_t n = 0; n < nr; ++n) c[n] = fxq_rq_apply((int32_t)acc[n], rq);
}

#define FXQ_SCALAR_I32(NAME, MR, NR, KR, BTYPE)                                                    \
    FXQ_DECL_I32(NAME)                                                                             \
    {                                                                                              \
        const int32_t *bias = (const int32_t *)a;                                                  \
        const int8_t *w8 = (const int8_t *)(bias + (MR));                                          \
        const int16_t *w16 = (const int16_t *)(bias + (MR));                                       \
        const BTYPE *x = (const BTYPE *)b;                                                         \
        uint32_t acc[MR][NR];                                                                      \
        for (size_t m = 0; m < (MR); ++m)                                                          \
            for (size_t n = 0; n < (NR); ++n) acc[m][n] = (uint32_t)bias[m];                       \
        for (size_t k = 0; k < kc; k += (KR)) {                                                    \
            for (size_t m = 0; m < (MR); ++m) {                                                    \
                int32_t wk[KR];                                                                    \
                for (size_t j = 0; j < (KR); ++j)                                                  \
                    wk[j] = (KR) == 4 ? w8[m * (KR) + j] : w16[m * (KR) + j];                      \
                for (size_t n = 0; n < (NR); ++n) {                                                \
                    uint32_t s = 0;                                                                \
                    for (size_t j = 0; j < (KR); ++j)                                              \
                        s += (uint32_t)(wk[j] * (int32_t)x[n * (KR) + j]);                         \
                    acc[m][n] += s;                                                                \
                }                                                                                  \
            }                                                                                      \
            w8 += (MR) * (KR);                                                                     \
            w16 += (MR) * (KR);                                                                    \
            x += (NR) * (KR);                                                                      \
        }                                                                                          \
        for (size_t m = 0; m < mr; ++m) fxq_store_rq_row(c + m * c_stride, acc[m], nr, fxq_rq_row(rq, m));        \
    }

/* The products fit int32: |s8 * u8| < 2^15, |s16 * s16| <= 2^30. */
FXQ_SCALAR_I32(fxq_s8_gemm_ukernel_8x32c4__scalar, 8, 32, 4, uint8_t)
FXQ_SCALAR_I32(fxq_s16_gemm_ukernel_8x32c2__scalar, 8, 32, 2, int16_t)
FXQ_SCALAR_I32(fxq_s16_gemm_ukernel_6x16c2__scalar, 6, 16, 2, int16_t)
FXQ_SCALAR_I32(fxq_s8_gemm_ukernel_16x16c4__scalar, 16, 16, 4, uint8_t)
FXQ_SCALAR_I32(fxq_s16_gemm_ukernel_16x16c2__scalar, 16, 16, 2, int16_t)
FXQ_SCALAR_I32(fxq_s16_gemm_ukernel_4x16c2__scalar, 4, 16, 2, int16_t)

static inline int32_t fxq_sat16(int32_t v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

/* vpmaddubsw + vpmaddwd(ones): each pair of u8 x s8 products saturated to
 * int16, the two pairs added exactly, then wrap-around int32 accumulation. */
FXQ_DECL_I32(fxq_s8_gemm_ukernel_6x16c4__scalar)
{
    enum { MR = 6, NR = 16 };
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + MR);
    const uint8_t *x = (const uint8_t *)b;
    uint32_t acc[MR][NR];
    for (size_t m = 0; m < MR; ++m)
        for (size_t n = 0; n < NR; ++n) acc[m][n] = (uint32_t)bias[m];
    for (size_t k = 0; k < kc; k += 4) {
        for (size_t m = 0; m < MR; ++m) {
            const int8_t *wk = w + m * 4;
            for (size_t n = 0; n < NR; ++n) {
                const uint8_t *xk = x + n * 4;
                const int32_t p0 = fxq_sat16(xk[0] * wk[0] + xk[1] * wk[1]);
                const int32_t p1 = fxq_sat16(xk[2] * wk[2] + xk[3] * wk[3]);
                acc[m][n] += (uint32_t)(p0 + p1);
            }
        }
        w += MR * 4;
        x += NR * 4;
    }
    for (size_t m = 0; m < mr; ++m) fxq_store_rq_row(c + m * c_stride, acc[m], nr, fxq_rq_row(rq, m));
}

#define FXQ_SCALAR_I64(NAME, MR, NR)                                                               \
    FXQ_DECL_I64(NAME)                                                                             \
    {                                                                                              \
        uint32_t s[MR][NR];                                                                        \
        memset(s, 0, sizeof s);                                                                    \
        for (size_t k = 0; k < kc; k += 2) {                                                       \
            for (size_t m = 0; m < (MR); ++m) {                                                    \
                const int32_t w0 = a[2 * m], w1 = a[2 * m + 1];                                    \
                for (size_t n = 0; n < (NR); ++n)                                                  \
                    s[m][n] += (uint32_t)(w0 * b[2 * n]) + (uint32_t)(w1 * b[2 * n + 1]);          \
            }                                                                                      \
            a += 2 * (MR);                                                                         \
            b += 2 * (NR);                                                                         \
        }                                                                                          \
        const int64_t scale = (int64_t)1 << lshift;                                                \
        for (size_t m = 0; m < (MR); ++m)                                                          \
            for (size_t n = 0; n < (NR); ++n) acc[m * (NR) + n] += (int64_t)(int32_t)s[m][n] * scale; \
    }

FXQ_SCALAR_I64(fxq_s16_gemm_i64_ukernel_8x32c2__scalar, 8, 32)
FXQ_SCALAR_I64(fxq_s16_gemm_i64_ukernel_6x16c2__scalar, 6, 16)
FXQ_SCALAR_I64(fxq_s16_gemm_i64_ukernel_16x16c2__scalar, 16, 16)
FXQ_SCALAR_I64(fxq_s16_gemm_i64_ukernel_4x16c2__scalar, 4, 16)

/* The split single-chunk tile: int32 (wrap-around) sums of the high-byte
 * and low-byte passes, then bias + 2^8 * high + low in int64, requantized. */
FXQ_DECL_I32(fxq_s16_gemm_split_ukernel_8x32c2__scalar)
{
    enum { MR = 8, NR = 32 };
    const int64_t *bias = (const int64_t *)a;
    const int16_t *w = (const int16_t *)(bias + MR);
    const int16_t *xh = (const int16_t *)b, *xl = xh + kc * NR;
    for (size_t m = 0; m < mr; ++m) {
        const fxq_rq_params *r = fxq_rq_row(rq, m);
        for (size_t n = 0; n < nr; ++n) {
            uint32_t sh = 0, sl = 0;
            for (size_t k = 0; k < kc; k += 2)
                for (size_t j = 0; j < 2; ++j) {
                    const int32_t wk = w[(k / 2 * MR + m) * 2 + j];
                    sh += (uint32_t)(wk * xh[(k / 2 * NR + n) * 2 + j]);
                    sl += (uint32_t)(wk * xl[(k / 2 * NR + n) * 2 + j]);
                }
            const int64_t acc = bias[m] + (int64_t)(int32_t)sh * 256 + (int64_t)(int32_t)sl;
            c[m * c_stride + n] = fxq_rq_apply(acc, r);
        }
    }
}

FXQ_DECL_RQ64(fxq_i64_requant_ukernel__scalar)
{
    for (size_t m = 0; m < mr; ++m)
        for (size_t n = 0; n < nr; ++n) c[m * c_stride + n] = fxq_rq_apply(acc[m * acc_stride + n], fxq_rq_row(rq, m));
}

#define FXQ_SCALAR_GEMV(NAME, WTYPE, XTYPE)                                                        \
    FXQ_DECL_GEMV(NAME)                                                                            \
    {                                                                                              \
        const WTYPE *wr = (const WTYPE *)w;                                                        \
        const XTYPE *xv = (const XTYPE *)x;                                                        \
        for (size_t m = 0; m < mr; ++m) {                                                          \
            uint32_t acc = (uint32_t)bias[m];                                                      \
            for (size_t k = 0; k < kc; ++k) acc += (uint32_t)((int32_t)wr[m * kc + k] * (int32_t)xv[k]); \
            c[m] = fxq_rq_apply((int32_t)acc, fxq_rq_row(rq, m));                                  \
        }                                                                                          \
    }

FXQ_SCALAR_GEMV(fxq_s8_gemv_ukernel_16c64__scalar, int8_t, uint8_t)
FXQ_SCALAR_GEMV(fxq_s16_gemv_ukernel_16c32__scalar, int16_t, int16_t)

FXQ_DECL_GEMV_I64(fxq_s16_gemv_i64_ukernel_16c32__scalar)
{
    (void)chunk; /* exact in int64 whatever the chunking */
    for (size_t m = 0; m < mr; ++m) {
        int64_t acc = bias[m];
        for (size_t k = 0; k < kc; ++k)
            acc += (int64_t)w[m * kc + k] * (xl ? 256 * (int64_t)xh[k] + xl[k] : (int64_t)xh[k]);
        c[m] = fxq_rq_apply(acc, fxq_rq_row(rq, m));
    }
}

/* The small-P indirect tile: filters x positions read in place at
 * x[n] + off[g] (fxq_qgemm.h), int32 wrap-around sums. */
FXQ_DECL_IGEMM(fxq_s8_igemm_ukernel_64x4c4__scalar)
{
    enum { MR = 64 };
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + MR);
    for (size_t m = 0; m < mr; ++m)
        for (size_t n = 0; n < nr; ++n) {
            uint32_t acc = (uint32_t)bias[m];
            for (size_t g = 0; g < groups; ++g) {
                const uint8_t *xg = x[n] + off[g];
                const int8_t *wg = w + (g * MR + m) * 4;
                for (int j = 0; j < 4; ++j) acc += (uint32_t)(wg[j] * (int32_t)xg[j]);
            }
            c[m * c_stride + n] = fxq_rq_apply((int32_t)acc, fxq_rq_row(rq, m));
        }
}

/* Its s16 form: two int16 per group, each product exact in int32
 * (|s16 * s16| <= 2^30), the sums wrapping like vpmaddwd + vpaddd (the pair
 * of two (-32768)^2 products too: 2^31 mod 2^32 either way). */
FXQ_DECL_IGEMM(fxq_s16_igemm_ukernel_16x4c2__scalar)
{
    enum { MR = 16 };
    const int32_t *bias = (const int32_t *)a;
    const int16_t *w = (const int16_t *)(bias + MR);
    for (size_t m = 0; m < mr; ++m)
        for (size_t n = 0; n < nr; ++n) {
            uint32_t acc = (uint32_t)bias[m];
            for (size_t g = 0; g < groups; ++g) {
                int16_t xg[2];
                memcpy(xg, x[n] + off[g], sizeof xg);
                const int16_t *wg = w + (g * MR + m) * 2;
                acc += (uint32_t)(wg[0] * (int32_t)xg[0]) + (uint32_t)(wg[1] * (int32_t)xg[1]);
            }
            c[m * c_stride + n] = fxq_rq_apply((int32_t)acc, fxq_rq_row(rq, m));
        }
}
