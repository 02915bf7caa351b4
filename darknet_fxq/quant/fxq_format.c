#include <math.h>

#include "fxq_format.h"

int64_t fxq_requant_ref(int64_t acc, int shift, int out_bits)
{
    if (shift > 62) return 0; /* |acc| < 2^62 always: everything rounds to 0 */
    if (shift > 0) return fxq_sat(fxq_rshift_round(acc, shift), out_bits);
    /* A left shift can only grow |acc|: saturate before shifting so the
     * shift itself cannot overflow. */
    const int s = -shift;
    if (acc == 0) return 0;
    if (acc > 0 && (s >= 62 || acc > (fxq_code_max(out_bits) >> s))) return fxq_code_max(out_bits);
    /* acc * 2^s < min  <=>  acc < ceil(min / 2^s) = -((-min) >> s) */
    if (acc < 0 && (s >= 62 || acc < -((-fxq_code_min(out_bits)) >> s))) return fxq_code_min(out_bits);
    return acc * ((int64_t)1 << s);
}

int64_t fxq_quantize64_ref(double x, int frac, int64_t lo, int64_t hi)
{
    if (x != x) return 0;
    const double v = ldexp(x, frac);
    if (v >= (double)hi) return hi;
    if (v <= (double)lo) return lo;
    /* round() is half away from zero by definition */
    return (int64_t)round(v);
}

int32_t fxq_quantize_ref(float x, fxq_format f)
{
    return (int32_t)fxq_quantize64_ref((double)x, f.frac, fxq_code_min(f.bits), fxq_code_max(f.bits));
}

int fxq_format_valid(fxq_format f, int min_bits, int max_bits)
{
    return f.bits >= min_bits && f.bits <= max_bits && f.frac >= -64 && f.frac <= 64;
}

int64_t fxq_align_frac(int64_t code, int from_frac, int to_frac)
{
    const int64_t lim = (int64_t)1 << 62;
    const int d = to_frac - from_frac;
    if (d < 0) return d < -62 ? 0 : fxq_rshift_round(code, -d);
    for (int i = 0; i < d; ++i) {
        if (code >= lim / 2) return lim;
        if (code <= -lim / 2) return -lim;
        code *= 2;
    }
    return code;
}
