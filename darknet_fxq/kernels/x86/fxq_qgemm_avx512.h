/* Internal: AVX-512 requantization epilogues shared by the __avx512vnni.c
 * kernels (include only from files compiled with the AVX-512 flags).
 * Exactly fxq_rq_apply of fxq_qgemm.h, 16 int32 lanes (or 8 int64 lanes) at
 * a time: round half away from zero on |acc|, saturate, sign, activation.
 * The lanes of one vector share one row's parameters; per-row shifts
 * (rq->per_row) re-initialise them per row. */
#ifndef FXQ_QGEMM_AVX512_H
#define FXQ_QGEMM_AVX512_H

#include <immintrin.h>

#include "fxq_qgemm.h"

typedef struct fxq_rq_avx512 {
    __m512i half, mag_pos, mag_neg, lcl_lo, lcl_hi, lo, hi, leaky_mul, leaky_half;
    __m512i half64, mag_pos64, mag_neg64, lcl_lo64, lcl_hi64;
    __m128i rcnt, rcnt64, lcnt;
    int right, act;
} fxq_rq_avx512;

static inline void fxq_rq_avx512_init(fxq_rq_avx512 *k, const fxq_rq_params *p)
{
    k->half = _mm512_set1_epi32((int32_t)p->half32);
    k->mag_pos = _mm512_set1_epi32((int32_t)p->mag_pos);
    k->mag_neg = _mm512_set1_epi32((int32_t)p->mag_neg);
    k->lcl_lo = _mm512_set1_epi32(p->lclamp_lo);
    k->lcl_hi = _mm512_set1_epi32(p->lclamp_hi);
    k->lo = _mm512_set1_epi32(p->lo);
    k->hi = _mm512_set1_epi32(p->hi);
    k->leaky_mul = _mm512_set1_epi32(FXQ_LEAKY_MUL);
    k->leaky_half = _mm512_set1_epi32(1 << (FXQ_LEAKY_SHIFT - 1));
    k->half64 = _mm512_set1_epi64((int64_t)p->half64);
    k->mag_pos64 = _mm512_set1_epi64(p->mag_pos);
    k->mag_neg64 = _mm512_set1_epi64(p->mag_neg);
    k->lcl_lo64 = _mm512_set1_epi64(p->lclamp_lo);
    k->lcl_hi64 = _mm512_set1_epi64(p->lclamp_hi);
    k->rcnt = _mm_cvtsi32_si128(p->rshift32);
    k->rcnt64 = _mm_cvtsi32_si128(p->rshift64);
    k->lcnt = _mm_cvtsi32_si128(p->lshift);
    k->right = p->right;
    k->act = p->act;
}

/* Magnitude `mag` (>= 0, <= 2^15) of a code whose sign is `neg`: sign and activation. */
static inline __m512i fxq_rq_avx512_signact(__m512i mag, __mmask16 neg, const fxq_rq_avx512 *k)
{
    const __m512i zero = _mm512_setzero_si512();
    if (k->act == FXQ_ACT_RELU) return _mm512_maskz_mov_epi32((__mmask16)~neg, mag);
    if (k->act == FXQ_ACT_LEAKY) {
        const __m512i m2 = _mm512_srli_epi32(_mm512_add_epi32(_mm512_mullo_epi32(mag, k->leaky_mul), k->leaky_half),
                                             FXQ_LEAKY_SHIFT);
        return _mm512_mask_sub_epi32(mag, neg, zero, m2);
    }
    return _mm512_mask_sub_epi32(mag, neg, zero, mag);
}

/* Left-shift path for values already clamped to [lclamp_lo, lclamp_hi]. */
static inline __m512i fxq_rq_avx512_left(__m512i t, const fxq_rq_avx512 *k)
{
    t = _mm512_sll_epi32(t, k->lcnt);
    t = _mm512_min_epi32(_mm512_max_epi32(t, k->lo), k->hi);
    const __mmask16 neg = _mm512_movepi32_mask(t);
    return fxq_rq_avx512_signact(_mm512_abs_epi32(t), neg, k);
}

