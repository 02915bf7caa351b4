/* fxq_f32_quantize_ukernel__avx2: floats -> codes on AVX2, exactly
 * fxq_quantize_ref element by element, 8 lanes at a time -- the steps of
 * fxq_f32_quantize__avx512vnni.c (see there why each is exact):
 *   v = x * 2^frac; r = trunc(v) +- 1 where |v - trunc(v)| >= 0.5;
 *   r = clamp(r, lo, hi) (vmaxps returns its second operand, lo, for NaN);
 *   NaN -> 0 (ordered mask); int16 via vpackssdw (values already in range).
 * The tail (< 8 elements) goes to the scalar twin. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

void fxq_f32_quantize_ukernel__avx2(size_t n, const float *x, float scale, float lo, float hi, int16_t *c)
{
    const __m256 s = _mm256_set1_ps(scale), l = _mm256_set1_ps(lo), h = _mm256_set1_ps(hi);
    const __m256 half = _mm256_set1_ps(0.5f), mhalf = _mm256_set1_ps(-0.5f), one = _mm256_set1_ps(1.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), s);
        const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256 d = _mm256_sub_ps(v, t);
        __m256 r = _mm256_add_ps(t, _mm256_and_ps(_mm256_cmp_ps(d, half, _CMP_GE_OQ), one));
        r = _mm256_sub_ps(r, _mm256_and_ps(_mm256_cmp_ps(d, mhalf, _CMP_LE_OQ), one));
        r = _mm256_min_ps(_mm256_max_ps(r, l), h);
        r = _mm256_and_ps(r, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
        const __m256i q = _mm256_cvttps_epi32(r);
        _mm_storeu_si128((__m128i *)(c + i),
                         _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)));
    }
    if (i < n) fxq_f32_quantize_ukernel__scalar(n - i, x + i, scale, lo, hi, c + i);
}
#endif
