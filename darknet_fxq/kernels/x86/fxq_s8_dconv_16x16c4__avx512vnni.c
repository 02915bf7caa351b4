/* fxq_s8_dconv_ukernel_16x16c4__avx512vbmi: direct s8 convolution for the
 * first layers (3 input channels, 3x3: K = 27), layout in fxq_qgemm.h; for
 * the AVX-512 VNNI set on CPUs that also have AVX512_VBMI (the plan
 * checks; compiled in this set's file with the function's own target).
 *
 * With K = 28 an 8x32 GEMM tile does 7 k-steps and then requantizes 256
 * outputs: measured on yolov3-tiny's layer 0 (perf, 2 threads) the
 * epilogue, the spill of the accumulators and the B packing cost about as
 * much as the vpdpbusd work. Here:
 *   - no B panel: each group's 16 x 4 bytes are one vpermi2b of two
 *     64-byte windows of the image, with the group's index vector;
 *   - 16 filters x 16 positions: one B vector serves 16 vpdpbusd, the
 *     weights come as embedded broadcasts, the accumulators stay in
 *     registers into the epilogue;
 *   - rounding in one step (the half is in the bias): r = (acc - (acc <= 0))
 *     >> shift, arithmetic -- round half away from zero for a right shift;
 *     then two rows' results are packed to int16 (saturating, which keeps
 *     the later clamp exact) and clamped, activated (leaky: see below) and
 *     stored 32 codes per vector.
 * Leaky in int16, for r < 0: -(((-r) * 13107 + 2^16) >> 17) =
 * (mulhi(r, 13107) + 1) >> 1 (arithmetic), because (-r) * 13107 / 2^16 is
 * never an integer for 1 <= -r <= 2^15; for r >= 0 that value is <= r, so
 * max(r, it) is the activation on both signs.
 *
 * fxq_s8_dconv_maxpool2_ukernel_16x16c4__avx512vbmi: the same with the 2x2
 * / 2 max pool that follows these layers (yolov3-tiny, darknet.cfg) fused:
 * 8 filters x 16 even and 16 odd positions per pass (two index vectors per
 * group, the broadcast weight used twice), two rows, the four sums' maximum
 * requantized -- a quarter of the epilogue and of the stores, and no pool
 * pass over the full-size output. */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>

#include "fxq_qgemm.h"

_Static_assert(FXQ_LEAKY_SHIFT == 17 && (FXQ_LEAKY_MUL & 1) && FXQ_LEAKY_MUL < 32768,
               "the int16 leaky step assumes x * MUL / 2^16 is never an integer and one more halving");

#define FXQ_DC_BIAS(i) "vpbroadcastd " #i "*4(%[bias]), %[a" #i "]\n\t"
#define FXQ_DC_OP(i) "vpdpbusd " #i "*4(%[w])%{1to16%}, %%zmm17, %[a" #i "]\n\t"

/* acc -> acc - (acc <= 0), shifted right arithmetically by cnt */
__attribute__((target("avx512vbmi"))) static inline __m512i fxq_dc_round(__m512i acc, __m128i cnt)
{
    const __mmask16 le = _mm512_cmple_epi32_mask(acc, _mm512_setzero_si512());
    return _mm512_sra_epi32(_mm512_mask_sub_epi32(acc, le, acc, _mm512_set1_epi32(1)), cnt);
}

/* rows i, i + 1 of 16 codes each from two int32 vectors: round, pack,
 * clamp, activate, store (row i + 1 only if i + 1 < mr) */
__attribute__((target("avx512vbmi"))) static inline void fxq_dc_store2(__m512i a0, __m512i a1, __m128i c0, __m128i c1,
                                                                       __m512i lo, __m512i hi, int act, int16_t *c,
                                                                       size_t c_stride, size_t i, size_t mr,
                                                                       __mmask16 mask)
{
    const __m512i rows = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7); /* packs' 128-bit lanes -> row i | row i + 1 */
    __m512i v = _mm512_packs_epi32(fxq_dc_round(a0, c0), fxq_dc_round(a1, c1));
    v = _mm512_min_epi16(_mm512_max_epi16(v, lo), hi);
    if (act == FXQ_ACT_LEAKY)
        v = _mm512_max_epi16(v, _mm512_srai_epi16(_mm512_add_epi16(_mm512_mulhi_epi16(v, _mm512_set1_epi16(FXQ_LEAKY_MUL)),
                                                                   _mm512_set1_epi16(1)), 1));
    else if (act == FXQ_ACT_RELU)
        v = _mm512_max_epi16(v, _mm512_setzero_si512());
    v = _mm512_permutexvar_epi64(rows, v);
    _mm256_mask_storeu_epi16(c + i * c_stride, mask, _mm512_castsi512_si256(v));
    if (i + 1 < mr) _mm256_mask_storeu_epi16(c + (i + 1) * c_stride, mask, _mm512_extracti64x4_epi64(v, 1));
}