/* 16 int32 accumulators -> 16 output codes (int32 lanes). */
static inline __m512i fxq_rq_avx512_i32(__m512i acc, const fxq_rq_avx512 *k)
{
    if (k->right && k->act == FXQ_ACT_RELU) {
        /* relu: negative lanes give 0, the others are their own magnitude
         * -- the same steps on max(acc, 0), four instructions instead of
         * seven (fmnist, all relu: its first layer writes 43k codes) */
        const __m512i mag = _mm512_add_epi32(_mm512_max_epi32(acc, _mm512_setzero_si512()), k->half);
        return _mm512_min_epu32(_mm512_srl_epi32(mag, k->rcnt), k->mag_pos);
    }
    if (k->right) {
        const __mmask16 neg = _mm512_movepi32_mask(acc);
        __m512i mag = _mm512_abs_epi32(acc);
        mag = _mm512_srl_epi32(_mm512_add_epi32(mag, k->half), k->rcnt);
        mag = _mm512_min_epu32(mag, _mm512_mask_blend_epi32(neg, k->mag_pos, k->mag_neg));
        return fxq_rq_avx512_signact(mag, neg, k);
    }
    return fxq_rq_avx512_left(_mm512_min_epi32(_mm512_max_epi32(acc, k->lcl_lo), k->lcl_hi), k);
}

/* ---- lane i with row i's parameters (one-column kernels, per-row shifts) ----
 * The same steps as above, every parameter a vector gathered from rq[i]
 * (lanes >= mr repeat row 0; their results are not stored); both shift
 * directions are computed and blended by each lane's `right`, activation
 * chosen per lane. */
typedef struct fxq_rq_lanes16 {
    __m512i half, rsh, lsh, lcl_lo, lcl_hi, lo, hi, mag_pos, mag_neg, act;
    __m512i half64[2], rsh64[2], mag_pos64[2], mag_neg64[2], lcl_lo64[2], lcl_hi64[2];
    __mmask16 right;
} fxq_rq_lanes16;

static inline void fxq_rq_lanes16_init(fxq_rq_lanes16 *k, const fxq_rq_params *rq, size_t mr, int i64)
{
    int32_t half[16], rsh[16], lsh[16], llo[16], lhi[16], lo[16], hi[16], mp[16], mn[16], act[16];
    int64_t h64[16], r64[16];
    unsigned right = 0;
    for (size_t i = 0; i < 16; ++i) {
        const fxq_rq_params *r = rq + (i < mr ? i : 0);
        half[i] = (int32_t)r->half32, rsh[i] = r->rshift32, lsh[i] = r->lshift;
        llo[i] = r->lclamp_lo, lhi[i] = r->lclamp_hi, lo[i] = r->lo, hi[i] = r->hi;
        mp[i] = (int32_t)r->mag_pos, mn[i] = (int32_t)r->mag_neg, act[i] = r->act;
        h64[i] = (int64_t)r->half64, r64[i] = r->rshift64;
        right |= (unsigned)(r->right != 0) << i;
    }
    k->half = _mm512_loadu_si512(half), k->rsh = _mm512_loadu_si512(rsh), k->lsh = _mm512_loadu_si512(lsh);
    k->lcl_lo = _mm512_loadu_si512(llo), k->lcl_hi = _mm512_loadu_si512(lhi);
    k->lo = _mm512_loadu_si512(lo), k->hi = _mm512_loadu_si512(hi);
    k->mag_pos = _mm512_loadu_si512(mp), k->mag_neg = _mm512_loadu_si512(mn), k->act = _mm512_loadu_si512(act);
    k->right = (__mmask16)right;
    if (!i64) return;
    for (int h = 0; h < 2; ++h) {
        k->half64[h] = _mm512_loadu_si512(h64 + 8 * h), k->rsh64[h] = _mm512_loadu_si512(r64 + 8 * h);
        k->mag_pos64[h] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(mp + 8 * h)));
        k->mag_neg64[h] = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(mn + 8 * h)));
        k->lcl_lo64[h] = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(llo + 8 * h)));
        k->lcl_hi64[h] = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)(lhi + 8 * h)));
    }
}

