/* Which kernels a convolution plan runs (fxq_qconv_plan.c builds the plan
 * around the choice): the accumulator path and its int64 chunk, the s8
 * pair rule of the sets that add products in int16, the small-P tile and
 * the direct convolution, each where measured faster (the rules' comments
 * hold the measurements). */
#include <limits.h>
#include <stdlib.h>

#include "fxq_cpu.h"
#include "fxq_env.h"
#include "fxq_format.h"
#include "fxq_qconv_impl.h"

/* Chooses the int64 chunk length (and split) for the largest weight
 * magnitude wmax (>= 1; at most 2^(w_bits-1)) and signed a_bits: a chunk of
 * k's sums to at most chunk * wmax * 2^(ab-1) in magnitude. */
static void fxq_choose_chunk(long long wmax, int ab, int *split, int *chunk)
{
    const long long lim = (1LL << 31) - 1;
    const long long prod = wmax * (1LL << (ab - 1)); /* max |w * a| */
    long long c = (lim / prod) & ~1LL;
    if (c >= 32 || ab <= 8) {
        *split = 0;
    } else {
        const long long p_lo = wmax * 255, p_hi = wmax * (1LL << (ab - 9));
        c = (lim / (p_lo > p_hi ? p_lo : p_hi)) & ~1LL;
        *split = 1;
    }
    if (c > (1 << 20)) c = 1 << 20;
    *chunk = (int)c;
}

static inline int fxq_max_i(int a, int b) { return a > b ? a : b; }

/* The largest |w_k| + |w_k+s| over the pairs a pair-summing s8 kernel
 * forms (fxq_kernels.h: s8_pair_stride s), on every row. A single large
 * code (per-channel formats put one -128 in most rows) is harmless; only
 * two in one pair reach the limit, so this, not 2 * max|w|, is the bound.
 * The plan only asks whether it exceeds cap: the scan stops at the first
 * row that does (full-range weights fail in their first rows; a full scan
 * of darknet.cfg's 7.3 M weights took 40 ms of a 0.4 s load). */
long long fxq_qconv_pair_max(const fxq_wsrc wsrc, int M, int K, int s, long long cap)
{
    long long best = 0;
    for (int m = 0; m < M && best <= cap; ++m) {
        int row = 0; /* the row's max, in int (|w| <= 2^15): loops the compiler vectorizes */
        const int32_t *w32 = wsrc.w32 ? wsrc.w32 + (size_t)m * K : NULL;
        const int16_t *w16 = wsrc.w16 ? wsrc.w16 + (size_t)m * K : NULL;
        if (s == 1) { /* adjacent pairs (AVX2 vpmaddubsw) */
            const int np = K / 2;
            if (w32)
                for (int j = 0; j < np; ++j) row = fxq_max_i(row, abs(w32[2 * j]) + abs(w32[2 * j + 1]));
            else
                for (int j = 0; j < np; ++j) row = fxq_max_i(row, abs(w16[2 * j]) + abs(w16[2 * j + 1]));
            if (K % 2) row = fxq_max_i(row, abs(fxq_wsrc_at(wsrc, (size_t)m * K + K - 1))); /* partner: a padding zero */
        } else {
            const size_t r0 = (size_t)m * K;
            for (int k0 = 0; k0 < K; k0 += 2 * s) {
                /* n first elements at k0.., nb of them with a partner s further (past K: a zero) */
                const int n = k0 + s <= K ? s : K - k0, nb = k0 + s >= K ? 0 : k0 + 2 * s <= K ? s : K - k0 - s;
                for (int j = 0; j < nb; ++j)
                    row = fxq_max_i(row, abs(fxq_wsrc_at(wsrc, r0 + k0 + j)) + abs(fxq_wsrc_at(wsrc, r0 + k0 + s + j)));
                for (int j = nb; j < n; ++j) row = fxq_max_i(row, abs(fxq_wsrc_at(wsrc, r0 + k0 + j)));
            }
        }
        if (row > best) best = row;
    }
    return best;
}

/* FXQ_IGEMM=0 in the environment: no small-P tile, s8 or s16 (for comparisons). */
static int fxq_igemm_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_IGEMM", 1, &on);
}

/* The kernels of the plan's path. wmax: the largest |weight code|;
 * pairmax: fxq_pair_max for the set's pair stride (2 * wmax if not needed). */
