/* fxq_s16_gemm_ukernel_6x16c2__avx2 and fxq_s16_gemm_i64_ukernel_6x16c2__avx2
 *
 * Tile: MR = 6 filters x NR = 16 output positions (2 ymm of 8), KR = 2.
 * Packed A: bias[6] (int32; the int64 kernel's driver reads an int64 bias
 *   instead), then s16 weights [kc/2][6][2] (a row's 2 k's as one dword,
 *   broadcast). s8 data is widened to s16 at pack time on this ISA.
 * Packed B: s16 activations [kc/2][16][2].
 * Accumulator: vpmaddwd + vpaddd in int32 lanes. vpmaddwd of two
 *   (-32768)*(-32768) products gives 0x80000000 (2^31 mod 2^32); all the
 *   arithmetic is exact mod 2^32, and the int32 kernel is used only when the
 *   int32 rule of fxq_qconv.h holds (true sums fit), the int64 kernel only on
 *   chunks whose sums fit -- then sign-extended, times 2^lshift, added to the
 *   int64 tile acc[6][16].
 * Epilogue (int32): round half away from zero on |acc|, saturate, sign and
 *   activation (fxq_rq_apply, 8 lanes), int16 stores (tail via a buffer).
 *   The int64 tile is requantized by fxq_i64_requant_ukernel__scalar.
 * Preconditions: 1 <= mr <= 6, 1 <= nr <= 16, kc % 2 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "fxq_qgemm.h"

static inline int32_t fxq_ld32(const void *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

typedef struct fxq_rq_avx2 {
    __m256i half, mag_pos, lcl_lo, lcl_hi, lo, hi, leaky_mul, leaky_half;
    __m128i rcnt, lcnt;
    int right, act;
} fxq_rq_avx2;

static inline void fxq_rq_avx2_init(fxq_rq_avx2 *k, const fxq_rq_params *p)
{
    k->half = _mm256_set1_epi32((int32_t)p->half32);
    k->mag_pos = _mm256_set1_epi32((int32_t)p->mag_pos);
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
        /* bound: hi for positive, -lo = hi + 1 for negative */
        mag = _mm256_min_epu32(mag, _mm256_sub_epi32(k->mag_pos, negm));
        return fxq_rq_avx2_signact(mag, negm, acc, k);
    }
    __m256i t = _mm256_min_epi32(_mm256_max_epi32(acc, k->lcl_lo), k->lcl_hi);
    t = _mm256_sll_epi32(t, k->lcnt);
    t = _mm256_min_epi32(_mm256_max_epi32(t, k->lo), k->hi);
    return fxq_rq_avx2_signact(_mm256_abs_epi32(t), _mm256_srai_epi32(t, 31), t, k);
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

#define FXQ_ROW(i)                                                                                 \
    do {                                                                                           \
        const __m256i wv = _mm256_set1_epi32(fxq_ld32(w + 2 * (i)));                               \
        c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(b0, wv));                            \
        c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(b1, wv));                            \
    } while (0)

FXQ_DECL_I32(fxq_s16_gemm_ukernel_6x16c2__avx2)
{
    assert(mr >= 1 && mr <= 6 && nr >= 1 && nr <= 16 && kc % 2 == 0);
    const int32_t *bias = (const int32_t *)a;
    const int16_t *w = (const int16_t *)(bias + 6);
    const int16_t *x = (const int16_t *)b;
    __m256i c00 = _mm256_set1_epi32(bias[0]), c01 = c00;
    __m256i c10 = _mm256_set1_epi32(bias[1]), c11 = c10;
    __m256i c20 = _mm256_set1_epi32(bias[2]), c21 = c20;
    __m256i c30 = _mm256_set1_epi32(bias[3]), c31 = c30;
    __m256i c40 = _mm256_set1_epi32(bias[4]), c41 = c40;
    __m256i c50 = _mm256_set1_epi32(bias[5]), c51 = c50;
    for (size_t k = 0; k < kc; k += 2) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)x), b1 = _mm256_loadu_si256((const __m256i *)(x + 16));
        FXQ_ROW(0); FXQ_ROW(1); FXQ_ROW(2); FXQ_ROW(3); FXQ_ROW(4); FXQ_ROW(5);
        x += 32;
        w += 12;
    }
    fxq_rq_avx2 rk;
    fxq_rq_avx2_init(&rk, rq);
#define FXQ_OUT(i)                                                                                 \
    if (mr > (i)) fxq_store16_avx2(c + (i) * c_stride, fxq_rq_avx2_i32(c##i##0, &rk), fxq_rq_avx2_i32(c##i##1, &rk), nr)
    FXQ_OUT(0); FXQ_OUT(1); FXQ_OUT(2); FXQ_OUT(3); FXQ_OUT(4); FXQ_OUT(5);
}
#undef FXQ_ROW
#define FXQ_ROW(i)                                                                                 \
    do {                                                                                           \
        const __m256i wv = _mm256_set1_epi32(fxq_ld32(a + 2 * (i)));                               \
        c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(b0, wv));                            \
        c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(b1, wv));                            \
    } while (0)

static inline void fxq_flush8_avx2(int64_t *acc, __m256i s, __m128i cnt)
{
    const __m256i lo = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(s)), cnt);
    const __m256i hi = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(s, 1)), cnt);
    _mm256_storeu_si256((__m256i *)acc, _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)acc), lo));
    _mm256_storeu_si256((__m256i *)(acc + 4), _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(acc + 4)), hi));
}

FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_6x16c2__avx2)
{
    assert(kc % 2 == 0 && (lshift == 0 || lshift == 8));
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (size_t k = 0; k < kc; k += 2) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)b), b1 = _mm256_loadu_si256((const __m256i *)(b + 16));
        FXQ_ROW(0); FXQ_ROW(1); FXQ_ROW(2); FXQ_ROW(3); FXQ_ROW(4); FXQ_ROW(5);
        b += 32;
        a += 12;
    }
    const __m128i cnt = _mm_cvtsi32_si128(lshift);
#define FXQ_FLUSH(i)                                                                               \
    do {                                                                                           \
        fxq_flush8_avx2(acc + (i) * 16, c##i##0, cnt);                                             \
        fxq_flush8_avx2(acc + (i) * 16 + 8, c##i##1, cnt);                                         \
    } while (0)
    FXQ_FLUSH(0); FXQ_FLUSH(1); FXQ_FLUSH(2); FXQ_FLUSH(3); FXQ_FLUSH(4); FXQ_FLUSH(5);
}
#endif
