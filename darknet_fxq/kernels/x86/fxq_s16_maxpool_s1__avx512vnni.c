/* Stride-1 max pooling, one output row, AVX-512BW (the avx512vnni set;
 * scalar twin fxq_s16_maxpool_s1_ukernel__scalar): 32 outputs per step.
 * Reads exactly the elements the twin reads. */
#include <immintrin.h>

#include "fxq_pool.h"

void fxq_s16_maxpool_s1_ukernel__avx512vnni(size_t n, int rows, int size, const int16_t *in, size_t ws,
                                            int16_t *out)
{
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        __m512i m = _mm512_loadu_si512(in + j);
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < size; ++k) m = _mm512_max_epi16(m, _mm512_loadu_si512(in + r * ws + j + k));
        _mm512_storeu_si512(out + j, m);
    }
    if (j < n) fxq_s16_maxpool_s1_ukernel__scalar(n - j, rows, size, in + j, ws, out + j);
}
