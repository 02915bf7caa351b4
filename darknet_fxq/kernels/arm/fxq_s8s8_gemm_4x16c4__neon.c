/* s8 x s8 GEMM microkernel, 4x16 tile, KR = 4, Armv8.0 NEON (Cortex-A53 /
 * A72: no dot product): smull multiplies 8 B bytes (2 columns x 4 k) by
 * the row's 4 weights twice over into int16, smlal adds the next k-group's
 * products to the same int16 lanes, sadalp adds adjacent int16 pairs into
 * int32 -- 16 MACs per 3 instructions (XNNPACK's mlal_padal). An int16
 * lane holds two products, of k and k + 4: exact while the two weights'
 * magnitudes sum to <= 255 (128 * 255 < 2^15), so a lone -128 is fine;
 * two -128 in one pair times B = -128 twice wraps, as the twin
 * (fxq_s8s8_gemm_ukernel_4x16c4_mlal__scalar) does too, and the plan uses
 * this kernel only when no row has such a pair (s8_pair_limit, stride 4),
 * so its sums are exact. Two rows per pass over the k-groups: 16 accumulators (2 columns x
 * 2 partial sums per register), B loaded one register pair (the same
 * columns of both groups) at a time: all 8 at once spill. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_rq_neon.h"

/* acc += pairs of (bg * wg + bh * wh) for 2 + 2 columns of one B register */
#define FXQ_MLAL(lo, hi, bg, bh, wg, wh)                                                           \
    lo = vpadalq_s16(lo, vmlal_s8(vmull_s8(vget_low_s8(bg), vget_low_s8(wg)), vget_low_s8(bh), vget_low_s8(wh))); \
    hi = vpadalq_s16(hi, vmlal_high_s8(vmull_high_s8(bg, wg), bh, wh));
#define FXQ_MUL1(lo, hi, bg, wg)                                                                   \
    lo = vpadalq_s16(lo, vmull_s8(vget_low_s8(bg), vget_low_s8(wg)));                              \
    hi = vpadalq_s16(hi, vmull_high_s8(bg, wg));
/* both rows, B register q of the group pair */
#define FXQ_MLAL_Q(q)                                                                              \
    {                                                                                              \
        __asm__ volatile("" ::: "memory"); /* keeps the loads here: hoisted, they spill */        \
        const int8x16_t bgq = vld1q_s8(x + 16 * (q)), bhq = vld1q_s8(x + 64 + 16 * (q));           \
        FXQ_MLAL(r0_##q##l, r0_##q##h, bgq, bhq, w0g, w0h)                                         \
        FXQ_MLAL(r1_##q##l, r1_##q##h, bgq, bhq, w1g, w1h)                                         \
    }
#define FXQ_MUL1_Q(q)                                                                              \
    FXQ_MUL1(r0_##q##l, r0_##q##h, bg.val[q], w0g)                                                 \
    FXQ_MUL1(r1_##q##l, r1_##q##h, bg.val[q], w1g)
#define FXQ_ZERO_Q(q) int32x4_t r0_##q##l = vdupq_n_s32(0), r0_##q##h = r0_##q##l, r1_##q##l = r0_##q##l, r1_##q##h = r0_##q##l;

/* Rows L0, L0 + 1 of the tile (lanes of each A group): out[4 * i + q] =
 * row L0 + i, columns 4q..4q+3. Accumulators r<row>_<q><l|h> (named
 * variables: an array would be stored to the stack every iteration), l:
 * columns 4q, 4q+1, h: 4q+2, 4q+3, two partial sums each. */
#define FXQ_ROWS2(NAME, L0, L1)                                                                    \
    static inline void NAME(size_t kc, const int8_t *w, const int8_t *x, int32x4_t out[8])         \
    {                                                                                              \
        FXQ_ZERO_Q(0) FXQ_ZERO_Q(1) FXQ_ZERO_Q(2) FXQ_ZERO_Q(3)                                    \
        for (size_t g = kc / 8; g; --g) {                                                          \
            const int8x16x2_t aa = vld1q_s8_x2(w);                                                 \
            w += 32;                                                                               \
            const int32x4_t ag = vreinterpretq_s32_s8(aa.val[0]), ah = vreinterpretq_s32_s8(aa.val[1]); \
            const int8x16_t w0g = vreinterpretq_s8_s32(vdupq_laneq_s32(ag, L0));                   \
            const int8x16_t w0h = vreinterpretq_s8_s32(vdupq_laneq_s32(ah, L0));                   \
            const int8x16_t w1g = vreinterpretq_s8_s32(vdupq_laneq_s32(ag, L1));                   \
            const int8x16_t w1h = vreinterpretq_s8_s32(vdupq_laneq_s32(ah, L1));                   \
            FXQ_MLAL_Q(0) FXQ_MLAL_Q(1) FXQ_MLAL_Q(2) FXQ_MLAL_Q(3)                                \
            x += 128;                                                                              \
        }                                                                                          \
        if (kc % 8) { /* an odd last group: single products */                                     \
            const int8x16x4_t bg = vld1q_s8_x4(x);                                                 \
            const int32x4_t ag = vreinterpretq_s32_s8(vld1q_s8(w));                                \
            const int8x16_t w0g = vreinterpretq_s8_s32(vdupq_laneq_s32(ag, L0));                   \
            const int8x16_t w1g = vreinterpretq_s8_s32(vdupq_laneq_s32(ag, L1));                   \
            FXQ_MUL1_Q(0) FXQ_MUL1_Q(1) FXQ_MUL1_Q(2) FXQ_MUL1_Q(3)                                \
        }                                                                                          \
        out[0] = vpaddq_s32(r0_0l, r0_0h), out[1] = vpaddq_s32(r0_1l, r0_1h);                      \
        out[2] = vpaddq_s32(r0_2l, r0_2h), out[3] = vpaddq_s32(r0_3l, r0_3h);                      \
        out[4] = vpaddq_s32(r1_0l, r1_0h), out[5] = vpaddq_s32(r1_1l, r1_1h);                      \
        out[6] = vpaddq_s32(r1_2l, r1_2h), out[7] = vpaddq_s32(r1_3l, r1_3h);                      \
    }

FXQ_ROWS2(fxq_rows01, 0, 1)
FXQ_ROWS2(fxq_rows23, 2, 3)

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4_mlal__neon)
{
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + 4);
    int32x4_t acc[16];
    fxq_rows01(kc, w, (const int8_t *)b, acc);
    if (mr > 2)
        fxq_rows23(kc, w, (const int8_t *)b, acc + 8);
    else
        for (int i = 8; i < 16; ++i) acc[i] = vdupq_n_s32(0);
    for (int i = 0; i < 4; ++i)
        for (int q = 0; q < 4; ++q) acc[4 * i + q] = vaddq_s32(acc[4 * i + q], vdupq_n_s32(bias[i]));
    fxq_rq_neon_store_4x16(c, c_stride, acc, mr, nr, rq);
}
#endif
