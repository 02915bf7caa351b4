/* Integer convolution plans (fxq_qconv.h): validation, accumulator choice,
 * weight packing, ISA dispatch, and the per-run pipeline
 *
 *   for each image:  1. convert   input codes -> padded image (u8 = code + 128
 *                                 for the s8 kernel, s16 otherwise; the
 *                                 border holds the code 0 and is written once),
 *                                 stored polyphase (one plane per y % stride,
 *                                 x % stride) so im2col rows are contiguous
 *                    2. pack B    im2col rows -- 16-byte chunk copies, or none
 *                                 at all when a row is already contiguous in the
 *                                 image (1x1/s1/p0) -- interleaved into the
 *                                 kernel's [kc/KR][NR][KR] panels
 *                    3. GEMM      one microkernel call per MR x NR output tile,
 *                                 requantization + activation fused
 * One output column (P == 1: connected layers, 1x1 outputs) instead gathers
 * the column into x and runs GEMV kernels over row-major weights, 16 filters
 * per call, when the kernel set has them.
 *
 * Each phase is split statically over the OpenMP threads of one parallel
 * region (barriers between phases); small problems run on the calling thread.
 * All scratch memory is allocated by fxq_qconv_plan_create, so a plan must not
 * be run by two callers at the same time. Input codes must lie in the a_bits
 * range (the s8 path saturates them to 8 bits; the int64 chunk sizes assume it).
 *
 * Accumulators (the rule of fxq_qconv.h):
 *   int32 -> s8 kernel (w_bits, a_bits <= 8 and the ISA has one) or s16 kernel;
 *   int64 -> s16 kernel summing chunks of k in int32 lanes (chunk sized so a
 *            chunk sum always fits) into an int64 tile. When both operands are
 *            wide (the chunk would be < 32 k's) the activations are split into
 *            a signed high byte and an unsigned low byte, two passes of the same
 *            kernel with the high pass scaled by 2^8.
 */
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fxq_cpu.h"
#include "fxq_format.h"
#include "fxq_qconv.h"
#include "fxq_qgemm.h"

/* Below this many multiply-accumulates per image a run stays on one thread:
 * waking the team costs more than it saves. */
#define FXQ_PAR_MIN_MACS (1L << 18)

enum { FXQ_PATH_S8_I32, FXQ_PATH_S16_I32, FXQ_PATH_S16_I64 };

typedef struct fxq_kset {
    const char *isa;
    int mr, nr;
    fxq_gemm_i32_fn s8; /* NULL: 8-bit data is widened to s16 */
    const char *s8_name;
    fxq_gemm_i32_fn s16;
    const char *s16_name;
    fxq_gemm_i64_fn s16_i64;
    const char *s16_i64_name;
    fxq_rq_i64_fn rq64;
    const char *rq64_name;
    fxq_gemv_fn gemv_s8, gemv_s16; /* P == 1 (NULL: the GEMM kernels) */
    const char *gemv_s8_name, *gemv_s16_name;
    fxq_gemv_i64_fn gemv_i64;
    const char *gemv_i64_name;
    fxq_convert_plane_fn convert; /* NULL: the portable fxq_convert_plane */
} fxq_kset;

#define FXQ_K(field, f) .field = f, .field##_name = #f
static const fxq_kset fxq_kset_scalar = {
    .isa = "scalar", .mr = 6, .nr = 16,
    FXQ_K(s16, fxq_s16_gemm_ukernel_6x16c2__scalar),
    FXQ_K(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__scalar),
    FXQ_K(rq64, fxq_i64_requant_ukernel__scalar),
};
/* The AVX-512 layouts run by the scalar twins: for tests, on any CPU. */
static const fxq_kset fxq_kset_avx512vnni_twin = {
    .isa = "avx512vnni-twin", .mr = 8, .nr = 32,
    FXQ_K(s8, fxq_s8_gemm_ukernel_8x32c4__scalar),
    FXQ_K(s16, fxq_s16_gemm_ukernel_8x32c2__scalar),
    FXQ_K(s16_i64, fxq_s16_gemm_i64_ukernel_8x32c2__scalar),
    FXQ_K(rq64, fxq_i64_requant_ukernel__scalar),
    FXQ_K(gemv_s8, fxq_s8_gemv_ukernel_16c64__scalar),
    FXQ_K(gemv_s16, fxq_s16_gemv_ukernel_16c32__scalar),
    FXQ_K(gemv_i64, fxq_s16_gemv_i64_ukernel_16c32__scalar),
};
#if defined(__x86_64__)
static const fxq_kset fxq_kset_avx2 = {
    .isa = "avx2", .mr = 6, .nr = 16,
    FXQ_K(s16, fxq_s16_gemm_ukernel_6x16c2__avx2),
    FXQ_K(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__avx2),
    FXQ_K(rq64, fxq_i64_requant_ukernel__scalar),
};
static const fxq_kset fxq_kset_avx512vnni = {
    .isa = "avx512vnni", .mr = 8, .nr = 32,
    FXQ_K(s8, fxq_s8_gemm_ukernel_8x32c4__avx512vnni),
    FXQ_K(s16, fxq_s16_gemm_ukernel_8x32c2__avx512vnni),
    FXQ_K(s16_i64, fxq_s16_gemm_i64_ukernel_8x32c2__avx512vnni),
    FXQ_K(rq64, fxq_i64_requant_ukernel__avx512vnni),
    FXQ_K(gemv_s8, fxq_s8_gemv_ukernel_16c64__avx512vnni),
    FXQ_K(gemv_s16, fxq_s16_gemv_ukernel_16c32__avx512vnni),
    FXQ_K(gemv_i64, fxq_s16_gemv_i64_ukernel_16c32__avx512vnni),
    .convert = fxq_convert_plane__avx512vnni,
};
#endif
#undef FXQ_K

