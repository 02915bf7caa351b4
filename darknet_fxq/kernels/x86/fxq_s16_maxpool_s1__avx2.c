/* Stride-1 max pooling, one output row (fxq_pool.h contract; scalar twin
 * fxq_s16_maxpool_s1_ukernel__scalar): 16 outputs per step, the max of
 * rows x size unaligned loads. Reads exactly the elements the twin reads. */
#include <immintrin.h>

#include "fxq_pool.h"

void fxq_s16_maxpool_s1_ukernel__avx2(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out)
{
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        __m256i m = _mm256_loadu_si256((const __m256i *)(in + j));
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < size; ++k)
                m = _mm256_max_epi16(m, _mm256_loadu_si256((const __m256i *)(in + r * ws + j + k)));
        _mm256_storeu_si256((__m256i *)(out + j), m);
    }
    if (j < n) fxq_s16_maxpool_s1_ukernel__scalar(n - j, rows, size, in + j, ws, out + j);
}
