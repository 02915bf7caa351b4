/* Scalar reference of the fxq_qconv.h contract: direct convolution with an
 * int64 accumulator, no packing, no threads. Slow on purpose -- it is the
 * definition the fast paths are compared against bit for bit. Unsigned
 * input codes (in_unsigned) need nothing special here: they are
 * non-negative int16 values, a_bits <= 15. */
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
                    const int64_t r = fxq_requant_ref(acc, shift, d->o_bits);
                    o[(size_t)m * P + oy * d->out_w + ox] = (int16_t)fxq_act_ref(r, d->act);
                }
            }
        }
    }
}