/* Forced kernel set for plans created afterwards (tests); NULL = best. */
static const fxq_kset *fxq_forced;

static const fxq_kset *fxq_kset_for(fxq_isa isa)
{
#if defined(__x86_64__)
    if (isa == FXQ_ISA_AVX512VNNI) return &fxq_kset_avx512vnni;
    if (isa == FXQ_ISA_AVX2) return &fxq_kset_avx2;
#endif
    (void)isa;
    return &fxq_kset_scalar;
}

int fxq_qconv_force_isa(const char *isa)
{
    if (!isa) {
        fxq_forced = NULL;
        return 1;
    }
    if (!strcmp(isa, "avx512vnni-twin")) {
        fxq_forced = &fxq_kset_avx512vnni_twin;
        return 1;
    }
    const int i = fxq_isa_parse(isa);
    if (i < 0 || !fxq_cpu_supports((fxq_isa)i)) return 0;
    fxq_forced = fxq_kset_for((fxq_isa)i);
    return 1;
}

struct fxq_qconv_plan {
    fxq_qconv_desc d;
    const fxq_kset *ks;
    int path, kr, mr, nr;
    int K, kc, P;
    int m_tiles, n_tiles;
    fxq_gemm_i32_fn k32;
    fxq_gemm_i64_fn k64;
    fxq_rq_i64_fn rq64;
    size_t a_stride; /* bytes per packed A panel */
    unsigned char *a;
    int split, chunk;  /* int64 path */
    int esz;           /* bytes per activation element in img / rows / B */
    int direct;        /* rows contiguous in img (ws == out_w, e.g. 1x1/s1/p0): no im2col copy */
    int hp, wp;        /* padded input */
    int hs, ws;        /* one stride phase of it: ceil(hp / stride) x ceil(wp / stride) */
    size_t img_elems;
    unsigned char *img;
    int32_t *off_k;    /* kc offsets (elements) of each im2col row's source in img */
    size_t b_panel;    /* elements per B panel (x2 when split) */
    unsigned char *bpack;
    size_t row_len;    /* elements per im2col row buffer */
    unsigned char *rows; /* nthreads x 2 x 4 rows */
    int64_t *acc64;    /* nthreads x MR x NR */
    /* P == 1 plans: one column, weights row-major */
    fxq_gemv_fn gemv;
    fxq_gemv_i64_fn gemv64;
    int kcg;           /* K rounded up to 64 (s8) / 32 (s16) */
    unsigned char *gw; /* round_up(m, 16) x kcg weights */
    int32_t *gbias;    /* round_up(m, 16), int32 paths */
    int64_t *gbias64;  /* round_up(m, 16), int64 path */
    unsigned char *gx; /* kcg elements (int64 split: high bytes, then kcg low bytes) */
    int nthreads;
    fxq_rq_params rq;
    char desc[192];
};

static void fxq_why(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

static void *fxq_alloc64(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? (bytes + 63) / 64 * 64 : 64)) return NULL;
    memset(p, 0, bytes ? (bytes + 63) / 64 * 64 : 64);
    return p;
}

static int fxq_ceil_log2(long long k)
{
    int r = 0;
    while (((long long)1 << r) < k) ++r;
    return r;
}

/* a * b (* c) into *out, 0 on size_t overflow. */
static int fxq_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

static int fxq_validate(const fxq_qconv_desc *d, char *why, size_t why_len)
{
    if (!d) {
        fxq_why(why, why_len, "no descriptor");
        return 0;
    }
    if (d->batch < 1 || d->c < 1 || d->h < 1 || d->w < 1 || d->m < 1) {
        fxq_why(why, why_len, "batch, c, h, w and m must be >= 1 (got batch=%d c=%d h=%d w=%d m=%d)", d->batch, d->c,
                d->h, d->w, d->m);
        return 0;
    }
    if (d->ksize < 1 || d->stride < 1 || d->pad < 0) {
        fxq_why(why, why_len, "need ksize >= 1, stride >= 1, pad >= 0 (got %d, %d, %d)", d->ksize, d->stride, d->pad);
        return 0;
    }
    if (d->h > 1 << 20 || d->w > 1 << 20 || d->pad > 1 << 20 || d->ksize > 1 << 20 || d->stride > 1 << 20) {
        fxq_why(why, why_len, "input geometry too large");
        return 0;
    }
    if (d->h + 2 * d->pad < d->ksize || d->w + 2 * d->pad < d->ksize) {
        fxq_why(why, why_len, "kernel %d larger than the padded input %dx%d", d->ksize, d->h + 2 * d->pad,
                d->w + 2 * d->pad);
        return 0;
    }
    const int oh = (d->h + 2 * d->pad - d->ksize) / d->stride + 1, ow = (d->w + 2 * d->pad - d->ksize) / d->stride + 1;
    if (d->out_h != oh || d->out_w != ow) {
        fxq_why(why, why_len, "output %dx%d does not match the geometry (expected %dx%d)", d->out_h, d->out_w, oh, ow);
        return 0;
    }
    if (d->w_bits < FXQ_MIN_BITS || d->w_bits > FXQ_MAX_BITS || d->a_bits < FXQ_MIN_BITS ||
        d->a_bits > FXQ_MAX_BITS || d->o_bits < FXQ_MIN_BITS || d->o_bits > FXQ_MAX_BITS) {
        fxq_why(why, why_len, "bit widths must be in %d..%d (got w=%d a=%d o=%d)", FXQ_MIN_BITS, FXQ_MAX_BITS,
                d->w_bits, d->a_bits, d->o_bits);
        return 0;
    }
    if (d->act != FXQ_ACT_LINEAR && d->act != FXQ_ACT_RELU && d->act != FXQ_ACT_LEAKY) {
        fxq_why(why, why_len, "unknown activation %d", d->act);
        return 0;
    }
    const long long K = (long long)d->c * d->ksize * d->ksize;
    if (K > (1LL << 30) || (long long)d->out_h * d->out_w > (1LL << 30)) {
        fxq_why(why, why_len, "convolution too large (K=%lld)", K);
        return 0;
    }
    return 1;
}

