/* Integer convolution / fully-connected kernels (the contract).
 *
 * One API serves both layer types: a connected layer is a convolution with
 * h = w = ksize = 1, c = inputs, m = outputs.
 *
 * For each image b, filter m and output position p:
 *   acc  = bias_acc[m] + sum_k w[m][k] * col[k][p]        (exact: int32 or int64)
 *   r    = fxq_requant_ref(acc, shift_m, o_bits)           (round half away, saturate)
 *   shift_m = row_shift ? row_shift[m] : shift            (per-output-row shift)
 *   out  = fxq_act_ref(r, act)
 * or, with an output window (out_window = 1; o_bits <= 15,
 * -(2^o_bits - 1) <= out_lo <= 0):
 *   r    = fxq_requant_ref(acc, shift_m, 32)              (no saturation that matters)
 *   out  = clamp(fxq_act_ref(r, act), out_lo, out_lo + 2^o_bits - 1)
 * i.e. the activation sees the unsaturated value and only what leaves the
 * layer is saturated, to o_bits codes starting at out_lo (a zero point).
 * The plan implements it with the requantization's own saturation: act is
 * monotone and steps by at most one code, so clamp(act(r), lo, hi) =
 * act(clamp(r, L, hi)) with L the least r whose act(r) >= lo (linear and
 * relu: L = lo; leaky: about 10 lo) -- no kernel needs an extra step.
 * where col is Darknet's im2col of the input codes (zero padding = code 0),
 * k = (ch * ksize + ky) * ksize + kx exactly as Darknet orders weights, and
 * out is stored [b][m][oy][ox] like Darknet's l.output.
 *
 * Input codes are int16_t [b][c][y][x] whatever a_bits is: signed codes of
 * a_bits, or with in_unsigned = 1 unsigned codes 0 .. 2^a_bits - 1
 * (a_bits <= 15 then, so they fit int16), or with in_window = 1 the codes
 * in_lo .. in_lo + 2^a_bits - 1 (a zero point; a_bits <= 15,
 * -(2^a_bits - 1) <= in_lo <= 0; in_unsigned is in_lo = 0). The plan keeps
 * 8-bit data internally when w_bits <= 8 and the codes fit the kernel set's
 * s8 B operand: where B is u8 (vpdpbusd, u8 x s8; the set has an input
 * offset) codes of <= 8 bits are stored as code - lo (lo the range's lowest
 * code: +128 for signed codes, nothing for unsigned ones), lo * sum_k w
 * folded into the bias; where B is s8, only codes within -128..127 are.
 * Accumulator width is chosen at plan time from the actual weights: int32 iff
 *   for every row m:  |bias_acc[m]| + sum_k |w[m][k]| * amax <= 2^31 - 1,
 * else int64 -- so accumulation can never overflow silently; amax =
 * 2^(a_bits-1) for signed inputs, 2^a_bits - 1 for unsigned ones, the
 * larger of -in_lo and in_lo + 2^a_bits - 1 for a window (the largest
 * |input code|). This holds whenever the worst-case rule
 * (w_bits-1) + log2(amax) + ceil(log2 K) + 1 <= 31 and |bias_acc| < 2^30 does,
 * and also for wide codes whose weights stay small (e.g. 16-bit activations).
 * The int64 path sums chunks of k in int32 lanes, the chunk sized from the
 * largest |weight| the same way.
 */
#ifndef FXQ_QCONV_H
#define FXQ_QCONV_H

#include <stddef.h>
#include <stdint.h>

