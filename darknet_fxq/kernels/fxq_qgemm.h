/* Internal: GEMM microkernels behind the qconv plans (fxq_qconv_*.c; not part of the public API).
 *
 * C[m][n] = act(requant(bias[m] + sum_k A[m][k] * B[k][n]))   m < M, n < N
 * A = weight codes (packed once per plan), B = im2col'ed activation codes
 * (packed per run), C = output codes, row stride c_stride (int16 elements).
 *
 * Packed layouts (MR x NR tile, KR = k values per 32-bit lane group):
 *   A panel (MR rows):   bias[MR] (int32 for int32 kernels, int64 for int64),
 *                        then weights [kc/KR][MR][KR]; rows >= M are zero.
 *   B panel (NR cols):   [kc/KR][NR][KR]; columns >= N hold anything (their
 *                        results are computed and never stored).
 *   kc is K rounded up to KR; the padding k's have zero weights.
 * Names: fxq_<data>_gemm[_i64]_ukernel_<MR>x<NR>c<KR>__<isa>, every SIMD
 * kernel with a __scalar twin over the same layout (fxq_qgemm_scalar.c).
 *
 * Requantization (fxq_requant_ref + fxq_act_ref of fxq_format.h, bit for bit)
 * is done branch-free on |acc| so SIMD needs no 64-bit arithmetic shift:
 *   shift > 0:  mag = (|acc| + 2^(shift-1)) >> shift     (round half away)
 *               mag = min(mag, acc < 0 ? -lo : hi);  r = sign(acc) * mag
 *   shift <= 0: s = min(-shift, 16); t = clamp(acc, ceil(lo/2^s)-1, floor(hi/2^s)+1)
 *               r = clamp(t * 2^s, lo, hi)     (exact left shift, saturated;
 *               s is capped at 16 because any s >= o_bits saturates every
 *               nonzero acc)
 *   relu: r < 0 -> 0;  leaky: r < 0 -> -((-r * 13107 + 2^16) >> 17)
 */
#ifndef FXQ_QGEMM_H
#define FXQ_QGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "fxq_format.h"

typedef struct fxq_rq_params {
    int32_t right;     /* 1: shift > 0 (rounding right shift); 0: left shift */
    int32_t rshift32;  /* int32 acc: min(shift, 32)  (a shift by 32 gives 0) */
    uint32_t half32;   /* int32 acc: 2^(shift-1) if shift <= 31, else 0 */
    int32_t rshift64;  /* int64 acc: min(shift, 63)  (|acc| < 2^62) */
    uint64_t half64;   /* int64 acc: 2^(rshift64-1) */
    int32_t lshift;    /* left: min(-shift, 16) */
    int32_t lclamp_lo; /* left: ceil(lo / 2^lshift) - 1 */
    int32_t lclamp_hi; /* left: floor(hi / 2^lshift) + 1 */
    int32_t lo, hi;    /* output code range of o_bits */
    uint32_t mag_pos;  /* hi */
    uint32_t mag_neg;  /* -lo */
    int32_t act;       /* FXQ_ACT_* */
    int32_t per_row;   /* 0: these parameters serve every row of a tile;
                        * 1: this is row 0 of an array, row i uses rq[i]
                        * (per-output-row shifts, fxq_qconv_desc.row_shift) */
} fxq_rq_params;

/* Requantization saturating to lo .. hi (lo <= 0 <= hi, within int16) instead
 * of o_bits' range: what an output window becomes (fxq_qconv.h). */
static inline void fxq_rq_init_range(fxq_rq_params *p, int shift, int32_t lo, int32_t hi, int act)
{
    p->lo = lo;
    p->hi = hi;
    p->mag_pos = (uint32_t)p->hi;
    p->mag_neg = (uint32_t)(-(int64_t)p->lo);
    p->act = act;
    p->per_row = 0;
    p->right = shift > 0;
    if (shift > 0) {
        p->rshift32 = shift < 32 ? shift : 32;
        p->half32 = shift <= 31 ? (uint32_t)1 << (shift - 1) : 0;
        p->rshift64 = shift < 63 ? shift : 63;
        p->half64 = (uint64_t)1 << (p->rshift64 - 1);
        p->lshift = 0;
        p->lclamp_lo = p->lo - 1;
        p->lclamp_hi = p->hi + 1;
    } else {
        const int s = -(int64_t)shift < 16 ? (int)-(int64_t)shift : 16;
        p->rshift32 = 0;
        p->half32 = 0;
        p->rshift64 = 0;
        p->half64 = 0;
        p->lshift = s;
        /* ceil(lo / 2^s) = -((-lo) >> s), floor(hi / 2^s) = hi >> s */
        p->lclamp_lo = -(int32_t)(p->mag_neg >> s) - 1;
        p->lclamp_hi = (p->hi >> s) + 1;
    }
}