/* Chooses the int64 chunk length (and split) for w_bits/a_bits. */
static void fxq_choose_chunk(int wb, int ab, int *split, int *chunk)
{
    const long long lim = (1LL << 31) - 1;
    const long long prod = (1LL << (wb - 1)) * (1LL << (ab - 1)); /* max |w * a| */
    long long c = (lim / prod) & ~1LL;
    if (c >= 32 || ab <= 8) {
        *split = 0;
    } else {
        const long long p_lo = (1LL << (wb - 1)) * 255, p_hi = (1LL << (wb - 1)) * (1LL << (ab - 9));
        c = (lim / (p_lo > p_hi ? p_lo : p_hi)) & ~1LL;
        *split = 1;
    }
    if (c > (1 << 20)) c = 1 << 20;
    *chunk = (int)c;
}

static void fxq_pack_a(fxq_qconv_plan *p, const int32_t *w, const int64_t *bias)
{
    const int M = p->d.m, K = p->K, mr = p->mr, kr = p->kr;
    for (int t = 0; t < p->m_tiles; ++t) {
        unsigned char *panel = p->a + (size_t)t * p->a_stride;
        const size_t bias_bytes = (size_t)mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
        for (int i = 0; i < mr; ++i) {
            const int m = t * mr + i;
            if (m >= M) continue; /* zero (calloc'ed) */
            const int32_t *wm = w + (size_t)m * K;
            if (p->path == FXQ_PATH_S16_I64) {
                ((int64_t *)panel)[i] = bias[m];
            } else if (p->path == FXQ_PATH_S8_I32) {
                /* B holds code + 128: fold -128 * sum_k w into the bias (mod 2^32) */
                int64_t s = 0;
                for (int k = 0; k < K; ++k) s += wm[k];
                ((int32_t *)panel)[i] = (int32_t)(uint32_t)(uint64_t)(bias[m] - 128 * s);
            } else {
                ((int32_t *)panel)[i] = (int32_t)bias[m];
            }
            for (int k = 0; k < K; ++k) {
                const size_t idx = ((size_t)(k / kr) * mr + i) * kr + k % kr;
                if (p->path == FXQ_PATH_S8_I32)
                    ((int8_t *)(panel + bias_bytes))[idx] = (int8_t)wm[k];
                else
                    ((int16_t *)(panel + bias_bytes))[idx] = (int16_t)wm[k];
            }
        }
    }
}