typedef struct fxq_qconv_desc {
    int batch;                 /* images per run */
    int c, h, w;               /* input */
    int m;                     /* filters / outputs */
    int ksize, stride, pad;    /* Darknet's meaning of pad (pixels) */
    int out_h, out_w;
    int w_bits, a_bits, o_bits;/* 2..16 */
    int shift;                 /* (w_frac + a_frac) - o_frac */
    int act;                   /* FXQ_ACT_* from fxq_format.h */
    /* Optional (zero = today's behaviour; new fields go last so positional
     * initialisers of the fields above stay valid): */
    const int *row_shift;      /* m shifts, row m requantized with row_shift[m]
                                * instead of shift (NULL: shift for every row);
                                * copied by fxq_qconv_plan_create */
    int in_unsigned;           /* 1: input codes are unsigned, 0 .. 2^a_bits - 1,
                                * a_bits <= 15; 0: signed a_bits codes */
    int in_window, in_lo;      /* in_window 1: input codes in_lo .. in_lo + 2^a_bits - 1
                                * (see above; overrides in_unsigned) */
    int out_window, out_lo;    /* out_window 1: outputs saturated after the
                                * activation to out_lo .. out_lo + 2^o_bits - 1 */
} fxq_qconv_desc;

typedef struct fxq_qconv_plan fxq_qconv_plan;

/* Packs weights once. w_codes: m x K (K = c*ksize*ksize), already saturated
 * to w_bits; bias_acc: m values in accumulator units (2^-(w_frac+a_frac)).
 * Returns NULL with a reason in why[] on bad descriptors / allocation failure. */
fxq_qconv_plan *fxq_qconv_plan_create(const fxq_qconv_desc *d, const int32_t *w_codes,
                                      const int64_t *bias_acc, char *why, size_t why_len);
/* The same from int16 codes (what a layer keeps: no int32 copy of its
 * weights while loading). */
fxq_qconv_plan *fxq_qconv_plan_create16(const fxq_qconv_desc *d, const int16_t *w_codes,
                                        const int64_t *bias_acc, char *why, size_t why_len);
void fxq_qconv_plan_free(fxq_qconv_plan *p);

/* in: batch*c*h*w codes; out: batch*m*out_h*out_w codes. OpenMP inside. */
void fxq_qconv_run(const fxq_qconv_plan *p, const int16_t *in, int16_t *out);

/* The same run by a team the caller already opened (one OpenMP region for
 * a whole network, fxq_team.h): every thread tid of the nth calls it with
 * the whole input already written (a barrier after writing it); each
 * works on its own copy of the scratch, without barriers, or thread 0 runs
 * it alone when it is too small. Batch 1 only. Returns after the thread's
 * own share: the caller puts a barrier before anyone reads `out`. */
void fxq_qconv_run_member(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth);
/* How many of the nth run it: nth, or 1 (thread 0 alone; the others
 * return at once and need not have seen the input). */
int fxq_qconv_member_threads(const fxq_qconv_plan *p, int nth);

/* A block of the output: channels [m0, m1) x output rows [oy0, oy1). */
typedef struct fxq_qconv_share {
    int m0, m1, oy0, oy1;
} fxq_qconv_share;
typedef struct fxq_qconv_member_opts {
    /* Bounds of a split by output positions every `align` output rows
     * (1: the plain split), so that each block a thread writes is whole
     * rows (or, split by filters, whole channels) and a consumer that
     * reads align rows per output row (a [maxpool] with size = stride =
     * align) can run on it on the same thread, without a barrier. */
    int align;
    /* A split by filters shares its m tiles out in chunks as threads come
     * for them (fxq_qconv_member_arm before each run, outside the team);
     * the others are unchanged. */
    int dynamic;
    /* Called by the thread that wrote it, for every block it wrote (the
     * blocks of all threads cover the output once); NULL: none. */
    void (*done)(void *ctx, const fxq_qconv_share *block);
    void *ctx;
    /* 1 (where fxq_qconv_plan_pool2; align 2): `out` receives the 2x2 /
     * stride 2 max pool of the output, m x out_h/2 x out_w/2 codes, and
     * the full output is never written; done is not called. */
    int pool2;
} fxq_qconv_member_opts;
/* fxq_qconv_run_member with those options (NULL: none). */
void fxq_qconv_run_member_ex(const fxq_qconv_plan *p, const int16_t *in, int16_t *out, int tid, int nth,
                             const fxq_qconv_member_opts *o);
