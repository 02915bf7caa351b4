/* fxq_s8_gemm_ukernel_8x32c4__avx512vnni
 *
 * Tile: MR = 8 filters x NR = 32 output positions (2 zmm of 16), KR = 4.
 * Packed A: int32 bias[8], then s8 weights [kc/4][8][4] (each row's 4
 *   consecutive k as one dword, broadcast to all lanes).
 * Packed B: u8 activations [kc/4][32][4], stored as code + 128 because
 *   vpdpbusd multiplies u8 x s8; the bias was pre-corrected at pack time to
 *   bias - 128 * sum_k w[m][k], so acc = bias + sum_k w * code exactly.
 * Accumulator: int32, wrap-around (vpdpbusd does not saturate); the plan
 *   uses this kernel only when the int32 rule of fxq_qconv.h holds, so the
 *   final value is the exact sum.
 * Epilogue: fxq_rq_avx512_i32 (round half away from zero, saturate, act),
 *   masked int16 stores of mr rows x nr columns.
 * Preconditions: 1 <= mr <= 8, 1 <= nr <= 32, kc % 4 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

FXQ_DECL_I32(fxq_s8_gemm_ukernel_8x32c4__avx512vnni)
{
    assert(mr >= 1 && mr <= 8 && nr >= 1 && nr <= 32 && kc % 4 == 0);
    const int32_t *bias = (const int32_t *)a;
    const uint8_t *w = (const uint8_t *)(bias + 8);
    const uint8_t *x = (const uint8_t *)b;
    __m512i acc[16];
    size_t iters = kc / 4;
    FXQ_ASM_LOOP_8X32("vpdpbusd", FXQ_ASM_INIT_BIAS, x, w, iters, bias, acc);
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
