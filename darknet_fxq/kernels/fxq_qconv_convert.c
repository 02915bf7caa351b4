/* The layers' float <-> code conversion (fxq_qconv.h), through the active
 * kernel set's conversion kernels (chosen once, no CPU check per call).
 * Large tensors are split over the OpenMP team in 64-element-aligned
 * pieces (the result is the same whatever the split: the kernels work
 * element by element); small ones stay on the calling thread, where waking
 * the team would cost more than the conversion. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_qconv.h"

/* Elements below which a conversion runs on one thread (~10 us of work). */
#define FXQ_CONV_PAR_MIN ((size_t)1 << 15)

static int fxq_conv_threads(size_t n)
{
    if (n < FXQ_CONV_PAR_MIN || omp_in_parallel()) return 1;
    const int t = omp_get_max_threads();
    const size_t most = n / (FXQ_CONV_PAR_MIN / 2); /* >= 16 K elements each */
    return (size_t)t < most ? t : (int)most;
}

/* Piece [b, e) of n for thread tid of nth, 64-element aligned. */
static void fxq_conv_piece(size_t n, int tid, int nth, size_t *b, size_t *e)
{
    const size_t blocks = (n + 63) / 64;
    *b = blocks * tid / nth * 64;
    *e = blocks * (tid + 1) / nth * 64;
    if (*b > n) *b = n;
    if (*e > n) *e = n;
}

int fxq_qconv_quantize_range(const float *x, size_t n, int bits, int frac, int in_unsigned, int16_t *codes)
{
    if (bits < FXQ_MIN_BITS || bits > FXQ_MAX_BITS || frac < -64 || frac > 64) {
        memset(codes, 0, n * sizeof *codes);
        return 0;
    }
    return fxq_qconv_quantize_lohi(x, n, frac, in_unsigned ? 0 : (int)fxq_code_min(bits), (int)fxq_code_max(bits),
                                   codes);
}

int fxq_qconv_quantize_lohi(const float *x, size_t n, int frac, int ilo, int ihi, int16_t *codes)
{
    if (ilo > ihi || ilo < INT16_MIN || ihi > INT16_MAX || frac < -64 || frac > 64) {
        memset(codes, 0, n * sizeof *codes);
        return 0;
    }
    const float scale = ldexpf(1.0f, frac), hi = (float)ihi, lo = (float)ilo;
    const fxq_f32_quantize_fn q = fxq_kernel_set_active()->quantize;
    const int nth = fxq_conv_threads(n);
    if (nth <= 1) {
        q(n, x, scale, lo, hi, codes);
        return 1;
    }
#pragma omp parallel num_threads(nth)
    {
        size_t b, e;
        fxq_conv_piece(n, omp_get_thread_num(), omp_get_num_threads(), &b, &e);
        if (e > b) q(e - b, x + b, scale, lo, hi, codes + b);
    }
    return 1;
}

int fxq_qconv_quantize(const float *x, size_t n, int bits, int frac, int16_t *codes)
{
    return fxq_qconv_quantize_range(x, n, bits, frac, 0, codes);
}

void fxq_qconv_dequantize(const int16_t *codes, size_t n, int frac, float *y)
{
    const float scale = ldexpf(1.0f, -frac);
    const fxq_f32_dequantize_fn dq = fxq_kernel_set_active()->dequantize;
    const int nth = fxq_conv_threads(n);
    if (nth <= 1) {
        dq(n, codes, scale, y);
        return;
    }
#pragma omp parallel num_threads(nth)
    {
        size_t b, e;
        fxq_conv_piece(n, omp_get_thread_num(), omp_get_num_threads(), &b, &e);
        if (e > b) dq(e - b, codes + b, scale, y + b);
    }
}