fxq_qconv_plan *fxq_qconv_plan_create(const fxq_qconv_desc *d, const int32_t *w_codes, const int64_t *bias_acc,
                                      char *why, size_t why_len)
{
    if (why && why_len) why[0] = 0;
    if (!fxq_validate(d, why, why_len)) return NULL;
    if (!w_codes || !bias_acc) {
        fxq_why(why, why_len, "no weights or no bias");
        return NULL;
    }
    const int K = d->c * d->ksize * d->ksize, P = d->out_h * d->out_w;
    const int64_t wlo = fxq_code_min(d->w_bits), whi = fxq_code_max(d->w_bits);
    for (size_t i = 0; i < (size_t)d->m * K; ++i)
        if (w_codes[i] < wlo || w_codes[i] > whi) {
            fxq_why(why, why_len, "weight code %d at %zu outside %d-bit range", (int)w_codes[i], i, d->w_bits);
            return NULL;
        }
    int bias_small = 1;
    const int64_t bias_lim = ((int64_t)1 << 61);
    for (int m = 0; m < d->m; ++m) {
        if (bias_acc[m] > bias_lim || bias_acc[m] < -bias_lim) {
            fxq_why(why, why_len, "bias %lld of filter %d exceeds 2^61", (long long)bias_acc[m], m);
            return NULL;
        }
        if (bias_acc[m] > (1 << 30) - 1 || bias_acc[m] < -((1 << 30) - 1)) bias_small = 0;
    }
    const int acc_bits = (d->w_bits - 1) + (d->a_bits - 1) + fxq_ceil_log2(K) + 1;
    const int use_i32 = acc_bits <= 31 && bias_small;
    if (acc_bits > 61) {
        fxq_why(why, why_len, "accumulator would need %d bits", acc_bits);
        return NULL;
    }

    fxq_qconv_plan *p = calloc(1, sizeof *p);
    if (!p) goto oom;
    p->d = *d;
    p->ks = fxq_forced ? fxq_forced : fxq_kset_for(fxq_cpu_best_isa());
    p->mr = p->ks->mr;
    p->nr = p->ks->nr;
    p->K = K;
    p->P = P;
    if (use_i32 && d->w_bits <= 8 && d->a_bits <= 8 && p->ks->s8) {
        p->path = FXQ_PATH_S8_I32;
        p->kr = 4;
        p->esz = 1;
        p->k32 = p->ks->s8;
    } else if (use_i32) {
        p->path = FXQ_PATH_S16_I32;
        p->kr = 2;
        p->esz = 2;
        p->k32 = p->ks->s16;
    } else {
        p->path = FXQ_PATH_S16_I64;
        p->kr = 2;
        p->esz = 2;
        p->k64 = p->ks->s16_i64;
        p->rq64 = p->ks->rq64;
        fxq_choose_chunk(d->w_bits, d->a_bits, &p->split, &p->chunk);
    }
    p->kc = (K + p->kr - 1) / p->kr * p->kr;
    p->m_tiles = (d->m + p->mr - 1) / p->mr;
    p->n_tiles = (P + p->nr - 1) / p->nr;
    fxq_rq_init(&p->rq, d->shift, d->o_bits, d->act);

    /* one output column: GEMV kernels when the ISA has them */
    if (P == 1 && p->path == FXQ_PATH_S8_I32) p->gemv = p->ks->gemv_s8;
    if (P == 1 && p->path == FXQ_PATH_S16_I32) p->gemv = p->ks->gemv_s16;

    if (P == 1 && p->path == FXQ_PATH_S16_I64 && p->chunk >= 32) p->gemv64 = p->ks->gemv_i64;

    if (p->gemv || p->gemv64) { /* weights row-major, 16-row padded */
        const int step = p->path == FXQ_PATH_S8_I32 ? 64 : 32, mp = (d->m + 15) / 16 * 16;
        p->kcg = (K + step - 1) / step * step;
        size_t bytes;
        if (!fxq_mul_ok((size_t)mp * p->kcg, (size_t)p->esz, &bytes)) goto too_big;
        p->gw = fxq_alloc64(bytes);
        if (p->gemv64)
            p->gbias64 = fxq_alloc64((size_t)mp * sizeof *p->gbias64);
        else
            p->gbias = fxq_alloc64((size_t)mp * sizeof *p->gbias);
        p->gx = fxq_alloc64((size_t)p->kcg * p->esz * 2);
        if (!p->gw || !(p->gbias || p->gbias64) || !p->gx) goto oom;
        if (p->gemv64)
            for (int m = 0; m < d->m; ++m) p->gbias64[m] = bias_acc[m];
        for (int m = 0; m < d->m; ++m) {
            int64_t sum = 0;
            for (int k = 0; k < K; ++k) {
                const int32_t v = w_codes[(size_t)m * K + k];
                sum += v;
                if (p->esz == 1)
                    ((int8_t *)p->gw)[(size_t)m * p->kcg + k] = (int8_t)v;
                else
                    ((int16_t *)p->gw)[(size_t)m * p->kcg + k] = (int16_t)v;
            }
            /* s8: x holds code + 128, fold -128 * sum_k w into the bias (mod 2^32) */
            if (p->gbias) p->gbias[m] = (int32_t)(uint32_t)(uint64_t)(bias_acc[m] - (p->esz == 1 ? 128 * sum : 0));
        }
    }

    /* packed weights */
    if (!p->gemv && !p->gemv64) {
        const size_t bias_bytes = (size_t)p->mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
        size_t wbytes, total;
        if (!fxq_mul_ok((size_t)p->kc * p->mr, p->path == FXQ_PATH_S8_I32 ? 1 : 2, &wbytes)) goto too_big;
        p->a_stride = (bias_bytes + wbytes + 63) / 64 * 64;
        if (!fxq_mul_ok(p->a_stride, (size_t)p->m_tiles, &total)) goto too_big;
        p->a = fxq_alloc64(total);
        if (!p->a) goto oom;
        fxq_pack_a(p, w_codes, bias_acc);
    }

    /* activation buffers: the padded image is stored polyphase -- plane
     * (ch, y % stride, x % stride) holds rows y / stride, columns x / stride --
     * so every im2col row segment is contiguous whatever the stride */
    {
        const int st = d->stride;
        p->hp = d->h + 2 * d->pad;
        p->wp = d->w + 2 * d->pad;
        p->hs = (p->hp + st - 1) / st;
        p->ws = (p->wp + st - 1) / st;
        p->direct = p->ws == d->out_w;
        size_t plane, elems, bytes;
        const size_t slack = (size_t)p->nr + 64;
        if (!fxq_mul_ok((size_t)p->hs, (size_t)p->ws, &plane) || !fxq_mul_ok(plane, (size_t)st * st, &plane) ||
            !fxq_mul_ok(plane, (size_t)d->c, &elems) || elems > SIZE_MAX / 4 - slack || elems + slack > INT32_MAX)
            goto too_big;
        p->img_elems = elems + slack;
        p->img = fxq_alloc64(p->img_elems * p->esz);
        if (!p->img) goto oom;
        if (p->path == FXQ_PATH_S8_I32) memset(p->img, 128, p->img_elems); /* code 0 */

        p->off_k = calloc((size_t)p->kc, sizeof *p->off_k);
        if (!p->off_k) goto oom;
        for (int k = 0; k < K; ++k) {
            const int ks = d->ksize, ch = k / (ks * ks), ky = (k / ks) % ks, kx = k % ks;
            p->off_k[k] = (int32_t)((((size_t)ch * st + ky % st) * st + kx % st) * p->hs * p->ws +
                                    (size_t)(ky / st) * p->ws + kx / st);
        }

        p->nthreads = omp_get_max_threads();
        if (p->nthreads < 1) p->nthreads = 1;
        if (!p->gemv && !p->gemv64) {
            if (!fxq_mul_ok((size_t)p->kc, (size_t)p->nr, &p->b_panel)) goto too_big;
            if (p->split) p->b_panel *= 2;
            if (!fxq_mul_ok(p->b_panel, (size_t)p->n_tiles, &elems) || !fxq_mul_ok(elems, (size_t)p->esz, &bytes))
                goto too_big;
            p->bpack = fxq_alloc64(bytes);
            if (!p->bpack) goto oom;
        }
        p->row_len = ((size_t)p->n_tiles * p->nr + 64 + 31) / 32 * 32;
        if (!fxq_mul_ok(p->row_len * 8 * p->esz, (size_t)p->nthreads, &bytes)) goto too_big;
        if (!p->direct && !p->gemv && !p->gemv64) {
            p->rows = fxq_alloc64(bytes);
            if (!p->rows) goto oom;
        }
        if (p->path == FXQ_PATH_S16_I64 && !p->gemv64) {
            p->acc64 = fxq_alloc64((size_t)p->nthreads * p->mr * p->nr * sizeof *p->acc64);
            if (!p->acc64) goto oom;
        }
    }

    if (p->gemv64)
        snprintf(p->desc, sizeof p->desc, "s16 int64 %s %s chunk=%d%s", p->ks->isa, p->ks->gemv_i64_name,
                 p->chunk / 32 * 32, p->split ? " split" : "");
    else if (p->path == FXQ_PATH_S16_I64)
        snprintf(p->desc, sizeof p->desc, "s16 int64 %s %s+%s chunk=%d%s", p->ks->isa, p->ks->s16_i64_name,
                 p->ks->rq64_name, p->chunk, p->split ? " split" : "");
    else if (p->gemv)
        snprintf(p->desc, sizeof p->desc, "%s int32 %s %s", p->path == FXQ_PATH_S8_I32 ? "s8" : "s16", p->ks->isa,
                 p->path == FXQ_PATH_S8_I32 ? p->ks->gemv_s8_name : p->ks->gemv_s16_name);
    else
        snprintf(p->desc, sizeof p->desc, "%s int32 %s %s", p->path == FXQ_PATH_S8_I32 ? "s8" : "s16", p->ks->isa,
                 p->path == FXQ_PATH_S8_I32 ? p->ks->s8_name : p->ks->s16_name);
    return p;

too_big:
    fxq_why(why, why_len, "buffers too large for this convolution");
    fxq_qconv_plan_free(p);
    return NULL;
oom:
    fxq_why(why, why_len, "out of memory");
    fxq_qconv_plan_free(p);
    return NULL;
}

