/* floats -> codes and back, Armv8.0 NEON: the steps of
 * fxq_convert_scalar.c on 4 lanes -- v = x * scale (exact: scale is a
 * power of two), truncate (fcvtzs), the exact remainder decides round half
 * away from zero, then hi / lo where v passes them; NaN falls through to 0
 * as in the scalar code (every compare false, fcvtzs(NaN) = 0). Tails run
 * the scalar kernels themselves. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_kernels.h"

static inline int32x4_t fxq_q4(float32x4_t x, float32x4_t sc, float32x4_t lo, float32x4_t hi)
{
    const float32x4_t v = vmulq_f32(x, sc);
    int32x4_t t = vcvtq_s32_f32(v);
    const float32x4_t d = vsubq_f32(v, vcvtq_f32_s32(t));
    t = vsubq_s32(t, vreinterpretq_s32_u32(vcgeq_f32(d, vdupq_n_f32(0.5f))));
    t = vaddq_s32(t, vreinterpretq_s32_u32(vcleq_f32(d, vdupq_n_f32(-0.5f))));
    t = vbslq_s32(vcleq_f32(v, lo), vcvtq_s32_f32(lo), t);
    return vbslq_s32(vcgeq_f32(v, hi), vcvtq_s32_f32(hi), t);
}

void fxq_f32_quantize_ukernel__neon(size_t n, const float *x, float scale, float lo, float hi, int16_t *c)
{
    const float32x4_t sc = vdupq_n_f32(scale), vl = vdupq_n_f32(lo), vh = vdupq_n_f32(hi);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const int32x4_t a = fxq_q4(vld1q_f32(x + i), sc, vl, vh), b = fxq_q4(vld1q_f32(x + i + 4), sc, vl, vh);
        vst1q_s16(c + i, vcombine_s16(vmovn_s32(a), vmovn_s32(b)));
    }
    fxq_f32_quantize_ukernel__scalar(n - i, x + i, scale, lo, hi, c + i);
}

void fxq_f32_dequantize_ukernel__neon(size_t n, const int16_t *c, float scale, float *y)
{
    const float32x4_t sc = vdupq_n_f32(scale);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const int16x8_t v = vld1q_s16(c + i);
        vst1q_f32(y + i, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(v))), sc));
        vst1q_f32(y + i + 4, vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(v)), sc));
    }
    fxq_f32_dequantize_ukernel__scalar(n - i, c + i, scale, y + i);
}
#endif