/* |code| (mag) and sign (neg) per lane -> activated code, act per lane. */
static inline __m512i fxq_rq_lanes16_signact(__m512i mag, __mmask16 neg, const fxq_rq_lanes16 *k)
{
    const __m512i zero = _mm512_setzero_si512();
    const __mmask16 relu = _mm512_cmpeq_epi32_mask(k->act, _mm512_set1_epi32(FXQ_ACT_RELU));
    const __mmask16 leaky = _mm512_cmpeq_epi32_mask(k->act, _mm512_set1_epi32(FXQ_ACT_LEAKY));
    const __m512i m2 = _mm512_srli_epi32(_mm512_add_epi32(_mm512_mullo_epi32(mag, _mm512_set1_epi32(FXQ_LEAKY_MUL)),
                                                          _mm512_set1_epi32(1 << (FXQ_LEAKY_SHIFT - 1))),
                                         FXQ_LEAKY_SHIFT);
    __m512i r = _mm512_mask_sub_epi32(mag, neg, zero, mag);
    r = _mm512_mask_sub_epi32(r, neg & leaky, zero, m2);
    return _mm512_maskz_mov_epi32((__mmask16) ~(neg & relu), r);
}

/* Left-shift lanes, t already clamped to [lclamp_lo, lclamp_hi]: magnitude and sign. */
static inline __m512i fxq_rq_lanes16_left(__m512i t, const fxq_rq_lanes16 *k, __mmask16 *neg)
{
    t = _mm512_sllv_epi32(t, k->lsh);
    t = _mm512_min_epi32(_mm512_max_epi32(t, k->lo), k->hi);
    *neg = _mm512_movepi32_mask(t);
    return _mm512_abs_epi32(t);
}

/* 16 int32 accumulators, lane i = row i -> 16 codes (int32 lanes). */
static inline __m512i fxq_rq_lanes16_i32(__m512i acc, const fxq_rq_lanes16 *k)
{
    const __mmask16 nr = _mm512_movepi32_mask(acc);
    __m512i mr = _mm512_srlv_epi32(_mm512_add_epi32(_mm512_abs_epi32(acc), k->half), k->rsh);
    mr = _mm512_min_epu32(mr, _mm512_mask_blend_epi32(nr, k->mag_pos, k->mag_neg));
    __mmask16 nl;
    const __m512i ml = fxq_rq_lanes16_left(_mm512_min_epi32(_mm512_max_epi32(acc, k->lcl_lo), k->lcl_hi), k, &nl);
    const __mmask16 neg = (__mmask16)((nr & k->right) | (nl & ~k->right));
    return fxq_rq_lanes16_signact(_mm512_mask_blend_epi32(k->right, ml, mr), neg, k);
}

/* 2 x 8 int64 accumulators (|acc| < 2^62), lane i = row i -> 16 codes. */
static inline __m512i fxq_rq_lanes16_i64x2(__m512i a0, __m512i a1, const fxq_rq_lanes16 *k)
{
    const __m512i a[2] = {a0, a1};
    __m512i mag[2], t[2];
    __mmask8 n[2];
    for (int h = 0; h < 2; ++h) {
        n[h] = _mm512_movepi64_mask(a[h]);
        const __m512i m = _mm512_srlv_epi64(_mm512_add_epi64(_mm512_abs_epi64(a[h]), k->half64[h]), k->rsh64[h]);
        mag[h] = _mm512_min_epu64(m, _mm512_mask_blend_epi64(n[h], k->mag_pos64[h], k->mag_neg64[h]));
        t[h] = _mm512_min_epi64(_mm512_max_epi64(a[h], k->lcl_lo64[h]), k->lcl_hi64[h]);
    }
    const __m512i mr = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(mag[0])),
                                          _mm512_cvtepi64_epi32(mag[1]), 1);
    const __m512i tl = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(t[0])),
                                          _mm512_cvtepi64_epi32(t[1]), 1);
    __mmask16 nl;
    const __m512i ml = fxq_rq_lanes16_left(tl, k, &nl);
    const __mmask16 nr = (__mmask16)(n[0] | ((unsigned)n[1] << 8));
    const __mmask16 neg = (__mmask16)((nr & k->right) | (nl & ~k->right));
    return fxq_rq_lanes16_signact(_mm512_mask_blend_epi32(k->right, ml, mr), neg, k);
}