static inline void fxq_rq_init(fxq_rq_params *p, int shift, int o_bits, int act)
{
    fxq_rq_init_range(p, shift, (int32_t)fxq_code_min(o_bits), (int32_t)fxq_code_max(o_bits), act);
}

/* The parameters of row i of a tile whose rows start at rq. */
static inline const fxq_rq_params *fxq_rq_row(const fxq_rq_params *rq, size_t i)
{
    return rq->per_row ? rq + i : rq;
}

/* Activation on a requantized code (fxq_act_ref, in 32 bits). */
static inline int32_t fxq_rq_act(int32_t r, int act)
{
    if (r >= 0 || act == FXQ_ACT_LINEAR) return r;
    if (act == FXQ_ACT_RELU) return 0;
    return -(int32_t)(((uint32_t)-r * FXQ_LEAKY_MUL + (1u << (FXQ_LEAKY_SHIFT - 1))) >> FXQ_LEAKY_SHIFT);
}

/* The scalar form of the SIMD requantization (|acc| < 2^62). */
static inline int16_t fxq_rq_apply(int64_t acc, const fxq_rq_params *p)
{
    int32_t r;
    if (p->right) {
        const uint64_t a = acc < 0 ? (uint64_t)0 - (uint64_t)acc : (uint64_t)acc;
        uint64_t mag = (a + p->half64) >> p->rshift64;
        const uint64_t bound = acc < 0 ? p->mag_neg : p->mag_pos;
        if (mag > bound) mag = bound;
        r = acc < 0 ? -(int32_t)mag : (int32_t)mag;
    } else {
        const int64_t t = acc < p->lclamp_lo ? p->lclamp_lo : acc > p->lclamp_hi ? p->lclamp_hi : acc;
        const int64_t v = t * ((int64_t)1 << p->lshift);
        r = (int32_t)(v < p->lo ? p->lo : v > p->hi ? p->hi : v);
    }
    return (int16_t)fxq_rq_act(r, p->act);
}

/* Every kernel below takes `rq` as the requantization of its first row:
 * row i of its output uses fxq_rq_row(rq, i).
 *
 * int32 kernels: full K in registers, requantize, store mr x nr codes.
 *   a: A panel (int32 bias[MR], then weights); b: B panel; kc: multiple of KR. */
typedef void (*fxq_gemm_i32_fn)(size_t mr, size_t nr, size_t kc, const void *a, const void *b,
                                int16_t *c, size_t c_stride, const fxq_rq_params *rq);

/* int64 kernels: acc[MR][NR] (row stride NR) += (sum_{k<kc} A[m][k] B[k][n]) * 2^lshift.
 *   a: weights at the chunk's first k (no bias); b: B panel at the same k.
 *   The caller guarantees every chunk sum fits in int32 (so int32 lanes with
 *   wrap-around arithmetic give it exactly); lshift is 0 or 8. */
typedef void (*fxq_gemm_i64_fn)(size_t kc, const int16_t *a, const int16_t *b, int64_t *acc, int lshift);

/* Requantizes an int64 tile: c[m][n] = rq(acc[m * acc_stride + n]), m < mr, n < nr. */
typedef void (*fxq_rq_i64_fn)(size_t mr, size_t nr, const int64_t *acc, size_t acc_stride, int16_t *c,
                              size_t c_stride, const fxq_rq_params *rq);

#define FXQ_DECL_I32(name)                                                                         \
    void name(size_t mr, size_t nr, size_t kc, const void *a, const void *b, int16_t *c, size_t c_stride, \
              const fxq_rq_params *rq)
#define FXQ_DECL_I64(name) void name(size_t kc, const int16_t *a, const int16_t *b, int64_t *acc, int lshift)
#define FXQ_DECL_RQ64(name)                                                                        \
    void name(size_t mr, size_t nr, const int64_t *acc, size_t acc_stride, int16_t *c, size_t c_stride, \
              const fxq_rq_params *rq)

