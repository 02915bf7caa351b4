/* fxq_convert_plane_s2__avx512vnni: the AVX-512 VNNI set's input
 * conversion (fxq_kernels.h, phase 1 of a qconv run) with a faster path for
 * stride 2 into B bytes; every other case is fxq_convert_plane__avx512vnni.
 *
 * Stride 2 splits each row into its even and odd columns (two phase
 * planes). Narrowing int16 -> bytes with vpmov[us]wb and splitting with
 * vpmovdw costs four two-uop instructions per 32 codes; fmnist's stride-2
 * layers (rows of 26 and 9 codes) spent more time there than in their
 * GEMM's epilogue. Here the clamp to lo8 .. lo8 + 255 and the + off8 are
 * done in int16 (no overflow: |lo8|, |off8| <= 255), so the B byte is the
 * low byte of each lane; one vpshufb gathers the even lanes' low bytes to
 * dword 0 and the odd lanes' to dword 1 of every 128-bit lane, one vpermd
 * brings the evens to bytes 0..15 and the odds to 16..31. Same bytes as
 * the scalar twin fxq_convert_plane__scalar for any lo8 / off8 (compared
 * in test_qgemm_ukernel and through the qconv tests).
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

void fxq_convert_plane_s2__avx512vnni(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                                      unsigned char *dst, size_t phase, int ws)
{
    if (st != 2 || esz != 1) {
        fxq_convert_plane__avx512vnni(src, h, w, st, pad, esz, lo8, off8, dst, phase, ws);
        return;
    }
    const __m512i lo = _mm512_set1_epi16((short)lo8), hi = _mm512_set1_epi16((short)(lo8 + 255));
    const __m512i off = _mm512_set1_epi16((short)off8);
    /* per 128-bit lane: low bytes of lanes 0,2,4,6 -> bytes 0..3, of 1,3,5,7 -> 4..7 */
    const __m512i shuf = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 2, 6, 10, 14, -1, -1, -1, -1, -1, -1, -1, -1));
    const __m512i perm = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    /* even x -> phase px = pad % 2 from column pad / 2; odd x -> the other phase from (pad + 1) / 2;
     * input row y -> phase py = (y + pad) % 2, row (y + pad) / 2 of it: one pointer pair per py */
    const size_t ev_off = (size_t)(pad % 2) * phase + pad / 2, od_off = (size_t)(1 - pad % 2) * phase + (pad + 1) / 2;
    unsigned char *ev[2], *od[2];
    for (int q = 0; q < 2; ++q) { /* row y = q: phase (q + pad) % 2, row (q + pad) / 2 */
        const size_t row = (size_t)((q + pad) % 2) * 2 * phase + (size_t)((q + pad) / 2) * ws;
        ev[q] = dst + row + ev_off, od[q] = dst + row + od_off;
    }
    const int n_last = w % 32 ? w % 32 : 32, full = w - n_last; /* codes in whole 32-code chunks */
    const __mmask32 m_last = n_last == 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << n_last) - 1);
    const __mmask16 me_last = (__mmask16)((1u << ((n_last + 1) / 2)) - 1), mo_last = (__mmask16)((1u << (n_last / 2)) - 1);
    /* rows in pairs (y even, y + 1), the four run pointers in registers:
     * kept in arrays indexed by y & 1 they went through memory every row */
    unsigned char *e0 = ev[0], *o0 = od[0], *e1 = ev[1], *o1 = od[1];
    for (int y = 0; y < h; y += 2) {
        for (int q = 0; q < 2 && y + q < h; ++q, src += w) {
            unsigned char *e = q ? e1 : e0, *o = q ? o1 : o0;
            int x = 0;
            for (; x < full; x += 32) {
                __m512i v = _mm512_loadu_si512(src + x);
                v = _mm512_add_epi16(_mm512_min_epi16(_mm512_max_epi16(v, lo), hi), off);
                const __m256i b = _mm512_castsi512_si256(_mm512_permutexvar_epi32(perm, _mm512_shuffle_epi8(v, shuf)));
                _mm_storeu_si128((__m128i *)(e + x / 2), _mm256_castsi256_si128(b));
                _mm_storeu_si128((__m128i *)(o + x / 2), _mm256_extracti128_si256(b, 1));
            }
            __m512i v = _mm512_maskz_loadu_epi16(m_last, src + x);
            v = _mm512_add_epi16(_mm512_min_epi16(_mm512_max_epi16(v, lo), hi), off);
            const __m256i b = _mm512_castsi512_si256(_mm512_permutexvar_epi32(perm, _mm512_shuffle_epi8(v, shuf)));
            _mm_mask_storeu_epi8(e + x / 2, me_last, _mm256_castsi256_si128(b));
            _mm_mask_storeu_epi8(o + x / 2, mo_last, _mm256_extracti128_si256(b, 1));
        }
        e0 += ws, o0 += ws, e1 += ws, o1 += ws; /* rows y + 2, y + 3: the next rows of the same phases */
    }
}
#endif