/* Two 16-lane results -> 32 int16 codes, stored to c[0..nr). */
static inline void fxq_store_2x16_avx512(int16_t *c, __m512i r0, __m512i r1, __mmask32 mask)
{
    const __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(r0)),
                                         _mm512_cvtepi32_epi16(r1), 1);
    _mm512_mask_storeu_epi16(c, mask, v);
}

static inline __mmask32 fxq_mask32(size_t nr)
{
    return nr >= 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << nr) - 1u);
}

/* 2 x 8 int64 accumulators (|acc| < 2^62) -> 16 output codes (int32 lanes). */
static inline __m512i fxq_rq_avx512_i64x2(__m512i a0, __m512i a1, const fxq_rq_avx512 *k)
{
    if (k->right) {
        const __mmask8 n0 = _mm512_movepi64_mask(a0), n1 = _mm512_movepi64_mask(a1);
        __m512i m0 = _mm512_srl_epi64(_mm512_add_epi64(_mm512_abs_epi64(a0), k->half64), k->rcnt64);
        __m512i m1 = _mm512_srl_epi64(_mm512_add_epi64(_mm512_abs_epi64(a1), k->half64), k->rcnt64);
        m0 = _mm512_min_epu64(m0, _mm512_mask_blend_epi64(n0, k->mag_pos64, k->mag_neg64));
        m1 = _mm512_min_epu64(m1, _mm512_mask_blend_epi64(n1, k->mag_pos64, k->mag_neg64));
        const __m512i mag = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(m0)),
                                               _mm512_cvtepi64_epi32(m1), 1);
        return fxq_rq_avx512_signact(mag, (__mmask16)(n0 | ((unsigned)n1 << 8)), k);
    }
    const __m512i t0 = _mm512_min_epi64(_mm512_max_epi64(a0, k->lcl_lo64), k->lcl_hi64);
    const __m512i t1 = _mm512_min_epi64(_mm512_max_epi64(a1, k->lcl_lo64), k->lcl_hi64);
    const __m512i t = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(t0)),
                                         _mm512_cvtepi64_epi32(t1), 1);
    return fxq_rq_avx512_left(t, k);
}

/* Requantizes and stores the int32 8x32 tile acc[2i], acc[2i+1] = row i
 * (columns 0-15, 16-31): mr rows, nr columns; row i with fxq_rq_row(rq, i). */
static inline void fxq_rq_avx512_store_8x32(size_t mr, size_t nr, const __m512i *acc, int16_t *c, size_t c_stride,
                                            const fxq_rq_params *rq)
{
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    const __mmask32 mask = fxq_mask32(nr);
    for (size_t i = 0; i < mr; ++i) {
        if (i && rq->per_row) fxq_rq_avx512_init(&rk, rq + i);
        fxq_store_2x16_avx512(c + i * c_stride, fxq_rq_avx512_i32(acc[2 * i], &rk),
                              fxq_rq_avx512_i32(acc[2 * i + 1], &rk), mask);
    }
}

/* The 8x32 inner loop, shared by the s8 (vpdpbusd, KR=4) and s16 (vpdpwssd,
 * KR=2) kernels -- both layouts step 128 bytes of B and 32 bytes of A per
 * iteration. Written in asm because GCC 12 copies every accumulator of the
 * destructive vpdp* intrinsics through another register each iteration (and
 * spills). Accumulators live in zmm0..15 (zmm 2i / 2i+1: row i, columns
 * 0-15 / 16-31), start from the int32 bias[8] (FXQ_ASM_INIT_BIAS) or zero
 * (FXQ_ASM_INIT_ZERO), and are stored to acc[16] (64-byte aligned) at the end.
 * XP: B panel, WP: A weights, NP: iterations (>= 0). */
