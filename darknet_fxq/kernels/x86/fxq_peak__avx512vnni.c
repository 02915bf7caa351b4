/* Throughput loops for `darknet fxq info --bench` (AVX-512): 16 independent
 * zmm chains of fp32 FMA (vfmadd) / int8 dot products (vpdpbusd), enough to
 * cover the latency on current cores. Return the multiply-accumulates done. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_qgemm.h"

#define FXQ_REP16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

double fxq_f32_fma_loop__avx512vnni(long iters, float *sink)
{
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
#define FXQ_INIT(i) __m512 a##i = _mm512_set1_ps(1.0f + (float)(i) * 0.01f);
#define FXQ_STEP(i) a##i = _mm512_fmadd_ps(a##i, x, y);
#define FXQ_SUM(i) s = _mm512_add_ps(s, a##i);
    FXQ_REP16(FXQ_INIT)
    for (long i = 0; i < iters; ++i) {
        FXQ_REP16(FXQ_STEP)
        __asm__ volatile("" ::: "memory");
    }
    __m512 s = _mm512_setzero_ps();
    FXQ_REP16(FXQ_SUM)
    *sink = _mm512_reduce_add_ps(s);
    return (double)iters * 16 * 16;
#undef FXQ_INIT
#undef FXQ_STEP
#undef FXQ_SUM
}

double fxq_s8_dot_loop__avx512vnni(long iters, int32_t *sink)
{
    const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
#define FXQ_INIT(i) __m512i a##i = _mm512_set1_epi32(i);
#define FXQ_STEP(i) a##i = _mm512_dpbusd_epi32(a##i, x, y);
#define FXQ_SUM(i) s = _mm512_add_epi32(s, a##i);
    FXQ_REP16(FXQ_INIT)
    for (long i = 0; i < iters; ++i) {
        FXQ_REP16(FXQ_STEP)
        __asm__ volatile("" ::: "memory");
    }
    __m512i s = _mm512_setzero_si512();
    FXQ_REP16(FXQ_SUM)
    *sink = _mm512_reduce_add_epi32(s);
    return (double)iters * 16 * 64;
}
#endif