void fxq_qconv_choose_path(fxq_qconv_plan *p, int use_i32, long long wmax, long long pairmax)
{
    const fxq_qconv_desc *d = &p->d;
    const fxq_kernel_set *ks = p->ks;
    /* unsigned codes feed an s8 kernel as they are where its B is u8 (the
     * set has an input offset), else only when they fit s8 */
    int ilo, ihi;
    fxq_qconv_in_range(d, &ilo, &ihi);
    const int s8_in = ihi - ilo <= 255;
    /* a kernel that sums k pairs in int16 (AVX2 vpmaddubsw saturating, NEON
     * smlal wrapping) is exact only if no pair can exceed its limit:
     * |B byte| <= 255 where B is u8, <= 128 where it is s8 */
    const int s8_pairs_ok = !ks->s8_pair_limit || (ks->s8_in_offset ? 255 : 128) * pairmax <= ks->s8_pair_limit;
    const int P = p->P;
    if (use_i32 && d->w_bits <= 8 && s8_in && s8_pairs_ok && ks->s8) {
        p->path = FXQ_PATH_S8_I32, p->kr = ks->s8_kr ? ks->s8_kr : 4, p->esz = 1, p->k32 = ks->s8;
        /* u8 B: code - lowest code (the offset -ilo: 128 for signed codes,
         * 0 for unsigned ones); s8 B: code - lowest code - 128 (signed
         * codes as they are, unsigned ones - 128) */
        p->lo8 = ilo;
        p->off8 = ks->s8_in_offset - 128 - ilo;
        if (P == 1) p->gemv = ks->gemv_s8;
    } else if (use_i32) {
        p->path = FXQ_PATH_S16_I32, p->kr = 2, p->esz = 2, p->k32 = ks->s16;
        if (P == 1) p->gemv = ks->gemv_s16;
    } else {
        p->path = FXQ_PATH_S16_I64, p->kr = 2, p->esz = 2, p->k64 = ks->s16_i64, p->rq64 = ks->rq64;
        /* signed bits that hold every input code */
        fxq_choose_chunk(wmax > 0 ? wmax : 1, fxq_qconv_ceil_log2(ihi > -ilo ? ihi + 1 : -ilo) + 1, &p->split, &p->chunk);
        if (P == 1 && p->chunk >= 32) p->gemv64 = ks->gemv_i64;
    }
    p->gmr = ks->gemv_mr;
    /* 2..16 output positions: the narrow tile, where the set has one */
    fxq_gemm_i32_fn narrow = p->path == FXQ_PATH_S8_I32 ? ks->s8_n16 : p->path == FXQ_PATH_S16_I32 ? ks->s16_n16 : NULL;
    if (narrow && P <= 16 && !p->gemv && P < p->nr) p->k32 = narrow, p->mr = ks->n16_mr, p->nr = 16;
    if (p->path == FXQ_PATH_S16_I64 && ks->s16_i64_n16 && P <= 16 && !p->gemv64 && P < p->nr)
        p->k64 = ks->s16_i64_n16, p->mr = ks->n16_mr, p->nr = 16;
    /* a few positions (8-bit, B u8): the small-P tile, filters in lanes
     * (fxq_qconv_igemm.c), for windows wider than 1x1. Measured on this
     * 2-core AVX-512 VNNI machine (fxq_qconv_run, 1 thread, us, igemm vs
     * the 16x16 tile with its im2col + packing; 2026-12-07):
     *   7x7/s5/p4 256 -> 128 on 5x5 (P 4, K 12544)   32.6 vs 182
     *   3x3 256 -> 128, P 2 / 4 / 8 / 16 (K 2304)    9.3 / 8.9 / 16.1 / 25.3 vs 30.8 / 32.2 / 37.1 / 33.8
     *   3x3 512 -> 1024 on 4x4 (P 16, K 4608)        345 vs 368 (2 threads: 227 vs 262)
     *   3x3 8 -> 64, P 4 / 16 (K 72)                 0.35 / 0.93 vs 0.90 / 0.95
     *   3x3 256 -> 256, P 25 / 64, vs the 8x32 tile  78.5 / 176 vs 93.5 / 173
     * and in whole networks (fxq bench --per-layer, ms, 1 / 2 threads, the
     * bound at 16 vs 32): paper-cifar10's 5x5 layer 0.093 / 0.052-0.056 ->
     * 0.078 / 0.042-0.046, fmnist-yolo's 5x5 layers 10 and 12 0.046 / 0.028 ->
     * 0.040 / 0.027 and 0.090 / 0.052 -> 0.077 / 0.047
     *   1x1 256 -> 64, P 8 (K 256)                   3.97 vs 2.01: a 1x1 B is the
     *   image itself (no im2col) and the per-channel conversion costs more */
    if (p->path == FXQ_PATH_S8_I32 && ks->s8_igemm && ks->s8_in_offset && !p->gemv && P >= 2 &&
        P <= ks->igemm_max_p && d->ksize > 1 && fxq_igemm_enabled())
        p->kig = ks->s8_igemm, p->k32 = NULL, p->mr = ks->igemm_mr, p->nr = ks->igemm_nr;
    /* the same on the s16 int32 path -- where 8-bit layers run on AVX2 (the
     * s8 pair rule fails for weights that use their range) -- only where
     * the int32 rule holds, like the s16 GEMM tile it replaces (use_i32:
     * fxq_qconv_plan.c), so its int32 lanes hold the true sums. Its bound
     * (s16_igemm_max_p 16) is the 6x16 tile's width: below it that tile
     * idles columns and pays im2col + packing for 16; above it each weight
     * is streamed once per 4 positions against once per 16. Measured on a
     * 2-core AVX2 EPYC VM (family 23), `fxq bench --per-layer`, 2 threads,
     * FXQ_IGEMM=0 vs 1, two alternated rounds: paper-cifar10 8/8 layer 5
     * (7x7/s5 256 -> 128 on 5x5, P 4, K 12544) 0.79 -> 0.22 ms, the
     * network 4.93 -> 4.35 ms. The bound 16 itself was not timed. */
    if (p->path == FXQ_PATH_S16_I32 && ks->s16_igemm && !p->gemv && P >= 2 && P <= ks->s16_igemm_max_p &&
        d->ksize > 1 && fxq_igemm_enabled())
        p->kig = ks->s16_igemm, p->k32 = NULL, p->mr = ks->s16_igemm_mr, p->nr = ks->s16_igemm_nr;
    /* split activations, all of K in one chunk: the one-call tile */
    const int kc = (p->K + p->kr - 1) / p->kr * p->kr;
    if (p->path == FXQ_PATH_S16_I64 && p->split && kc <= p->chunk && ks->s16_split && !p->gemv64 &&
        p->k64 == ks->s16_i64)
        p->k32 = ks->s16_split;
}

