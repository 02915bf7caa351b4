/* The layers' float <-> code conversion (fxq_qconv.h), through the active
 * kernel set's conversion kernels (chosen once, no CPU check per call). */
#include <math.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_qconv.h"

int fxq_qconv_quantize(const float *x, size_t n, int bits, int frac, int16_t *codes)
{
    if (bits < FXQ_MIN_BITS || bits > FXQ_MAX_BITS || frac < -64 || frac > 64) {
        memset(codes, 0, n * sizeof *codes);
        return 0;
    }
    const float scale = ldexpf(1.0f, frac), lo = (float)fxq_code_min(bits), hi = (float)fxq_code_max(bits);
    fxq_kernel_set_active()->quantize(n, x, scale, lo, hi, codes);
    return 1;
}

void fxq_qconv_dequantize(const int16_t *codes, size_t n, int frac, float *y)
{
    fxq_kernel_set_active()->dequantize(n, codes, ldexpf(1.0f, -frac), y);
}
