/* fxq_pack_gather_u8c4__avx512vbmi: im2col and the u8 c4 B-panel
 * interleave in one pass (fxq_kernels.h), for the AVX-512 VNNI set on CPUs
 * that also have AVX512_VBMI (the plan checks; compiled in this set's file
 * with the function's own target).
 *
 * Small images (fmnist's 13x13, 11x11 and 9x9 outputs) have short im2col
 * rows: the two-step path copies every k-row's out_h runs of out_w bytes
 * (one 16-byte move each) and interleaves four such rows into the panel,
 * two calls per k-group and store-to-load stalls between them; it took
 * more time than the GEMM's epilogue there. Here the 32 positions of a
 * tile read within 128 bytes of the image (the plan checks), so each of
 * the four k-rows is two loads and one vpermt2b with the tile's index
 * vector; a blend pairs rows 0/1 and 2/3, and two more vpermt2b
 * interleave them into the panel's [32][4] bytes. Same bytes as the
 * scalar twin fxq_pack_gather_u8c4__scalar (test_qgemm_ukernel, and the
 * qconv tests through plans).
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

/* out byte 4n + j (n < 16) from pair byte (j & 1) * 32 + n of a (rows
 * 0/1) or of c (rows 2/3: + 64); the second store n + 16 */
static const uint8_t lo_i[64] __attribute__((aligned(64))) = {
    0, 32, 64, 96, 1, 33, 65, 97, 2, 34, 66, 98, 3, 35, 67, 99,
    4, 36, 68, 100, 5, 37, 69, 101, 6, 38, 70, 102, 7, 39, 71, 103,
    8, 40, 72, 104, 9, 41, 73, 105, 10, 42, 74, 106, 11, 43, 75, 107,
    12, 44, 76, 108, 13, 45, 77, 109, 14, 46, 78, 110, 15, 47, 79, 111};
static const uint8_t hi_i[64] __attribute__((aligned(64))) = {
    16, 48, 80, 112, 17, 49, 81, 113, 18, 50, 82, 114, 19, 51, 83, 115,
    20, 52, 84, 116, 21, 53, 85, 117, 22, 54, 86, 118, 23, 55, 87, 119,
    24, 56, 88, 120, 25, 57, 89, 121, 26, 58, 90, 122, 27, 59, 91, 123,
    28, 60, 92, 124, 29, 61, 93, 125, 30, 62, 94, 126, 31, 63, 95, 127};

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void
fxq_pack_gather_u8c4__avx512vbmi(const unsigned char *const *r, const int32_t *base, const uint8_t *idx,
                                 size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    if (nr != 32) {
        fxq_pack_gather_u8c4__scalar(r, base, idx, n_tiles, nr, o, panel);
        return;
    }
    const __m512i ilo = _mm512_load_si512(lo_i), ihi = _mm512_load_si512(hi_i);
    const __mmask64 upper = 0xffffffff00000000ull;
    for (size_t t = 0; t < n_tiles; ++t, o += panel) {
        /* the tile's 32 indices in both halves of the vector */
        const __m512i ix = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(idx + t * 32)));
        const size_t b = (size_t)base[t];
        __m512i v[4];
        for (int j = 0; j < 4; ++j)
            v[j] = _mm512_permutex2var_epi8(_mm512_loadu_si512(r[j] + b), ix, _mm512_loadu_si512(r[j] + b + 64));
        const __m512i a = _mm512_mask_blend_epi8(upper, v[0], v[1]), c = _mm512_mask_blend_epi8(upper, v[2], v[3]);
        _mm512_storeu_si512(o, _mm512_permutex2var_epi8(a, ilo, c));
        _mm512_storeu_si512(o + 64, _mm512_permutex2var_epi8(a, ihi, c));
    }
}

/* pack_u8c4 (fxq_kernels.h) for nr = 32 (else the SSE2 kernel): four
 * 32-byte row loads per tile, two inserts, the same two vpermt2b as above
 * (the SSE2 kernel: eight loads, twelve unpacks, eight 16-byte stores) */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void
fxq_pack_u8c4__avx512vbmi(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    if (nr != 32) {
        fxq_pack_u8c4__sse2(r, n_tiles, nr, o, panel);
        return;
    }
    const __m512i ilo = _mm512_load_si512(lo_i), ihi = _mm512_load_si512(hi_i);
    for (size_t t = 0; t < n_tiles; ++t, o += panel) {
        const size_t col = t * 32;
        const __m512i a = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(r[0] + col))),
                                             _mm256_loadu_si256((const __m256i *)(r[1] + col)), 1);
        const __m512i c = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(r[2] + col))),
                                             _mm256_loadu_si256((const __m256i *)(r[3] + col)), 1);
        _mm512_storeu_si512(o, _mm512_permutex2var_epi8(a, ilo, c));
        _mm512_storeu_si512(o + 64, _mm512_permutex2var_epi8(a, ihi, c));
    }
}
#endif