#define FXQ_ASM_INIT_BIAS                                                                          \
    "vpbroadcastd 0(%[bias]), %%zmm0\n\t"                                                         \
    "vmovdqa64 %%zmm0, %%zmm1\n\t"                                                                \
    "vpbroadcastd 4(%[bias]), %%zmm2\n\t"                                                         \
    "vmovdqa64 %%zmm2, %%zmm3\n\t"                                                                \
    "vpbroadcastd 8(%[bias]), %%zmm4\n\t"                                                         \
    "vmovdqa64 %%zmm4, %%zmm5\n\t"                                                                \
    "vpbroadcastd 12(%[bias]), %%zmm6\n\t"                                                        \
    "vmovdqa64 %%zmm6, %%zmm7\n\t"                                                                \
    "vpbroadcastd 16(%[bias]), %%zmm8\n\t"                                                        \
    "vmovdqa64 %%zmm8, %%zmm9\n\t"                                                                \
    "vpbroadcastd 20(%[bias]), %%zmm10\n\t"                                                       \
    "vmovdqa64 %%zmm10, %%zmm11\n\t"                                                              \
    "vpbroadcastd 24(%[bias]), %%zmm12\n\t"                                                       \
    "vmovdqa64 %%zmm12, %%zmm13\n\t"                                                              \
    "vpbroadcastd 28(%[bias]), %%zmm14\n\t"                                                       \
    "vmovdqa64 %%zmm14, %%zmm15\n\t"
#define FXQ_ASM_INIT_ZERO                                                                          \
    "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"                                                           \
    "vpxord %%zmm1, %%zmm1, %%zmm1\n\t"                                                           \
    "vpxord %%zmm2, %%zmm2, %%zmm2\n\t"                                                           \
    "vpxord %%zmm3, %%zmm3, %%zmm3\n\t"                                                           \
    "vpxord %%zmm4, %%zmm4, %%zmm4\n\t"                                                           \
    "vpxord %%zmm5, %%zmm5, %%zmm5\n\t"                                                           \
    "vpxord %%zmm6, %%zmm6, %%zmm6\n\t"                                                           \
    "vpxord %%zmm7, %%zmm7, %%zmm7\n\t"                                                           \
    "vpxord %%zmm8, %%zmm8, %%zmm8\n\t"                                                           \
    "vpxord %%zmm9, %%zmm9, %%zmm9\n\t"                                                           \
    "vpxord %%zmm10, %%zmm10, %%zmm10\n\t"                                                        \
    "vpxord %%zmm11, %%zmm11, %%zmm11\n\t"                                                        \
    "vpxord %%zmm12, %%zmm12, %%zmm12\n\t"                                                        \
    "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"                                                        \
    "vpxord %%zmm14, %%zmm14, %%zmm14\n\t"                                                        \
    "vpxord %%zmm15, %%zmm15, %%zmm15\n\t"
/* zmm0..15 -> acc[0..15] (1 KiB at %[acc]). */
#define FXQ_ASM_STORE_ACC16                                                                        \
    "vmovdqu64 %%zmm0, 0(%[acc])\n\t"                                     \
    "vmovdqu64 %%zmm1, 64(%[acc])\n\t"                                    \
    "vmovdqu64 %%zmm2, 128(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm3, 192(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm4, 256(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm5, 320(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm6, 384(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm7, 448(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm8, 512(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm9, 576(%[acc])\n\t"                                   \
    "vmovdqu64 %%zmm10, 640(%[acc])\n\t"                                  \
    "vmovdqu64 %%zmm11, 704(%[acc])\n\t"                                  \
    "vmovdqu64 %%zmm12, 768(%[acc])\n\t"                                  \
    "vmovdqu64 %%zmm13, 832(%[acc])\n\t"                                  \
    "vmovdqu64 %%zmm14, 896(%[acc])\n\t"                                  \
    "vmovdqu64 %%zmm15, 960(%[acc])\n\t"
