/* fxq_s16_gemm_ukernel_8x32c2__avx512vnni
 *
 * Tile: MR = 8 filters x NR = 32 output positions (2 zmm of 16), KR = 2.
 * Packed A: int32 bias[8], then s16 weights [kc/2][8][2] (a row's 2
 *   consecutive k as one dword, broadcast).
 * Packed B: s16 activations [kc/2][32][2].
 * Accumulator: int32 via vpdpwssd (pairwise s16 x s16 products summed, no
 *   saturation, wrap-around). A pair of (-32768)*(-32768) products is 2^31,
 *   which wraps -- but arithmetic mod 2^32 stays exact, and the plan uses
 *   this kernel only when the int32 rule of fxq_qconv.h holds (the true
 *   final sum fits), so the result is exact.
 * Epilogue: fxq_rq_avx512_i32 (round half away from zero, saturate, act).
 * Preconditions: 1 <= mr <= 8, 1 <= nr <= 32, kc % 2 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

FXQ_DECL_I32(fxq_s16_gemm_ukernel_8x32c2__avx512vnni)
{
    assert(mr >= 1 && mr <= 8 && nr >= 1 && nr <= 32 && kc % 2 == 0);
    const int32_t *bias = (const int32_t *)a;
    const int16_t *w = (const int16_t *)(bias + 8);
    const int16_t *x = (const int16_t *)b;
    __m512i acc[16];
    size_t iters = kc / 2;
    FXQ_ASM_LOOP_8X32("vpdpwssd", FXQ_ASM_INIT_BIAS, x, w, iters, bias, acc);
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    const __mmask32 mask = fxq_mask32(nr);
#define FXQ_OUT(i)                                                                                 \
    if (mr > (i))                                                                                  \
    fxq_store_2x16_avx512(c + (i) * c_stride, fxq_rq_avx512_i32(acc[2 * (i)], &rk), fxq_rq_avx512_i32(acc[2 * (i) + 1], &rk), mask)
    FXQ_OUT(0); FXQ_OUT(1); FXQ_OUT(2); FXQ_OUT(3);
    FXQ_OUT(4); FXQ_OUT(5); FXQ_OUT(6); FXQ_OUT(7);
}
#endif