void fxq_qconv_plan_free(fxq_qconv_plan *p)
{
    if (!p) return;
    free(p->a);
    free(p->img);
    free(p->off_k);
    free(p->bpack);
    free(p->rows);
    free(p->acc64);
    free(p->gw);
    free(p->gbias);
    free(p->gbias64);
    free(p->gx);
    free(p);
}

const char *fxq_qconv_plan_describe(const fxq_qconv_plan *p)
{
    return p ? p->desc : "(no plan)";
}

/* ---- phase 1: input codes -> padded image ---- */

/* Stride 2, SSE2: splits 16 codes of a row into 8 even and 8 odd ones
 * (as u8 code + 128, saturated to 8 bits, or as s16), for x < w - w % 16. */
static int fxq_convert_s2(const int16_t *restrict s, int w, int esz, unsigned char *restrict ev,
                          unsigned char *restrict od)
{
    int x = 0;
    if (w <= 0) return 0;
#if defined(__SSE2__)
    const __m128i flip = _mm_set1_epi8((char)0x80);
    for (; x + 16 <= w; x += 16) {
        const __m128i a = _mm_loadu_si128((const __m128i *)(s + x)), b = _mm_loadu_si128((const __m128i *)(s + x + 8));
        const __m128i e = _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(a, 16), 16), _mm_srai_epi32(_mm_slli_epi32(b, 16), 16));
        const __m128i o = _mm_packs_epi32(_mm_srai_epi32(a, 16), _mm_srai_epi32(b, 16));
        if (esz == 1) {
            _mm_storel_epi64((__m128i *)(ev + x / 2), _mm_xor_si128(_mm_packs_epi16(e, e), flip));
            _mm_storel_epi64((__m128i *)(od + x / 2), _mm_xor_si128(_mm_packs_epi16(o, o), flip));
        } else {
            _mm_storeu_si128((__m128i *)(ev + x), e);
            _mm_storeu_si128((__m128i *)(od + x), o);
        }
    }
#endif
    (void)s, (void)w, (void)esz, (void)ev, (void)od;
    return x;
}

static inline uint8_t fxq_u8_code(int v) { return (uint8_t)((v < -128 ? -128 : v > 127 ? 127 : v) + 128); }

static inline void fxq_store_code(unsigned char *img, size_t i, int16_t v, int esz)
{
    if (esz == 1)
        img[i] = fxq_u8_code(v);
    else
        ((int16_t *)img)[i] = v;
}

