/* Portable data-movement kernels of a qconv run (fxq_kernels.h): input codes
 * -> polyphase image, im2col rows, B-panel interleave. The scalar twins of
 * x86/fxq_pack__sse2.c and x86/fxq_convert_plane__avx512vnni.c, and what
 * the scalar kernel set runs on any CPU. */
#include <string.h>

#include "fxq_kernels.h"

static inline uint8_t fxq_b8(int v, int lo8, int off8)
{
    return (uint8_t)((v < lo8 ? lo8 : v > lo8 + 255 ? lo8 + 255 : v) + off8);
}

void fxq_convert_plane__scalar(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                               unsigned char *dst, size_t phase, int ws)
{
    int py = pad % st, yy = pad / st;
    for (int y = 0; y < h; ++y, src += w) {
        const size_t row = (size_t)py * st * phase + (size_t)yy * ws;
        if (++py == st) py = 0, ++yy;
        int ph = pad % st, col = pad / st; /* phase and column of x, no division per x */
        for (int x = 0; x < w; ++x) {
            const size_t o = row + (size_t)ph * phase + col;
            if (esz == 1)
                dst[o] = fxq_b8(src[x], lo8, off8);
            else
                ((int16_t *)dst)[o] = src[x];
            if (++ph == st) ph = 0, ++col;
        }
    }
}

void fxq_im2col_row__scalar(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows)
{
    for (int oy = 0; oy < rows; ++oy) memcpy(dst + (size_t)oy * bytes, src + (size_t)oy * step, bytes);
}

void fxq_pack_u8c4__scalar(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; ++n)
            for (int j = 0; j < 4; ++j) o[4 * n + j] = r[j][t * nr + n];
}

void fxq_pack_gather_u8c4__scalar(const unsigned char *const *r, const int32_t *base, const uint8_t *idx,
                                  size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; ++n)
            for (int j = 0; j < 4; ++j) o[4 * n + j] = r[j][base[t] + idx[t * nr + n]];
}

void fxq_pack_s16c2__scalar(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o, size_t panel,
                            size_t lo)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; ++n) {
            int16_t v0 = r0[t * nr + n], v1 = r1[t * nr + n];
            if (lo) {
                o[lo + 2 * n] = (int16_t)(v0 & 0xff);
                o[lo + 2 * n + 1] = (int16_t)(v1 & 0xff);
                v0 = (int16_t)((v0 - (v0 & 0xff)) / 256); /* arithmetic >> 8 */
                v1 = (int16_t)((v1 - (v1 & 0xff)) / 256);
            }
            o[2 * n] = v0;
            o[2 * n + 1] = v1;
        }
}
