/* Internal: the AVX2 requantization epilogue shared by the __avx2.c kernels
 * (include only from files compiled with -mavx2). Exactly fxq_rq_apply of
 * fxq_qgemm.h on 8 int32 lanes: round half away from zero on |acc|,
 * saturate, sign, activation; fxq_rq_avx2_store_rows handles per-row
 * parameters (rq->per_row). */
#ifndef FXQ_RQ_AVX2_H
#define FXQ_RQ_AVX2_H

#include <immintrin.h>
#include <string.h>

#include "fxq_qgemm.h"

typedef struct fxq_rq_avx2 {
    __m256i half, mag_pos, mag_neg, lcl_lo, lcl_hi, lo, hi, leaky_mul, leaky_half;
    __m128i rcnt, lcnt;
    int right, act;
} fxq_rq_avx2;

static inline void fxq_rq_avx2_init(fxq_rq_avx2 *k, const fxq_rq_params *p)
{
    k->half = _mm256_set1_epi32((int32_t)p->half32);
    k->mag_pos = _mm256_set1_epi32((int32_t)p->mag_pos);
    k->mag_neg = _mm256_set1_epi32((int32_t)p->mag_neg);
    k->lcl_lo = _mm256_set1_epi32(p->lclamp_lo);
    k->lcl_hi = _mm256_set1_epi32(p->lclamp_hi);
    k->lo = _mm256_set1_epi32(p->lo);
    k->hi = _mm256_set1_epi32(p->hi);
    k->leaky_mul = _mm256_set1_epi32(FXQ_LEAKY_MUL);
    k->leaky_half = _mm256_set1_epi32(1 << (FXQ_LEAKY_SHIFT - 1));
    k->rcnt = _mm_cvtsi32_si128(p->rshift32);
    k->lcnt = _mm_cvtsi32_si128(p->lshift);
    k->right = p->right;
    k->act = p->act;
}

/* |code| and its sign (negm: all ones where negative) -> activated code. */
static inline __m256i fxq_rq_avx2_signact(__m256i mag, __m256i negm, __m256i sgn, const fxq_rq_avx2 *k)
{
    if (k->act == FXQ_ACT_RELU) return _mm256_andnot_si256(negm, mag);
    if (k->act == FXQ_ACT_LEAKY) {
        const __m256i m2 =
            _mm256_srli_epi32(_mm256_add_epi32(_mm256_mullo_epi32(mag, k->leaky_mul), k->leaky_half), FXQ_LEAKY_SHIFT);
        mag = _mm256_blendv_epi8(mag, m2, negm);
    }
    return _mm256_sign_epi32(mag, sgn); /* sgn < 0 -> -mag; sgn == 0 only where mag == 0 */
}

static inline __m256i fxq_rq_avx2_i32(__m256i acc, const fxq_rq_avx2 *k)
{
    if (k->right) {
        const __m256i negm = _mm256_srai_epi32(acc, 31);
        __m256i mag = _mm256_srl_epi32(_mm256_add_epi32(_mm256_abs_epi32(acc), k->half), k->rcnt);
        /* bound: hi for positive, -lo for negative (an output window's
         * range is not symmetric) */
        mag = _mm256_min_epu32(mag, _mm256_blendv_epi8(k->mag_pos, k->mag_neg, negm));
        return fxq_rq_avx2_signact(mag, negm, acc, k);
    }
    __m256i t = _mm256_min_epi32(_mm256_max_epi32(acc, k->lcl_lo), k->lcl_hi);
    t = _mm256_sll_epi32(t, k->lcnt);
    t = _mm256_min_epi32(_mm256_max_epi32(t, k->lo), k->hi);
    return fxq_rq_avx2_signact(_mm256_abs_epi32(t), _mm256_srai_epi32(t, 31), t, k);
}

/* 8 int32 accumulators, lane i with row i's parameters rq[i] (lanes >= mr
 * repeat row 0, their results unused): the steps above with every
 * parameter a vector, variable shifts (vpsrlvd / vpsllvd), both shift
 * directions blended by each lane's `right`, activation per lane. */
