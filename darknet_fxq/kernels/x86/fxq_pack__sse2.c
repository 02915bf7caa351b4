/* SSE2 data-movement kernels of a qconv run (fxq_kernels.h), the baseline of
 * every x86-64 CPU: stride-2 input conversion, 16-byte im2col copies, and
 * the B-panel interleaves (u8 c4 via unpack epi8/epi16, s16 c2 via unpack
 * epi16, split 16-bit activations via and / srai). Scalar twins:
 * fxq_pack_scalar.c (same results, tested in test_qgemm_ukernel). */
#if defined(__x86_64__)
#include <emmintrin.h>
#include <string.h>

#include "fxq_kernels.h"

static inline uint8_t fxq_b8(int v, int lo8, int off8)
{
    return (uint8_t)((v < lo8 ? lo8 : v > lo8 + 255 ? lo8 + 255 : v) + off8);
}

/* Stride 2: splits 16 codes of a row into 8 even and 8 odd ones (B bytes or
 * s16), for x < w - w % 16; returns the first x not done. */
static int fxq_convert_s2(const int16_t *restrict s, int w, int esz, int lo8, int off8, unsigned char *restrict ev,
                          unsigned char *restrict od)
{
    int x = 0;
    const __m128i flip = _mm_set1_epi8((char)off8);
    for (; x + 16 <= w; x += 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(s + x)), b = _mm_loadu_si128((const __m128i *)(s + x + 8));
        const __m128i e = _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(a, 16), 16), _mm_srai_epi32(_mm_slli_epi32(b, 16), 16));
        const __m128i o = _mm_packs_epi32(_mm_srai_epi32(a, 16), _mm_srai_epi32(b, 16));
        if (esz == 1 && lo8 != 0 && lo8 != -128) { /* a window (off8 = -lo8): code - lo8 to 0..255 */
            const __m128i l = _mm_set1_epi16((short)lo8);
            const __m128i e8 = _mm_packus_epi16(_mm_subs_epi16(e, l), _mm_subs_epi16(e, l));
            const __m128i o8 = _mm_packus_epi16(_mm_subs_epi16(o, l), _mm_subs_epi16(o, l));
            _mm_storel_epi64((__m128i *)(ev + x / 2), e8);
            _mm_storel_epi64((__m128i *)(od + x / 2), o8);
        } else if (esz == 1) {
            const __m128i e8 = lo8 ? _mm_packs_epi16(e, e) : _mm_packus_epi16(e, e);
            const __m128i o8 = lo8 ? _mm_packs_epi16(o, o) : _mm_packus_epi16(o, o);
            _mm_storel_epi64((__m128i *)(ev + x / 2), _mm_xor_si128(e8, flip));
            _mm_storel_epi64((__m128i *)(od + x / 2), _mm_xor_si128(o8, flip));
        } else {
            _mm_storeu_si128((__m128i *)(ev + x), e);
            _mm_storeu_si128((__m128i *)(od + x), o);
        }
    }
    return x;
}

static inline void fxq_store_code(unsigned char *img, size_t i, int16_t v, int esz, int lo8, int off8)
{
    if (esz == 1)
        img[i] = fxq_b8(v, lo8, off8);
    else
        ((int16_t *)img)[i] = v;
}

void fxq_convert_plane__sse2(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                             unsigned char *dst, size_t phase, int ws)
{
    const size_t es = (size_t)esz;
    int py = pad % st, yy = pad / st;
    if (st != 1 && st != 2) {
        fxq_convert_plane__scalar(src, h, w, st, pad, esz, lo8, off8, dst, phase, ws);
        return;
    }
    for (int y = 0; y < h; ++y, src += w) {
        const size_t row = (size_t)py * st * phase + (size_t)yy * ws;
        if (++py == st) py = 0, ++yy;
        if (st == 1) {
            if (esz == 1) {
                uint8_t *restrict t = dst + row + pad;
                for (int i = 0; i < w; ++i) t[i] = fxq_b8(src[i], lo8, off8);
            } else {
                memcpy((int16_t *)dst + row + pad, src, (size_t)w * sizeof *src);
            }
        } else {
            unsigned char *ev = dst + (row + (size_t)(pad % 2) * phase + pad / 2) * es;
            unsigned char *od = dst + (row + (size_t)(1 - pad % 2) * phase + (pad + 1) / 2) * es;
            for (int x = fxq_convert_s2(src, w - w % 16, esz, lo8, off8, ev, od); x < w; ++x)
                fxq_store_code(x & 1 ? od : ev, (size_t)(x >> 1), src[x], esz, lo8, off8);
        }
    }
}

void fxq_im2col_row__sse2(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows)
{
    for (int oy = 0; oy < rows; ++oy, dst += bytes, src += step)
        for (size_t i = 0; i < bytes; i += 16)
            _mm_storeu_si128((__m128i *)(dst + i), _mm_loadu_si128((const __m128i *)(src + i)));
}

void fxq_pack_u8c4__sse2(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel) {
        const size_t col = t * nr;
        for (size_t n = 0; n < nr; n += 16) {
            const __m128i x0 = _mm_loadu_si128((const __m128i *)(r[0] + col + n));
            const __m128i x1 = _mm_loadu_si128((const __m128i *)(r[1] + col + n));
            const __m128i x2 = _mm_loadu_si128((const __m128i *)(r[2] + col + n));
            const __m128i x3 = _mm_loadu_si128((const __m128i *)(r[3] + col + n));
            const __m128i t0 = _mm_unpacklo_epi8(x0, x1), t1 = _mm_unpackhi_epi8(x0, x1);
            const __m128i t2 = _mm_unpacklo_epi8(x2, x3), t3 = _mm_unpackhi_epi8(x2, x3);
            _mm_storeu_si128((__m128i *)(o + 4 * n), _mm_unpacklo_epi16(t0, t2));
            _mm_storeu_si128((__m128i *)(o + 4 * n + 16), _mm_unpackhi_epi16(t0, t2));
            _mm_storeu_si128((__m128i *)(o + 4 * n + 32), _mm_unpacklo_epi16(t1, t3));
            _mm_storeu_si128((__m128i *)(o + 4 * n + 48), _mm_unpackhi_epi16(t1, t3));
        }
    }
}

void fxq_pack_s16c2__sse2(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o, size_t panel,
                          size_t lo)
{
    const __m128i ff = _mm_set1_epi16(0xff);
    for (size_t t = 0; t < n_tiles; ++t, o += panel) {
        const int16_t *a = r0 + t * nr, *b = r1 + t * nr;
        for (size_t n = 0; n < nr; n += 8) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)(a + n));
            __m128i x1 = _mm_loadu_si128((const __m128i *)(b + n));
            if (lo) {
                const __m128i l0 = _mm_and_si128(x0, ff), l1 = _mm_and_si128(x1, ff);
                _mm_storeu_si128((__m128i *)(o + lo + 2 * n), _mm_unpacklo_epi16(l0, l1));
                _mm_storeu_si128((__m128i *)(o + lo + 2 * n + 8), _mm_unpackhi_epi16(l0, l1));
                x0 = _mm_srai_epi16(x0, 8);
                x1 = _mm_srai_epi16(x1, 8);
            }
            _mm_storeu_si128((__m128i *)(o + 2 * n), _mm_unpacklo_epi16(x0, x1));
            _mm_storeu_si128((__m128i *)(o + 2 * n + 8), _mm_unpackhi_epi16(x0, x1));
        }
    }
}
#endif
