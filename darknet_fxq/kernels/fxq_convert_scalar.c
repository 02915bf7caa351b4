/* Portable float <-> code conversion kernels (fxq_kernels.h): the scalar
 * twins of x86/fxq_f32_quantize__avx512vnni.c, same rounding steps. */
#include "fxq_kernels.h"

static inline int16_t fxq_quantize1(float x, float scale, float lo, float hi)
{
    const float v = x * scale; /* exact, see fxq_f32_quantize__avx512vnni.c */
    if (!(v == v)) return 0;
    if (v >= hi) return (int16_t)hi;
    if (v <= lo) return (int16_t)lo;
    const int32_t t = (int32_t)v; /* trunc; |v| < 2^15 here */
    const float d = v - (float)t; /* exact */
    return (int16_t)(t + (d >= 0.5f) - (d <= -0.5f));
}

void fxq_f32_quantize_ukernel__scalar(size_t n, const float *x, float scale, float lo, float hi, int16_t *c)
{
    for (size_t i = 0; i < n; ++i) c[i] = fxq_quantize1(x[i], scale, lo, hi);
}

void fxq_f32_dequantize_ukernel__scalar(size_t n, const int16_t *c, float scale, float *y)
{
    for (size_t i = 0; i < n; ++i) y[i] = (float)c[i] * scale;
}
