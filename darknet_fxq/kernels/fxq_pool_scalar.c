/* Scalar twins of the pooling row ukernels (fxq_pool.h): the portable set's
 * kernels and what the SIMD ones are tested against bit for bit. */
#include "fxq_pool.h"

void fxq_s16_maxpool_2x2_ukernel__scalar(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out)
{
    for (size_t j = 0; j < n; ++j) {
        int16_t a = r0[2 * j] > r0[2 * j + 1] ? r0[2 * j] : r0[2 * j + 1];
        int16_t b = r1[2 * j] > r1[2 * j + 1] ? r1[2 * j] : r1[2 * j + 1];
        out[j] = a > b ? a : b;
    }
}

void fxq_s16_maxpool_s1_ukernel__scalar(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out)
{
    for (size_t j = 0; j < n; ++j) {
        int16_t m = in[j];
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < size; ++k) {
                const int16_t v = in[r * ws + j + k];
                m = v > m ? v : m;
            }
        out[j] = m;
    }
}
