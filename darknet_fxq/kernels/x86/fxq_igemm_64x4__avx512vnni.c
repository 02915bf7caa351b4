/* fxq_s8_igemm_ukernel_64x4c4__avx512vnni: the small-P tile of the VNNI
 * set, for convolutions with a few output positions and a large K (deep
 * layers on tiny maps: paper-cifar10's 7x7/s5 layer, 256 -> 128 channels,
 * 2x2 outputs, K = 12544). The narrow 16x16 tile puts positions in the
 * lanes, so with P = 4 three quarters of every vpdpbusd are idle and each
 * weight is a broadcast of its own; here the filters are in the lanes.
 *
 * Tile: MR = 64 filters (4 zmm of 16) x NR = 4 positions, 16 accumulators.
 * Per k-group (4 k's): the 4 x 64 weight bytes of the group are loaded once
 *   (4 zmm), each position's 4 input bytes broadcast (vpbroadcastd from
 *   x[n] + off[g]: the image itself, no im2col or B packing), 16 vpdpbusd
 *   (u8 x s8, all 64 lanes useful).
 * Layout, accumulation and requantization: fxq_qgemm.h (fxq_igemm_fn);
 *   int32 lanes wrap like the other s8 kernels (exact under the int32 rule
 *   of fxq_qconv.h). The k loop is inline asm for the reason given in
 *   fxq_qgemm_avx512.h (GCC copies the vpdp* accumulators).
 * Epilogue: the 4 accumulators of a 16-filter block requantized (per-row
 *   parameters lane by lane: fxq_rq_lanes16), then written out row by row.
 * Twin: fxq_s8_igemm_ukernel_64x4c4__scalar.
 * Preconditions: 1 <= mr <= 64, 1 <= nr <= 4, x[0..3] all readable bases.
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

#define FXQ_IG_DP(F, P) "vpdpbusd %%zmm" #F ", %%zmm2" #P ", %%zmm"

/* acc[4 f + n] += W[g][16 f .. 16 f + 15] . x[n][off[g] ..] over n_groups groups */
static inline void fxq_igemm_loop(const unsigned char *w, const unsigned char *const *x, const int32_t *off,
                                  size_t n, __m512i *acc)
{
    const unsigned char *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    __asm__ volatile(
        "vmovdqu64 0(%[acc]), %%zmm0\n\t"
        "vmovdqu64 64(%[acc]), %%zmm1\n\t"
        "vmovdqu64 128(%[acc]), %%zmm2\n\t"
        "vmovdqu64 192(%[acc]), %%zmm3\n\t"
        "vmovdqu64 256(%[acc]), %%zmm4\n\t"
        "vmovdqu64 320(%[acc]), %%zmm5\n\t"
        "vmovdqu64 384(%[acc]), %%zmm6\n\t"
        "vmovdqu64 448(%[acc]), %%zmm7\n\t"
        "vmovdqu64 512(%[acc]), %%zmm8\n\t"
        "vmovdqu64 576(%[acc]), %%zmm9\n\t"
        "vmovdqu64 640(%[acc]), %%zmm10\n\t"
        "vmovdqu64 704(%[acc]), %%zmm11\n\t"
        "vmovdqu64 768(%[acc]), %%zmm12\n\t"
        "vmovdqu64 832(%[acc]), %%zmm13\n\t"
        "vmovdqu64 896(%[acc]), %%zmm14\n\t"
        "vmovdqu64 960(%[acc]), %%zmm15\n\t"
        "test %[n], %[n]\n\t"
        "jz 2f\n\t"
        ".p2align 4\n"
        "1:\n\t"
        "movslq (%[off]), %%rax\n\t"
        "vmovdqu64 0(%[w]), %%zmm16\n\t"
        "vmovdqu64 64(%[w]), %%zmm17\n\t"
        "vmovdqu64 128(%[w]), %%zmm18\n\t"
        "vmovdqu64 192(%[w]), %%zmm19\n\t"
        "vpbroadcastd (%[x0],%%rax), %%zmm20\n\t"
        "vpbroadcastd (%[x1],%%rax), %%zmm21\n\t"
        "vpbroadcastd (%[x2],%%rax), %%zmm22\n\t"
        "vpbroadcastd (%[x3],%%rax), %%zmm23\n\t"
        FXQ_IG_DP(16, 0) "0\n\t"
        FXQ_IG_DP(16, 1) "1\n\t"
        FXQ_IG_DP(16, 2) "2\n\t"
        FXQ_IG_DP(16, 3) "3\n\t"
        FXQ_IG_DP(17, 0) "4\n\t"
        FXQ_IG_DP(17, 1) "5\n\t"
        FXQ_IG_DP(17, 2) "6\n\t"
        FXQ_IG_DP(17, 3) "7\n\t"
        FXQ_IG_DP(18, 0) "8\n\t"
        FXQ_IG_DP(18, 1) "9\n\t"
        FXQ_IG_DP(18, 2) "10\n\t"
        FXQ_IG_DP(18, 3) "11\n\t"
        FXQ_IG_DP(19, 0) "12\n\t"
        FXQ_IG_DP(19, 1) "13\n\t"
        FXQ_IG_DP(19, 2) "14\n\t"
        FXQ_IG_DP(19, 3) "15\n\t"
        "add $4, %[off]\n\t"
        "add $256, %[w]\n\t"
        "dec %[n]\n\t"
        "jnz 1b\n"
        "2:\n\t"
        FXQ_ASM_STORE_ACC16
        : [w] "+r"(w), [off] "+r"(off), [n] "+r"(n)
        : [x0] "r"(x0), [x1] "r"(x1), [x2] "r"(x2), [x3] "r"(x3), [acc] "r"(acc)
        : "cc", "memory", "rax", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21",
          "xmm22", "xmm23");
}

FXQ_DECL_IGEMM(fxq_s8_igemm_ukernel_64x4c4__avx512vnni)
{
    enum { MR = 64, NR = 4 };
    assert(mr >= 1 && mr <= MR && nr >= 1 && nr <= NR);
    const int32_t *bias = (const int32_t *)a;
    __m512i acc[16];
    for (int f = 0; f < 4; ++f) {
        const __m512i b = _mm512_loadu_si512(bias + 16 * f);
        for (int n = 0; n < NR; ++n) acc[4 * f + n] = b;
    }
    fxq_igemm_loop((const unsigned char *)(bias + MR), x, off, groups, acc);
    for (size_t f = 0; f * 16 < mr; ++f) {
        const size_t rows = mr - 16 * f < 16 ? mr - 16 * f : 16;
        int16_t t[NR][16];
        if (rq->per_row) {
            fxq_rq_lanes16 lk;
            fxq_rq_lanes16_init(&lk, rq + 16 * f, rows, 0);
            for (size_t n = 0; n < nr; ++n)
                _mm256_storeu_si256((__m256i *)t[n], _mm512_cvtepi32_epi16(fxq_rq_lanes16_i32(acc[4 * f + n], &lk)));
        } else {
            fxq_rq_avx512 rk;
            fxq_rq_avx512_init(&rk, rq);
            for (size_t n = 0; n < nr; ++n)
                _mm256_storeu_si256((__m256i *)t[n], _mm512_cvtepi32_epi16(fxq_rq_avx512_i32(acc[4 * f + n], &rk)));
        }
        int16_t *cf = c + 16 * f * c_stride;
        for (size_t i = 0; i < rows; ++i)
            for (size_t n = 0; n < nr; ++n) cf[i * c_stride + n] = t[n][i];
    }
}
#endif
