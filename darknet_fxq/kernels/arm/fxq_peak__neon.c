/* Throughput loops for `darknet fxq info --bench`, Armv8.0 NEON: 16
 * independent chains (fxq_peak_loop.inc) of fp32 fmla, of the baseline s8
 * GEMM's smull + smlal + sadalp sequence (16 MACs a step) and of the s16
 * GEMM's smlal + smlal2 (8 MACs a step). */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_kernels.h"

#define FXQ_REP16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

#define FXQ_PEAK_NAME fxq_f32_fma_loop__neon
#define FXQ_PEAK_SINK float
#define FXQ_PEAK_VEC float32x4_t
#define FXQ_PEAK_XY const float32x4_t x = vdupq_n_f32(0.999999f), y = vdupq_n_f32(1e-7f)
#define FXQ_PEAK_INIT(i) vdupq_n_f32(1.0f + (float)(i) * 0.01f)
#define FXQ_PEAK_STEP(a) vfmaq_f32(y, a, x)
#define FXQ_PEAK_ZERO vdupq_n_f32(0.f)
#define FXQ_PEAK_ADD(s, a) vaddq_f32(s, a)
#define FXQ_PEAK_REDUCE(s) vaddvq_f32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 4
#include "fxq_peak_loop.inc"

/* the product pair in asm: as intrinsics it does not depend on the chain
 * and the compiler would hoist it out of the loop */
static inline int32x4_t fxq_mlal_step(int32x4_t a, int8x8_t x, int8x8_t y)
{
    int16x8_t p;
    __asm__("smull %1.8h, %2.8b, %3.8b\n\tsmlal %1.8h, %3.8b, %2.8b\n\tsadalp %0.4s, %1.8h"
            : "+w"(a), "=&w"(p)
            : "w"(x), "w"(y));
    return a;
}

#define FXQ_PEAK_NAME fxq_s8_mlal_loop__neon
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC int32x4_t
#define FXQ_PEAK_XY const int8x8_t x = vdup_n_s8(3), y = vdup_n_s8(-2)
#define FXQ_PEAK_INIT(i) vdupq_n_s32(i)
#define FXQ_PEAK_STEP(a) fxq_mlal_step(a, x, y)
#define FXQ_PEAK_ZERO vdupq_n_s32(0)
#define FXQ_PEAK_ADD(s, a) vaddq_s32(s, a)
#define FXQ_PEAK_REDUCE(s) vaddvq_s32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 16
#include "fxq_peak_loop.inc"

#define FXQ_PEAK_NAME fxq_s16_mlal_loop__neon
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC int32x4_t
#define FXQ_PEAK_XY const int16x8_t x = vdupq_n_s16(3), y = vdupq_n_s16(-2)
#define FXQ_PEAK_INIT(i) vdupq_n_s32(i)
#define FXQ_PEAK_STEP(a) vmlal_high_s16(vmlal_s16(a, vget_low_s16(x), vget_low_s16(y)), x, y)
#define FXQ_PEAK_ZERO vdupq_n_s32(0)
#define FXQ_PEAK_ADD(s, a) vaddq_s32(s, a)
#define FXQ_PEAK_REDUCE(s) vaddvq_s32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 8
#include "fxq_peak_loop.inc"
#endif
