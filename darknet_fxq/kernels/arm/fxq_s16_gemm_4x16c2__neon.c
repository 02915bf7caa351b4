/* s16 x s16 int32 GEMM microkernel, 4x16 tile, KR = 2, Armv8.0 NEON
 * (smlal by element, fxq_s16_gemm_4x16c2__neon.h); requantization fused
 * (fxq_rq_neon.h). The twin: fxq_s16_gemm_ukernel_4x16c2__scalar. */
#if defined(__aarch64__)
#include "fxq_rq_neon.h"
#include "fxq_s16_gemm_4x16c2__neon.h"

FXQ_DECL_I32(fxq_s16_gemm_ukernel_4x16c2__neon)
{
    const int32_t *bias = (const int32_t *)a;
    const int16_t *w = (const int16_t *)(bias + 4), *x = (const int16_t *)b;
    FXQ_S16_ACC_INIT(0, vdupq_n_s32(bias[0]))
    FXQ_S16_ACC_INIT(1, vdupq_n_s32(bias[1]))
    FXQ_S16_ACC_INIT(2, vdupq_n_s32(bias[2]))
    FXQ_S16_ACC_INIT(3, vdupq_n_s32(bias[3]))
    FXQ_S16_4X16C2_LOOP(kc, w, x)
    const int32x4_t acc[16] = FXQ_S16_ACC_ARRAY;
    fxq_rq_neon_store_4x16(c, c_stride, acc, mr, nr, rq);
}
#endif
