/* The fixed-point number system of darknet-fxq (paper §3.1).
 *
 * A format (bits, frac) is signed two's complement: value = code * 2^-frac,
 * codes in [-2^(bits-1), 2^(bits-1)-1], zero exact. frac may be negative
 * (coarser than 1) or larger than bits (all fractional).
 *
 * Every conversion here is the *reference*: kernels and the float emulation
 * must reproduce these functions bit for bit.
 *   - rounding: round half away from zero, everywhere (float->code and shifts)
 *   - saturation: clamp to the code range, never wrap
 */
#ifndef FXQ_FORMAT_H
#define FXQ_FORMAT_H

#include <math.h>
#include <stdint.h>

#define FXQ_MIN_BITS 2
#define FXQ_MAX_BITS 16

typedef struct fxq_format {
    int bits;  /* 2..16 for weights/activations */
    int frac;  /* fractional bits n: resolution 2^-n */
} fxq_format;

static inline int64_t fxq_code_max(int bits) { return ((int64_t)1 << (bits - 1)) - 1; }
static inline int64_t fxq_code_min(int bits) { return -((int64_t)1 << (bits - 1)); }

static inline int64_t fxq_sat(int64_t v, int bits)
{
    const int64_t hi = fxq_code_max(bits), lo = fxq_code_min(bits);
    return v > hi ? hi : v < lo ? lo : v;
}

/* Round-half-away-from-zero arithmetic right shift by s >= 1. */
static inline int64_t fxq_rshift_round(int64_t v, int s)
{
    const int64_t half = (int64_t)1 << (s - 1);
    return v >= 0 ? (v + half) >> s : -((-v + half) >> s);
}

/* acc (units 2^-acc_frac) -> code of `out` (before activation): shift by
 * s = acc_frac - out.frac (rounding if s > 0, exact left shift if s <= 0),
 * then saturate. */
int64_t fxq_requant_ref(int64_t acc, int shift, int out_bits);

/* A value held as `code` units of 2^-from_frac, re-expressed in units of
 * 2^-to_frac: exact left shift saturating at +-2^62, or a rounding (half
 * away from zero) right shift. Used to bring biases into the accumulator. */
int64_t fxq_align_frac(int64_t code, int from_frac, int to_frac);

/* float -> code: round(x * 2^frac) half away from zero, saturated.
 * NaN maps to 0. Uses double so 2^frac scaling is exact. */
int32_t fxq_quantize_ref(float x, fxq_format f);
int64_t fxq_quantize64_ref(double x, int frac, int64_t lo, int64_t hi);

/* code -> float: code * 2^-frac (exact for |code| < 2^24). */
static inline float fxq_dequantize(int64_t code, int frac)
{
    return (float)ldexp((double)code, -frac);
}

/* Activations on codes (all exact integer functions):
 *   linear: q;  relu: max(q, 0);
 *   leaky:  q >= 0 ? q : round_half_away(q * 13107 / 2^17)   (slope 0.0999985,
 *           Darknet's 0.1 to 5 decimal places) */
enum { FXQ_ACT_LINEAR = 0, FXQ_ACT_RELU = 1, FXQ_ACT_LEAKY = 2 };
#define FXQ_LEAKY_MUL 13107
#define FXQ_LEAKY_SHIFT 17
static inline int64_t fxq_act_ref(int64_t q, int act)
{
    if (q >= 0 || act == FXQ_ACT_LINEAR) return q;
    if (act == FXQ_ACT_RELU) return 0;
    return fxq_rshift_round(q * FXQ_LEAKY_MUL, FXQ_LEAKY_SHIFT);
}

/* The least r with fxq_act_ref(r, act) >= lo (lo <= 0): saturating r there
 * before the activation is clamping its result to lo after it, since every
 * activation here is monotone and steps by at most one code (an output
 * window's lower edge, fxq_qconv.h; the kernels and training use it). */
static inline int64_t fxq_act_floor(int64_t lo, int act)
{
    if (act != FXQ_ACT_LEAKY) return lo;
    int64_t r = (lo * (1 << FXQ_LEAKY_SHIFT)) / FXQ_LEAKY_MUL - 2;
    while (fxq_act_ref(r, act) < lo) ++r;
    return r;
}

/* 1 if bits in [min_bits, max_bits] and |frac| <= 64. */
int fxq_format_valid(fxq_format f, int min_bits, int max_bits);

#endif
