/* One output column (P == 1), s16 weights x s16 inputs, Armv8.0 NEON:
 * smlal / smlal2 (8 MACs per 2 instructions) into int32 lanes, four rows
 * per pass over x, lanes summed by addv (mod 2^32 like the twin) and
 * requantized by fxq_rq_apply. The twin: fxq_s16_gemv_ukernel_16c32__scalar. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_qgemm.h"

#define FXQ_MLAL16(s, wv, xk)                                                                     \
    s = vmlal_s16(s, vget_low_s16(wv), vget_low_s16(xk));                                          \
    s = vmlal_high_s16(s, wv, xk);

FXQ_DECL_GEMV(fxq_s16_gemv_ukernel_16c32__neon)
{
    const int16_t *wr = (const int16_t *)w, *xv = (const int16_t *)x;
    for (size_t m0 = 0; m0 < mr; m0 += 4) {
        int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;
        const int16_t *w0 = wr + m0 * kc, *w1 = w0 + kc, *w2 = w1 + kc, *w3 = w2 + kc; /* 16 rows, zero padded */
        for (size_t k = 0; k < kc; k += 8) {
            const int16x8_t xk = vld1q_s16(xv + k);
            const int16x8_t v0 = vld1q_s16(w0 + k), v1 = vld1q_s16(w1 + k), v2 = vld1q_s16(w2 + k), v3 = vld1q_s16(w3 + k);
            FXQ_MLAL16(s0, v0, xk)
            FXQ_MLAL16(s1, v1, xk)
            FXQ_MLAL16(s2, v2, xk)
            FXQ_MLAL16(s3, v3, xk)
        }
        const int32_t s[4] = {vaddvq_s32(s0), vaddvq_s32(s1), vaddvq_s32(s2), vaddvq_s32(s3)};
        for (size_t i = 0; i < 4 && m0 + i < mr; ++i)
            c[m0 + i] = fxq_rq_apply((int32_t)((uint32_t)bias[m0 + i] + (uint32_t)s[i]), fxq_rq_row(rq, m0 + i));
    }
}
#endif
