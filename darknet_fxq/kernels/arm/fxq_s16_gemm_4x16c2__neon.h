/* Internal: the k loop of the s16 4x16c2 NEON kernels (int32 and int64
 * chunk). ld2 splits a B k-pair of 8 columns into its k and k+1 rows, and
 * smlal / smlal2 by element add 4 columns x one weight (a lane of the A
 * register: 4 rows x 2 k) -- 4 MACs per instruction, 32 per k-pair and
 * row quad. 16 accumulators, 4 B + 1 A registers (the by-element operand
 * must sit in v0..v15: the compiler places it). Sums wrap mod 2^32 as the
 * scalar twins' (fxq_qgemm_scalar.c). The accumulators are the caller's
 * named variables c<row><column quad> (an array would be stored to the
 * stack on every iteration). */
#ifndef FXQ_S16_GEMM_4X16C2_NEON_H
#define FXQ_S16_GEMM_4X16C2_NEON_H

#include <arm_neon.h>

#define FXQ_S16_ROW(i)                                                                             \
    c##i##0 = vmlal_laneq_s16(c##i##0, vget_low_s16(b0.val[0]), va, 2 * (i));                      \
    c##i##0 = vmlal_laneq_s16(c##i##0, vget_low_s16(b0.val[1]), va, 2 * (i) + 1);                  \
    c##i##1 = vmlal_high_laneq_s16(c##i##1, b0.val[0], va, 2 * (i));                               \
    c##i##1 = vmlal_high_laneq_s16(c##i##1, b0.val[1], va, 2 * (i) + 1);                           \
    c##i##2 = vmlal_laneq_s16(c##i##2, vget_low_s16(b1.val[0]), va, 2 * (i));                      \
    c##i##2 = vmlal_laneq_s16(c##i##2, vget_low_s16(b1.val[1]), va, 2 * (i) + 1);                  \
    c##i##3 = vmlal_high_laneq_s16(c##i##3, b1.val[0], va, 2 * (i));                               \
    c##i##3 = vmlal_high_laneq_s16(c##i##3, b1.val[1], va, 2 * (i) + 1);

/* c<i><q> += rows i, columns 4q..4q+3 over kc (even) k's from w, x */
#define FXQ_S16_4X16C2_LOOP(kc, w, x)                                                              \
    for (size_t g = (kc) / 2; g; --g) {                                                            \
        const int16x8_t va = vld1q_s16(w);                                                         \
        const int16x8x2_t b0 = vld2q_s16(x);                                                       \
        x += 16;                                                                                   \
        const int16x8x2_t b1 = vld2q_s16(x);                                                       \
        x += 16;                                                                                   \
        w += 8;                                                                                    \
        FXQ_S16_ROW(0) FXQ_S16_ROW(1) FXQ_S16_ROW(2) FXQ_S16_ROW(3)                                \
    }

#define FXQ_S16_ACC_INIT(i, v) int32x4_t c##i##0 = (v), c##i##1 = c##i##0, c##i##2 = c##i##0, c##i##3 = c##i##0;
#define FXQ_S16_ACC_ARRAY {c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}

#endif