/* One output column (P == 1): c[m] = rq(bias[m] + sum_k w[m][k] x[k]), m < mr
 * (<= 16). w: row-major, rows kc apart, padded with zero rows to 16; bias:
 * int32[16] (s8: pre-corrected by -offset * sum_k w); x: kc elements (u8 =
 * code + input offset for s8, s16 otherwise). kc: multiple of 64 (s8) / 32 (s16). */
typedef void (*fxq_gemv_fn)(size_t mr, size_t kc, const void *w, const int32_t *bias, const void *x, int16_t *c,
                            const fxq_rq_params *rq);
#define FXQ_DECL_GEMV(name)                                                                        \
    void name(size_t mr, size_t kc, const void *w, const int32_t *bias, const void *x, int16_t *c, \
              const fxq_rq_params *rq)
FXQ_DECL_GEMV(fxq_s8_gemv_ukernel_16c64__avx512vnni);
FXQ_DECL_GEMV(fxq_s8_gemv_ukernel_16c64__scalar);
FXQ_DECL_GEMV(fxq_s16_gemv_ukernel_16c32__avx512vnni);
FXQ_DECL_GEMV(fxq_s16_gemv_ukernel_16c32__scalar);

/* int64 one column: c[m] = rq(bias[m] + sum_k w[m][k] * x[k]) with
 * x = xl ? 256 * xh + xl : xh (split 16-bit activations), w s16 row-major
 * (rows kc apart, 16-row padded), kc % 32 == 0; chunk (% 32 == 0): k's per
 * int32 partial sum -- the caller guarantees a row's chunk sum fits int32. */
typedef void (*fxq_gemv_i64_fn)(size_t mr, size_t kc, size_t chunk, const int16_t *w, const int64_t *bias,
                                const int16_t *xh, const int16_t *xl, int16_t *c, const fxq_rq_params *rq);
#define FXQ_DECL_GEMV_I64(name)                                                                    \
    void name(size_t mr, size_t kc, size_t chunk, const int16_t *w, const int64_t *bias, const int16_t *xh, \
              const int16_t *xl, int16_t *c, const fxq_rq_params *rq)
FXQ_DECL_GEMV_I64(fxq_s16_gemv_i64_ukernel_16c32__avx512vnni);
FXQ_DECL_GEMV_I64(fxq_s16_gemv_i64_ukernel_16c32__scalar);

/* Small-P indirect tile (a few output positions, 8-bit data): filters in
 * lanes, so each weight byte is loaded once for all NR positions and every
 * vpdpbusd lane is a useful multiply-accumulate.
 *   c[m][n] = rq(bias[m] + sum_{g < groups} sum_{j < 4} A[g][m][j] * x[n][off[g] + j])
 * a: int32 bias[MR] (pre-corrected by -offset * sum_k w), then s8 weights
 *    [groups][MR][4] (rows >= M zero): the A panel of fxq_qgemm.h with
 *    MR = 64, its k's in the order of the groups;
 * x[0..NR): each position's base in a 4-channel-interleaved image of u8
 *    B bytes (code + input offset), read in place: position n's k-group g
 *    is the 4 bytes at x[n] + off[g] (columns n >= nr: any readable base,
 *    computed and never stored);
 * off[groups]: byte offsets (int32). Wrap-around int32 sums, as the other
 * s8 kernels; row i requantized with fxq_rq_row(rq, i). */
typedef void (*fxq_igemm_fn)(size_t mr, size_t nr, size_t groups, const void *a, const unsigned char *const *x,
                             const int32_t *off, int16_t *c, size_t c_stride, const fxq_rq_params *rq);
#define FXQ_DECL_IGEMM(name)                                                                       \
    void name(size_t mr, size_t nr, size_t groups, const void *a, const unsigned char *const *x, const int32_t *off, \
              int16_t *c, size_t c_stride, const fxq_rq_params *rq)
