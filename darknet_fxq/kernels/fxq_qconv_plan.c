/* Integer convolution plans (fxq_qconv.h): validation, accumulator choice,
 * kernel choice from the active kernel set (fxq_qconv_path.c), buffers.
 *
 * Accumulators (the rule of fxq_qconv.h):
 *   int32 -> s8 kernel (w_bits, a_bits <= 8 and the set has one) or s16 kernel;
 *   int64 -> s16 kernel summing chunks of k in int32 lanes (chunk sized so a
 *            chunk sum always fits) into an int64 tile. When both operands are
 *            wide (the chunk would be < 32 k's) the activations are split into
 *            a signed high byte and an unsigned low byte, two passes of the same
 *            kernel with the high pass scaled by 2^8.
 * Unsigned a-bit input codes are a subset of signed (a+1)-bit ones, which is
 * how the s16 paths treat them; only the s8 path encodes them differently
 * (B byte = code, no input offset, where the set's s8 B operand is u8).
 * The run pipeline is in fxq_qconv_run.c (see fxq_qconv_impl.h for the map).
 */
#include <limits.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cpu.h"
#include "fxq_env.h"
#include "fxq_format.h"
#include "fxq_qconv_impl.h"

int fxq_qconv_force_isa(const char *isa)
{
    if (!isa) {
        fxq_kernel_set_force(NULL);
        return 1;
    }
    const fxq_kernel_set *ks = fxq_kernel_set_find(isa);
    if (!fxq_kernel_set_supported(ks)) return 0;
    fxq_kernel_set_force(ks);
    return 1;
}

