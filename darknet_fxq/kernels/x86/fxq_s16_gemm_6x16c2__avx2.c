/* fxq_s16_gemm_ukernel_6x16c2__avx2 and fxq_s16_gemm_i64_ukernel_6x16c2__avx2
 *
 * Tile: MR = 6 filters x NR = 16 output positions (2 ymm of 8), KR = 2.
 * Packed A: bias[6] (int32; the int64 kernel's driver reads an int64 bias
 *   instead), then s16 weights [kc/2][6][2] (a row's 2 k's as one dword,
 *   broadcast). s8 data is widened to s16 at pack time on this ISA.
 * Packed B: s16 activations [kc/2][16][2].
 * Accumulator: vpmaddwd + vpaddd in int32 lanes. vpmaddwd of two
 *   (-32768)*(-32768) products gives 0x80000000 (2^31 mod 2^32); all the
 *   arithmetic is exact mod 2^32, and the int32 kernel is used only when the
 *   int32 rule of fxq_qconv.h holds (true sums fit), the int64 kernel only on
 *   chunks whose sums fit -- then sign-extended, times 2^lshift, added to the
 *   int64 tile acc[6][16].
 * Both k loops are inline asm (fxq_gemm_6x16_avx2.h: no accumulator
 *   spills; the int64 kernel's starts from zero instead of the bias).
 * Epilogue (int32): fxq_rq_avx2.h -- round half away from zero on |acc|,
 *   saturate, sign and activation (fxq_rq_apply, 8 lanes; row i with
 *   fxq_rq_row(rq, i)), int16 stores (tail via a buffer).
 *   The int64 tile is requantized by fxq_i64_requant_ukernel__scalar.
 * Preconditions: 1 <= mr <= 6, 1 <= nr <= 16, kc % 2 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "fxq_gemm_6x16_avx2.h"
#include "fxq_rq_avx2.h"

FXQ_DECL_I32(fxq_s16_gemm_ukernel_6x16c2__avx2)
{
    assert(mr >= 1 && mr <= 6 && nr >= 1 && nr <= 16 && kc % 2 == 0);
    const int32_t *bias = (const int32_t *)a;
    const int16_t *w = (const int16_t *)(bias + 6);
    const int16_t *x = (const int16_t *)b;
    __m256i acc[12];
    size_t n = kc / 2;
    FXQ_AVX2_LOOP_6X16(FXQ_AVX2_ROW_S16, 24, x, w, n, bias, acc);
    fxq_rq_avx2_store_6x16(c, c_stride, acc, mr, nr, rq);
}

static inline void fxq_flush8_avx2(int64_t *acc, __m256i s, __m128i cnt)
{
    const __m256i lo = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(s)), cnt);
    const __m256i hi = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(s, 1)), cnt);
    _mm256_storeu_si256((__m256i *)acc, _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)acc), lo));
    _mm256_storeu_si256((__m256i *)(acc + 4), _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(acc + 4)), hi));
}

FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_6x16c2__avx2)
{
    assert(kc % 2 == 0 && (lshift == 0 || lshift == 8));
    static const int32_t zero[6];
    __m256i s[12];
    size_t n = kc / 2;
    FXQ_AVX2_LOOP_6X16(FXQ_AVX2_ROW_S16, 24, b, a, n, zero, s);
    const __m256i c00 = s[0], c01 = s[1], c10 = s[2], c11 = s[3], c20 = s[4], c21 = s[5];
    const __m256i c30 = s[6], c31 = s[7], c40 = s[8], c41 = s[9], c50 = s[10], c51 = s[11];
    const __m128i cnt = _mm_cvtsi32_si128(lshift);
#define FXQ_FLUSH(i)                                                                               \
    do {                                                                                           \
        fxq_flush8_avx2(acc + (i) * 16, c##i##0, cnt);                                             \
        fxq_flush8_avx2(acc + (i) * 16 + 8, c##i##1, cnt);                                         \
    } while (0)
    FXQ_FLUSH(0); FXQ_FLUSH(1); FXQ_FLUSH(2); FXQ_FLUSH(3); FXQ_FLUSH(4); FXQ_FLUSH(5);
}
#endif
