/* fxq_s8_gemv_ukernel_16c64__avx512vnni, fxq_s16_gemv_ukernel_16c32__avx512vnni
 * (and the int64 fxq_s16_gemv_i64_ukernel_16c32__avx512vnni, below)
 *
 * One output column (P == 1: connected layers, convolutions with a 1x1
 * output): c[m] = act(requant(bias[m] + sum_k w[m][k] * x[k])), m < mr.
 * Tile: 16 rows; the 16 row sums are reduced to one zmm by a transpose-add
 * tree, then requantized together.
 * Layout: w row-major, rows kc elements apart (s8 / s16), the plan pads to
 *   16 rows with zeros; bias int32[16] (s8: pre-corrected by -offset *
 *   sum_k w); x: kc elements, u8 = code + input offset (s8) or s16.
 * Accumulator: int32 lanes, wrap-around (vpdpbusd / vpdpwssd); used only
 *   under the int32 rule of fxq_qconv.h, so the final sums are exact.
 * The weights are the memory operand of vpdp* (s8 / s16), x the register
 *   one (u8 / s16), 16 rows per 64-byte slice of x.
 * Epilogue: fxq_rq_avx512_i32 (round half away from zero, saturate, act);
 *   per-row parameters: fxq_rq_lanes16_i32 (row i's parameters in lane i).
 * Preconditions: 1 <= mr <= 16; kc % 64 == 0 (s8) / kc % 32 == 0 (s16).
 */
#if defined(__x86_64__)
#include <assert.h>

#include "fxq_qgemm_avx512.h"

/* acc[0..15] -> one vector of their 16 lane sums (lane i = sum of acc[i]). */
static inline __m512i fxq_reduce16(const __m512i *a)
{
    __m512i s1[8], s2[4];
    for (int i = 0; i < 8; ++i)
        s1[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(a[2 * i], a[2 * i + 1]), _mm512_unpackhi_epi32(a[2 * i], a[2 * i + 1]));
    for (int i = 0; i < 4; ++i)
        s2[i] = _mm512_add_epi32(_mm512_unpacklo_epi64(s1[2 * i], s1[2 * i + 1]), _mm512_unpackhi_epi64(s1[2 * i], s1[2 * i + 1]));
    const __m512i u01 = _mm512_add_epi32(_mm512_shuffle_i32x4(s2[0], s2[1], 0x88), _mm512_shuffle_i32x4(s2[0], s2[1], 0xdd));
    const __m512i u23 = _mm512_add_epi32(_mm512_shuffle_i32x4(s2[2], s2[3], 0x88), _mm512_shuffle_i32x4(s2[2], s2[3], 0xdd));
    return _mm512_add_epi32(_mm512_shuffle_i32x4(u01, u23, 0x88), _mm512_shuffle_i32x4(u01, u23, 0xdd));
}

/* The 16 rows share one vector, so per-row parameters (rq->per_row) go
 * lane by lane: fxq_rq_lanes16, row i's parameters in lane i. */
static inline void fxq_gemv_out(size_t mr, __m512i sums, const int32_t *bias, int16_t *c, const fxq_rq_params *rq)
{
    const __m512i acc = _mm512_add_epi32(sums, _mm512_loadu_si512(bias));
    const __mmask16 store = (__mmask16)((1u << mr) - 1);
    if (rq->per_row) {
        fxq_rq_lanes16 lk;
        fxq_rq_lanes16_init(&lk, rq, mr, 0);
        _mm256_mask_storeu_epi16(c, store, _mm512_cvtepi32_epi16(fxq_rq_lanes16_i32(acc, &lk)));
        return;
    }
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    _mm256_mask_storeu_epi16(c, store, _mm512_cvtepi32_epi16(fxq_rq_avx512_i32(acc, &rk)));
}

/* The k loop in asm (GCC 12 copies every vpdp* accumulator each iteration):
 * zmm0..15 = rows 0..15, zmm16 = 64 bytes of x; rows via 4 bases + index.
 * acc[r] = per-lane sums of row r over n 64-byte steps (rows `row` bytes apart). */
