/* fxq_s16_gemm_i64_ukernel_8x32c2__avx512vnni and
 * fxq_i64_requant_ukernel__avx512vnni: the exact int64 path.
 *
 * Tile: MR = 8 x NR = 32, KR = 2; packed A weights [kc/2][8][2] s16 (the
 *   int64 bias[8] in front of the panel is read by the driver, which starts
 *   the int64 tile from it); packed B [kc/2][32][2] s16.
 * Accumulator: one chunk of kc k's is summed in int32 lanes with vpdpwssd
 *   (wrap-around, exact because the driver sizes chunks so every chunk sum
 *   fits in int32), then sign-extended to int64, multiplied by 2^lshift
 *   (lshift = 8 for the high byte of split 16-bit activations) and added to
 *   the int64 tile acc[8][32] in memory. Never overflows: |acc| < 2^62.
 * Requant: fxq_rq_avx512_i64x2 (round half away from zero on |acc| with
 *   64-bit lanes, saturate, then 32-bit sign + activation; row m with
 *   fxq_rq_row(rq, m)), masked stores.
 * Preconditions: kc % 2 == 0; requant: 1 <= nr, acc rows 16-lane readable
 *   only up to nr (masked loads).
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

static inline void fxq_flush16(int64_t *acc, __m512i s, __m128i cnt)
{
    const __m512i lo = _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(s)), cnt);
    const __m512i hi = _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s, 1)), cnt);
    _mm512_storeu_si512(acc, _mm512_add_epi64(_mm512_loadu_si512(acc), lo));
    _mm512_storeu_si512(acc + 8, _mm512_add_epi64(_mm512_loadu_si512(acc + 8), hi));
}

FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_8x32c2__avx512vnni)
{
    assert(kc % 2 == 0 && (lshift == 0 || lshift == 8));
    __m512i s[16];
    size_t iters = kc / 2;
    FXQ_ASM_LOOP_8X32("vpdpwssd", FXQ_ASM_INIT_ZERO, b, a, iters, (const int32_t *)0, s);
    const __m128i cnt = _mm_cvtsi32_si128(lshift);
#define FXQ_FLUSH(i)                                                                               \
    do {                                                                                           \
        fxq_flush16(acc + (i) * 32, s[2 * (i)], cnt);                                                 \
        fxq_flush16(acc + (i) * 32 + 16, s[2 * (i) + 1], cnt);                                            \
    } while (0)
    FXQ_FLUSH(0); FXQ_FLUSH(1); FXQ_FLUSH(2); FXQ_FLUSH(3);
    FXQ_FLUSH(4); FXQ_FLUSH(5); FXQ_FLUSH(6); FXQ_FLUSH(7);
}

FXQ_DECL_RQ64(fxq_i64_requant_ukernel__avx512vnni)
{
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    for (size_t m = 0; m < mr; ++m) {
        if (m && rq->per_row) fxq_rq_avx512_init(&rk, rq + m);
        const int64_t *am = acc + m * acc_stride;
        int16_t *cm = c + m * c_stride;
        for (size_t n = 0; n < nr; n += 16) {
            const size_t left = nr - n < 16 ? nr - n : 16;
            const __mmask16 mask = (__mmask16)((1u << left) - 1u);
            const __m512i a0 = _mm512_maskz_loadu_epi64((__mmask8)mask, am + n);
            const __m512i a1 = _mm512_maskz_loadu_epi64((__mmask8)(mask >> 8), am + n + 8);
            const __m512i r = fxq_rq_avx512_i64x2(a0, a1, &rk);
            _mm256_mask_storeu_epi16(cm + n, mask, _mm512_cvtepi32_epi16(r));
        }
    }
}
#endif
