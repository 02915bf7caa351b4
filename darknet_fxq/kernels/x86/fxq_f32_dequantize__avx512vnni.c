/* fxq_f32_dequantize_ukernel__avx512vnni: codes -> floats, y = code * scale,
 * 16 lanes at a time (masked tail). Exact like the scalar twin: |code| <
 * 2^15 converts to float exactly and scale is a power of two. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

void fxq_f32_dequantize_ukernel__avx512vnni(size_t n, const int16_t *c, float scale, float *y)
{
    const __m512 s = _mm512_set1_ps(scale);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) { /* two vectors per step: loads and stores dominate */
        const __m512i q = _mm512_loadu_si512(c + i);
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm512_castsi512_si256(q))), s));
        _mm512_storeu_ps(y + i + 16,
                         _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(q, 1))), s));
    }
    for (; i < n; i += 16) {
        const size_t left = n - i < 16 ? n - i : 16;
        const __mmask16 m = (__mmask16)((1u << left) - 1u);
        const __m256i q = _mm256_maskz_loadu_epi16(m, c + i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(q)), s));
    }
}
#endif
