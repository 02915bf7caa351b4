/* fxq_s8_dconv_ukernel_16x16c4__scalar: the portable twin of the direct
 * convolution kernel's layout (fxq_qgemm.h), element by element: the
 * group's byte for each lane and tap through its index, int32 sums that
 * wrap like vpdpbusd's, then the plain requantization of acc - half. */
#include <string.h>

#include "fxq_qgemm.h"

/* One output code of row m: the groups' taps read through idx (the lane's
 * 4 bytes of each group's 64, groups idx_step bytes apart) from xr at the
 * group's windows off[2g] / off[2g + 1]. */
static int fxq_dconv_code(size_t m, size_t groups, const int32_t *bias, const int8_t *w, const unsigned char *xr,
                          const uint8_t *idx, size_t idx_step, const int32_t *off, const fxq_rq_params *rq)
{
    uint32_t acc = (uint32_t)bias[m];
    for (size_t g = 0; g < groups; ++g)
        for (size_t j = 0; j < 4; ++j) {
            const unsigned v = idx[g * idx_step + j];
            const unsigned char b = v < 64 ? xr[(ptrdiff_t)off[2 * g] + v] : xr[(ptrdiff_t)off[2 * g + 1] + (v - 64)];
            acc += (uint32_t)((int32_t)w[(g * 16 + m) * 4 + j] * (int32_t)b);
        }
    const fxq_rq_params *r = fxq_rq_row(rq, m);
    int32_t s;
    memcpy(&s, &acc, sizeof s); /* two's complement wrap, as the SIMD lanes */
    return fxq_rq_apply((int64_t)s - (int64_t)r->half32, r);
}

FXQ_DECL_DCONV(fxq_s8_dconv_ukernel_16x16c4__scalar)
{
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + 16);
    for (size_t n = 0; n < npos; ++n) {
        const size_t t = n / 16, l = n % 16;
        for (size_t m = 0; m < mr; ++m)
            c[m * c_stride + n] = (int16_t)fxq_dconv_code(m, groups, bias, w, x + 16 * t, idx + 4 * l, 64, off, rq);
    }
}

/* fxq_s8_dconv_maxpool2_ukernel_16x16c4__scalar: each pooled output is the
 * largest of its four codes, each computed as above (not the sums'
 * maximum: the SIMD kernel's shortcut is checked against this). */
FXQ_DECL_DCONV_POOL(fxq_s8_dconv_maxpool2_ukernel_16x16c4__scalar)
{
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + 16);
    for (size_t n = 0; n < npos; ++n) {
        const size_t t = n / 16, l = n % 16;
        for (size_t m = 0; m < mr; ++m) {
            int best = INT16_MIN;
            for (int q = 0; q < 4; ++q) {
                const unsigned char *xr = x + (size_t)(q / 2) * x_stride + 32 * t;
                const int v = fxq_dconv_code(m, groups, bias, w, xr, idx + (size_t)(q % 2) * 64 + 4 * l, 128, off, rq);
                if (v > best) best = v;
            }
            c[m * c_stride + n] = (int16_t)best;
        }
    }
}
