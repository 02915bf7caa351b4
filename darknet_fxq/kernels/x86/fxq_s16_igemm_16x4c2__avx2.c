/* fxq_s16_igemm_ukernel_16x4c2__avx2: the small-P tile of the AVX2 set, on
 * the s16 path, for convolutions with a few output positions and a large K
 * (deep layers on tiny maps: paper-cifar10's 7x7/s5 layer, 256 -> 128
 * channels, 2x2 outputs, K = 12544). On AVX2 8/8 layers mostly run on the
 * s16 path (vpmaddubsw's int16 pairs are exact only for small weights,
 * fxq_qconv_pair_max), whose 6x16 tile puts positions in the lanes: with
 * P = 4, 12 of its 16 columns are idle, and the layer pays im2col + packing
 * for K x 16 B elements. Here the filters are in the lanes and the input is
 * read in place.
 *
 * Tile: MR = 16 filters (2 ymm of 8 int32) x NR = 4 positions, 8
 *   accumulators. Per k-group (2 k's: two channels of one window tap): the
 *   2 x 16 weights of the group are loaded once (2 ymm), each position's
 *   two int16 codes broadcast (vpbroadcastd from x[n] + off[g]: the image
 *   itself, no im2col or B packing), 8 vpmaddwd + 8 vpaddd (all 8 lanes
 *   useful).
 * Layout, accumulation and requantization: fxq_qgemm.h (fxq_igemm_fn, the
 *   s16 form); int32 lanes wrap like the other s16 int32 kernels (exact
 *   under the int32 rule of fxq_qconv.h, which the plan checks before it
 *   takes this path). The k loop is inline asm for the reason given in
 *   fxq_gemm_6x16_avx2.h (no accumulator spills, fixed registers).
 * Epilogue: the 4 accumulators of an 8-filter block requantized (per-row
 *   parameters lane by lane: fxq_rq_avx2_lanes8_i32, else fxq_rq_avx2_i32),
 *   packed to int16 and transposed to rows of 4 positions.
 * Twin: fxq_s16_igemm_ukernel_16x4c2__scalar.
 * Preconditions: 1 <= mr <= 16, 1 <= nr <= 4, x[0..3] all readable bases.
 */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "fxq_rq_avx2.h"

/* ymm0..7: acc[4 f + n] (filters 8f .. 8f + 7, position n); ymm8/9: the
 * group's weights; ymm10..13: the positions' broadcasts; ymm14/15: products. */
#define FXQ_IG16_POS(X, B, A0, A1)                                                                 \
    "vpbroadcastd (%[" X "],%%rax), %%ymm" B "\n\t"                                                \
    "vpmaddwd %%ymm8, %%ymm" B ", %%ymm14\n\t"                                                     \
    "vpmaddwd %%ymm9, %%ymm" B ", %%ymm15\n\t"                                                     \
    "vpaddd %%ymm14, %%ymm" A0 ", %%ymm" A0 "\n\t"                                                 \
    "vpaddd %%ymm15, %%ymm" A1 ", %%ymm" A1 "\n\t"

