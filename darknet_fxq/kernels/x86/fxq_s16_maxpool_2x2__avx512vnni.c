/* 2x2 stride-2 max pooling, one output row, AVX-512BW (the avx512vnni set;
 * scalar twin fxq_s16_maxpool_2x2_ukernel__scalar): the AVX2 kernel's
 * scheme on zmm, 32 outputs per step; vpackusdw's per-lane interleave is
 * undone by one vpermq. */
#include <immintrin.h>

#include "fxq_pool.h"

void fxq_s16_maxpool_2x2_ukernel__avx512vnni(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out)
{
    const __m512i lo16 = _mm512_set1_epi32(0xffff);
    const __m512i order = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        const __m512i m0 = _mm512_max_epi16(_mm512_loadu_si512(r0 + 2 * j), _mm512_loadu_si512(r1 + 2 * j));
        const __m512i m1 = _mm512_max_epi16(_mm512_loadu_si512(r0 + 2 * j + 32), _mm512_loadu_si512(r1 + 2 * j + 32));
        const __m512i p0 = _mm512_and_si512(_mm512_max_epi16(m0, _mm512_srli_epi32(m0, 16)), lo16);
        const __m512i p1 = _mm512_and_si512(_mm512_max_epi16(m1, _mm512_srli_epi32(m1, 16)), lo16);
        _mm512_storeu_si512(out + j, _mm512_permutexvar_epi64(order, _mm512_packus_epi32(p0, p1)));
    }
    if (j < n) fxq_s16_maxpool_2x2_ukernel__scalar(n - j, r0 + 2 * j, r1 + 2 * j, out + j);
}
