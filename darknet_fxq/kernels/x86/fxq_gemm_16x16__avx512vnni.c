/* fxq_s8_gemm_ukernel_16x16c4__avx512vnni, fxq_s16_gemm_ukernel_16x16c2__avx512vnni:
 * the narrow-N tile of the VNNI set, for convolutions with at most 16
 * output positions (deep layers on small images, e.g. 4x4): the 8x32 tile
 * would leave half of every accumulator idle there.
 *
 * Tile: MR = 16 filters x NR = 16 output positions, one zmm per filter row.
 * Packed A: int32 bias[16] (s8: pre-corrected by -offset * sum_k w), then
 *   weights [kc/KR][16][KR] (s8, KR = 4 / s16, KR = 2: 4 bytes per row per
 *   step, the broadcast memory operand of vpdp*). Packed B: [kc/KR][16][KR]
 *   (u8 = code + input offset / s16), 64 bytes per step.
 * Per step: one B load, 16 vpdpbusd / vpdpwssd with an embedded {1to16}
 *   broadcast of each row's 4 weight bytes -- 64 bytes of A and of B per
 *   step for both element types, so one loop serves both.
 * Accumulator: int32 lanes, wrap-around, exact under the int32 rule of
 *   fxq_qconv.h (as the 8x32 kernels). The k loop is inline asm for the
 *   reason given in fxq_qgemm_avx512.h.
 * Epilogue: fxq_rq_avx512_i32 per row (row i with fxq_rq_row(rq, i)).
 * Twins: fxq_s8_gemm_ukernel_16x16c4__scalar, fxq_s16_gemm_ukernel_16x16c2__scalar;
 * the int64 chunk kernel fxq_s16_gemm_i64_ukernel_16x16c2__avx512vnni (below)
 * likewise, twin fxq_s16_gemm_i64_ukernel_16x16c2__scalar.
 * Preconditions: 1 <= mr <= 16, 1 <= nr <= 16, kc % KR == 0.
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

#define FXQ_ASM_INIT_BIAS16 \
    "vpbroadcastd 0(%[bias]), %%zmm0\n\t"  \
    "vpbroadcastd 4(%[bias]), %%zmm1\n\t"  \
    "vpbroadcastd 8(%[bias]), %%zmm2\n\t"  \
    "vpbroadcastd 12(%[bias]), %%zmm3\n\t"  \
    "vpbroadcastd 16(%[bias]), %%zmm4\n\t"  \
    "vpbroadcastd 20(%[bias]), %%zmm5\n\t"  \
    "vpbroadcastd 24(%[bias]), %%zmm6\n\t"  \
    "vpbroadcastd 28(%[bias]), %%zmm7\n\t"  \
    "vpbroadcastd 32(%[bias]), %%zmm8\n\t"  \
    "vpbroadcastd 36(%[bias]), %%zmm9\n\t"  \
    "vpbroadcastd 40(%[bias]), %%zmm10\n\t"  \
    "vpbroadcastd 44(%[bias]), %%zmm11\n\t"  \
    "vpbroadcastd 48(%[bias]), %%zmm12\n\t"  \
    "vpbroadcastd 52(%[bias]), %%zmm13\n\t"  \
    "vpbroadcastd 56(%[bias]), %%zmm14\n\t"  \
    "vpbroadcastd 60(%[bias]), %%zmm15\n\t"  \

#define FXQ_ASM_LOOP_16X16(OP, INIT, XP, WP, NP, BIAS, ACC)                                         \
    __asm__ volatile(INIT                                                                         \
                     FXQ_ASM_LOOP_HEAD                                                            \
                     OP " 0(%[w])%{1to16%}, %%zmm16, %%zmm0\n\t"  \
                     OP " 4(%[w])%{1to16%}, %%zmm16, %%zmm1\n\t"  \
                     OP " 8(%[w])%{1to16%}, %%zmm16, %%zmm2\n\t"  \
                     OP " 12(%[w])%{1to16%}, %%zmm16, %%zmm3\n\t"  \
                     OP " 16(%[w])%{1to16%}, %%zmm16, %%zmm4\n\t"  \
                     OP " 20(%[w])%{1to16%}, %%zmm16, %%zmm5\n\t"  \
                     OP " 24(%[w])%{1to16%}, %%zmm16, %%zmm6\n\t"  \
                     OP " 28(%[w])%{1to16%}, %%zmm16, %%zmm7\n\t"  \
                     OP " 32(%[w])%{1to16%}, %%zmm16, %%zmm8\n\t"  \
                     OP " 36(%[w])%{1to16%}, %%zmm16, %%zmm9\n\t"  \
                     OP " 40(%[w])%{1to16%}, %%zmm16, %%zmm10\n\t"  \
                     OP " 44(%[w])%{1to16%}, %%zmm16, %%zmm11\n\t"  \
                     OP " 48(%[w])%{1to16%}, %%zmm16, %%zmm12\n\t"  \
                     OP " 52(%[w])%{1to16%}, %%zmm16, %%zmm13\n\t"  \
                     OP " 56(%[w])%{1to16%}, %%zmm16, %%zmm14\n\t"  \
                     OP " 60(%[w])%{1to16%}, %%zmm16, %%zmm15\n\t"  \
                     FXQ_ASM_LOOP_TAIL(64, 64)                                                    \
                     FXQ_ASM_LOOP_OPERANDS(XP, WP, NP, BIAS, ACC, ))

static inline void fxq_store_16x16(size_t mr, size_t nr, const __m512i *acc, int16_t *c, size_t c_stride,
                                   const fxq_rq_params *rq)
{
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    const __mmask16 mask = (__mmask16)(nr >= 16 ? 0xffffu : (1u << nr) - 1u);
    for (size_t i = 0; i < mr; ++i) {
        if (i && rq->per_row) fxq_rq_avx512_init(&rk, rq + i);
        _mm256_mask_storeu_epi16(c + i * c_stride, mask, _mm512_cvtepi32_epi16(fxq_rq_avx512_i32(acc[i], &rk)));
    }
}

#define FXQ_GEMM_16X16(NAME, OP, KR)                                                               \
    FXQ_DECL_I32(NAME)                                                                             \
    {                                                                                              \
        assert(mr >= 1 && mr <= 16 && nr >= 1 && nr <= 16 && kc % (KR) == 0);                      \
        const int32_t *bias = (const int32_t *)a;                                                  \
        const unsigned char *w = (const unsigned char *)(bias + 16);                               \
        const unsigned char *x = (const unsigned char *)b;                                         \
        __m512i acc[16];                                                                           \
        size_t iters = kc / (KR);                                                                  \
        FXQ_ASM_LOOP_16X16(OP, FXQ_ASM_INIT_BIAS16, x, w, iters, bias, acc);                       \
        fxq_store_16x16(mr, nr, acc, c, c_stride, rq);                                             \
    }

FXQ_GEMM_16X16(fxq_s8_gemm_ukernel_16x16c4__avx512vnni, "vpdpbusd", 4)
FXQ_GEMM_16X16(fxq_s16_gemm_ukernel_16x16c2__avx512vnni, "vpdpwssd", 2)

/* The int64 narrow tile (fxq_gemm_i64_fn): one chunk of k's summed in int32
 * lanes from zero, then widened (x 2^lshift) into acc[16][16]. */
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_16x16c2__avx512vnni)
{
    assert(kc % 2 == 0 && (lshift == 0 || lshift == 8));
    __m512i s[16];
    size_t iters = kc / 2;
    FXQ_ASM_LOOP_16X16("vpdpwssd", FXQ_ASM_INIT_ZERO, b, a, iters, (const int32_t *)0, s);
    const __m128i cnt = _mm_cvtsi32_si128(lshift);
    for (int i = 0; i < 16; ++i) {
        int64_t *r = acc + 16 * i;
        const __m512i lo = _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(s[i])), cnt);
        const __m512i hi = _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s[i], 1)), cnt);
        _mm512_storeu_si512(r, _mm512_add_epi64(_mm512_loadu_si512(r), lo));
        _mm512_storeu_si512(r + 8, _mm512_add_epi64(_mm512_loadu_si512(r + 8), hi));
    }
}
#endif
