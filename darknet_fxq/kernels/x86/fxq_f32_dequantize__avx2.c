/* fxq_f32_dequantize_ukernel__avx2: codes -> floats, y = code * scale, 8
 * lanes at a time; exact like the scalar twin (|code| < 2^15 is exact in
 * float, scale a power of two). The tail (< 8) goes to the twin. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

void fxq_f32_dequantize_ukernel__avx2(size_t n, const int16_t *c, float scale, float *y)
{
    const __m256 s = _mm256_set1_ps(scale);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(c + i));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(q))), s));
        _mm256_storeu_ps(y + i + 8,
                         _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(q, 1))), s));
    }
    if (i < n) fxq_f32_dequantize_ukernel__scalar(n - i, c + i, scale, y + i);
}
#endif
