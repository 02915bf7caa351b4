/* fxq_f32_quantize_ukernel__avx512vnni: floats -> codes, exactly
 * fxq_quantize_ref element by element, 16 lanes at a time.
 *
 *   v = x * 2^frac        (float; exact: 2^frac is a normal float for
 *                          |frac| <= 64, overflow saturates below, and
 *                          results under 2^-126 round to 0 either way)
 *   r = trunc(v) +- 1 where |v - trunc(v)| >= 0.5   (round half away from
 *                          zero; v - trunc(v) is exact)
 *   r = clamp(r, lo, hi); NaN -> 0; int16 store (masked tail).
 * scale = 2^frac, lo/hi = the code range (exact in float for <= 16 bits).
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

void fxq_f32_quantize_ukernel__avx512vnni(size_t n, const float *x, float scale, float lo, float hi, int16_t *c)
{
    const __m512 s = _mm512_set1_ps(scale), l = _mm512_set1_ps(lo), h = _mm512_set1_ps(hi);
    const __m512 half = _mm512_set1_ps(0.5f), mhalf = _mm512_set1_ps(-0.5f), one = _mm512_set1_ps(1.0f);
    for (size_t i = 0; i < n; i += 16) {
        const size_t left = n - i < 16 ? n - i : 16;
        const __mmask16 m = (__mmask16)((1u << left) - 1u);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), s);
        const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m512 d = _mm512_sub_ps(v, t);
        __m512 r = _mm512_mask_add_ps(t, _mm512_cmp_ps_mask(d, half, _CMP_GE_OQ), t, one);
        r = _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(d, mhalf, _CMP_LE_OQ), r, one);
        r = _mm512_min_ps(_mm512_max_ps(r, l), h); /* max(NaN, lo) = lo ... */
        r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), r); /* ... but NaN -> 0 */
        _mm256_mask_storeu_epi16(c + i, m, _mm512_cvtepi32_epi16(_mm512_cvttps_epi32(r)));
    }
}
#endif