FXQ_DECL_IGEMM(fxq_s8_igemm_ukernel_64x4c4__avx512vnni);
FXQ_DECL_IGEMM(fxq_s8_igemm_ukernel_64x4c4__scalar);
/* The same tile on the s16 path (KR = 2, the int32 rule of fxq_qconv.h):
 *   c[m][n] = rq(bias[m] + sum_{g < groups} sum_{j < 2} A[g][m][j] * x[n][off[g] + j])
 * a: int32 bias[MR], then s16 weights [groups][MR][2] (rows >= M zero);
 * x[0..NR): each position's base in a 2-channel-interleaved image of s16
 *    codes, read in place: position n's k-group g is the two int16 at
 *    x[n] + off[g] bytes (off[g] and the bases multiples of 4);
 * int32 wrap-around sums (vpmaddwd's: exact where the true sums fit). */
FXQ_DECL_IGEMM(fxq_s16_igemm_ukernel_16x4c2__avx2);
FXQ_DECL_IGEMM(fxq_s16_igemm_ukernel_16x4c2__scalar);
/* Direct (im2col-free) s8 convolution, stride 1: MR = 16 filters x tiles of
 * 16 output positions of one output row, read straight from the padded u8
 * image the run's conversion writes (B byte = code + input offset, as the
 * s8 GEMM's B), K in groups of KR = 4 taps in Darknet's k order.
 *   a:   int32 bias[16] -- each row's bias as the s8 GEMM's A panel holds it
 *        (input offset folded in) plus that row's rounding half,
 *        fxq_rq_row(rq, m)->half32 -- then s8 weights [groups][16][4]
 *        (rows >= the layer's filters and taps >= K zero);
 *   x:   the image at the first position's window origin;
 *   idx: [groups][64] bytes, off: [groups][2] int32: lane l (< 16) of tile
 *        t (positions 16t ..) reads, for tap j of group g, byte
 *        v = idx[64g + 4l + j] of  v < 64 ? x + 16t + off[2g] : x + 16t + off[2g+1] - 64
 *        (v < 128; the two 64-byte windows of a vpermi2b).
 *   c[m * c_stride + n] = rq_m(acc - half32_m)  for m < mr, n < npos, acc
 *   the int32 sum (mod 2^32) of bias[m] and the group products.
 * The SIMD kernel rounds in one step on acc (acc - (acc <= 0) arithmetic-
 * shifted) and saturates and activates 32 codes per vector in int16, which
 * is rq exactly when every row shifts right by 1..31, acc - half32 is the
 * true sum and acc > INT32_MIN (the plan checks its weights' bound), and
 * every row has row 0's lo (>= -32768), hi and act (fxq_qconv_plan's rows
 * do; an output window's lo under leaky can be lower: no direct plan). */
typedef void (*fxq_dconv_fn)(size_t mr, size_t npos, size_t groups, const void *a, const unsigned char *x,
                             const uint8_t *idx, const int32_t *off, int16_t *c, size_t c_stride,
                             const fxq_rq_params *rq);
#define FXQ_DECL_DCONV(name)                                                                       \
    void name(size_t mr, size_t npos, size_t groups, const void *a, const unsigned char *x, const uint8_t *idx, \
              const int32_t *off, int16_t *c, size_t c_stride, const fxq_rq_params *rq)
FXQ_DECL_DCONV(fxq_s8_dconv_ukernel_16x16c4__avx512vbmi);
FXQ_DECL_DCONV(fxq_s8_dconv_ukernel_16x16c4__scalar);
/* The same convolution with a 2x2 / stride 2 max pool fused (its output
 * only): c[m * c_stride + n] = max over dy, px in {0, 1} of the code above
 * at image row dy (x + dy * x_stride) and position 2n + px, where lane l of
 * pooled tile t (n = 16t + l) reads for tap j of group g byte
 * v = idx[(2g + px) * 64 + 4l + j] of x + dy * x_stride + 32t + off[2g] (v < 64)
 * or + off[2g+1] - 64. Same preconditions; the maximum of the int32 sums
 * is requantized once (requantization and activation are monotone). */
typedef void (*fxq_dconv_pool_fn)(size_t mr, size_t npos, size_t groups, const void *a, const unsigned char *x,
                                  size_t x_stride, const uint8_t *idx, const int32_t *off, int16_t *c,
                                  size_t c_stride, const fxq_rq_params *rq);
