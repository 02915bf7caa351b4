/* Internal: the qconv plan shared by its files (not part of the public API).
 *
 *   fxq_qconv_plan.c   validation, the accumulator rule, buffers,
 *                      create / free / describe
 *   fxq_qconv_path.c   which kernels: path, int64 chunk, s8 pair rule,
 *                      small-P tile, direct convolution
 *   fxq_qconv_igemm.c  the small-P tile's image and tiles
 *   fxq_qconv_member.c a plan's share of a network team
 *   fxq_qconv_pack.c   weights -> GEMM A panels or GEMV rows (once per plan),
 *                      the im2col source offsets
 *   fxq_qconv_run.c    the per-run pipeline and its OpenMP team
 *   fxq_qconv_bench.c  the GEMM-only benchmark hook
 *   fxq_qconv_convert.c the layers' float <-> code conversion
 * ISA-specific code lives only in the kernel sets (fxq_kernels.h).
 */
#ifndef FXQ_QCONV_IMPL_H
#define FXQ_QCONV_IMPL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "fxq_kernels.h"
#include "fxq_qconv.h"

enum { FXQ_PATH_S8_I32, FXQ_PATH_S16_I32, FXQ_PATH_S16_I64 };

/* The largest KR of a kernel set (NEON i8mm s8: 8); the im2col rows buffer
 * holds two k-groups of rows per thread. */
#define FXQ_KR_MAX 8

