/* s8 x s8 GEMM microkernel, 4x16 tile, KR = 4, Armv8.2 SDOT (by element):
 * one sdot adds 4 k's of one A row (a lane of the A register) times 4 B
 * columns into 4 int32 lanes -- 16 MACs. A k-group is 1 A register (4
 * rows x 4 k) and 4 B registers (16 columns x 4 k): 16 sdot, 2 loads; two
 * groups per iteration. 16 accumulators + 10 operand registers: no spills.
 * B holds code - lowest code - 128 (the set's s8 input: fxq_kernels.h),
 * the bias absorbs the offset; sums wrap mod 2^32 as the twin's
 * (fxq_s8s8_gemm_ukernel_4x16c4__scalar). Compiled with +dotprod, called
 * only where HWCAP_ASIMDDP says the CPU has it. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_rq_neon.h"

/* Accumulators are named variables (c<row><column quad>), not an array:
 * an array whose address reaches the epilogue is stored to the stack on
 * every iteration. */
#define FXQ_DOT_ROW(i, va, b)                                                                      \
    c##i##0 = vdotq_laneq_s32(c##i##0, b.val[0], va, i);                                           \
    c##i##1 = vdotq_laneq_s32(c##i##1, b.val[1], va, i);                                           \
    c##i##2 = vdotq_laneq_s32(c##i##2, b.val[2], va, i);                                           \
    c##i##3 = vdotq_laneq_s32(c##i##3, b.val[3], va, i);
#define FXQ_DOT_GROUP(va, b) FXQ_DOT_ROW(0, va, b) FXQ_DOT_ROW(1, va, b) FXQ_DOT_ROW(2, va, b) FXQ_DOT_ROW(3, va, b)
#define FXQ_INIT_ROW(i) int32x4_t c##i##0 = vdupq_n_s32(bias[i]), c##i##1 = c##i##0, c##i##2 = c##i##0, c##i##3 = c##i##0;

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4__neondot)
{
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + 4);
    const int8_t *x = (const int8_t *)b;
    FXQ_INIT_ROW(0) FXQ_INIT_ROW(1) FXQ_INIT_ROW(2) FXQ_INIT_ROW(3)
    size_t k = kc;
    for (; k >= 8; k -= 8) {
        const int8x16x2_t va = vld1q_s8_x2(w);
        const int8x16x4_t b0 = vld1q_s8_x4(x), b1 = vld1q_s8_x4(x + 64);
        w += 32;
        x += 128;
        FXQ_DOT_GROUP(va.val[0], b0)
        FXQ_DOT_GROUP(va.val[1], b1)
    }
    if (k) {
        const int8x16_t va = vld1q_s8(w);
        const int8x16x4_t b0 = vld1q_s8_x4(x);
        FXQ_DOT_GROUP(va, b0)
    }
    const int32x4_t acc[16] = {c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33};
    fxq_rq_neon_store_4x16(c, c_stride, acc, mr, nr, rq);
}
#endif