static void fxq_why(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

/* a * b into *out, 0 on size_t overflow. */
static int fxq_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

static int fxq_bits_ok(int b) { return b >= FXQ_MIN_BITS && b <= FXQ_MAX_BITS; }

static int fxq_validate(const fxq_qconv_desc *d, char *why, size_t why_len)
{
    if (!d) return fxq_why(why, why_len, "no descriptor"), 0;
    if (d->batch < 1 || d->c < 1 || d->h < 1 || d->w < 1 || d->m < 1)
        return fxq_why(why, why_len, "batch, c, h, w and m must be >= 1 (got batch=%d c=%d h=%d w=%d m=%d)", d->batch,
                       d->c, d->h, d->w, d->m), 0;
    if (d->ksize < 1 || d->stride < 1 || d->pad < 0)
        return fxq_why(why, why_len, "need ksize >= 1, stride >= 1, pad >= 0 (got %d, %d, %d)", d->ksize, d->stride,
                       d->pad), 0;
    if (d->h > 1 << 20 || d->w > 1 << 20 || d->pad > 1 << 20 || d->ksize > 1 << 20 || d->stride > 1 << 20)
        return fxq_why(why, why_len, "input geometry too large"), 0;
    if (d->h + 2 * d->pad < d->ksize || d->w + 2 * d->pad < d->ksize)
        return fxq_why(why, why_len, "kernel %d larger than the padded input %dx%d", d->ksize, d->h + 2 * d->pad,
                       d->w + 2 * d->pad), 0;
    const int oh = (d->h + 2 * d->pad - d->ksize) / d->stride + 1, ow = (d->w + 2 * d->pad - d->ksize) / d->stride + 1;
    if (d->out_h != oh || d->out_w != ow)
        return fxq_why(why, why_len, "output %dx%d does not match the geometry (expected %dx%d)", d->out_h, d->out_w,
                       oh, ow), 0;
    if (!fxq_bits_ok(d->w_bits) || !fxq_bits_ok(d->a_bits) || !fxq_bits_ok(d->o_bits))
        return fxq_why(why, why_len, "bit widths must be in %d..%d (got w=%d a=%d o=%d)", FXQ_MIN_BITS, FXQ_MAX_BITS,
                       d->w_bits, d->a_bits, d->o_bits), 0;
    if (d->in_unsigned && d->a_bits > FXQ_MAX_BITS - 1)
        return fxq_why(why, why_len, "unsigned input codes must have <= %d bits (int16 input; got %d)",
                       FXQ_MAX_BITS - 1, d->a_bits), 0;
    if (d->in_window && (d->a_bits > FXQ_MAX_BITS - 1 || d->in_lo > 0 || d->in_lo < -((1 << d->a_bits) - 1)))
        return fxq_why(why, why_len, "input window %d..%d (%d bits) must hold 0 within int16 (<= %d bits)", d->in_lo,
                       d->in_lo + (1 << d->a_bits) - 1, d->a_bits, FXQ_MAX_BITS - 1), 0;
    if (d->out_window && (d->o_bits > FXQ_MAX_BITS - 1 || d->out_lo > 0 || d->out_lo < -((1 << d->o_bits) - 1)))
        return fxq_why(why, why_len, "output window %d..%d (%d bits) must hold 0 within int16 (<= %d bits)",
                       d->out_lo, d->out_lo + (1 << d->o_bits) - 1, d->o_bits, FXQ_MAX_BITS - 1), 0;
    if (d->act != FXQ_ACT_LINEAR && d->act != FXQ_ACT_RELU && d->act != FXQ_ACT_LEAKY)
        return fxq_why(why, why_len, "unknown activation %d", d->act), 0;
    const long long K = (long long)d->c * d->ksize * d->ksize;
    if (K > (1LL << 30) || (long long)d->out_h * d->out_w > (1LL << 30))
        return fxq_why(why, why_len, "convolution too large (K=%lld)", K), 0;
    return 1;
}


/* The groups' index vectors and windows: tap j of group g (k = 4g + j)
 * reads off_k[k] + l for lane l (the pooled kernel's: + 2l and + 2l + 1);
 * window A starts at the group's first tap, window B at its first tap
 * more than 32 bytes further (4 taps of a ksize >= 2 window span at most
 * two of its rows, each within ksize - 1 bytes; 32 + 31 < 64). Then each
 * row's bias takes its rounding half. 0: out of memory. */
static int fxq_dconv_tables(fxq_qconv_plan *p)
{
    const int groups = p->kc / 4;
    p->dc_idx = fxq_alloc64((size_t)groups * 64);
    p->dc_off = malloc((size_t)groups * 2 * sizeof *p->dc_off);
    if (!p->dc_idx || !p->dc_off) return 0;
    if (p->ks->s8_dconv_pool && !(p->dc_pidx = fxq_alloc64((size_t)groups * 128))) return 0;
    for (int g = 0; g < groups; ++g) {
        const int32_t a = p->off_k[4 * g];
        int32_t b = -1;
        for (int j = 0; j < 4; ++j) {
            const int k = 4 * g + j;
            int v = 0; /* past K: zero weights, any byte */
            if (k < p->K) {
                if (p->off_k[k] - a <= 32) {
                    v = p->off_k[k] - a;
                } else {
                    if (b < 0) b = p->off_k[k];
                    v = 64 + p->off_k[k] - b; /* <= 64 + 7 */
                }
            }
            for (int l = 0; l < 16; ++l) {
                p->dc_idx[64 * g + 4 * l + j] = (uint8_t)(v + l);
                for (int px = 0; px < 2 && p->dc_pidx; ++px) p->dc_pidx[(2 * g + px) * 64 + 4 * l + j] = (uint8_t)(v + 2 * l + px);
            }
        }
        p->dc_off[2 * g] = a;
        p->dc_off[2 * g + 1] = b < 0 ? a : b;
    }
    for (int t = 0; t < p->m_tiles; ++t)
        for (int i = 0; i < p->mr && t * p->mr + i < p->d.m; ++i) {
            int32_t *bias = (int32_t *)(p->a + (size_t)t * p->a_stride) + i;
            *bias = (int32_t)((uint32_t)*bias + fxq_rq_row(p->rq, (size_t)t * p->mr + i)->half32);
        }
    return 1;
}

static void fxq_describe(fxq_qconv_plan *p)
{
    const fxq_kernel_set *ks = p->ks;
    const char *u = p->d.in_window ? (p->d.out_window ? " win-in win-out" : " win-in")
                    : p->d.in_unsigned ? (p->d.out_window ? " u-in win-out" : " u-in")
                    : p->d.out_window ? " win-out" : "";
    const char *rs = p->row_shift ? " row-shift" : "";
    const char *s = p->path == FXQ_PATH_S8_I32 ? "s8" : "s16";
    if (p->dconv)
        snprintf(p->desc, sizeof p->desc, "s8 int32 %s %s%s%s direct", ks->name, ks->s8_dconv_name, u, rs);
    else if (p->gemv64)
        snprintf(p->desc, sizeof p->desc, "s16 int64 %s %s chunk=%d%s%s%s", ks->name, ks->gemv_i64_name,
                 p->chunk / 32 * 32, p->split ? " split" : "", u, rs);
    else if (p->path == FXQ_PATH_S16_I64 && p->k32)
        snprintf(p->desc, sizeof p->desc, "s16 int64 %s %s chunk=%d split%s%s", ks->name, ks->s16_split_name,
                 p->chunk, u, rs);
    else if (p->path == FXQ_PATH_S16_I64)
        snprintf(p->desc, sizeof p->desc, "s16 int64 %s %s+%s chunk=%d%s%s%s", ks->name,
                 p->k64 == ks->s16_i64_n16 ? ks->s16_i64_n16_name : ks->s16_i64_name,
                 ks->rq64_name, p->chunk, p->split ? " split" : "", u, rs);
    else if (p->kig)
        snprintf(p->desc, sizeof p->desc, "%s int32 %s %s%s%s", s, ks->name,
                 p->path == FXQ_PATH_S8_I32 ? ks->s8_igemm_name : ks->s16_igemm_name, u, rs);
    else if (p->gemv)
        snprintf(p->desc, sizeof p->desc, "%s int32 %s %s%s%s", s, ks->name,
                 p->path == FXQ_PATH_S8_I32 ? ks->gemv_s8_name : ks->gemv_s16_name, u, rs);
    else
        snprintf(p->desc, sizeof p->desc, "%s int32 %s %s%s%s", s, ks->name,
                 p->k32 == ks->s8_n16 ? ks->s8_n16_name : p->k32 == ks->s16_n16 ? ks->s16_n16_name
                 : p->path == FXQ_PATH_S8_I32 ? ks->s8_name : ks->s16_name, u, rs);
}

/* Requantization parameters: one set, or one per output row. */
static int fxq_plan_rq(fxq_qconv_plan *p, const int *row_shift)
{
    const fxq_qconv_desc *d = &p->d;
    const int n = row_shift ? d->m : 1;
    p->rq = malloc((size_t)n * sizeof *p->rq);
    if (!p->rq) return 0;
    /* an output window: the requantization saturates where clamping the
     * activated code to the window would (fxq_qconv.h) */
    const int32_t lo = (int32_t)(d->out_window ? fxq_act_floor(d->out_lo, d->act) : fxq_code_min(d->o_bits));
    const int32_t hi = d->out_window ? d->out_lo + (1 << d->o_bits) - 1 : (int32_t)fxq_code_max(d->o_bits);
    if (!row_shift) {
        fxq_rq_init_range(p->rq, d->shift, lo, hi, d->act);
        return 1;
    }
    p->row_shift = malloc((size_t)d->m * sizeof *p->row_shift);
    if (!p->row_shift) return 0;
    memcpy(p->row_shift, row_shift, (size_t)d->m * sizeof *p->row_shift);
    p->d.row_shift = p->row_shift;
    for (int m = 0; m < d->m; ++m) {
        fxq_rq_init_range(p->rq + m, row_shift[m], lo, hi, d->act);
        p->rq[m].per_row = 1;
    }
    return 1;
}

/* Weight buffers: GEMV rows (gmr-row padded) or A panels. */
static int fxq_alloc_weights(fxq_qconv_plan *p)
{
    const fxq_qconv_desc *d = &p->d;
    size_t bytes, total;
    if (p->gemv || p->gemv64) {
        const int step = p->path == FXQ_PATH_S8_I32 ? p->ks->gemv_s8_kstep : p->ks->gemv_s16_kstep;
        const int mp = (d->m + p->gmr - 1) / p->gmr * p->gmr;
        /* the input's order where its elements are no more than the window's
         * (each is read at most once by the one output position): a 7x7/s5/p2
         * window on fmnist's 5x5x64 reads 1600 of its 3136 k's, the rest padding */
        const size_t nin = (size_t)d->c * d->h * d->w;
        p->gin = nin <= (size_t)p->K;
        p->kcg = ((p->gin ? (int)nin : p->K) + step - 1) / step * step;
        if (!fxq_mul_ok((size_t)mp * p->kcg, (size_t)p->esz, &bytes)) return -1;
        p->gw = fxq_alloc64(bytes);
        if (p->gemv64)
            p->gbias64 = fxq_alloc64((size_t)mp * sizeof *p->gbias64);
        else
            p->gbias = fxq_alloc64((size_t)mp * sizeof *p->gbias);
        p->gx = fxq_alloc64((size_t)p->kcg * p->esz * 2);
        return p->gw && (p->gbias || p->gbias64) && p->gx;
    }
    const size_t bias_bytes = (size_t)p->mr * (p->path == FXQ_PATH_S16_I64 ? 8 : 4);
    if (!fxq_mul_ok((size_t)p->kc * p->mr, p->path == FXQ_PATH_S8_I32 ? 1 : 2, &bytes)) return -1;
    p->a_stride = (bias_bytes + bytes + 63) / 64 * 64;
    if (!fxq_mul_ok(p->a_stride, (size_t)p->m_tiles, &total)) return -1;
    p->a = fxq_alloc64(total);
    return p->a != NULL;
}

/* FXQ_GATHER=0 in the environment: no one-pass im2col + pack (for comparisons). */
static int fxq_gather_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_GATHER", 1, &on);
}

