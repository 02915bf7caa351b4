/* Throughput loops for `darknet fxq info --bench` on AVX2 hosts
 * (fp32 FMA on 12 independent ymm chains through fxq_peak_loop.inc) and the
 * integer instruction sequences of the AVX2 GEMM kernels on 8 accumulator
 * chains -- s8: vpmaddubsw + vpmaddwd(ones) + vpaddd (32 MACs), s16:
 * vpmaddwd + vpaddd (16 MACs). */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

static inline float fxq_hsum256(__m256 s)
{
    float v[8];
    _mm256_storeu_ps(v, s);
    return v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}

static inline int32_t fxq_hsum256i(__m256i s)
{
    int32_t v[8];
    _mm256_storeu_si256((__m256i *)v, s);
    return v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}

#define FXQ_PEAK_NAME fxq_f32_fma_loop__avx2
#define FXQ_PEAK_SINK float
#define FXQ_PEAK_VEC __m256
#define FXQ_PEAK_XY const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f)
#define FXQ_PEAK_INIT(i) _mm256_set1_ps(1.0f + (float)(i) * 0.01f)
#define FXQ_PEAK_STEP(a) _mm256_fmadd_ps(a, x, y)
#define FXQ_PEAK_ZERO _mm256_setzero_ps()
#define FXQ_PEAK_ADD(s, a) _mm256_add_ps(s, a)
#define FXQ_PEAK_REDUCE(s) fxq_hsum256(s)
#define FXQ_PEAK_REP(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define FXQ_PEAK_MACS 8
#include "fxq_peak_loop.inc"

/* The integer loops are written in asm: with intrinsics the compiler
 * hoists the loop-invariant multiply unless an operand is made opaque per
 * step, and those copies plus eight accumulators exceed AVX2's 16 ymm
 * registers -- spills in the loop measured vpmaddwd at 130 GMAC/s on a
 * Zen 3 whose s16 GEMM ran at 155. Here the products go through two or
 * three scratch registers (renamed, so reusing them adds no dependency);
 * each accumulator chain has one vpaddd per step. */
#define FXQ_PEAK_ACC8                                                                              \
    __m256i a0 = _mm256_set1_epi32(0), a1 = _mm256_set1_epi32(1), a2 = _mm256_set1_epi32(2),       \
            a3 = _mm256_set1_epi32(3), a4 = _mm256_set1_epi32(4), a5 = _mm256_set1_epi32(5),       \
            a6 = _mm256_set1_epi32(6), a7 = _mm256_set1_epi32(7)
#define FXQ_PEAK_ACC8_OUT                                                                          \
    [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2), [a3] "+x"(a3), [a4] "+x"(a4), [a5] "+x"(a5),      \
        [a6] "+x"(a6), [a7] "+x"(a7)
#define FXQ_PEAK_ACC8_SUM(sink)                                                                    \
    *(sink) = fxq_hsum256i(_mm256_add_epi32(                                                       \
        _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),                      \
        _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7))))

/* s8: vpmaddubsw + vpmaddwd(ones) + vpaddd, 32 MACs a step */
double fxq_s8_madd_loop__avx2(long iters, int32_t *sink)
{
    const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
    FXQ_PEAK_ACC8;
    for (long i = 0; i < iters; ++i) {
#define FXQ_S8_STEP(t, a)                                                                          \
    "vpmaddubsw %[y], %[x], %%ymm" #t "\n\t"                                                        \
    "vpmaddwd %[ones], %%ymm" #t ", %%ymm" #t "\n\t"                                                \
    "vpaddd %%ymm" #t ", %[" #a "], %[" #a "]\n\t"
        __asm__ volatile(FXQ_S8_STEP(13, a0) FXQ_S8_STEP(14, a1) FXQ_S8_STEP(15, a2) FXQ_S8_STEP(13, a3)
                             FXQ_S8_STEP(14, a4) FXQ_S8_STEP(15, a5) FXQ_S8_STEP(13, a6) FXQ_S8_STEP(14, a7)
                         : FXQ_PEAK_ACC8_OUT
                         : [x] "x"(x), [y] "x"(y), [ones] "x"(ones)
                         : "xmm13", "xmm14", "xmm15");
#undef FXQ_S8_STEP
    }
    FXQ_PEAK_ACC8_SUM(sink);
    return (double)iters * 8 * 32;
}

/* s16: vpmaddwd + vpaddd, 16 MACs a step */
double fxq_s16_madd_loop__avx2(long iters, int32_t *sink)
{
    const __m256i x = _mm256_set1_epi16(3), y = _mm256_set1_epi16(-2);
    FXQ_PEAK_ACC8;
    for (long i = 0; i < iters; ++i) {
#define FXQ_S16_STEP(t, a) "vpmaddwd %[x], %[y], %%ymm" #t "\n\tvpaddd %%ymm" #t ", %[" #a "], %[" #a "]\n\t"
        __asm__ volatile(FXQ_S16_STEP(14, a0) FXQ_S16_STEP(15, a1) FXQ_S16_STEP(14, a2) FXQ_S16_STEP(15, a3)
                             FXQ_S16_STEP(14, a4) FXQ_S16_STEP(15, a5) FXQ_S16_STEP(14, a6) FXQ_S16_STEP(15, a7)
                         : FXQ_PEAK_ACC8_OUT
                         : [x] "x"(x), [y] "x"(y)
                         : "xmm14", "xmm15");
#undef FXQ_S16_STEP
    }
    FXQ_PEAK_ACC8_SUM(sink);
    return (double)iters * 8 * 16;
}
#endif