__attribute__((target("avx512vbmi"))) FXQ_DECL_DCONV(fxq_s8_dconv_ukernel_16x16c4__avx512vbmi)
{
    assert(mr >= 1 && mr <= 16);
    const int32_t *bias = (const int32_t *)a;
    const unsigned char *w0 = (const unsigned char *)(bias + 16);
    __m128i cnt[16];
    for (size_t i = 0; i < 16; ++i) cnt[i] = _mm_cvtsi32_si128(fxq_rq_row(rq, i < mr ? i : 0)->rshift32);
    const __m512i lo = _mm512_set1_epi16((short)rq->lo), hi = _mm512_set1_epi16((short)rq->hi);
    const int act = rq->act;
    for (size_t n0 = 0; n0 < npos; n0 += 16) {
        const size_t nr = npos - n0 < 16 ? npos - n0 : 16;
        const __mmask16 mask = (__mmask16)(nr >= 16 ? 0xffffu : (1u << nr) - 1u);
        __m512i a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15;
        const unsigned char *w = w0, *xt = x + n0;
        const uint8_t *ix = idx;
        const int32_t *of = off;
        size_t n = groups;
        /* asm: GCC 12 copies the accumulators of the vpdpbusd intrinsics
         * through other registers (fxq_qgemm_avx512.h) */
        __asm__ volatile(FXQ_DC_BIAS(0) FXQ_DC_BIAS(1) FXQ_DC_BIAS(2) FXQ_DC_BIAS(3) FXQ_DC_BIAS(4) FXQ_DC_BIAS(5)
                         FXQ_DC_BIAS(6) FXQ_DC_BIAS(7) FXQ_DC_BIAS(8) FXQ_DC_BIAS(9) FXQ_DC_BIAS(10) FXQ_DC_BIAS(11)
                         FXQ_DC_BIAS(12) FXQ_DC_BIAS(13) FXQ_DC_BIAS(14) FXQ_DC_BIAS(15)
                         "test %[n], %[n]\n\t"
                         "jz 2f\n\t"
                         ".p2align 4\n"
                         "1:\n\t"
                         "movslq (%[of]), %%rax\n\t"
                         "movslq 4(%[of]), %%rdx\n\t"
                         "vmovdqu64 (%[ix]), %%zmm17\n\t"
                         "vmovdqu64 (%[xt],%%rax), %%zmm16\n\t"
                         "vpermi2b (%[xt],%%rdx), %%zmm16, %%zmm17\n\t"
                         FXQ_DC_OP(0) FXQ_DC_OP(1) FXQ_DC_OP(2) FXQ_DC_OP(3) FXQ_DC_OP(4) FXQ_DC_OP(5)
                         FXQ_DC_OP(6) FXQ_DC_OP(7) FXQ_DC_OP(8) FXQ_DC_OP(9) FXQ_DC_OP(10) FXQ_DC_OP(11)
                         FXQ_DC_OP(12) FXQ_DC_OP(13) FXQ_DC_OP(14) FXQ_DC_OP(15)
                         "add $64, %[w]\n\t"
                         "add $64, %[ix]\n\t"
                         "add $8, %[of]\n\t"
                         "dec %[n]\n\t"
                         "jnz 1b\n"
                         "2:\n\t"
                         : [a0] "=&v"(a0), [a1] "=&v"(a1), [a2] "=&v"(a2), [a3] "=&v"(a3), [a4] "=&v"(a4),
                           [a5] "=&v"(a5), [a6] "=&v"(a6), [a7] "=&v"(a7), [a8] "=&v"(a8), [a9] "=&v"(a9),
                           [a10] "=&v"(a10), [a11] "=&v"(a11), [a12] "=&v"(a12), [a13] "=&v"(a13),
                           [a14] "=&v"(a14), [a15] "=&v"(a15), [w] "+r"(w), [ix] "+r"(ix), [of] "+r"(of), [n] "+r"(n)
                         : [xt] "r"(xt), [bias] "r"(bias)
                         : "cc", "memory", "rax", "rdx", "xmm16", "xmm17");
        const __m512i acc[16] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15};
        for (size_t i = 0; i < mr; i += 2)
            fxq_dc_store2(acc[i], acc[i + 1], cnt[i], cnt[i + 1], lo, hi, act, c + n0, c_stride, i, mr, mask);
    }
}

#define FXQ_DP_BIAS(f) "vpbroadcastd " #f "*4(%[bias]), %[e" #f "]\n\t" "vmovdqa64 %[e" #f "], %[o" #f "]\n\t"
#define FXQ_DP_OP(f)                                                                               \
    "vpbroadcastd " #f "*4(%[w]), %%zmm19\n\t"                                                   \
    "vpdpbusd %%zmm19, %%zmm17, %[e" #f "]\n\t"                                                   \
    "vpdpbusd %%zmm19, %%zmm18, %[o" #f "]\n\t"


