/* fxq_s16_gemm_split_ukernel_8x32c2__avx512vnni: the int64 path's tile in
 * one call when the activations are split and the whole k range is one
 * chunk (fxq_qconv_plan.c: 16-bit weights and inputs on layers with small
 * K, e.g. the first layer, K = 27).
 *
 * Layout: A = int64 bias[8] then s16 weights [kc/2][8][2]; B = the split
 *   panel: high bytes (arithmetic >> 8) [kc/2][32][2], then at +kc*32 the
 *   low bytes (& 0xff), so x = 256 * high + low.
 * Two k loops of vpdpwssd (the 8x32 asm loop, from zero) sum each pass in
 *   int32 lanes -- exact, as the plan only picks this kernel when every
 *   row's chunk sum fits int32 and the chunk covers kc -- then per row
 *   acc = bias + 2^8 * high sum + low sum in int64 lanes, requantized by
 *   fxq_rq_avx512_i64x2 and stored: no int64 tile in memory, no separate
 *   requantization pass (the chunked path's per-tile overhead, which
 *   outweighs the multiply-adds when K is small).
 * Twin: fxq_s16_gemm_split_ukernel_8x32c2__scalar (fxq_qgemm_scalar.c).
 * Preconditions: 1 <= mr <= 8, 1 <= nr <= 32, kc % 2 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

static inline __m512i fxq_split_half(__m256i hi, __m256i lo, __m512i bias)
{
    const __m512i h = _mm512_slli_epi64(_mm512_cvtepi32_epi64(hi), 8);
    return _mm512_add_epi64(bias, _mm512_add_epi64(h, _mm512_cvtepi32_epi64(lo)));
}

FXQ_DECL_I32(fxq_s16_gemm_split_ukernel_8x32c2__avx512vnni)
{
    assert(mr >= 1 && mr <= 8 && nr >= 1 && nr <= 32 && kc % 2 == 0);
    const int64_t *bias = (const int64_t *)a;
    const unsigned char *w = (const unsigned char *)(bias + 8), *w1 = w;
    const unsigned char *xh = (const unsigned char *)b, *xl = xh + kc * 32 * 2;
    __m512i sh[16], sl[16];
    size_t iters = kc / 2;
    FXQ_ASM_LOOP_8X32("vpdpwssd", FXQ_ASM_INIT_ZERO, xh, w1, iters, (const int32_t *)0, sh);
    iters = kc / 2;
    FXQ_ASM_LOOP_8X32("vpdpwssd", FXQ_ASM_INIT_ZERO, xl, w, iters, (const int32_t *)0, sl);
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    const __mmask32 mask = fxq_mask32(nr);
    for (size_t i = 0; i < mr; ++i) {
        if (i && rq->per_row) fxq_rq_avx512_init(&rk, rq + i);
        const __m512i b64 = _mm512_set1_epi64(bias[i]);
        __m512i r[2];
        for (int h = 0; h < 2; ++h) {
            const __m512i H = sh[2 * i + h], L = sl[2 * i + h];
            const __m512i a0 = fxq_split_half(_mm512_castsi512_si256(H), _mm512_castsi512_si256(L), b64);
            const __m512i a1 = fxq_split_half(_mm512_extracti64x4_epi64(H, 1), _mm512_extracti64x4_epi64(L, 1), b64);
            r[h] = fxq_rq_avx512_i64x2(a0, a1, &rk);
        }
        fxq_store_2x16_avx512(c + i * c_stride, r[0], r[1], mask);
    }
}
#endif
