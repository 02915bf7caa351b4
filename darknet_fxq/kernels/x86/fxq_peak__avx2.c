/* Throughput loops for `darknet fxq info --bench` on AVX2 hosts
 * (fxq_peak_loop.inc): fp32 FMA on 12 independent ymm chains, and the
 * integer instruction sequences of the AVX2 GEMM kernels on 8 chains -- s8:
 * vpmaddubsw + vpmaddwd(ones) + vpaddd (32 MACs), s16: vpmaddwd + vpaddd
 * (16 MACs). Their products do not depend on the chain, so an empty
 * volatile asm makes one operand opaque per step: the compiler can neither
 * hoist nor merge them (it costs at most an eliminated register move). */
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

static inline __m256i fxq_opaque(__m256i v)
{
    __asm__ volatile("" : "+x"(v));
    return v;
}

#define FXQ_REP8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

#define FXQ_PEAK_NAME fxq_s8_madd_loop__avx2
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC __m256i
#define FXQ_PEAK_XY                                                                                \
    const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1)
#define FXQ_PEAK_INIT(i) _mm256_set1_epi32(i)
#define FXQ_PEAK_STEP(a) _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_maddubs_epi16(fxq_opaque(x), y), ones))
#define FXQ_PEAK_ZERO _mm256_setzero_si256()
#define FXQ_PEAK_ADD(s, a) _mm256_add_epi32(s, a)
#define FXQ_PEAK_REDUCE(s) fxq_hsum256i(s)
#define FXQ_PEAK_REP FXQ_REP8
#define FXQ_PEAK_MACS 32
#include "fxq_peak_loop.inc"

#define FXQ_PEAK_NAME fxq_s16_madd_loop__avx2
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC __m256i
#define FXQ_PEAK_XY const __m256i x = _mm256_set1_epi16(3), y = _mm256_set1_epi16(-2)
#define FXQ_PEAK_INIT(i) _mm256_set1_epi32(i)
#define FXQ_PEAK_STEP(a) _mm256_add_epi32(a, _mm256_madd_epi16(fxq_opaque(x), y))
#define FXQ_PEAK_ZERO _mm256_setzero_si256()
#define FXQ_PEAK_ADD(s, a) _mm256_add_epi32(s, a)
#define FXQ_PEAK_REDUCE(s) fxq_hsum256i(s)
#define FXQ_PEAK_REP FXQ_REP8
#define FXQ_PEAK_MACS 16
#include "fxq_peak_loop.inc"
#endif