/* Portable fxq_convert_plane_fn (SSE2 for stride 2). */
static void fxq_convert_plane(const int16_t *src, int h, int w, int st, int pad, int esz, unsigned char *dst,
                              size_t phase, int ws)
{
    const size_t es = (size_t)esz;
    int py = pad % st, yy = pad / st;
    for (int y = 0; y < h; ++y, src += w) {
        const size_t row = (size_t)py * st * phase + (size_t)yy * ws;
        if (++py == st) py = 0, ++yy;
        if (st == 1) {
            if (esz == 1) {
                uint8_t *restrict t = dst + row + pad;
                for (int i = 0; i < w; ++i) t[i] = fxq_u8_code(src[i]);
            } else {
                memcpy((int16_t *)dst + row + pad, src, (size_t)w * sizeof *src);
            }
        } else if (st == 2) {
            unsigned char *ev = dst + (row + (size_t)(pad % 2) * phase + pad / 2) * es;
            unsigned char *od = dst + (row + (size_t)(1 - pad % 2) * phase + (pad + 1) / 2) * es;
            for (int x = fxq_convert_s2(src, w - w % 16, esz, ev, od); x < w; ++x)
                fxq_store_code(x & 1 ? od : ev, (size_t)(x >> 1), src[x], esz);
        } else {
            int ph = pad % st, col = pad / st; /* phase and column of x, no division per x */
            for (int x = 0; x < w; ++x) {
                fxq_store_code(dst, row + (size_t)ph * phase + col, src[x], esz);
                if (++ph == st) ph = 0, ++col;
            }
        }
    }
}

static void fxq_convert(const fxq_qconv_plan *p, const int16_t *in, int ch0, int ch1)
{
    const int h = p->d.h, w = p->d.w, st = p->d.stride;
    const size_t phase = (size_t)p->hs * p->ws, es = (size_t)p->esz;
    const fxq_convert_plane_fn conv = p->ks->convert ? p->ks->convert : fxq_convert_plane;
    for (int ch = ch0; ch < ch1; ++ch)
        conv(in + (size_t)ch * h * w, h, w, st, p->d.pad, p->esz, p->img + (size_t)ch * st * st * phase * es, phase,
             p->ws);
}

/* ---- phase 2: im2col rows + interleave into B panels ---- */

/* Copies `bytes` bytes in 16-byte chunks; may read and write up to 15 bytes
 * past the end (both buffers have slack; later writes overwrite the excess). */
static inline void fxq_copy_chunks(unsigned char *dst, const unsigned char *src, size_t bytes)
{
#if defined(__SSE2__)
    for (size_t i = 0; i < bytes; i += 16)
        _mm_storeu_si128((__m128i *)(dst + i), _mm_loadu_si128((const __m128i *)(src + i)));
#else
    for (size_t i = 0; i < bytes; i += 16) memcpy(dst + i, src + i, 16);
#endif
}

static void fxq_build_row(const fxq_qconv_plan *p, int k, unsigned char *restrict dst)
{
    const size_t es = (size_t)p->esz, bytes = (size_t)p->d.out_w * es, step = (size_t)p->ws * es;
    const unsigned char *restrict src = p->img + (size_t)p->off_k[k] * es;
    const int oh = p->d.out_h;
    for (int oy = 0; oy < oh; ++oy) fxq_copy_chunks(dst + oy * bytes, src + oy * step, bytes);
}