void fxq_qconv_member_arm(fxq_qconv_plan *p);
/* 1 if the plan can run with a 2x2 / stride 2 max pool fused
 * (fxq_qconv_member_opts.pool2): a direct plan (" direct") with even
 * out_h and out_w on a kernel set with the fused kernel. */
int fxq_qconv_plan_pool2(const fxq_qconv_plan *p);
/* Whether a split every align rows is about as even as the plain one (the
 * largest share at most 1/32 over 1/nth): 0 where row bounds every align
 * rows leave too few units to share (wide planes whose row length and tile
 * width have a large common multiple). */
int fxq_qconv_member_aligns(const fxq_qconv_plan *p, int nth, int align);

/* Plain scalar reference of the same contract, no packing, no threads: the
 * definition every fast path is tested against. */
void fxq_qconv_ref(const fxq_qconv_desc *d, const int32_t *w_codes, const int64_t *bias_acc,
                   const int16_t *in, int16_t *out);

/* Which accumulator / kernel set / kernels the plan uses, e.g.
 * "s8 int32 avx512vnni fxq_s8_gemm_ukernel_8x32c4__avx512vnni" (then
 * " u-in" for unsigned inputs, " win-in"/" win-out" for windows,
 * " row-shift" for per-row shifts, " wide" for plans over the padded
 * width, " in-order" for one-column plans in the input's order). */
const char *fxq_qconv_plan_describe(const fxq_qconv_plan *p);
/* What a run streams (`fxq bench --roofline`): bytes per GEMM operand
 * element (1: the s8 path, 2: the s16 ones) and the packed weights' bytes
 * (biases included). */
int fxq_qconv_plan_operand_bytes(const fxq_qconv_plan *p);
size_t fxq_qconv_plan_weight_bytes(const fxq_qconv_plan *p);

/* Forces the kernel set used by plans (and the conversions below) from now
 * on: any registered set name ("scalar", "avx2", "avx512vnni",
 * "avx512vnni-twin"; fxq_kernels.h); NULL = back to the set chosen once at
 * start-up (the best the CPU supports, capped by FXQ_ISA=<name>). Returns 0
 * if the name is unknown or the CPU lacks it. For tests. */
int fxq_qconv_force_isa(const char *isa);

/* Benchmark hook (`darknet fxq info --bench`): runs only the GEMM phase of
 * the plan `reps` times over the B panels packed by the last fxq_qconv_run
 * (its last image; meant for batch-1 plans -- batch > 1 runs pack into
 * per-thread copies), writing image 0's slot of `out`; returns seconds. */
double fxq_qconv_bench_gemm(const fxq_qconv_plan *p, int16_t *out, int reps);

/* Layer input / output conversion, fast and exact:
 * fxq_qconv_quantize: codes[i] = fxq_quantize_ref(x[i], {bits, frac}) for
 *   every i (round half away from zero, saturate, NaN -> 0), SIMD where the
 *   CPU has it; bits 2..16, |frac| <= 64 (else every code is 0 and 0 is returned).
 * fxq_qconv_dequantize: y[i] = codes[i] * 2^-frac (exact). */
int fxq_qconv_quantize(const float *x, size_t n, int bits, int frac, int16_t *codes);
/* The same with in_unsigned = 1: the codes' lower bound is 0 instead of
 * -2^(bits-1) (unsigned (bits-1)-bit codes = signed bits-bit codes with the
 * negative ones saturated to 0), in the same pass. Large n runs on the
 * OpenMP team (both conversions), identical whatever the thread count. */
int fxq_qconv_quantize_range(const float *x, size_t n, int bits, int frac, int in_unsigned, int16_t *codes);
/* The same into the codes lo .. hi (any range within int16, e.g. a window
 * with a zero point): round half away from zero, saturate. */
int fxq_qconv_quantize_lohi(const float *x, size_t n, int frac, int lo, int hi, int16_t *codes);
void fxq_qconv_dequantize(const int16_t *codes, size_t n, int frac, float *y);

#endif