struct fxq_qconv_plan {
    fxq_qconv_desc d;  /* d.row_shift points at row_shift below (or NULL) */
    const fxq_kernel_set *ks;
    int path, kr, mr, nr;
    int K, kc, P;
    int m_tiles, n_tiles;
    int n_inner;       /* tile order: 1 = the n tiles of one A panel in a row (weights larger than the
                        * B panels: each A panel is fetched from memory once), 0 = the m tiles of one
                        * B panel in a row */
    fxq_gemm_i32_fn k32;
    fxq_gemm_i64_fn k64;
    fxq_rq_i64_fn rq64;
    size_t a_stride;   /* bytes per packed A panel */
    unsigned char *a;
    int split, chunk;  /* int64 path */
    int esz;           /* bytes per activation element in img / rows / B */
    int lo8, off8;     /* esz 1: B byte = clamp(code, lo8, lo8 + 255) + off8 (off8: the input offset,
                        * -lo8 where B is u8: 128 signed, 0 unsigned, -in_lo a window; -lo8 - 128
                        * where B is s8) */
    int direct;        /* rows contiguous in img (ws == out_w, e.g. 1x1/s1/p0): no im2col copy */
    int rowwise;       /* out_w % nr == 0: no B tile straddles two output rows, so each output
                        * row's tiles are packed straight from the image (no im2col copy either) */
    int wide;          /* the GEMM runs over out_h x ws positions (P = out_h * ws): every im2col row
                        * is then one contiguous run of the (polyphase) image, packed as it is (direct);
                        * the ws - out_w columns past each output row are computed into wout and
                        * dropped when wout is copied to the output (fxq_qconv_compact) */
    int16_t *wout;     /* wide: m x P codes (own scratch: each copy has its own) */
    int hp, wp;        /* padded input */
    int hs, ws;        /* one stride phase of it: ceil(hp / stride) x ceil(wp / stride) */
    size_t img_elems;
    unsigned char *img;
    int32_t *off_k;    /* kc offsets (elements) of each im2col row's source in img; GEMV plans:
                        * the input index of row k (-1: padding), gathered without img */
    size_t b_panel;    /* elements per B panel (x2 when split) */
    unsigned char *bpack;
    fxq_pack_u8c4_fn pack8; /* the set's pack_u8c4, or its pack_u8c4_x where the CPU runs it */
    fxq_pack_gather_u8c4_fn gpack; /* im2col + pack in one pass (8-bit B, no rows buffer): tile t's
                        * positions read at pbase[t] + pidx[t * nr + n] of each k-row's source */
    int32_t *pbase;
    uint8_t *pidx;
    fxq_dconv_fn dconv; /* direct convolution (the set's s8_dconv): no B panels, each output row's
                        * positions read in place in the image, mr = nr = 16 (fxq_qgemm.h); its
                        * groups' index vectors [kc/4][64] and window offsets [kc/4][2] */
    uint8_t *dc_idx;
    int32_t *dc_off;
    uint8_t *dc_pidx;  /* the fused 2x2 max pool's: [kc/4][even, odd][64] (NULL: none) */
    size_t row_len;    /* elements per im2col row buffer */
    unsigned char *rows; /* nthreads x 2 x 4 rows */
    int64_t *acc64;    /* nthreads x MR x NR */
    /* P == 1 plans: one column, weights row-major */
    fxq_gemv_fn gemv;
    fxq_gemv_i64_fn gemv64;
    int gmr;           /* rows per GEMV call */
    int kcg;           /* K (gin: the input's size) rounded up to the GEMV k step */
    int gin;           /* GEMV column in the input's own order: x[j] = input element j, the weights
                        * scattered to it (padding k's dropped: they multiply code 0), so the column
                        * is the input converted as it is, no gather (fxq_qconv_pack.c) */
    unsigned char *gw; /* round_up(m, gmr) x kcg weights */
    int32_t *gbias;    /* round_up(m, gmr), int32 paths */
    int64_t *gbias64;  /* round_up(m, gmr), int64 path */
    unsigned char *gx; /* kcg elements (int64 split: high bytes, then kcg low bytes) */
    /* small-P plans (fxq_qconv_igemm.c): img = the padded channel planes,
     * bpack = them kr channels interleaved, off_k = per k-group offsets */
    fxq_igemm_fn kig;
    int ig_hw;         /* pixels per padded plane, rounded up to 32 */
    int32_t *ig_pos;   /* n_tiles * nr: each position's window corner in bpack (past P: position 0's) */
    int nthreads;
    atomic_long ticket; /* in copy t: the next chunk of thread t's share of a dynamic
                         * filter split (fxq_qconv_member_arm) */
    /* batch > 1: one single-image, single-thread copy per thread, sharing
     * the read-only weights / offsets / requantization and owning its
     * scratch (img, bpack, rows, acc64, gx), so images run in parallel
     * without barriers. NULL for batch 1 / one thread / the copies. */
    struct fxq_qconv_plan *img_plans;
    int own_shared;    /* 0 in the copies: a, off_k, gw, gbias(64), rq, row_shift, pbase, pidx, dc_idx,
                        * dc_off are borrowed */
    fxq_rq_params *rq; /* 1 (uniform shift) or m (row_shift) entries, see fxq_rq_row */
    int *row_shift;    /* copy of the descriptor's, or NULL */
    char desc[192];
};

/* The input codes' range lo .. hi: signed, unsigned or the window. */
static inline void fxq_qconv_in_range(const fxq_qconv_desc *d, int *lo, int *hi)
{
    *lo = d->in_window ? d->in_lo : d->in_unsigned ? 0 : -(1 << (d->a_bits - 1));
    *hi = d->in_window ? d->in_lo + (1 << d->a_bits) - 1 : d->in_unsigned ? (1 << d->a_bits) - 1
                                                                            : (1 << (d->a_bits - 1)) - 1;
}

/* The weights a plan is made from: m x K codes, int32 or int16 (the one
 * that is not NULL). */
typedef struct fxq_wsrc {
    const int32_t *w32;
    const int16_t *w16;
} fxq_wsrc;

/* Weight idx (row-major M x K) as int32. */
static inline int32_t fxq_wsrc_at(fxq_wsrc w, size_t idx) { return w.w32 ? w.w32[idx] : w.w16[idx]; }

/* Row m as int32: in place, or widened into row[K]. */
static inline const int32_t *fxq_wsrc_row(fxq_wsrc w, int m, int K, int32_t *row)
{
    if (w.w32) return w.w32 + (size_t)m * K;
    for (int k = 0; k < K; ++k) row[k] = w.w16[(size_t)m * K + k];
    return row;
}