#define FXQ_GEMV_LOOP(FN, OP)                                                                     \
    static inline void FN(const unsigned char *p0, size_t row, const unsigned char *xb, size_t n, __m512i *acc)\
    {                                                                                             \
        const size_t row3 = 3 * row;                                                              \
        const unsigned char *p4 = p0 + 4 * row, *p8 = p0 + 8 * row, *p12 = p0 + 12 * row;         \
        __asm__ volatile(                                                                         \
            FXQ_ASM_INIT_ZERO                                                                     \
            "test %[n], %[n]\n\t"                                                                 \
            "jz 2f\n\t"                                                                           \
            ".p2align 4\n"                                                                        \
            "1:\n\t"                                                                              \
            "vmovdqu64 (%[x]), %%zmm16\n\t"                                                       \
            OP " (%[p0]), %%zmm16, %%zmm0\n\t"                                                    \
            OP " (%[p0],%[r1],1), %%zmm16, %%zmm1\n\t"                                            \
            OP " (%[p0],%[r1],2), %%zmm16, %%zmm2\n\t"                                            \
            OP " (%[p0],%[r3],1), %%zmm16, %%zmm3\n\t"                                            \
            OP " (%[p4]), %%zmm16, %%zmm4\n\t"                                                    \
            OP " (%[p4],%[r1],1), %%zmm16, %%zmm5\n\t"                                            \
            OP " (%[p4],%[r1],2), %%zmm16, %%zmm6\n\t"                                            \
            OP " (%[p4],%[r3],1), %%zmm16, %%zmm7\n\t"                                            \
            OP " (%[p8]), %%zmm16, %%zmm8\n\t"                                                    \
            OP " (%[p8],%[r1],1), %%zmm16, %%zmm9\n\t"                                            \
            OP " (%[p8],%[r1],2), %%zmm16, %%zmm10\n\t"                                           \
            OP " (%[p8],%[r3],1), %%zmm16, %%zmm11\n\t"                                           \
            OP " (%[p12]), %%zmm16, %%zmm12\n\t"                                                  \
            OP " (%[p12],%[r1],1), %%zmm16, %%zmm13\n\t"                                          \
            OP " (%[p12],%[r1],2), %%zmm16, %%zmm14\n\t"                                          \
            OP " (%[p12],%[r3],1), %%zmm16, %%zmm15\n\t"                                          \
            "add $64, %[x]\n\t"                                                                   \
            "add $64, %[p0]\n\t"                                                                  \
            "add $64, %[p4]\n\t"                                                                  \
            "add $64, %[p8]\n\t"                                                                  \
            "add $64, %[p12]\n\t"                                                                 \
            "dec %[n]\n\t"                                                                        \
            "jnz 1b\n"                                                                            \
            "2:\n\t"                                                                              \
            FXQ_ASM_STORE_ACC16                                                                   \
            : [x] "+r"(xb), [p0] "+r"(p0), [p4] "+r"(p4), [p8] "+r"(p8), [p12] "+r"(p12), [n] "+r"(n)\
            : [r1] "r"(row), [r3] "r"(row3), [acc] "r"(acc)                                       \
            : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",\
              "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16");             \
}

FXQ_GEMV_LOOP(fxq_gemv_loop_dpbusd, "vpdpbusd")
FXQ_GEMV_LOOP(fxq_gemv_loop_dpwssd, "vpdpwssd")

#define FXQ_GEMV(NAME, LOOP, EB, STEP)                                                             \
    FXQ_DECL_GEMV(NAME)                                                                            \
    {                                                                                              \
        assert(mr >= 1 && mr <= 16 && kc % (STEP) == 0);                                           \
        __m512i acc[16];                                                                           \
        LOOP((const unsigned char *)w, kc * (EB), (const unsigned char *)x, kc * (EB) / 64, acc);  \
        fxq_gemv_out(mr, fxq_reduce16(acc), bias, c, rq);                                          \
    }

FXQ_GEMV(fxq_s8_gemv_ukernel_16c64__avx512vnni, fxq_gemv_loop_dpbusd, 1, 64)
FXQ_GEMV(fxq_s16_gemv_ukernel_16c32__avx512vnni, fxq_gemv_loop_dpwssd, 2, 32)
/* fxq_s16_gemv_i64_ukernel_16c32__avx512vnni: the exact int64 one-column
 * path. Per chunk of k's (the plan sizes chunks so one row's chunk sum fits
 * in int32), the 16 row sums are formed in int32 lanes and reduced exactly,
 * then sign-extended into two int64 accumulators (x 2^8 for the high bytes
 * of split activations: x = 256 * xh + xl). Then + int64 bias, requantized
 * by fxq_rq_avx512_i64x2. */
FXQ_DECL_GEMV_I64(fxq_s16_gemv_i64_ukernel_16c32__avx512vnni)
{
    assert(mr >= 1 && mr <= 16 && kc % 32 == 0 && chunk % 32 == 0 && chunk > 0);
    const size_t row = kc * 2;
    __m512i lo = _mm512_loadu_si512(bias), hi = _mm512_loadu_si512(bias + 8); /* rows 0-7, 8-15 */
    __m512i acc[16];
    for (size_t k0 = 0; k0 < kc; k0 += chunk) {
        const size_t n = (kc - k0 < chunk ? kc - k0 : chunk) / 32;
        const unsigned char *w0 = (const unsigned char *)w + k0 * 2;
        fxq_gemv_loop_dpwssd(w0, row, (const unsigned char *)(xh + k0), n, acc);
        __m512i s = fxq_reduce16(acc);
        const __m128i sh = _mm_cvtsi32_si128(xl ? 8 : 0);
        lo = _mm512_add_epi64(lo, _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(s)), sh));
        hi = _mm512_add_epi64(hi, _mm512_sll_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s, 1)), sh));
        if (xl) {
            fxq_gemv_loop_dpwssd(w0, row, (const unsigned char *)(xl + k0), n, acc);
            s = fxq_reduce16(acc);
            lo = _mm512_add_epi64(lo, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(s)));
            hi = _mm512_add_epi64(hi, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s, 1)));
        }
    }
    if (rq->per_row) { /* lane by lane, as in fxq_gemv_out */
        fxq_rq_lanes16 lk;
        fxq_rq_lanes16_init(&lk, rq, mr, 1);
        _mm256_mask_storeu_epi16(c, (__mmask16)((1u << mr) - 1),
                                 _mm512_cvtepi32_epi16(fxq_rq_lanes16_i64x2(lo, hi, &lk)));
        return;
    }
    fxq_rq_avx512 rk;
    fxq_rq_avx512_init(&rk, rq);
    _mm256_mask_storeu_epi16(c, (__mmask16)((1u << mr) - 1), _mm512_cvtepi32_epi16(fxq_rq_avx512_i64x2(lo, hi, &rk)));
}
#endif
