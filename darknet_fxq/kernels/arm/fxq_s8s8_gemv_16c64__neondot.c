/* One output column (P == 1), s8 weights x s8 inputs, Armv8.2 SDOT: four
 * rows at a time share each 16-byte load of x, one sdot (16 MACs) per row
 * and load; lanes summed by addv (mod 2^32, as the twin's int32 sum) and
 * requantized by fxq_rq_apply. The twin: fxq_s8s8_gemv_ukernel_16c64__scalar. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_qgemm.h"

FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__neondot)
{
    const int8_t *wr = (const int8_t *)w, *xv = (const int8_t *)x;
    for (size_t m0 = 0; m0 < mr; m0 += 4) {
        int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;
        const int8_t *w0 = wr + m0 * kc, *w1 = w0 + kc, *w2 = w1 + kc, *w3 = w2 + kc; /* 16 rows, zero padded */
        for (size_t k = 0; k < kc; k += 16) {
            const int8x16_t xk = vld1q_s8(xv + k);
            s0 = vdotq_s32(s0, vld1q_s8(w0 + k), xk);
            s1 = vdotq_s32(s1, vld1q_s8(w1 + k), xk);
            s2 = vdotq_s32(s2, vld1q_s8(w2 + k), xk);
            s3 = vdotq_s32(s3, vld1q_s8(w3 + k), xk);
        }
        const int32_t s[4] = {vaddvq_s32(s0), vaddvq_s32(s1), vaddvq_s32(s2), vaddvq_s32(s3)};
        for (size_t i = 0; i < 4 && m0 + i < mr; ++i)
            c[m0 + i] = fxq_rq_apply((int32_t)((uint32_t)bias[m0 + i] + (uint32_t)s[i]), fxq_rq_row(rq, m0 + i));
    }
}
#endif