/* FXQ_DCONV=0 in the environment: no direct convolution (for comparisons). */
static int fxq_dconv_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_DCONV", 1, &on);
}

/* The direct convolution (fxq_qgemm.h) for s8 layers with few k per output
 * -- 3-channel 3x3 first layers, K = 27 -- at stride 1, where the set has
 * one the CPU runs and its one-step rounding is exact: every row shifts
 * right by 1..31 and no sum plus the half folded into the bias reaches
 * 2^31 (acc_bound: the largest |bias| + sum |w| * amax of a row).
 * Measured on 59b80e9 (2 threads, 3 alternated rounds of 100-200 runs,
 * old binary vs new): yolov3-tiny's layer 0 (K = 27, 416^2, 16 filters)
 * 0.735-0.739 -> 0.507-0.555 ms, darknet.cfg's (256^2) 0.215-0.252 ->
 * 0.212-0.215 ms (and less with the pool fused, fxq_layer_forward.c).
 * Its next layers too, at 91ee171 (K <= 32 vs this cap, alternated):
 * yolov3-tiny layer 2 (K = 144, 208^2) 0.80-0.82 -> 0.55-0.58 ms, layer 4
 * (K = 288, 104^2) 0.80-0.83 -> 0.61-0.64; darknet.cfg layers 2 and 4
 * (128^2, 64^2) 0.29-0.35 -> 0.19-0.20 each. Deeper ones lose: K = 576 at
 * 52^2 0.57-0.59 -> 0.59-0.61, K = 1152 at 26^2 0.51-0.54 -> 0.58-0.66
 * (16 filters a pass re-read the image; narrow rows waste lanes). Rows
 * of 16-position tiles: fmnist's 26- and 13-wide layers 0 and 2 lost
 * (0.011 -> 0.013, 0.013 -> 0.015 ms); 64 wide and more gained. */
#define FXQ_DCONV_KMAX 320
#define FXQ_DCONV_MIN_W 64
void fxq_qconv_choose_dconv(fxq_qconv_plan *p, const fxq_qconv_desc *d, long long acc_bound)
{
    const fxq_kernel_set *ks = p->ks;
    if (!ks->s8_dconv || !fxq_cpu_has(ks->dconv_features) || p->path != FXQ_PATH_S8_I32 || p->gemv ||
        p->k32 != ks->s8 || d->stride != 1 || d->ksize < 2 || d->ksize > 8 || p->K > FXQ_DCONV_KMAX ||
        d->out_w < FXQ_DCONV_MIN_W || !fxq_dconv_enabled())
        return;
    int smax = 0;
    for (int m = 0; m < (d->row_shift ? d->m : 1); ++m) {
        const int sh = d->row_shift ? d->row_shift[m] : d->shift;
        if (sh < 1 || sh > 31) return;
        if (sh > smax) smax = sh;
    }
    if (acc_bound + ((long long)1 << (smax - 1)) >= INT32_MAX) return;
    /* the kernel saturates in int16 before clamping to lo (fxq_plan_rq's) */
    if ((d->out_window ? fxq_act_floor(d->out_lo, d->act) : fxq_code_min(d->o_bits)) < INT16_MIN) return;
    p->dconv = ks->s8_dconv;
    p->mr = p->nr = 16;
}
