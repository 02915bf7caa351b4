/* Small-P plans (a few output positions): the kernel set's igemm tile
 * (fxq_qgemm.h, fxq_igemm_fn) over the input itself, on the s8 path (4
 * channels a k-group, u8 B bytes) or the s16 int32 one (2 channels, s16
 * codes) -- kr channels of 1 / 2 bytes: 4 bytes a pixel either way.
 *
 * Image: the padded input (hp x wp per channel, border = the B element of
 * code 0) with kr channels interleaved -- group cg, pixel i at bpack + (cg *
 * hw + i) * 4 bytes, hw = hp * wp rounded up to 32 -- so the kr k's
 * (channels kr cg .. kr cg + kr - 1) of one window tap are one 32-bit word:
 * each position's k-group is a broadcast straight from the image, no
 * im2col and no B packing. It is built per run in two passes of the set's
 * kernels: convert (each channel into its own padded plane, p->img) and
 * pack_u8c4 / pack_s16c2 (kr planes interleaved).
 * k order: group g = (cg * ksize + ky) * ksize + kx, the weights packed to
 * match (fxq_qconv_pack.c; channels past c: zero weights, planes of code 0).
 * off_k[g]: the byte offset of tap (ky, kx) of group cg from a window's
 * corner; ig_pos[n]: that corner for position n (oy * stride, ox * stride).
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cpu.h"
#include "fxq_qconv_impl.h"

int fxq_qconv_igemm_groups(const fxq_qconv_plan *p) { return (p->d.c + p->kr - 1) / p->kr; }

/* The pack's tile: 32 pixels (whole tiles of hw; the SSE2 pack takes any
 * multiple of 16, the VBMI one 32). */
#define FXQ_IG_PACK_NR 32

static int fxq_ig_buffers(fxq_qconv_plan *q)
{
    const size_t bytes = (size_t)fxq_qconv_igemm_groups(q) * 4 * q->ig_hw;
    q->img = fxq_alloc64(bytes);
    q->bpack = fxq_alloc64(bytes);
    if (!q->img || !q->bpack) return 0;
    memset(q->img, q->off8, bytes); /* the border (and the planes past c): code 0 (s16: off8 0) */
    return 1;
}

int fxq_qconv_igemm_acts(fxq_qconv_plan *p)
{
    const fxq_qconv_desc *d = &p->d;
    p->hp = p->hs = d->h + 2 * d->pad;
    p->wp = p->ws = d->w + 2 * d->pad;
    const long long hw = ((long long)p->hp * p->wp + FXQ_IG_PACK_NR - 1) / FXQ_IG_PACK_NR * FXQ_IG_PACK_NR;
    if (hw * 4 * fxq_qconv_igemm_groups(p) > INT32_MAX / 2) return -1; /* int32 offsets */
    p->ig_hw = (int)hw;
    p->img_elems = (size_t)hw * 4 * fxq_qconv_igemm_groups(p);
    /* the set's faster interleave where this CPU runs it (it takes nr 32 only) */
    const fxq_kernel_set *ks = p->ks;
    p->pack8 = ks->pack_u8c4_x && ks->pack_gather_nr == FXQ_IG_PACK_NR && fxq_cpu_has(ks->pack_gather_features)
                   ? ks->pack_u8c4_x : ks->pack_u8c4; /* s8 only */
    p->nthreads = omp_get_max_threads();
    if (p->nthreads < 1) p->nthreads = 1;
    p->off_k = calloc((size_t)p->kc, sizeof *p->off_k);
    p->ig_pos = calloc((size_t)p->n_tiles * p->nr, sizeof *p->ig_pos);
    if (!p->off_k || !p->ig_pos) return 0;
    return fxq_ig_buffers(p);
}

int fxq_qconv_igemm_scratch(fxq_qconv_plan *q)
{
    return fxq_ig_buffers(q);
}

void fxq_qconv_igemm_offsets(fxq_qconv_plan *p)
{
    const int ks = p->d.ksize, st = p->d.stride, ow = p->d.out_w;
    for (int g = 0; g < p->kc / p->kr; ++g) {
        const int cg = g / (ks * ks), ky = (g / ks) % ks, kx = g % ks;
        p->off_k[g] = (int32_t)(((size_t)cg * p->ig_hw + (size_t)ky * p->wp + kx) * 4);
    }
    for (int n = 0; n < p->n_tiles * p->nr; ++n) {
        const int q = n < p->P ? n : 0;
        p->ig_pos[n] = (int32_t)(((size_t)(q / ow) * st * p->wp + (size_t)(q % ow) * st) * 4);
    }
}

void fxq_qconv_igemm_image(const fxq_qconv_plan *p, const int16_t *in, long g0, long g1)
{
    const fxq_qconv_desc *d = &p->d;
    const size_t hw = (size_t)p->ig_hw;
    const int kr = p->kr, esz = p->esz; /* kr * esz == 4 */
    for (long cg = g0; cg < g1; ++cg) {
        const unsigned char *r[4];
        for (int j = 0; j < kr; ++j) {
            const int ch = (int)cg * kr + j;
            unsigned char *plane = p->img + (size_t)ch * hw * esz;
            if (ch < d->c)
                p->ks->convert(in + (size_t)ch * d->h * d->w, d->h, d->w, 1, d->pad, esz, p->lo8, p->off8, plane, hw,
                               p->wp);
            r[j] = plane;
        }
        unsigned char *o = p->bpack + (size_t)cg * hw * 4;
        if (esz == 1)
            p->pack8(r, hw / FXQ_IG_PACK_NR, FXQ_IG_PACK_NR, o, FXQ_IG_PACK_NR * 4);
        else
            p->ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], hw / FXQ_IG_PACK_NR, FXQ_IG_PACK_NR,
                              (int16_t *)o, FXQ_IG_PACK_NR * 2, 0);
    }
}

void fxq_qconv_igemm_tile(const fxq_qconv_plan *p, int16_t *out, int mt, int nt)
{
    const int M = p->d.m, P = p->P, mr = p->mr, nr = p->nr;
    const unsigned char *x[4];
    for (int n = 0; n < 4; ++n) x[n] = p->bpack + p->ig_pos[nt * nr + (n < nr ? n : 0)];
    const size_t tmr = (size_t)(M - mt * mr < mr ? M - mt * mr : mr);
    const size_t tnr = (size_t)(P - nt * nr < nr ? P - nt * nr : nr);
    p->kig(tmr, tnr, (size_t)(p->kc / p->kr), p->a + (size_t)mt * p->a_stride, x, p->off_k,
           out + (size_t)mt * mr * P + (size_t)nt * nr, (size_t)P, fxq_qconv_rq(p, mt * mr));
}