/* The B interleave (the set's pack_u8c4_x where the CPU runs it), and for
 * im2col plans with 8-bit B on a set with a one-pass pack -- not direct
 * plans, whose rows are contiguous already (fmnist's wide layer 1 measured
 * 15 -> 16-17 us with it) -- where every tile's positions lie within 128
 * bytes of a k-row's source (small images: fmnist's 26-, 11- and 9-wide
 * outputs), the offsets of each tile's positions. 1: done or not wanted,
 * 0: out of memory. */
static int fxq_plan_gather(fxq_qconv_plan *p)
{
    const fxq_kernel_set *ks = p->ks;
    const int x_ok = p->nr == ks->pack_gather_nr && fxq_cpu_has(ks->pack_gather_features) && fxq_gather_enabled();
    p->pack8 = ks->pack_u8c4_x && x_ok ? ks->pack_u8c4_x : ks->pack_u8c4;
    if (!x_ok || !ks->pack_gather || p->direct || p->rowwise || p->gemv || p->gemv64 || p->esz != 1 || p->dconv)
        return 1;
    const int out_w = p->d.out_w, nr = p->nr;
    for (long t = 0; t < p->n_tiles; ++t) { /* the span: from the tile's first position to its last */
        const long p0 = t * nr, p1 = (t + 1) * nr < p->P ? (t + 1) * nr - 1 : p->P - 1;
        if ((p1 / out_w - p0 / out_w) * (long)p->ws + p1 % out_w - p0 % out_w > 127) return 1;
    }
    p->pbase = malloc((size_t)p->n_tiles * sizeof *p->pbase);
    p->pidx = calloc((size_t)p->n_tiles * nr, 1);
    if (!p->pbase || !p->pidx) return 0;
    for (long t = 0; t < p->n_tiles; ++t) {
        const long p0 = t * nr;
        p->pbase[t] = (int32_t)((p0 / out_w) * p->ws + p0 % out_w);
        for (long q = p0; q < (t + 1) * nr && q < p->P; ++q) /* past P: 0, any readable byte */
            p->pidx[q] = (uint8_t)((q / out_w) * p->ws + q % out_w - p->pbase[t]);
    }
    p->gpack = ks->pack_gather;
    return 1;
}

