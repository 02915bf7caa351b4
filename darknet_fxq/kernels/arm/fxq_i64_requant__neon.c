/* int64 tile requantization, Armv8.0 NEON, two lanes per step: |acc|
 * (abs on 64-bit lanes), + half, ushl by -rshift64, saturated to the
 * row's bound by a cmhi/bsl pair (no 64-bit umin); a left shift clamps in
 * 64 bits first, so the rest runs in 32 bits as in fxq_rq_neon.h.
 * Exactly fxq_rq_apply (|acc| < 2^62); the twin:
 * fxq_i64_requant_ukernel__scalar. */
#if defined(__aarch64__)
#include "fxq_rq_neon.h"

/* four int64 accumulators -> four activated codes (int32) */
static inline int32x4_t fxq_rq64_4(int64x2_t a0, int64x2_t a1, const fxq_rq_params *p, const fxq_rq_neon *k)
{
    if (p->right) {
        const uint64x2_t half = vdupq_n_u64(p->half64), pos = vdupq_n_u64(p->mag_pos), neg = vdupq_n_u64(p->mag_neg);
        const int64x2_t sh = vdupq_n_s64(-p->rshift64);
        const uint64x2_t n0 = vcltzq_s64(a0), n1 = vcltzq_s64(a1);
        uint64x2_t m0 = vshlq_u64(vaddq_u64(vreinterpretq_u64_s64(vabsq_s64(a0)), half), sh);
        uint64x2_t m1 = vshlq_u64(vaddq_u64(vreinterpretq_u64_s64(vabsq_s64(a1)), half), sh);
        const uint64x2_t b0 = vbslq_u64(n0, neg, pos), b1 = vbslq_u64(n1, neg, pos);
        m0 = vbslq_u64(vcgtq_u64(m0, b0), b0, m0);
        m1 = vbslq_u64(vcgtq_u64(m1, b1), b1, m1);
        const uint32x4_t mag = vcombine_u32(vmovn_u64(m0), vmovn_u64(m1));
        const uint32x4_t negm = vcombine_u32(vmovn_u64(n0), vmovn_u64(n1));
        return fxq_rq_neon_signact(mag, negm, p->act);
    }
    const int64x2_t lo = vdupq_n_s64(p->lclamp_lo), hi = vdupq_n_s64(p->lclamp_hi);
    a0 = vbslq_s64(vcltq_s64(a0, lo), lo, vbslq_s64(vcgtq_s64(a0, hi), hi, a0));
    a1 = vbslq_s64(vcltq_s64(a1, lo), lo, vbslq_s64(vcgtq_s64(a1, hi), hi, a1));
    return fxq_rq_neon_i32(vcombine_s32(vmovn_s64(a0), vmovn_s64(a1)), k);
}

FXQ_DECL_RQ64(fxq_i64_requant_ukernel__neon)
{
    for (size_t m = 0; m < mr; ++m) {
        const fxq_rq_params *p = fxq_rq_row(rq, m);
        fxq_rq_neon k;
        fxq_rq_neon_init(&k, p);
        const int64_t *a = acc + m * acc_stride;
        int16_t *o = c + m * c_stride;
        size_t n = 0;
        for (; n + 4 <= nr; n += 4)
            vst1_s16(o + n, vmovn_s32(fxq_rq64_4(vld1q_s64(a + n), vld1q_s64(a + n + 2), p, &k)));
        for (; n < nr; ++n) o[n] = fxq_rq_apply(a[n], p);
    }
}
#endif
