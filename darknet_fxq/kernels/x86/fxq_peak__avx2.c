/* fp32 FMA throughput loop for `darknet fxq info --bench` on AVX2 hosts:
 * 12 independent ymm chains. Returns the multiply-accumulates done. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_qgemm.h"

#define FXQ_REP12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

double fxq_f32_fma_loop__avx2(long iters, float *sink)
{
    const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
#define FXQ_INIT(i) __m256 a##i = _mm256_set1_ps(1.0f + (float)(i) * 0.01f);
#define FXQ_STEP(i) a##i = _mm256_fmadd_ps(a##i, x, y);
#define FXQ_SUM(i) s = _mm256_add_ps(s, a##i);
    FXQ_REP12(FXQ_INIT)
    for (long i = 0; i < iters; ++i) {
        FXQ_REP12(FXQ_STEP)
        __asm__ volatile("" ::: "memory");
    }
    __m256 s = _mm256_setzero_ps();
    FXQ_REP12(FXQ_SUM)
    float v[8];
    _mm256_storeu_ps(v, s);
    *sink = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    return (double)iters * 12 * 8;
}
#endif
