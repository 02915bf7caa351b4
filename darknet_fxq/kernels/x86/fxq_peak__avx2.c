/* fp32 FMA throughput loop for `darknet fxq info --bench` on AVX2 hosts:
 * 12 independent ymm chains (fxq_peak_loop.inc). */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

static inline float fxq_hsum256(__m256 s)
{
    float v[8];
    _mm256_storeu_ps(v, s);
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
#endif
