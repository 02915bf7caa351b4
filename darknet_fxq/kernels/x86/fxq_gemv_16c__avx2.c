/* fxq_s8_gemv_ukernel_16c64__avx2, fxq_s16_gemv_ukernel_16c32__avx2
 *
 * One output column (P == 1: connected layers, convolutions with a 1x1
 * output) on AVX2: c[m] = act(requant(bias[m] + sum_k w[m][k] * x[k])),
 * m < mr, the layouts of the VNNI set's GEMV kernels (fxq_qgemm.h): w
 * row-major, rows kc elements apart, zero-padded to 16 rows; bias int32[16]
 * (s8: pre-corrected by -offset * sum_k w); x: kc elements (u8 = code +
 * input offset for s8, s16 otherwise).
 * Both widen to int16 and use vpmaddwd (s8: vpmovsxbw of w, vpmovzxbw of x),
 * so every product and pair sum is exact -- no vpmaddubsw saturation here,
 * whatever the weights; int32 lanes wrap mod 2^32 like the twins', exact
 * under the int32 rule of fxq_qconv.h.
 * Rows are done 8 at a time (8 ymm accumulators, one per row, summed over
 * k), reduced by a vphaddd tree to one ymm of 8 row sums, then requantized
 * together (fxq_rq_avx2.h); per-row parameters go lane by lane
 * (fxq_rq_avx2_lanes8_i32, row i's parameters in lane i).
 * Preconditions: 1 <= mr <= 16; kc % 64 == 0 (s8) / kc % 32 == 0 (s16).
 */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>

#include "fxq_rq_avx2.h"

/* 8 row accumulators -> lane i = sum of the lanes of a[i] (mod 2^32). */
static inline __m256i fxq_reduce8(const __m256i *a)
{
    const __m256i s01 = _mm256_hadd_epi32(a[0], a[1]), s23 = _mm256_hadd_epi32(a[2], a[3]);
    const __m256i s45 = _mm256_hadd_epi32(a[4], a[5]), s67 = _mm256_hadd_epi32(a[6], a[7]);
    const __m256i s0123 = _mm256_hadd_epi32(s01, s23), s4567 = _mm256_hadd_epi32(s45, s67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(s0123, s4567, 0x20),
                            _mm256_permute2x128_si256(s0123, s4567, 0x31));
}

static inline void fxq_gemv8_out(size_t mr, __m256i sums, const int32_t *bias, int16_t *c, const fxq_rq_params *rq)
{
    const __m256i acc = _mm256_add_epi32(sums, _mm256_loadu_si256((const __m256i *)bias));
    int32_t v[8];
    if (rq->per_row) {
        _mm256_storeu_si256((__m256i *)v, fxq_rq_avx2_lanes8_i32(acc, rq, mr));
    } else {
        fxq_rq_avx2 rk;
        fxq_rq_avx2_init(&rk, rq);
        _mm256_storeu_si256((__m256i *)v, fxq_rq_avx2_i32(acc, &rk));
    }
    for (size_t i = 0; i < mr; ++i) c[i] = (int16_t)v[i];
}

/* 16 k's of element type: w8 s8 / x8 u8 widened, or s16 as they are */
#define FXQ_LD_W8(p) _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(p)))
#define FXQ_LD_X8(p) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p)))
#define FXQ_LD_16(p) _mm256_loadu_si256((const __m256i *)(p))

#define FXQ_GEMV_AVX2(NAME, ET, XT, LDW, LDX, STEP)                                                 \
    FXQ_DECL_GEMV(NAME)                                                                            \
    {                                                                                              \
        assert(mr >= 1 && mr <= 16 && kc % (STEP) == 0);                                           \
        const ET *wr = (const ET *)w;                                                              \
        const XT *xv = (const XT *)x;                                                              \
        for (size_t r0 = 0; r0 < mr; r0 += 8) {                                                    \
            const ET *w0 = wr + r0 * kc;                                                           \
            __m256i acc[8];                                                                        \
            for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_si256();                           \
            for (size_t k = 0; k < kc; k += 16) {                                                  \
                const __m256i xk = LDX(xv + k);                                                    \
                for (int i = 0; i < 8; ++i)                                                        \
                    acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(LDW(w0 + i * kc + k), xk)); \
            }                                                                                      \
            fxq_gemv8_out(mr - r0 < 8 ? mr - r0 : 8, fxq_reduce8(acc), bias + r0, c + r0,          \
                          rq->per_row ? rq + r0 : rq);                                             \
        }                                                                                          \
    }

FXQ_GEMV_AVX2(fxq_s8_gemv_ukernel_16c64__avx2, int8_t, uint8_t, FXQ_LD_W8, FXQ_LD_X8, 64)
FXQ_GEMV_AVX2(fxq_s16_gemv_ukernel_16c32__avx2, int16_t, int16_t, FXQ_LD_16, FXQ_LD_16, 32)
#endif