#define FXQ_DECL_DCONV_POOL(name)                                                                  \
    void name(size_t mr, size_t npos, size_t groups, const void *a, const unsigned char *x, size_t x_stride, \
              const uint8_t *idx, const int32_t *off, int16_t *c, size_t c_stride, const fxq_rq_params *rq)
FXQ_DECL_DCONV_POOL(fxq_s8_dconv_maxpool2_ukernel_16x16c4__avx512vbmi);
FXQ_DECL_DCONV_POOL(fxq_s8_dconv_maxpool2_ukernel_16x16c4__scalar);

/* AVX-512 VNNI tile 8x32: s8 (B u8 = code + input offset, bias pre-corrected
 * by -offset * sum_k w) c4; s16 c2 int32 and int64. */
FXQ_DECL_I32(fxq_s8_gemm_ukernel_8x32c4__avx512vnni);
FXQ_DECL_I32(fxq_s8_gemm_ukernel_8x32c4__scalar);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_8x32c2__avx512vnni);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_8x32c2__scalar);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_8x32c2__avx512vnni);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_8x32c2__scalar);
FXQ_DECL_RQ64(fxq_i64_requant_ukernel__avx512vnni);
/* AVX-512 VNNI narrow-N tile 16x16 (P <= 16), same element layouts as above
 * with MR = NR = 16. */
FXQ_DECL_I32(fxq_s8_gemm_ukernel_16x16c4__avx512vnni);
FXQ_DECL_I32(fxq_s8_gemm_ukernel_16x16c4__scalar);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_16x16c2__avx512vnni);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_16x16c2__scalar);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_16x16c2__avx512vnni);
/* AVX-512 VNNI split single-chunk int64 tile 8x32 (fxq_gemm_i32_fn
 * signature): A = int64 bias[8] + s16 weights [kc/2][8][2]; B = high bytes
 * [kc/2][32][2] then, kc * 32 elements on, low bytes; c = rq(bias +
 * 2^8 * sum w*high + sum w*low), each pass summed mod 2^32 (the caller
 * guarantees both fit int32). */
FXQ_DECL_I32(fxq_s16_gemm_split_ukernel_8x32c2__avx512vnni);
FXQ_DECL_I32(fxq_s16_gemm_split_ukernel_8x32c2__scalar);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_16x16c2__scalar);

/* AVX2 tile 6x16: s8 c4 (B u8 = code + input offset; k pairs summed in
 * saturating int16 as vpmaddubsw does -- the twin saturates the same way;
 * the plan keeps |w| <= 64 so no pair does), s16 c2 int32 and int64;
 * one-column kernels on the GEMV layouts above (exact, widened to s16). */
FXQ_DECL_I32(fxq_s8_gemm_ukernel_6x16c4__avx2);
FXQ_DECL_I32(fxq_s8_gemm_ukernel_6x16c4__scalar);
FXQ_DECL_GEMV(fxq_s8_gemv_ukernel_16c64__avx2);
FXQ_DECL_GEMV(fxq_s16_gemv_ukernel_16c32__avx2);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_6x16c2__avx2);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_6x16c2__scalar);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_6x16c2__avx2);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_6x16c2__scalar);

FXQ_DECL_RQ64(fxq_i64_requant_ukernel__scalar);

/* NEON sets (arm/): 4x16 tiles; s8 x s8 (B = code - lowest code - 128,
 * bias pre-corrected by the offset) c4 by sdot, c8 by smmla, c4 by
 * smull/smlal + sadalp (k-group pairs summed in int16: exact for |w| <=
 * 127, the twin wraps the same way); s16 c2 int32 and int64; requantization
 * of int64 tiles; one-column kernels, x s8 for the s8 ones. */
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4__neondot);
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4__scalar);
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c8__neoni8mm);
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c8__scalar);
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4_mlal__neon);
FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c4_mlal__scalar);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_4x16c2__neon);
FXQ_DECL_I32(fxq_s16_gemm_ukernel_4x16c2__scalar);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_4x16c2__neon);
FXQ_DECL_I64(fxq_s16_gemm_i64_ukernel_4x16c2__scalar);
FXQ_DECL_RQ64(fxq_i64_requant_ukernel__neon);
FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__neondot);
FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__neon);
FXQ_DECL_GEMV(fxq_s8s8_gemv_ukernel_16c64__scalar);
FXQ_DECL_GEMV(fxq_s16_gemv_ukernel_16c32__neon);

#endif