/* B panel rows g*KR .. g*KR+KR-1 of every panel from the KR source rows r[]. */
static void fxq_interleave(const fxq_qconv_plan *p, const unsigned char *const *r, int g)
{
    const int nr = p->nr, n_tiles = p->n_tiles, esz = p->esz, split = p->split;
    const size_t b_panel = p->b_panel, kc = (size_t)p->kc;
    unsigned char *const bpack = p->bpack;
    for (int nt = 0; nt < n_tiles; ++nt) {
        const size_t col = (size_t)nt * nr;
        if (esz == 1) {
            uint8_t *restrict o = bpack + nt * b_panel + (size_t)g * nr * 4;
            int n = 0;
#if defined(__SSE2__)
            for (; n < nr; n += 16) {
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
#endif
            for (; n < nr; ++n)
                for (int j = 0; j < 4; ++j) o[4 * n + j] = r[j][col + n];
        } else {
            int16_t *restrict o = (int16_t *)bpack + nt * b_panel + (size_t)g * nr * 2;
            int16_t *restrict olo = o + kc * nr; /* split: low bytes after the high ones */
            const int16_t *r0 = (const int16_t *)r[0] + col, *r1 = (const int16_t *)r[1] + col;
            int n = 0;
#if defined(__SSE2__)
            for (; n < nr; n += 8) {
                __m128i x0 = _mm_loadu_si128((const __m128i *)(r0 + n));
                __m128i x1 = _mm_loadu_si128((const __m128i *)(r1 + n));
                if (split) {
                    const __m128i ff = _mm_set1_epi16(0xff);
                    const __m128i l0 = _mm_and_si128(x0, ff), l1 = _mm_and_si128(x1, ff);
                    _mm_storeu_si128((__m128i *)(olo + 2 * n), _mm_unpacklo_epi16(l0, l1));
                    _mm_storeu_si128((__m128i *)(olo + 2 * n + 8), _mm_unpackhi_epi16(l0, l1));
                    x0 = _mm_srai_epi16(x0, 8);
                    x1 = _mm_srai_epi16(x1, 8);
                }
                _mm_storeu_si128((__m128i *)(o + 2 * n), _mm_unpacklo_epi16(x0, x1));
                _mm_storeu_si128((__m128i *)(o + 2 * n + 8), _mm_unpackhi_epi16(x0, x1));
            }
#endif
            for (; n < nr; ++n) {
                int16_t v0 = r0[n], v1 = r1[n];
                if (split) {
                    olo[2 * n] = (int16_t)(v0 & 0xff);
                    olo[2 * n + 1] = (int16_t)(v1 & 0xff);
                    v0 = (int16_t)((v0 - (v0 & 0xff)) / 256); /* arithmetic >> 8 */
                    v1 = (int16_t)((v1 - (v1 & 0xff)) / 256);
                }
                o[2 * n] = v0;
                o[2 * n + 1] = v1;
            }
        }
    }
}

/* Source rows of k-group g: image rows when contiguous there, else built
 * into rows[] (im2col). */
static void fxq_group_rows(const fxq_qconv_plan *p, int g, unsigned char *rows, const unsigned char **r)
{
    const int kr = p->kr;
    const size_t es = (size_t)p->esz;
    for (int j = 0; j < kr; ++j) {
        const int k = g * kr + j;
        if (k >= p->K) {
            r[j] = r[0]; /* zero weights: any readable data */
        } else if (p->direct) {
            r[j] = p->img + (size_t)p->off_k[k] * es;
        } else {
            unsigned char *t = rows + (size_t)j * p->row_len * es;
            fxq_build_row(p, k, t);
            r[j] = t;
        }
    }
}

static void fxq_pack_b(const fxq_qconv_plan *p, int g0, int g1, int tid)
{
    const size_t es = (size_t)p->esz;
    /* two sets of rows: group g+1 is built before group g is interleaved, so
     * the interleave's loads never wait on the copy's overlapping stores */
    unsigned char *rows = p->rows ? p->rows + (size_t)tid * 8 * p->row_len * es : NULL;
    const unsigned char *r[2][4];
    if (g0 >= g1) return;
    fxq_group_rows(p, g0, rows, r[0]);
    for (int g = g0; g < g1; ++g) {
        const int cur = (g - g0) & 1;
        if (g + 1 < g1) fxq_group_rows(p, g + 1, rows ? rows + (size_t)(1 - cur) * 4 * p->row_len * es : NULL, r[1 - cur]);
        fxq_interleave(p, r[cur], g);
    }
}

/* ---- phase 3: GEMM tiles ---- */

static void fxq_gemm_tiles(const fxq_qconv_plan *p, int16_t *out, long t0, long t1, int tid)
{
    const int M = p->d.m, P = p->P, mr = p->mr, nr = p->nr;
    const size_t es = (size_t)p->esz;
    for (long t = t0; t < t1; ++t) {
        const int nt = (int)(t / p->m_tiles), mt = (int)(t % p->m_tiles);
        const size_t tmr = (size_t)(M - mt * mr < mr ? M - mt * mr : mr);
        const size_t tnr = (size_t)(P - nt * nr < nr ? P - nt * nr : nr);
        const unsigned char *a = p->a + (size_t)mt * p->a_stride;
        const unsigned char *b = p->bpack + (size_t)nt * p->b_panel * es;
        int16_t *c = out + (size_t)mt * mr * P + (size_t)nt * nr;
        if (p->path != FXQ_PATH_S16_I64) {
            p->k32(tmr, tnr, (size_t)p->kc, a, b, c, (size_t)P, &p->rq);
            continue;
        }
        int64_t *acc = p->acc64 + (size_t)tid * mr * nr;
        const int64_t *bias = (const int64_t *)a;
        const int16_t *w = (const int16_t *)(a + (size_t)mr * 8);
        const int16_t *x = (const int16_t *)b, *xlo = x + (size_t)p->kc * nr;
        for (int i = 0; i < mr; ++i)
            for (int n = 0; n < nr; ++n) acc[i * nr + n] = bias[i];
        for (int k0 = 0; k0 < p->kc; k0 += p->chunk) {
            const size_t kc = (size_t)(p->kc - k0 < p->chunk ? p->kc - k0 : p->chunk);
            p->k64(kc, w + (size_t)k0 * mr, x + (size_t)k0 * nr, acc, p->split ? 8 : 0);
            if (p->split) p->k64(kc, w + (size_t)k0 * mr, xlo + (size_t)k0 * nr, acc, 0);
        }
        p->rq64(tmr, tnr, acc, (size_t)nr, c, (size_t)P, &p->rq);
    }
}

static inline void fxq_split(long n, int tid, int nth, long *b, long *e)
{
    *b = n * tid / nth;
    *e = n * (tid + 1) / nth;
}

/* P == 1: x[k] = the image element of row k, then 16 filters per call. */
static void fxq_gather_x(const fxq_qconv_plan *p, long k0, long k1)
{
    const int32_t *off = p->off_k;
    if (p->esz == 1) {
        uint8_t *restrict x = p->gx;
        const uint8_t *restrict img = p->img;
        for (long k = k0; k < k1; ++k) x[k] = k < p->K ? img[off[k]] : 128;
    } else if (p->gemv64 && p->split) { /* x = 256 * high + low byte */
        int16_t *restrict xh = (int16_t *)p->gx, *restrict xl = xh + p->kcg;
        const int16_t *restrict img = (const int16_t *)p->img;
        for (long k = k0; k < k1; ++k) {
            const int v = k < p->K ? img[off[k]] : 0;
            xl[k] = (int16_t)(v & 0xff);
            xh[k] = (int16_t)((v - (v & 0xff)) / 256);
        }
    } else {
        int16_t *restrict x = (int16_t *)p->gx;
        const int16_t *restrict img = (const int16_t *)p->img;
        for (long k = k0; k < k1; ++k) x[k] = k < p->K ? img[off[k]] : 0;
    }
}

static void fxq_gemv_rows(const fxq_qconv_plan *p, int16_t *out, long g0, long g1)
{
    const size_t row = (size_t)p->kcg * p->esz;
    const int16_t *xh = (const int16_t *)p->gx, *xl = p->split ? xh + p->kcg : NULL;
    for (long g = g0; g < g1; ++g) {
        const int m0 = (int)g * 16, mr = p->d.m - m0 < 16 ? p->d.m - m0 : 16;
        if (p->gemv64)
            p->gemv64((size_t)mr, (size_t)p->kcg, (size_t)p->chunk / 32 * 32, (const int16_t *)(p->gw + m0 * row),
                      p->gbias64 + m0, xh, xl, out + m0, &p->rq);
        else
            p->gemv((size_t)mr, (size_t)p->kcg, p->gw + m0 * row, p->gbias + m0, p->gx, out + m0, &p->rq);
    }
}

static void fxq_run_team(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth)
{
    const fxq_qconv_desc *d = &p->d;
    const long groups = p->kc / p->kr, tiles = (long)p->m_tiles * p->n_tiles;
    long b0, b1;
    for (int b = 0; b < d->batch; ++b) {
        const int16_t *img = in + (size_t)b * d->c * d->h * d->w;
        int16_t *o = out + (size_t)b * d->m * p->P;
        fxq_split(d->c, tid, nth, &b0, &b1);
        fxq_convert(p, img, (int)b0, (int)b1);
        if (nth > 1) {
#pragma omp barrier
        }
        if (p->gemv || p->gemv64) {
            fxq_split(p->kcg, tid, nth, &b0, &b1);
            fxq_gather_x(p, b0, b1);
            if (nth > 1) {
#pragma omp barrier
            }
            fxq_split((d->m + 15) / 16, tid, nth, &b0, &b1);
            fxq_gemv_rows(p, o, b0, b1);
            if (nth > 1 && b + 1 < d->batch) {
#pragma omp barrier
            }
            continue;
        }
        fxq_split(groups, tid, nth, &b0, &b1);
        fxq_pack_b(p, (int)b0, (int)b1, tid);
        if (nth > 1) {
#pragma omp barrier
        }
        fxq_split(tiles, tid, nth, &b0, &b1);
        fxq_gemm_tiles(p, o, b0, b1, tid);
        if (nth > 1 && b + 1 < d->batch) {
#pragma omp barrier
        }
    }
}

static int fxq_team_size(const fxq_qconv_plan *p)
{
    const double macs = p->gemv || p->gemv64 ? (double)p->kcg * p->d.m * (p->split ? 2 : 1)
                                             : (double)p->kc * p->d.m * p->n_tiles * p->nr;
    if (macs < (double)FXQ_PAR_MIN_MACS) return 1;
    int nth = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (nth > p->nthreads) nth = p->nthreads;
    return nth < 1 ? 1 : nth;
}

void fxq_qconv_run(const fxq_qconv_plan *p, const int16_t *in, int16_t *out)
{
    const int nth = fxq_team_size(p);
    if (nth <= 1) {
        fxq_run_team(p, in, out, 0, 1);
        return;
    }
#pragma omp parallel num_threads(nth)
    fxq_run_team(p, in, out, omp_get_thread_num(), omp_get_num_threads());
}

double fxq_qconv_bench_gemm(const fxq_qconv_plan *p, int16_t *out, int reps)
{
    if (p->gemv || p->gemv64) {
        const double t0 = omp_get_wtime();
        for (int r = 0; r < reps; ++r) fxq_gemv_rows(p, out, 0, (p->d.m + 15) / 16);
        return omp_get_wtime() - t0;
    }
    const int nth = fxq_team_size(p);
    const long tiles = (long)p->m_tiles * p->n_tiles;
    const double t0 = omp_get_wtime();
    for (int r = 0; r < reps; ++r) {
        if (nth <= 1) {
            fxq_gemm_tiles(p, out, 0, tiles, 0);
            continue;
        }
#pragma omp parallel num_threads(nth)
        {
            long b0, b1;
            fxq_split(tiles, omp_get_thread_num(), omp_get_num_threads(), &b0, &b1);
            fxq_gemm_tiles(p, out, b0, b1, omp_get_thread_num());
        }
    }
    return omp_get_wtime() - t0;
}

/* ---- layer input / output conversion ---- */

static int16_t fxq_quantize1(float x, float scale, float lo, float hi)
{
    const float v = x * scale; /* exact, see fxq_f32_quantize__avx512vnni.c */
    if (!(v == v)) return 0;
    if (v >= hi) return (int16_t)hi;
    if (v <= lo) return (int16_t)lo;
    const int32_t t = (int32_t)v; /* trunc; |v| < 2^15 here */
    const float d = v - (float)t; /* exact */
    return (int16_t)(t + (d >= 0.5f) - (d <= -0.5f));
}

int fxq_qconv_quantize(const float *x, size_t n, int bits, int frac, int16_t *codes)
{
    if (bits < FXQ_MIN_BITS || bits > FXQ_MAX_BITS || frac < -64 || frac > 64) {
        memset(codes, 0, n * sizeof *codes);
        return 0;
    }
    const float scale = ldexpf(1.0f, frac), lo = (float)fxq_code_min(bits), hi = (float)fxq_code_max(bits);
#if defined(__x86_64__)
    const fxq_kset *ks = fxq_forced ? fxq_forced : fxq_kset_for(fxq_cpu_best_isa());
    if (ks == &fxq_kset_avx512vnni) {
        fxq_f32_quantize_ukernel__avx512vnni(n, x, scale, lo, hi, codes);
        return 1;
    }
#endif
    for (size_t i = 0; i < n; ++i) codes[i] = fxq_quantize1(x[i], scale, lo, hi);
    return 1;
}

void fxq_qconv_dequantize(const int16_t *codes, size_t n, int frac, float *y)
{
    const float scale = ldexpf(1.0f, -frac);
    for (size_t i = 0; i < n; ++i) y[i] = (float)codes[i] * scale;
}