/* Computes off_k, then packs the weights (GEMV rows when p->gemv /
 * p->gemv64, else A panels); buffers already allocated. 0: out of memory. */
void fxq_qconv_pack_offsets(fxq_qconv_plan *p);
int fxq_qconv_pack_weights(fxq_qconv_plan *p, fxq_wsrc w, const int64_t *bias);

/* wide plans: rows [m0, m1) and wide columns [c0, c1) of wout -> out
 * (m x out_h x out_w). */
void fxq_qconv_compact(const fxq_qconv_plan *p, int16_t *out, int m0, int m1, long c0, long c1);

/* Zeroed 64-byte aligned buffers of the plans (fxq_qconv_plan.c). */
void *fxq_alloc64(size_t bytes);
void fxq_free64(void *p);

/* ceil(log2(k)) for k >= 1 */
static inline int fxq_qconv_ceil_log2(long long k)
{
    int r = 0;
    while (((long long)1 << r) < k) ++r;
    return r;
}

/* The kernel choice (fxq_qconv_path.c). pair_max: the largest |w_k| +
 * |w_k+s| over the pairs an s8 kernel with pair stride s adds in int16;
 * choose_path: the path and kernels for the largest |weight code| wmax and
 * that pair bound (2 * wmax where not needed); choose_dconv: the direct
 * convolution where it applies (acc_bound: a row's largest |bias| + sum
 * |w| * max|input code|). */
long long fxq_qconv_pair_max(const fxq_wsrc wsrc, int M, int K, int s, long long cap);
void fxq_qconv_choose_path(fxq_qconv_plan *p, int use_i32, long long wmax, long long pairmax);
void fxq_qconv_choose_dconv(fxq_qconv_plan *p, const fxq_qconv_desc *d, long long acc_bound);

/* igemm plans (fxq_qconv_igemm.c): the channel groups (kr channels each),
 * buffers (1 done, 0 out of memory, -1 too large), a copy's scratch, the
 * offsets, channel groups [g0, g1) of the input into the interleaved
 * image, one tile. */
int fxq_qconv_igemm_groups(const fxq_qconv_plan *p);
int fxq_qconv_igemm_acts(fxq_qconv_plan *p);
int fxq_qconv_igemm_scratch(fxq_qconv_plan *q);
void fxq_qconv_igemm_offsets(fxq_qconv_plan *p);
void fxq_qconv_igemm_image(const fxq_qconv_plan *p, const int16_t *in, long g0, long g1);
void fxq_qconv_igemm_tile(const fxq_qconv_plan *p, int16_t *out, int mt, int nt);

/* Phase 3 pieces, shared by the run and the benchmark hook. */
void fxq_qconv_gemm_tiles(const fxq_qconv_plan *p, int16_t *out, long t0, long t1, int tid);
void fxq_qconv_gemv_rows(const fxq_qconv_plan *p, int16_t *out, long g0, long g1);
/* Shared by fxq_qconv_run.c and the network team (fxq_qconv_member.c):
 * all images of p on threads tid of nth (barriers between phases); stride
 * 1 without padding (the padded image is the input's layout); the one
 * column of a GEMV plan, rows [k0, k1), gathered from the input codes;
 * multiply-accumulates of one image as the kernels do them. */
void fxq_qconv_run_team(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth);
int fxq_qconv_convert_flat(const fxq_qconv_plan *p);
void fxq_qconv_gather_x(const fxq_qconv_plan *p, const int16_t *in, long k0, long k1);
double fxq_qconv_image_macs(const fxq_qconv_plan *p);
int fxq_qconv_team_size(const fxq_qconv_plan *p);

static inline void fxq_qconv_split(long n, int tid, int nth, long *b, long *e)
{
    *b = n * tid / nth;
    *e = n * (tid + 1) / nth;
}

/* The requantization of row m0's tile / GEMV block. */
static inline const fxq_rq_params *fxq_qconv_rq(const fxq_qconv_plan *p, int m0)
{
    return p->rq->per_row ? p->rq + m0 : p->rq;
}

#endif
