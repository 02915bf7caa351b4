/* One output column (P == 1), s8 weights x s8 inputs, Armv8.0 NEON:
 * smull / smull2 products (exact in int16) added pairwise into int32 by
 * sadalp -- no two products share an int16 lane, so any weights are
 * exact (the GEMV reads each weight once: it is bound by memory, not by
 * the 4 MACs per instruction). Four rows per pass over x; the twin:
 * fxq_s8s8_gemv_ukernel_16c64__scalar. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_qgemm.h"

#define FXQ_PADAL(s, wv, xk)                                                                      \
    s = vpadalq_s16(s, vmull_s8(vget_low_s8(wv), vget_low_s8(xk)));                               \
    s = vpadalq_s16(s, vmull_high_s8(wv, xk));

FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__neon)
{
    const int8_t *wr = (const int8_t *)w, *xv = (const int8_t *)x;
    for (size_t m0 = 0; m0 < mr; m0 += 4) {
        int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;
        const int8_t *w0 = wr + m0 * kc, *w1 = w0 + kc, *w2 = w1 + kc, *w3 = w2 + kc; /* 16 rows, zero padded */
        for (size_t k = 0; k < kc; k += 16) {
            const int8x16_t xk = vld1q_s8(xv + k);
            const int8x16_t v0 = vld1q_s8(w0 + k), v1 = vld1q_s8(w1 + k), v2 = vld1q_s8(w2 + k), v3 = vld1q_s8(w3 + k);
            FXQ_PADAL(s0, v0, xk)
            FXQ_PADAL(s1, v1, xk)
            FXQ_PADAL(s2, v2, xk)
            FXQ_PADAL(s3, v3, xk)
        }
        const int32_t s[4] = {vaddvq_s32(s0), vaddvq_s32(s1), vaddvq_s32(s2), vaddvq_s32(s3)};
        for (size_t i = 0; i < 4 && m0 + i < mr; ++i)
            c[m0 + i] = fxq_rq_apply((int32_t)((uint32_t)bias[m0 + i] + (uint32_t)s[i]), fxq_rq_row(rq, m0 + i));
    }
}
#endif