/* Activation buffers: the padded image is stored polyphase -- plane
 * (ch, y % stride, x % stride) holds rows y / stride, columns x / stride --
 * so every im2col row segment is contiguous whatever the stride.
 * 1: done, 0: out of memory, -1: too large. */
static int fxq_alloc_acts(fxq_qconv_plan *p)
{
    const fxq_qconv_desc *d = &p->d;
    const int st = d->stride, gemv = p->gemv || p->gemv64;
    if (p->kig) return fxq_qconv_igemm_acts(p);
    p->hp = d->h + 2 * d->pad;
    p->wp = d->w + 2 * d->pad;
    p->hs = (p->hp + st - 1) / st;
    p->ws = (p->wp + st - 1) / st;
    p->direct = p->ws == d->out_w || p->wide;
    p->rowwise = !p->direct && !gemv && !p->dconv && d->out_w % p->nr == 0;
    size_t plane, elems, bytes;
    if (!fxq_plan_gather(p)) return 0;
    /* wide rows read up to ws past a plane, a one-pass pack 127 bytes past a tile's first position */
    const size_t slack = (size_t)p->nr + 64 + (size_t)p->ws + (p->gpack ? 128 : 0);
    if (!fxq_mul_ok((size_t)p->hs, (size_t)p->ws, &plane) || !fxq_mul_ok(plane, (size_t)st * st, &plane) ||
        !fxq_mul_ok(plane, (size_t)d->c, &elems) || elems > SIZE_MAX / 4 - slack || elems + slack > INT32_MAX)
        return -1;
    p->img_elems = elems + slack;
    p->img = fxq_alloc64(p->img_elems * p->esz);
    if (!p->img) return 0;
    if (p->path == FXQ_PATH_S8_I32) memset(p->img, p->off8, p->img_elems); /* the B byte of code 0 */
    p->off_k = calloc((size_t)p->kc, sizeof *p->off_k);
    if (!p->off_k) return 0;

    p->nthreads = omp_get_max_threads();
    if (p->nthreads < 1) p->nthreads = 1;
    if (!gemv) {
        if (!fxq_mul_ok((size_t)p->kc, (size_t)p->nr, &p->b_panel)) return -1;
        if (p->split) p->b_panel *= 2;
        if (!fxq_mul_ok(p->b_panel, (size_t)p->n_tiles, &elems) || !fxq_mul_ok(elems, (size_t)p->esz, &bytes))
            return -1;
        p->bpack = p->dconv ? NULL : fxq_alloc64(bytes);
        if (!p->bpack && !p->dconv) return 0;
    }
    p->row_len = ((size_t)p->n_tiles * p->nr + 64 + 31) / 32 * 32;
    if (!fxq_mul_ok(p->row_len * 2 * FXQ_KR_MAX * p->esz, (size_t)p->nthreads, &bytes)) return -1;
    if (!p->direct && !p->rowwise && !gemv && !p->gpack && !p->dconv) {
        p->rows = fxq_alloc64(bytes);
        if (!p->rows) return 0;
    }
    if (p->path == FXQ_PATH_S16_I64 && !p->gemv64) {
        p->acc64 = fxq_alloc64((size_t)p->nthreads * p->mr * p->nr * sizeof *p->acc64);
        if (!p->acc64) return 0;
    }
    if (p->wide) {
        if (!fxq_mul_ok((size_t)d->m * p->P, sizeof *p->wout, &bytes)) return -1;
        if (!(p->wout = fxq_alloc64(bytes))) return 0;
    }
    return 1;
}

