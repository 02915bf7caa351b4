/* Data movement of a qconv run, Armv8.0 NEON (fxq_kernels.h contracts):
 * input codes -> polyphase image (stride 1 and 2 vectorized: ld2 splits a
 * row's even and odd columns into their phase planes; other strides per
 * element), im2col rows in 16-byte moves, and the B interleaves on st4 /
 * st2 / zips. The twins: fxq_pack_scalar.c (and fxq_pack_u8c8__scalar). */
#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#include "fxq_kernels.h"

static inline uint8_t fxq_b8n(int v, int lo8, int off8)
{
    return (uint8_t)((v < lo8 ? lo8 : v > lo8 + 255 ? lo8 + 255 : v) + off8);
}

/* 8 codes -> 8 B bytes: clamp to lo8 .. lo8 + 255, + off8, low byte */
static inline uint8x8_t fxq_b8x8(int16x8_t v, int16x8_t lo, int16x8_t hi, int16x8_t off)
{
    return vreinterpret_u8_s8(vmovn_s16(vaddq_s16(vminq_s16(vmaxq_s16(v, lo), hi), off)));
}

/* one input row: element x to plane (x + pad) % st, column (x + pad) / st,
 * of the row that starts at dst + row (elements) */
static void fxq_convert_row(const int16_t *src, int w, int st, int pad, int esz, int lo8, int off8, unsigned char *dst,
                            size_t row, size_t phase)
{
    const int16x8_t lo = vdupq_n_s16((int16_t)lo8), hi = vdupq_n_s16((int16_t)(lo8 + 255)),
                    off = vdupq_n_s16((int16_t)off8);
    int x = 0;
    if (st == 1) {
        const size_t o = row + (size_t)pad;
        if (esz == 1)
            for (; x + 8 <= w; x += 8) vst1_u8(dst + o + x, fxq_b8x8(vld1q_s16(src + x), lo, hi, off));
        else
            for (; x + 8 <= w; x += 8) vst1q_s16((int16_t *)dst + o + x, vld1q_s16(src + x));
    } else if (st == 2) {
        /* x = 2i + e: plane (e + pad) & 1, column i + ((e + pad) >> 1) */
        const size_t o0 = row + (size_t)(pad & 1) * phase + (size_t)(pad >> 1);
        const size_t o1 = row + (size_t)((pad + 1) & 1) * phase + (size_t)((pad + 1) >> 1);
        for (; x + 16 <= w; x += 16) {
            const int16x8x2_t v = vld2q_s16(src + x);
            const size_t i = (size_t)x / 2;
            if (esz == 1) {
                vst1_u8(dst + o0 + i, fxq_b8x8(v.val[0], lo, hi, off));
                vst1_u8(dst + o1 + i, fxq_b8x8(v.val[1], lo, hi, off));
            } else {
                vst1q_s16((int16_t *)dst + o0 + i, v.val[0]);
                vst1q_s16((int16_t *)dst + o1 + i, v.val[1]);
            }
        }
    }
    for (; x < w; ++x) {
        const size_t o = row + (size_t)((x + pad) % st) * phase + (size_t)((x + pad) / st);
        if (esz == 1)
            dst[o] = fxq_b8n(src[x], lo8, off8);
        else
            ((int16_t *)dst)[o] = src[x];
    }
}

void fxq_convert_plane__neon(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                             unsigned char *dst, size_t phase, int ws)
{
    int py = pad % st, yy = pad / st;
    for (int y = 0; y < h; ++y, src += w) {
        const size_t row = (size_t)py * st * phase + (size_t)yy * ws;
        if (++py == st) py = 0, ++yy;
        fxq_convert_row(src, w, st, pad, esz, lo8, off8, dst, row, phase);
    }
}

void fxq_im2col_row__neon(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows)
{
    for (int oy = 0; oy < rows; ++oy, dst += bytes, src += step)
        for (size_t i = 0; i < bytes; i += 16) vst1q_u8(dst + i, vld1q_u8(src + i)); /* may run 15 past: allowed */
}

void fxq_pack_u8c4__neon(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; n += 16) {
            const size_t s = t * nr + n;
            uint8x16x4_t v;
            v.val[0] = vld1q_u8(r[0] + s), v.val[1] = vld1q_u8(r[1] + s);
            v.val[2] = vld1q_u8(r[2] + s), v.val[3] = vld1q_u8(r[3] + s);
            vst4q_u8(o + 4 * n, v); /* o[n][j] = r[j][n]: st4 interleaves bytes */
        }
}

/* 8 rows: bytes zipped pairwise (rows 2j, 2j+1), then halfwords (4 rows),
 * then words (rows 0-3 beside rows 4-7): o[n][0..7] */
void fxq_pack_u8c8__neon(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel)
{
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; n += 16) {
            const size_t s = t * nr + n;
            const uint8x16x2_t z01 = vzipq_u8(vld1q_u8(r[0] + s), vld1q_u8(r[1] + s));
            const uint8x16x2_t z23 = vzipq_u8(vld1q_u8(r[2] + s), vld1q_u8(r[3] + s));
            const uint8x16x2_t z45 = vzipq_u8(vld1q_u8(r[4] + s), vld1q_u8(r[5] + s));
            const uint8x16x2_t z67 = vzipq_u8(vld1q_u8(r[6] + s), vld1q_u8(r[7] + s));
            unsigned char *d = o + 8 * n;
            for (int h = 0; h < 2; ++h) { /* columns 8h .. 8h + 7 */
                const uint16x8x2_t q03 = vzipq_u16(vreinterpretq_u16_u8(z01.val[h]), vreinterpretq_u16_u8(z23.val[h]));
                const uint16x8x2_t q47 = vzipq_u16(vreinterpretq_u16_u8(z45.val[h]), vreinterpretq_u16_u8(z67.val[h]));
                for (int g = 0; g < 2; ++g) { /* columns 8h + 4g .. + 3 */
                    const uint32x4x2_t c = vzipq_u32(vreinterpretq_u32_u16(q03.val[g]), vreinterpretq_u32_u16(q47.val[g]));
                    vst1q_u8(d + 64 * h + 32 * g, vreinterpretq_u8_u32(c.val[0]));
                    vst1q_u8(d + 64 * h + 32 * g + 16, vreinterpretq_u8_u32(c.val[1]));
                }
            }
        }
}

void fxq_pack_s16c2__neon(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o, size_t panel,
                          size_t lo)
{
    const int16x8_t ff = vdupq_n_s16(0xff);
    for (size_t t = 0; t < n_tiles; ++t, o += panel)
        for (size_t n = 0; n < nr; n += 8) {
            int16x8x2_t v;
            v.val[0] = vld1q_s16(r0 + t * nr + n);
            v.val[1] = vld1q_s16(r1 + t * nr + n);
            if (lo) { /* low bytes at o + lo, high bytes (arithmetic >> 8) in place */
                int16x8x2_t l;
                l.val[0] = vandq_s16(v.val[0], ff);
                l.val[1] = vandq_s16(v.val[1], ff);
                vst2q_s16(o + lo + 2 * n, l);
                v.val[0] = vshrq_n_s16(v.val[0], 8);
                v.val[1] = vshrq_n_s16(v.val[1], 8);
            }
            vst2q_s16(o + 2 * n, v);
        }
}
#endif