/* acc[4 f + n] += W[g][8 f .. 8 f + 7] . x[n][off[g] ..] over n groups */
static inline void fxq_igemm16_loop(const int16_t *w, const unsigned char *const *x, const int32_t *off, size_t n,
                                    __m256i *acc)
{
    const unsigned char *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    __asm__ volatile(
        "vmovdqu 0(%[acc]), %%ymm0\n\t"
        "vmovdqu 32(%[acc]), %%ymm1\n\t"
        "vmovdqu 64(%[acc]), %%ymm2\n\t"
        "vmovdqu 96(%[acc]), %%ymm3\n\t"
        "vmovdqu 128(%[acc]), %%ymm4\n\t"
        "vmovdqu 160(%[acc]), %%ymm5\n\t"
        "vmovdqu 192(%[acc]), %%ymm6\n\t"
        "vmovdqu 224(%[acc]), %%ymm7\n\t"
        "test %[n], %[n]\n\t"
        "jz 2f\n\t"
        ".p2align 4\n"
        "1:\n\t"
        "movslq (%[off]), %%rax\n\t"
        "vmovdqu 0(%[w]), %%ymm8\n\t"
        "vmovdqu 32(%[w]), %%ymm9\n\t"
        FXQ_IG16_POS("x0", "10", "0", "4")
        FXQ_IG16_POS("x1", "11", "1", "5")
        FXQ_IG16_POS("x2", "12", "2", "6")
        FXQ_IG16_POS("x3", "13", "3", "7")
        "add $4, %[off]\n\t"
        "add $64, %[w]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n"
        "2:\n\t"
        "vmovdqu %%ymm0, 0(%[acc])\n\t"
        "vmovdqu %%ymm1, 32(%[acc])\n\t"
        "vmovdqu %%ymm2, 64(%[acc])\n\t"
        "vmovdqu %%ymm3, 96(%[acc])\n\t"
        "vmovdqu %%ymm4, 128(%[acc])\n\t"
        "vmovdqu %%ymm5, 160(%[acc])\n\t"
        "vmovdqu %%ymm6, 192(%[acc])\n\t"
        "vmovdqu %%ymm7, 224(%[acc])\n\t"
        : [w] "+r"(w), [off] "+r"(off), [n] "+r"(n)
        : [x0] "r"(x0), [x1] "r"(x1), [x2] "r"(x2), [x3] "r"(x3), [acc] "r"(acc)
        : "cc", "memory", "rax", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

FXQ_DECL_IGEMM(fxq_s16_igemm_ukernel_16x4c2__avx2)
{
    enum { MR = 16, NR = 4 };
    assert(mr >= 1 && mr <= MR && nr >= 1 && nr <= NR);
    const int32_t *bias = (const int32_t *)a;
    __m256i acc[8];
    for (int f = 0; f < 2; ++f) {
        const __m256i b = _mm256_loadu_si256((const __m256i *)(bias + 8 * f));
        for (int n = 0; n < NR; ++n) acc[4 * f + n] = b;
    }
    fxq_igemm16_loop((const int16_t *)(bias + MR), x, off, groups, acc);
    fxq_rq_avx2 rk; /* row 0's parameters: every row's where rq is uniform */
    fxq_rq_avx2_init(&rk, rq);
    for (size_t f = 0; f * 8 < mr; ++f) {
        const size_t rows = mr - 8 * f < 8 ? mr - 8 * f : 8;
        __m256i r[NR];
        for (int n = 0; n < NR; ++n)
            r[n] = rq->per_row ? fxq_rq_avx2_lanes8_i32(acc[4 * f + n], rq + 8 * f, rows)
                               : fxq_rq_avx2_i32(acc[4 * f + n], &rk);
        /* 8 filters x 4 positions -> t[i] = filter i's 4 codes */
        const __m256i p01 = _mm256_packs_epi32(r[0], r[1]); /* r0 0..3 r1 0..3 | r0 4..7 r1 4..7 */
        const __m256i p23 = _mm256_packs_epi32(r[2], r[3]);
        const __m256i u = _mm256_unpacklo_epi16(p01, p23); /* r0 r2 pairs of filters 0..3 | 4..7 */
        const __m256i v = _mm256_unpackhi_epi16(p01, p23); /* r1 r3 pairs */
        const __m256i lo = _mm256_unpacklo_epi16(u, v);    /* filters 0, 1 | 4, 5 */
        const __m256i hi = _mm256_unpackhi_epi16(u, v);    /* filters 2, 3 | 6, 7 */
        int16_t t[8][NR];
        _mm_storeu_si128((__m128i *)t[0], _mm256_castsi256_si128(lo));
        _mm_storeu_si128((__m128i *)t[2], _mm256_castsi256_si128(hi));
        _mm_storeu_si128((__m128i *)t[4], _mm256_extracti128_si256(lo, 1));
        _mm_storeu_si128((__m128i *)t[6], _mm256_extracti128_si256(hi, 1));
        int16_t *cf = c + 8 * f * c_stride;
        for (size_t i = 0; i < rows; ++i) memcpy(cf + i * c_stride, t[i], nr * sizeof *c);
    }
}
#endif