/* FXQ_WIDE=0 in the environment: no wide plans (for comparisons). */
static int fxq_wide_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_WIDE", 1, &on);
}

/* Scratch of a single-image, single-thread copy of plan p (see img_plans). */
static int fxq_copy_scratch(fxq_qconv_plan *q)
{
    const int gemv = q->gemv || q->gemv64;
    q->img = q->bpack = q->rows = q->gx = NULL;
    q->acc64 = NULL;
    q->wout = NULL;
    if (q->kig) return fxq_qconv_igemm_scratch(q);
    q->img = fxq_alloc64(q->img_elems * q->esz);
    if (!q->img) return 0;
    if (q->path == FXQ_PATH_S8_I32) memset(q->img, q->off8, q->img_elems);
    if (gemv) {
        q->gx = fxq_alloc64((size_t)q->kcg * q->esz * 2);
        return q->gx != NULL;
    }
    if (q->dconv) return 1; /* no B panels, no rows */
    q->bpack = fxq_alloc64(q->b_panel * q->n_tiles * q->esz);
    if (!q->bpack) return 0;
    if (!q->direct && !q->rowwise && !q->gpack && !(q->rows = fxq_alloc64(q->row_len * 2 * FXQ_KR_MAX * q->esz))) return 0;
    if (q->path == FXQ_PATH_S16_I64 && !(q->acc64 = fxq_alloc64((size_t)q->mr * q->nr * sizeof *q->acc64))) return 0;
    if (q->wide && !(q->wout = fxq_alloc64((size_t)q->d.m * q->P * sizeof *q->wout))) return 0;
    return 1;
}

