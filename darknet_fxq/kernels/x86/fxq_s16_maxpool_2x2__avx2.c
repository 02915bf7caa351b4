/* 2x2 stride-2 max pooling, one output row (fxq_pool.h contract; scalar
 * twin fxq_s16_maxpool_2x2_ukernel__scalar): 16 outputs per step from two
 * 32-code input rows. Vertical max, then each 32-bit pair's max lands in
 * its low half (max with the pair shifted down 16 bits); the low halves
 * are packed (unsigned pack of the masked 16-bit patterns: exact) and the
 * 128-bit lane interleave of vpackusdw is undone by one vpermq. */
#include <immintrin.h>

#include "fxq_pool.h"

void fxq_s16_maxpool_2x2_ukernel__avx2(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out)
{
    const __m256i lo16 = _mm256_set1_epi32(0xffff);
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        const __m256i m0 = _mm256_max_epi16(_mm256_loadu_si256((const __m256i *)(r0 + 2 * j)),
                                            _mm256_loadu_si256((const __m256i *)(r1 + 2 * j)));
        const __m256i m1 = _mm256_max_epi16(_mm256_loadu_si256((const __m256i *)(r0 + 2 * j + 16)),
                                            _mm256_loadu_si256((const __m256i *)(r1 + 2 * j + 16)));
        const __m256i p0 = _mm256_and_si256(_mm256_max_epi16(m0, _mm256_srli_epi32(m0, 16)), lo16);
        const __m256i p1 = _mm256_and_si256(_mm256_max_epi16(m1, _mm256_srli_epi32(m1, 16)), lo16);
        const __m256i r = _mm256_permute4x64_epi64(_mm256_packus_epi32(p0, p1), 0xd8);
        _mm256_storeu_si256((__m256i *)(out + j), r);
    }
    if (j < n) fxq_s16_maxpool_2x2_ukernel__scalar(n - j, r0 + 2 * j, r1 + 2 * j, out + j);
}
