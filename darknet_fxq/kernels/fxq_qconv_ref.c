/* Scalar reference of the fxq_qconv.h contract: direct convolution with an
 * int64 accumulator, no packing, no threads. Slow on purpose -- it is the
 * definition the fast paths are compared against bit for bit. Unsigned
 * input codes (in_unsigned) and windows (in_window) need nothing special
 * here: they are int16 values. */
#include "fxq_format.h"
#include "fxq_qconv.h"

void fxq_qconv_ref(const fxq_qconv_desc *d, const int32_t *w_codes, const int64_t *bias_acc,
                   const int16_t *in, int16_t *out)
{
    const int ks = d->ksize, K = d->c * ks * ks, P = d->out_h * d->out_w;
    for (int b = 0; b < d->batch; ++b) {
        const int16_t *img = in + (size_t)b * d->c * d->h * d->w;
        int16_t *o = out + (size_t)b * d->m * P;
        for (int m = 0; m < d->m; ++m) {
            const int32_t *wm = w_codes + (size_t)m * K;
            const int shift = d->row_shift ? d->row_shift[m] : d->shift;
            for (int oy = 0; oy < d->out_h; ++oy) {
                for (int ox = 0; ox < d->out_w; ++ox) {
                    int64_t acc = bias_acc[m];
                    for (int ch = 0; ch < d->c; ++ch) {
                        for (int ky = 0; ky < ks; ++ky) {
                            const int y = oy * d->stride + ky - d->pad;
                            if (y < 0 || y >= d->h) continue;
                            for (int kx = 0; kx < ks; ++kx) {
                                const int x = ox * d->stride + kx - d->pad;
                                if (x < 0 || x >= d->w) continue;
                                acc += (int64_t)wm[(ch * ks + ky) * ks + kx] *
                                       img[((size_t)ch * d->h + y) * d->w + x];
                            }
                        }
                    }
                    int64_t r;
                    if (d->out_window) { /* the activation sees the unsaturated value */
                        const int64_t lo = d->out_lo, hi = lo + ((int64_t)1 << d->o_bits) - 1;
                        r = fxq_act_ref(fxq_requant_ref(acc, shift, 32), d->act);
                        r = r < lo ? lo : r > hi ? hi : r;
                    } else {
                        r = fxq_act_ref(fxq_requant_ref(acc, shift, d->o_bits), d->act);
                    }
                    o[(size_t)m * P + oy * d->out_w + ox] = (int16_t)r;
                }
            }
        }
    }
}