static inline __m256i fxq_rq_avx2_lanes8_i32(__m256i acc, const fxq_rq_params *rq, size_t mr)
{
    int32_t half[8], rsh[8], lsh[8], llo[8], lhi[8], lo[8], hi[8], mp[8], mn[8], right[8], relu[8], leaky[8];
    for (size_t i = 0; i < 8; ++i) {
        const fxq_rq_params *r = rq + (i < mr ? i : 0);
        half[i] = (int32_t)r->half32, rsh[i] = r->rshift32, lsh[i] = r->lshift;
        llo[i] = r->lclamp_lo, lhi[i] = r->lclamp_hi, lo[i] = r->lo, hi[i] = r->hi, mp[i] = (int32_t)r->mag_pos;
        mn[i] = (int32_t)r->mag_neg;
        right[i] = -(r->right != 0), relu[i] = -(r->act == FXQ_ACT_RELU), leaky[i] = -(r->act == FXQ_ACT_LEAKY);
    }
#define FXQ_V(a) _mm256_loadu_si256((const __m256i *)(a))
    const __m256i negr = _mm256_srai_epi32(acc, 31);
    __m256i magr = _mm256_srlv_epi32(_mm256_add_epi32(_mm256_abs_epi32(acc), FXQ_V(half)), FXQ_V(rsh));
    magr = _mm256_min_epu32(magr, _mm256_blendv_epi8(FXQ_V(mp), FXQ_V(mn), negr));
    __m256i t = _mm256_min_epi32(_mm256_max_epi32(acc, FXQ_V(llo)), FXQ_V(lhi));
    t = _mm256_sllv_epi32(t, FXQ_V(lsh));
    t = _mm256_min_epi32(_mm256_max_epi32(t, FXQ_V(lo)), FXQ_V(hi));
    const __m256i rm = FXQ_V(right);
    const __m256i negm = _mm256_blendv_epi8(_mm256_srai_epi32(t, 31), negr, rm);
    __m256i mag = _mm256_blendv_epi8(_mm256_abs_epi32(t), magr, rm);
    const __m256i m2 = _mm256_srli_epi32(_mm256_add_epi32(_mm256_mullo_epi32(mag, _mm256_set1_epi32(FXQ_LEAKY_MUL)),
                                                          _mm256_set1_epi32(1 << (FXQ_LEAKY_SHIFT - 1))),
                                         FXQ_LEAKY_SHIFT);
    mag = _mm256_blendv_epi8(mag, m2, _mm256_and_si256(negm, FXQ_V(leaky)));
    const __m256i r = _mm256_sub_epi32(_mm256_xor_si256(mag, negm), negm); /* -mag where negative */
    return _mm256_andnot_si256(_mm256_and_si256(negm, FXQ_V(relu)), r);
#undef FXQ_V
}

static inline void fxq_store16_avx2(int16_t *c, __m256i r0, __m256i r1, size_t nr)
{
    const __m256i v = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xd8);
    if (nr >= 16) {
        _mm256_storeu_si256((__m256i *)c, v);
    } else {
        int16_t tmp[16];
        _mm256_storeu_si256((__m256i *)tmp, v);
        memcpy(c, tmp, nr * sizeof *c);
    }
}

/* Row i of a tile (two vectors of 8 columns), requantized with
 * fxq_rq_row(rq, i); *rk holds row i - 1's parameters on entry. */
static inline void fxq_rq_avx2_store_row(int16_t *c, size_t i, __m256i a0, __m256i a1, size_t nr, fxq_rq_avx2 *rk,
                                         const fxq_rq_params *rq)
{
    if (i && rq->per_row) fxq_rq_avx2_init(rk, rq + i);
    fxq_store16_avx2(c, fxq_rq_avx2_i32(a0, rk), fxq_rq_avx2_i32(a1, rk), nr);
}

/* The 6x16 tiles' epilogue: accumulator rows acc[2i], acc[2i+1] of the
 * first mr rows, requantized and stored (fxq_rq_avx2_store_row). */
static inline void fxq_rq_avx2_store_6x16(int16_t *c, size_t c_stride, const __m256i acc[12], size_t mr, size_t nr,
                                          const fxq_rq_params *rq)
{
    fxq_rq_avx2 rk;
    fxq_rq_avx2_init(&rk, rq);
    for (size_t i = 0; i < mr; ++i) fxq_rq_avx2_store_row(c + i * c_stride, i, acc[2 * i], acc[2 * i + 1], nr, &rk, rq);
}

#endif