/* batch > 1 on more than one thread: the per-thread copies. 0: out of memory. */
static int fxq_make_img_plans(fxq_qconv_plan *p)
{
    if (p->nthreads < 2) return 1; /* batch 1 too: a network-wide team (fxq_qconv_run_member) */
    p->img_plans = calloc((size_t)p->nthreads, sizeof *p->img_plans);
    if (!p->img_plans) return 0;
    for (int t = 0; t < p->nthreads; ++t) {
        fxq_qconv_plan *q = &p->img_plans[t];
        *q = *p;
        q->d.batch = 1;
        q->nthreads = 1;
        q->img_plans = NULL;
        q->own_shared = 0;
        if (!fxq_copy_scratch(q)) return 0;
    }
    return 1;
}

static fxq_qconv_plan *fxq_plan_create(const fxq_qconv_desc *d, fxq_wsrc wsrc, const int64_t *bias_acc, char *why,
                                       size_t why_len)
{
    if (why && why_len) why[0] = 0;
    if (!fxq_validate(d, why, why_len)) return NULL;
    if ((!wsrc.w32 && !wsrc.w16) || !bias_acc) return fxq_why(why, why_len, "no weights or no bias"), NULL;
    const int K = d->c * d->ksize * d->ksize;
    const int64_t bias_lim = ((int64_t)1 << 61);
    for (int m = 0; m < d->m; ++m)
        if (bias_acc[m] > bias_lim || bias_acc[m] < -bias_lim)
            return fxq_why(why, why_len, "bias %lld of filter %d exceeds 2^61", (long long)bias_acc[m], m), NULL;
    /* magnitude bits of an input code: a_bits - 1 signed, a_bits unsigned */
    int ilo, ihi;
    fxq_qconv_in_range(d, &ilo, &ihi);
    const int64_t amax = ihi > -ilo ? ihi : -ilo; /* the largest |input code| */
    const int acc_bits = (d->w_bits - 1) + fxq_qconv_ceil_log2(amax) + fxq_qconv_ceil_log2(K) + 1;
    if (acc_bits > 61) return fxq_why(why, why_len, "accumulator would need %d bits", acc_bits), NULL;
    /* int32 iff every row's largest possible sum fits: |bias| + sum_k |w| *
     * amax <= 2^31 - 1 (amax: the largest |input code|). This is the
     * worst-case rule of fxq_qconv.h evaluated on the actual weights, so
     * layers whose weights stay small keep int32 lanes at 16-bit inputs. */
    /* one pass over the weights (a plan is built at load: millions of
     * them), written so the compiler vectorizes it: the row's least and
     * largest code (the range check) and sum |w| */
    const int32_t wlo = (int32_t)fxq_code_min(d->w_bits), whi = (int32_t)fxq_code_max(d->w_bits);
    int use_i32 = 1;
    long long wmax = 0, acc_bound = 0; /* the largest |bias| + sum_k |w| * amax of a row */
    for (int m = 0; m < d->m; ++m) {
        const int32_t *w32 = wsrc.w32 ? wsrc.w32 + (size_t)m * K : NULL;
        const int16_t *w16 = wsrc.w16 ? wsrc.w16 + (size_t)m * K : NULL;
        int32_t lo = 0, hi = 0;
        int64_t s = 0; /* <= 2^30 * 2^15 once the range is checked */
        for (int k = 0; k < K; ++k) {
            const int32_t v = w32 ? w32[k] : w16[k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            s += v < 0 ? -(int64_t)v : v;
        }
        if (lo < wlo || hi > whi)
            for (int k = 0; k < K; ++k)
                if ((w32 ? w32[k] : w16[k]) < wlo || (w32 ? w32[k] : w16[k]) > whi)
                    return fxq_why(why, why_len, "weight code %d at %zu outside %d-bit range", (int)(w32 ? w32[k] : w16[k]),
                                   (size_t)m * K + k, d->w_bits),
                           NULL;
        if (-(long long)lo > wmax) wmax = -(long long)lo;
        if (hi > wmax) wmax = hi;
        const int64_t b = bias_acc[m] < 0 ? -bias_acc[m] : bias_acc[m];
        if (s > (INT32_MAX - b) / amax) use_i32 = 0; /* s * amax > INT32_MAX - b; b <= 2^61 */
        else if (b + s * amax > acc_bound) acc_bound = b + s * amax;
        if (b > INT32_MAX) use_i32 = 0;
    }

    fxq_qconv_plan *p = calloc(1, sizeof *p);
    if (!p) goto oom;
    p->own_shared = 1;
    p->d = *d;
    p->d.row_shift = NULL;
    p->ks = fxq_kernel_set_active();
    p->mr = p->ks->mr;
    p->nr = p->ks->nr;
    p->K = K;
    p->P = d->out_h * d->out_w;
    long long pairmax = 2 * wmax;
    const long long b_max = p->ks->s8_in_offset ? 255 : 128;
    if (p->ks->s8_pair_limit && d->w_bits <= 8 && b_max * pairmax > p->ks->s8_pair_limit)
        pairmax = fxq_qconv_pair_max(wsrc, d->m, K, p->ks->s8_pair_stride > 0 ? p->ks->s8_pair_stride : 1,
                                     p->ks->s8_pair_limit / b_max);
    fxq_qconv_choose_path(p, use_i32, wmax, pairmax);
    /* igemm: channels rounded up to the k-group (kr of them per tap) */
    p->kc = p->kig ? (d->c + p->kr - 1) / p->kr * p->kr * d->ksize * d->ksize : (K + p->kr - 1) / p->kr * p->kr;
    if (use_i32 && !p->kig) fxq_qconv_choose_dconv(p, d, acc_bound); /* d: with its row_shift */
    p->m_tiles = (d->m + p->mr - 1) / p->mr;
    /* wide: where the extra ws - out_w columns of each row fit in the tiles
     * the GEMM runs anyway (at most 1/32 more) and K im2col rows cost more
     * to copy than m output rows to compact (measured on fmnist: K = 576,
     * m = 32 or 64 gain; K = 28, m = 64 loses) */
    const int ws = (d->w + 2 * d->pad + d->stride - 1) / d->stride;
    const long long n_plain = (p->P + p->nr - 1) / p->nr, n_wide = ((long long)d->out_h * ws + p->nr - 1) / p->nr;
    if (!p->gemv && !p->gemv64 && p->nr == p->ks->nr && ws > d->out_w && d->out_w % p->nr != 0 &&
        n_wide <= n_plain + n_plain / 32 && K >= 2 * d->m && fxq_wide_enabled()) {
        p->wide = 1;
        p->P = d->out_h * ws;
    }
    p->n_tiles = (p->P + p->nr - 1) / p->nr;
    if (!fxq_plan_rq(p, d->row_shift)) goto oom;

    int r = fxq_alloc_weights(p);
    if (r <= 0) goto fail;
    r = fxq_alloc_acts(p);
    if (r <= 0) goto fail;
    fxq_qconv_pack_offsets(p); /* GEMV in input order: the weights go where off_k says */
    if (!fxq_qconv_pack_weights(p, wsrc, bias_acc)) goto oom;
    if (p->dconv && !fxq_dconv_tables(p)) goto oom;
    fxq_describe(p);
    if (p->wide && strlen(p->desc) + 5 < sizeof p->desc) strcat(p->desc, " wide");
    if (p->gin && strlen(p->desc) + 9 < sizeof p->desc) strcat(p->desc, " in-order");
    if (p->gpack && strlen(p->desc) + 8 < sizeof p->desc) strcat(p->desc, " gather");
    /* stream the larger operand once: deep layers on small images have far
     * more weight bytes than activation bytes */
    p->n_inner = !p->gemv && !p->gemv64 && !p->dconv &&
                 (p->kig || p->a_stride * p->m_tiles > p->b_panel * p->n_tiles * p->esz);
    if (!fxq_make_img_plans(p)) goto oom;
    return p;

fail:
    if (r < 0) {
        fxq_why(why, why_len, "buffers too large for this convolution");
        fxq_qconv_plan_free(p);
        return NULL;
    }
oom:
    fxq_why(why, why_len, "out of memory");
    fxq_qconv_plan_free(p);
    return NULL;
}

fxq_qconv_plan *fxq_qconv_plan_create(const fxq_qconv_desc *d, const int32_t *w_codes, const int64_t *bias_acc,
                                      char *why, size_t why_len)
{
    return fxq_plan_create(d, (fxq_wsrc){w_codes, NULL}, bias_acc, why, why_len);
}

fxq_qconv_plan *fxq_qconv_plan_create16(const fxq_qconv_desc *d, const int16_t *w_codes, const int64_t *bias_acc,
                                        char *why, size_t why_len)
{
    return fxq_plan_create(d, (fxq_wsrc){NULL, w_codes}, bias_acc, why, why_len);
}

/* The plan's own scratch (a copy's too). */
static void fxq_free_scratch(fxq_qconv_plan *p)
{
    fxq_free64(p->img);
    fxq_free64(p->bpack);
    fxq_free64(p->rows);
    fxq_free64(p->acc64);
    fxq_free64(p->gx);
    fxq_free64(p->wout);
}

void fxq_qconv_plan_free(fxq_qconv_plan *p)
{
    if (!p) return;
    if (p->img_plans) {
        for (int t = 0; t < p->nthreads; ++t) fxq_free_scratch(&p->img_plans[t]);
        free(p->img_plans);
    }
    fxq_free_scratch(p);
    fxq_free64(p->a);
    free(p->off_k);
    fxq_free64(p->gw);
    fxq_free64(p->gbias);
    fxq_free64(p->gbias64);
    free(p->rq);
    free(p->row_shift);
    free(p->pbase);
    free(p->pidx);
    free(p->ig_pos);
    fxq_free64(p->dc_idx);
    fxq_free64(p->dc_pidx);
    free(p->dc_off);
    free(p);
}

const char *fxq_qconv_plan_describe(const fxq_qconv_plan *p)
{
    return p ? p->desc : "(no plan)";
}

int fxq_qconv_plan_pool2(const fxq_qconv_plan *p)
{
    return p && p->dconv && p->dc_pidx && p->d.out_h % 2 == 0 && p->d.out_w % 2 == 0;
}

int fxq_qconv_plan_operand_bytes(const fxq_qconv_plan *p) { return p->path == FXQ_PATH_S8_I32 ? 1 : 2; }

size_t fxq_qconv_plan_weight_bytes(const fxq_qconv_plan *p)
{
    if (p->gemv || p->gemv64) {
        const size_t rows = ((size_t)p->d.m + p->gmr - 1) / p->gmr * p->gmr;
        return rows * (size_t)p->kcg * p->esz + rows * (p->gbias64 ? 8 : 4);
    }
    return p->a_stride * (size_t)p->m_tiles;
}
