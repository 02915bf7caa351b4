/* Integer kernels between fixed-point layers (the contract): maxpool,
 * global avgpool, format conversion (route, a fixed layer's input), add
 * (shortcut), nearest upsample, reorg, all on int16 codes stored [b][c][y][x] like
 * Darknet's l.output.
 *
 * A code format is {bits, frac, uns, zero}: value = code * 2^-frac, codes
 * -2^(bits-1) .. 2^(bits-1) - 1 (uns = 0, zero = 0), 0 .. 2^bits - 1
 * (uns = 1, bits <= 15), or the window -zero .. 2^bits - 1 - zero (zero
 * point, uns = 0, 0 < zero < 2^bits, bits <= 15; fxq_cfmt_window keeps the
 * signed and unsigned windows in their own forms, so equal ranges compare
 * equal). Every kernel computes the exact real result of its operation
 * on the input values and stores Q_out(result): round half away from zero
 * at out.frac, saturate to out's range -- the same rule as fxq_quantize_ref,
 * so the float emulation (dequantized values, exact or double arithmetic,
 * then fxq_quantize64_ref) gives the same codes bit for bit. The kernels are
 * OpenMP-parallel over images x channels (or elements). */
#ifndef FXQ_POOL_H
#define FXQ_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fxq_cfmt {
    int bits, frac, uns;
    int zero; /* 0, or the window's zero point (new fields last: {bits, frac, uns} initialisers stay valid) */
} fxq_cfmt;

static inline int fxq_cfmt_lo(fxq_cfmt f) { return f.uns ? 0 : f.zero ? -f.zero : -(1 << (f.bits - 1)); }
static inline int fxq_cfmt_hi(fxq_cfmt f) { return fxq_cfmt_lo(f) + (1 << f.bits) - 1; }
static inline int fxq_cfmt_eq(fxq_cfmt a, fxq_cfmt b)
{
    return a.bits == b.bits && a.frac == b.frac && a.uns == b.uns && a.zero == b.zero;
}
/* 1 when the codes are not the symmetric signed ones (a sign bit more is
 * needed to hold them in a signed format). */
static inline int fxq_cfmt_asym(fxq_cfmt f) { return f.uns || f.zero; }
/* The format of codes lo .. lo + 2^bits - 1 (lo <= 0 < lo + 2^bits):
 * unsigned for lo = 0, signed for lo = -2^(bits-1), else a window. */
static inline fxq_cfmt fxq_cfmt_window(int bits, int frac, int lo)
{
    const fxq_cfmt f = {bits, frac, lo == 0, lo == 0 || lo == -(1 << (bits - 1)) ? 0 : -lo};
    return f;
}

/* dst[i] = Q_to(src[i] * 2^-from_frac): a left shift then saturation when
 * to.frac >= from_frac, else a rounding (half away from zero) right shift
 * then saturation. Equal to dequantize -> fxq_quantize_ref. src == dst is
 * allowed. |to.frac - from_frac| <= 30. */
void fxq_codes_convert(const int16_t *src, size_t n, int from_frac, fxq_cfmt to, int16_t *dst);

/* Darknet's maxpool geometry (maxpool_layer.c): window (oy, ox) covers rows
 * oy*stride - pad/2 .. + size-1 and columns likewise; positions outside the
 * image are skipped (Darknet reads -FLT_MAX there). Every window must hold at
 * least one pixel (fxq_maxpool_ok). nc = batch * channels planes of h x w.
 * The format is unchanged: max needs no rounding. */
typedef struct fxq_maxpool_geom {
    int h, w, size, stride, pad, out_h, out_w;
} fxq_maxpool_geom;
int fxq_maxpool_ok(const fxq_maxpool_geom *g);
void fxq_s16_maxpool(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out);
/* Output rows [r0, r1) of every plane only, on the calling thread (a team
 * splits a maxpool by rows: each thread's rows are the ones the layers
 * around it work on). The same codes as fxq_s16_maxpool there. */
void fxq_s16_maxpool_rows(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out, int r0, int r1);
/* Plain reference of the same (scalar, no threads, no kernel set). */
void fxq_s16_maxpool_ref(const fxq_maxpool_geom *g, size_t nc, const int16_t *in, int16_t *out);

/* Global average pool: out[p] = round(sum of plane p * 2^up / hw), the
 * mean on a grid `up` fractional bits finer than the input's: sum in int64,
 * one rounding division (half away from zero); the mean of values in range
 * stays in range, so with the caller's (bits + up) it never saturates. */
void fxq_s16_avgpool(size_t nc, size_t hw, int up, const int16_t *in, int16_t *out);

/* out[i] = act(Q_out(a[i] * 2^-fa + b[i] * 2^-fb)): both aligned to the
 * finer frac by exact left shifts, added in int64, one rounding shift to
 * out.frac (half away from zero), saturated; act is FXQ_ACT_* applied to
 * the code like a fixed layer's activation. |fa - fb| <= 32 (the exact sum
 * then also fits a double's mantissa, which the emulation relies on) and
 * out.frac <= max(fa, fb). */
void fxq_s16_add(size_t n, const int16_t *a, int fa, const int16_t *b, int fb, fxq_cfmt out, int act,
                 int16_t *dst);

/* Nearest-neighbour upsample by `stride` (Darknet's upsample_cpu, scale 1):
 * nc planes h x w -> h*stride x w*stride. */
void fxq_s16_upsample(size_t nc, int h, int w, int stride, const int16_t *in, int16_t *out);

/* Darknet's reorg_cpu on codes (the same permutation; c % stride^2 == 0). */
void fxq_s16_reorg(const int16_t *x, int w, int h, int c, int batch, int stride, int forward, int16_t *out);

/* The row ukernel of the 2x2 stride-2 case (kernel-set field maxpool_2x2):
 * out[j] = max(r0[2j], r0[2j+1], r1[2j], r1[2j+1]), j < n. */
typedef void (*fxq_s16_maxpool_2x2_fn)(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out);
void fxq_s16_maxpool_2x2_ukernel__scalar(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out);
#if defined(__x86_64__)
void fxq_s16_maxpool_2x2_ukernel__avx2(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out);
void fxq_s16_maxpool_2x2_ukernel__avx512vnni(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out);
#endif
#if defined(__aarch64__)
void fxq_s16_maxpool_2x2_ukernel__neon(size_t n, const int16_t *r0, const int16_t *r1, int16_t *out);
#endif

/* The row ukernel of stride-1 windows (kernel-set field maxpool_s1):
 * out[j] = max over r < rows, m < size of in[r][j + m] (rows `ws` elements
 * apart), j < n: the interior of a stride-1 maxpool. */
typedef void (*fxq_s16_maxpool_s1_fn)(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out);
void fxq_s16_maxpool_s1_ukernel__scalar(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out);
#if defined(__x86_64__)
void fxq_s16_maxpool_s1_ukernel__avx2(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out);
void fxq_s16_maxpool_s1_ukernel__avx512vnni(size_t n, int rows, int size, const int16_t *in, size_t ws,
                                            int16_t *out);
#endif
#if defined(__aarch64__)
void fxq_s16_maxpool_s1_ukernel__neon(size_t n, int rows, int size, const int16_t *in, size_t ws, int16_t *out);
#endif

#endif
