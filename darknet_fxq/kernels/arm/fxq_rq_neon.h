/* Internal: the NEON requantization epilogue shared by the arm/ kernels.
 * Exactly the int32 form of fxq_rq_apply (fxq_qgemm.h) on 4 lanes, the
 * steps of x86/fxq_rq_avx2.h: round half away from zero on |acc| (ushl by
 * -shift: a shift by 32 gives 0, as the contract's rshift32 does),
 * saturate to hi / -lo, sign, activation; or the saturated left shift. */
#ifndef FXQ_RQ_NEON_H
#define FXQ_RQ_NEON_H

#include <arm_neon.h>
#include <string.h>

#include "fxq_qgemm.h"

typedef struct fxq_rq_neon {
    uint32x4_t half, mag_pos, mag_neg;
    int32x4_t rsh, lsh, lcl_lo, lcl_hi, lo, hi;
    int right, act;
} fxq_rq_neon;

static inline void fxq_rq_neon_init(fxq_rq_neon *k, const fxq_rq_params *p)
{
    k->half = vdupq_n_u32(p->half32);
    k->mag_pos = vdupq_n_u32(p->mag_pos);
    k->mag_neg = vdupq_n_u32(p->mag_neg);
    k->rsh = vdupq_n_s32(-p->rshift32);
    k->lsh = vdupq_n_s32(p->lshift);
    k->lcl_lo = vdupq_n_s32(p->lclamp_lo);
    k->lcl_hi = vdupq_n_s32(p->lclamp_hi);
    k->lo = vdupq_n_s32(p->lo);
    k->hi = vdupq_n_s32(p->hi);
    k->right = p->right;
    k->act = p->act;
}

/* |code| (mag) and negm (all ones where the code is negative) -> the
 * activated code. */
static inline int32x4_t fxq_rq_neon_signact(uint32x4_t mag, uint32x4_t negm, int act)
{
    if (act == FXQ_ACT_RELU) return vreinterpretq_s32_u32(vbicq_u32(mag, negm));
    if (act == FXQ_ACT_LEAKY) {
        const uint32x4_t m2 = vshrq_n_u32(vmlaq_u32(vdupq_n_u32(1u << (FXQ_LEAKY_SHIFT - 1)), mag,
                                                    vdupq_n_u32(FXQ_LEAKY_MUL)), FXQ_LEAKY_SHIFT);
        mag = vbslq_u32(negm, m2, mag);
    }
    return vreinterpretq_s32_u32(vsubq_u32(veorq_u32(mag, negm), negm)); /* -mag where negative */
}

static inline int32x4_t fxq_rq_neon_i32(int32x4_t acc, const fxq_rq_neon *k)
{
    if (k->right) {
        const uint32x4_t negm = vcltzq_s32(acc);
        uint32x4_t mag = vshlq_u32(vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(acc)), k->half), k->rsh);
        /* bound: hi for positive, -lo for negative (a window is not symmetric) */
        mag = vminq_u32(mag, vbslq_u32(negm, k->mag_neg, k->mag_pos));
        return fxq_rq_neon_signact(mag, negm, k->act);
    }
    int32x4_t t = vminq_s32(vmaxq_s32(acc, k->lcl_lo), k->lcl_hi);
    t = vminq_s32(vmaxq_s32(vshlq_s32(t, k->lsh), k->lo), k->hi);
    return fxq_rq_neon_signact(vreinterpretq_u32_s32(vabsq_s32(t)), vcltzq_s32(t), k->act);
}

/* 16 columns of one row (four int32x4), requantized, nr of them stored. */
static inline void fxq_rq_neon_store16(int16_t *c, int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, size_t nr,
                                       const fxq_rq_neon *k)
{
    const int16x8_t lo = vcombine_s16(vmovn_s32(fxq_rq_neon_i32(a0, k)), vmovn_s32(fxq_rq_neon_i32(a1, k)));
    const int16x8_t hi = vcombine_s16(vmovn_s32(fxq_rq_neon_i32(a2, k)), vmovn_s32(fxq_rq_neon_i32(a3, k)));
    if (nr >= 16) {
        vst1q_s16(c, lo);
        vst1q_s16(c + 8, hi);
    } else {
        int16_t tmp[16];
        vst1q_s16(tmp, lo);
        vst1q_s16(tmp + 8, hi);
        memcpy(c, tmp, nr * sizeof *c);
    }
}

/* The 4x16 tiles' epilogue: acc[4 * i .. 4 * i + 3] is row i, the first
 * mr rows stored, row i requantized with fxq_rq_row(rq, i). */
static inline void fxq_rq_neon_store_4x16(int16_t *c, size_t c_stride, const int32x4_t acc[16], size_t mr, size_t nr,
                                          const fxq_rq_params *rq)
{
    fxq_rq_neon k;
    fxq_rq_neon_init(&k, rq);
    for (size_t i = 0; i < mr; ++i) {
        if (i && rq->per_row) fxq_rq_neon_init(&k, rq + i);
        fxq_rq_neon_store16(c + i * c_stride, acc[4 * i], acc[4 * i + 1], acc[4 * i + 2], acc[4 * i + 3], nr, &k);
    }
}

#endif
