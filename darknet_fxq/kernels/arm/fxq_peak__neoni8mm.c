/* Throughput loop for `darknet fxq info --bench`, Armv8.6 i8mm: 16
 * independent chains of smmla (a 2x8 by 8x2 block, 32 MACs each), the
 * i8mm s8 GEMM's instruction (fxq_peak_loop.inc). */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_kernels.h"

#define FXQ_REP16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

#define FXQ_PEAK_NAME fxq_s8_mmla_loop__neoni8mm
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC int32x4_t
#define FXQ_PEAK_XY const int8x16_t x = vdupq_n_s8(3), y = vdupq_n_s8(-2)
#define FXQ_PEAK_INIT(i) vdupq_n_s32(i)
#define FXQ_PEAK_STEP(a) vmmlaq_s32(a, x, y)
#define FXQ_PEAK_ZERO vdupq_n_s32(0)
#define FXQ_PEAK_ADD(s, a) vaddq_s32(s, a)
#define FXQ_PEAK_REDUCE(s) vaddvq_s32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 32
#include "fxq_peak_loop.inc"
#endif