__attribute__((target("avx512vbmi"))) FXQ_DECL_DCONV_POOL(fxq_s8_dconv_maxpool2_ukernel_16x16c4__avx512vbmi)
{
    assert(mr >= 1 && mr <= 16);
    const int32_t *bias0 = (const int32_t *)a;
    const unsigned char *w0 = (const unsigned char *)(bias0 + 16);
    __m128i cnt[16];
    for (size_t i = 0; i < 16; ++i) cnt[i] = _mm_cvtsi32_si128(fxq_rq_row(rq, i < mr ? i : 0)->rshift32);
    const __m512i lo = _mm512_set1_epi16((short)rq->lo), hi = _mm512_set1_epi16((short)rq->hi);
    const int act = rq->act;
    for (size_t n0 = 0; n0 < npos; n0 += 16) {
        const size_t nr = npos - n0 < 16 ? npos - n0 : 16;
        const __mmask16 mask = (__mmask16)(nr >= 16 ? 0xffffu : (1u << nr) - 1u);
        for (size_t h = 0; h < mr; h += 8) {
            __m512i mx[8];
            for (size_t dy = 0; dy < 2; ++dy) {
                __m512i e0, e1, e2, e3, e4, e5, e6, e7, o0, o1, o2, o3, o4, o5, o6, o7;
                const unsigned char *w = w0 + 4 * h, *xt = x + dy * x_stride + 2 * n0;
                const int32_t *bias = bias0 + h;
                const uint8_t *ix = idx;
                const int32_t *of = off;
                size_t n = groups;
                __asm__ volatile(FXQ_DP_BIAS(0) FXQ_DP_BIAS(1) FXQ_DP_BIAS(2) FXQ_DP_BIAS(3) FXQ_DP_BIAS(4)
                                 FXQ_DP_BIAS(5) FXQ_DP_BIAS(6) FXQ_DP_BIAS(7)
                                 "test %[n], %[n]\n\t"
                                 "jz 2f\n\t"
                                 ".p2align 4\n"
                                 "1:\n\t"
                                 "movslq (%[of]), %%rax\n\t"
                                 "movslq 4(%[of]), %%rdx\n\t"
                                 "vmovdqu64 (%[xt],%%rax), %%zmm16\n\t"
                                 "vmovdqu64 (%[ix]), %%zmm17\n\t"
                                 "vmovdqu64 64(%[ix]), %%zmm18\n\t"
                                 "vpermi2b (%[xt],%%rdx), %%zmm16, %%zmm17\n\t"
                                 "vpermi2b (%[xt],%%rdx), %%zmm16, %%zmm18\n\t"
                                 FXQ_DP_OP(0) FXQ_DP_OP(1) FXQ_DP_OP(2) FXQ_DP_OP(3) FXQ_DP_OP(4) FXQ_DP_OP(5)
                                 FXQ_DP_OP(6) FXQ_DP_OP(7)
                                 "add $64, %[w]\n\t"
                                 "add $128, %[ix]\n\t"
                                 "add $8, %[of]\n\t"
                                 "dec %[n]\n\t"
                                 "jnz 1b\n"
                                 "2:\n\t"
                                 : [e0] "=&v"(e0), [e1] "=&v"(e1), [e2] "=&v"(e2), [e3] "=&v"(e3), [e4] "=&v"(e4),
                                   [e5] "=&v"(e5), [e6] "=&v"(e6), [e7] "=&v"(e7), [o0] "=&v"(o0), [o1] "=&v"(o1),
                                   [o2] "=&v"(o2), [o3] "=&v"(o3), [o4] "=&v"(o4), [o5] "=&v"(o5), [o6] "=&v"(o6),
                                   [o7] "=&v"(o7), [w] "+r"(w), [ix] "+r"(ix), [of] "+r"(of), [n] "+r"(n)
                                 : [xt] "r"(xt), [bias] "r"(bias)
                                 : "cc", "memory", "rax", "rdx", "xmm16", "xmm17", "xmm18", "xmm19");
                const __m512i m[8] = {_mm512_max_epi32(e0, o0), _mm512_max_epi32(e1, o1), _mm512_max_epi32(e2, o2),
                                      _mm512_max_epi32(e3, o3), _mm512_max_epi32(e4, o4), _mm512_max_epi32(e5, o5),
                                      _mm512_max_epi32(e6, o6), _mm512_max_epi32(e7, o7)};
                for (int f = 0; f < 8; ++f) mx[f] = dy ? _mm512_max_epi32(mx[f], m[f]) : m[f];
            }
            for (size_t i = 0; i < 8 && h + i < mr; i += 2)
                fxq_dc_store2(mx[i], mx[i + 1], cnt[h + i], cnt[h + i + 1], lo, hi, act, c + n0 + h * c_stride,
                              c_stride, i, mr - h, mask);
        }
    }
}
#endif
