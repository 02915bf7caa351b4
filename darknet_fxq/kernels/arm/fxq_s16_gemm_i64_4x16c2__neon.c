/* s16 x s16 int64 chunk GEMM microkernel, 4x16 tile, KR = 2, Armv8.0 NEON:
 * the chunk's int32 sums (exact: the caller bounds them) by smlal as in
 * fxq_s16_gemm_4x16c2__neon.h, then widened (sxtl), shifted by lshift and
 * added into the int64 tile. The twin: fxq_s16_gemm_i64_ukernel_4x16c2__scalar. */
#if defined(__aarch64__)
#include "fxq_qgemm.h"
#include "fxq_s16_gemm_4x16c2__neon.h"

FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_4x16c2__neon)
{
    const int16_t *w = a, *x = b;
    FXQ_S16_ACC_INIT(0, vdupq_n_s32(0))
    FXQ_S16_ACC_INIT(1, vdupq_n_s32(0))
    FXQ_S16_ACC_INIT(2, vdupq_n_s32(0))
    FXQ_S16_ACC_INIT(3, vdupq_n_s32(0))
    FXQ_S16_4X16C2_LOOP(kc, w, x)
    const int32x4_t s[16] = FXQ_S16_ACC_ARRAY;
    const int64x2_t sh = vdupq_n_s64(lshift);
    for (int i = 0; i < 16; ++i) {
        int64_t *o = acc + 4 * i; /* row i / 4, columns 4 (i % 4) .. + 3: the tile's row stride is 16 */
        vst1q_s64(o, vaddq_s64(vld1q_s64(o), vshlq_s64(vmovl_s32(vget_low_s32(s[i])), sh)));
        vst1q_s64(o + 2, vaddq_s64(vld1q_s64(o + 2), vshlq_s64(vmovl_high_s32(s[i]), sh)));
    }
}
#endif