/* The k loop's frame, shared by the 8x32 loop below and the 16x16 one
 * (fxq_gemm_16x16__avx512vnni.c): skip when NP is 0, loop label, the first
 * B vector in zmm16; at the end advance x / w by XSTEP / WSTEP bytes, count
 * down, store zmm0..15; operands and the clobbers (zmm0..16 and EXTRA). */
#define FXQ_ASM_LOOP_HEAD                                                                          \
    "test %[n], %[n]\n\t"                                                                         \
    "jz 2f\n\t"                                                                                   \
    ".p2align 4\n"                                                                                \
    "1:\n\t"                                                                                      \
    "vmovdqu64 (%[x]), %%zmm16\n\t"
#define FXQ_ASM_LOOP_TAIL(XSTEP, WSTEP)                                                            \
    "add $" #XSTEP ", %[x]\n\t"                                                                   \
    "add $" #WSTEP ", %[w]\n\t"                                                                   \
    "dec %[n]\n\t"                                                                                \
    "jnz 1b\n"                                                                                    \
    "2:\n\t"                                                                                      \
    FXQ_ASM_STORE_ACC16
#define FXQ_ASM_LOOP_OPERANDS(XP, WP, NP, BIAS, ACC, ...)                                          \
    : [x] "+r"(XP), [w] "+r"(WP), [n] "+r"(NP)                                                    \
    : [bias] "r"(BIAS), [acc] "r"(ACC)                                                            \
    : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",     \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16" __VA_ARGS__
#define FXQ_ASM_LOOP_8X32(OP, INIT, XP, WP, NP, BIAS, ACC)                                         \
    __asm__ volatile(INIT                                                                         \
                     FXQ_ASM_LOOP_HEAD                                                            \
                     "vmovdqu64 64(%[x]), %%zmm17\n\t"                                            \
                     "vpbroadcastd 0(%[w]), %%zmm18\n\t"                                          \
                     OP " %%zmm18, %%zmm16, %%zmm0\n\t"                                           \
                     OP " %%zmm18, %%zmm17, %%zmm1\n\t"                                           \
                     "vpbroadcastd 4(%[w]), %%zmm18\n\t"                                          \
                     OP " %%zmm18, %%zmm16, %%zmm2\n\t"                                           \
                     OP " %%zmm18, %%zmm17, %%zmm3\n\t"                                           \
                     "vpbroadcastd 8(%[w]), %%zmm18\n\t"                                          \
                     OP " %%zmm18, %%zmm16, %%zmm4\n\t"                                           \
                     OP " %%zmm18, %%zmm17, %%zmm5\n\t"                                           \
                     "vpbroadcastd 12(%[w]), %%zmm18\n\t"                                         \
                     OP " %%zmm18, %%zmm16, %%zmm6\n\t"                                           \
                     OP " %%zmm18, %%zmm17, %%zmm7\n\t"                                           \
                     "vpbroadcastd 16(%[w]), %%zmm18\n\t"                                         \
                     OP " %%zmm18, %%zmm16, %%zmm8\n\t"                                           \
                     OP " %%zmm18, %%zmm17, %%zmm9\n\t"                                           \
                     "vpbroadcastd 20(%[w]), %%zmm18\n\t"                                         \
                     OP " %%zmm18, %%zmm16, %%zmm10\n\t"                                          \
                     OP " %%zmm18, %%zmm17, %%zmm11\n\t"                                          \
                     "vpbroadcastd 24(%[w]), %%zmm18\n\t"                                         \
                     OP " %%zmm18, %%zmm16, %%zmm12\n\t"                                          \
                     OP " %%zmm18, %%zmm17, %%zmm13\n\t"                                          \
                     "vpbroadcastd 28(%[w]), %%zmm18\n\t"                                         \
                     OP " %%zmm18, %%zmm16, %%zmm14\n\t"                                          \
                     OP " %%zmm18, %%zmm17, %%zmm15\n\t"                                          \
                     FXQ_ASM_LOOP_TAIL(128, 32)                                                   \
                     FXQ_ASM_LOOP_OPERANDS(XP, WP, NP, BIAS, ACC, , "xmm17", "xmm18"))

#endif
