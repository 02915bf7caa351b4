/* fxq_convert_plane__avx512vnni: one input channel of codes -> its stride
 * phases of the padded, polyphase image (phase 1 of the qconv pipeline).
 *
 * Element x goes to dst[(x + pad) % st][(x + pad) / st], as
 *   esz 1: the s8 kernel's B byte, clamp(code, lo8, lo8 + 255) + off8
 *          (lo8 -128: signed saturation, 0: unsigned, off8 0 or 128 -- an
 *          xor; any other lo8, a window with off8 = -lo8: saturating
 *          code - lo8, then unsigned saturation)
 *   esz 2: s16 code unchanged.
 * Strides 1 and 2 use masked 32-lane loads/stores (no scalar tails, never
 * touching memory outside the row or the destination runs); other strides
 * fall back to fxq_convert_plane__scalar, the twin (fxq_pack_scalar.c;
 * compared in test_qgemm_ukernel and through the qconv tests).
 */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

/* A run of int16 codes (VEC of them, mask M) stored as the plan's elements:
 * s16 as they are, or B bytes -- signed or unsigned saturation to 8 bits,
 * then + off8 (0 or 128, so adding it mod 256 is an xor); a window's lo8
 * (off8 = -lo8): code - lo8 saturated to 0..255. */
#define FXQ_STORE_RUN(NAME, VEC, MASK, ST16, SAT_S, SAT_U, MAX16, ZERO, XOR8, SET8, ST8, SUBS16, SET16) \
    static inline void NAME(unsigned char *d, VEC v16, MASK m, int esz, int lo8, int off8)         \
    {                                                                                              \
        if (esz != 1) {                                                                            \
            ST16(d, m, v16);                                                                       \
            return;                                                                                \
        }                                                                                          \
        if (lo8 != 0 && lo8 != -128) {                                                             \
            ST8(d, m, SAT_U(MAX16(SUBS16(v16, SET16((short)lo8)), ZERO())));                       \
            return;                                                                                \
        }                                                                                          \
        ST8(d, m, XOR8(lo8 ? SAT_S(v16) : SAT_U(MAX16(v16, ZERO())), SET8((char)off8)));           \
    }
FXQ_STORE_RUN(fxq_store_run, __m512i, __mmask32, _mm512_mask_storeu_epi16, _mm512_cvtsepi16_epi8,
              _mm512_cvtusepi16_epi8, _mm512_max_epi16, _mm512_setzero_si512, _mm256_xor_si256, _mm256_set1_epi8,
              _mm256_mask_storeu_epi8, _mm512_subs_epi16, _mm512_set1_epi16)
FXQ_STORE_RUN(fxq_store_run16, __m256i, __mmask16, _mm256_mask_storeu_epi16, _mm256_cvtsepi16_epi8,
              _mm256_cvtusepi16_epi8, _mm256_max_epi16, _mm256_setzero_si256, _mm_xor_si128, _mm_set1_epi8,
              _mm_mask_storeu_epi8, _mm256_subs_epi16, _mm256_set1_epi16)

/* dst: the channel's first phase plane; phase plane (py, px) starts at
 * dst + (py * st + px) * phase elements; padded row y + pad of phase py is
 * row (y + pad) / st of it. */
void fxq_convert_plane__avx512vnni(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                                   unsigned char *dst, size_t phase, int ws)
{
    const size_t es = (size_t)esz;
    int py = pad % st, yy = pad / st;
    if (st == 1) {
        const int n_last = w % 32 ? w % 32 : 32;
        const __mmask32 m_last = n_last == 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << n_last) - 1);
        for (int y = 0; y < h; ++y, ++yy, src += w) {
            unsigned char *d = dst + ((size_t)yy * ws + pad) * es;
            int x = 0;
            for (; x + 32 < w; x += 32) fxq_store_run(d + x * es, _mm512_loadu_si512(src + x), 0xffffffffu, esz, lo8, off8);
            fxq_store_run(d + x * es, _mm512_maskz_loadu_epi16(m_last, src + x), m_last, esz, lo8, off8);
        }
        return;
    }
    if (st == 2) {
        /* even x -> phase px = pad % 2 from column pad / 2; odd x -> the other phase from (pad + 1) / 2 */
        const size_t ev_off = (size_t)(pad % 2) * phase + pad / 2, od_off = (size_t)(1 - pad % 2) * phase + (pad + 1) / 2;
        const int n_last = w % 32 ? w % 32 : 32;
        const __mmask32 m_last = n_last == 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << n_last) - 1);
        const __mmask16 me_last = (__mmask16)((1u << ((n_last + 1) / 2)) - 1), mo_last = (__mmask16)((1u << (n_last / 2)) - 1);
        for (int y = 0; y < h; ++y, src += w) {
            const size_t row = (size_t)py * 2 * phase + (size_t)yy * ws;
            unsigned char *ev = dst + (row + ev_off) * es, *od = dst + (row + od_off) * es;
            if (++py == 2) py = 0, ++yy;
            for (int x = 0; x < w; x += 32) {
                const int last = x + 32 >= w;
                const __m512i v = last ? _mm512_maskz_loadu_epi16(m_last, src + x) : _mm512_loadu_si512(src + x);
                const __m256i e = _mm512_cvtepi32_epi16(v), o = _mm512_cvtepi32_epi16(_mm512_srai_epi32(v, 16));
                fxq_store_run16(ev + (size_t)(x / 2) * es, e, last ? me_last : 0xffff, esz, lo8, off8);
                fxq_store_run16(od + (size_t)(x / 2) * es, o, last ? mo_last : 0xffff, esz, lo8, off8);
            }
        }
        return;
    }
    fxq_convert_plane__scalar(src, h, w, st, pad, esz, lo8, off8, dst, phase, ws);
}
#endif
