/* Integer maxpool row ukernels (fxq_pool.h), Armv8.0 NEON: 2x2 stride 2
 * (ld2 splits even and odd columns, three smax per 8 outputs) and
 * stride-1 windows (8 outputs per smax over every window offset). Tails
 * run the scalar twins (fxq_pool_scalar.c). */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_pool.h"

void fxq_s16_maxpool_2x2_ukernel__neon(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out)
{
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const int16x8x2_t a = vld2q_s16(r0 + 2 * j), b = vld2q_s16(r1 + 2 * j);
        vst1q_s16(out + j, vmaxq_s16(vmaxq_s16(a.val[0], a.val[1]), vmaxq_s16(b.val[0], b.val[1])));
    }
    fxq_s16_maxpool_2x2_ukernel__scalar(n - j, r0 + 2 * j, r1 + 2 * j, out + j);
}

void fxq_s16_maxpool_s1_ukernel__neon(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out)
{
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        int16x8_t m = vld1q_s16(in + j);
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < size; ++k) m = vmaxq_s16(m, vld1q_s16(in + r * ws + j + k));
        vst1q_s16(out + j, m);
    }
    fxq_s16_maxpool_s1_ukernel__scalar(n - j, rows, size, in + j, ws, out + j);
}
#endif
