/* Q-format selection (paper §3.3) and what a format costs on recorded data:
 *   step s = xi * Stepsize(beta), xi = K * sigma   (K = 3 in the paper's §5)
 *   n = -ceil(log2 s)                              (fractional bits)
 * For FXQ_DIST_EMPIRICAL the fractional bits are instead searched directly
 * for the least squared error on the histogram (fxq_hist_mse). */
#include <math.h>

#include "fxq_hist_err.h"
#include "fxq_qformat.h"

#define FXQ_FRAC_LIMIT 64 /* fxq_format_valid()'s bound on |frac| */

int fxq_frac_from_step(double xi, double unit_step)
{
    const double s = xi * unit_step;
    if (!(s > 0) || !isfinite(s)) return 0;
    /* s = m * 2^e, m in [0.5, 1): ceil(log2 s) is e, or e-1 when s is a
     * power of two; exact, unlike ceil(log2(s)) near powers of two */
    int e;
    const double m = frexp(s, &e);
    const int c = m == 0.5 ? e - 1 : e;
    return -c;
}

static int fxq_clamp_frac(int n)
{
    return n < -FXQ_FRAC_LIMIT ? -FXQ_FRAC_LIMIT : n > FXQ_FRAC_LIMIT ? FXQ_FRAC_LIMIT : n;
}

/* Fractional bits with the least histogram error: scanned from the format
 * that just holds max|x| towards finer ones (clipping the tail). */
static int fxq_empirical_frac(const fxq_tensor_stats *s, int bits)
{
    const double absmax = fxq_ts_absmax(s);
    const int cover = (int)floor(log2(ldexp(1, bits - 1) / absmax));
    int best = fxq_clamp_frac(cover);
    double best_e = INFINITY;
    for (int n = cover - 2; n <= cover + bits + 16; ++n) {
        const int f = fxq_clamp_frac(n);
        const double e = fxq_hist_mse(s, ldexp(1, -f), bits);
        if (e < best_e) best_e = e, best = f;
    }
    return best;
}

fxq_format fxq_choose_format(const fxq_tensor_stats *s, int bits, const fxq_qopts *o)
{
    const fxq_qopts opts = o ? *o : FXQ_QOPTS_DEFAULT;
    fxq_format f = {bits, bits - 1};
    if (!s || !s->count || fxq_ts_absmax(s) == 0 || bits < 1 || bits > 16) return f;
    if (opts.formats != FXQ_FORMATS_PAPER) {
        f.frac = fxq_mse_frac(s, bits, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, NULL);
        return f;
    }
    const double sigma = fxq_ts_sigma(s);
    /* a constant tensor has sigma 0: the rule has nothing to scale, the
     * histogram search still finds the format that holds the value */
    if (opts.dist == FXQ_DIST_EMPIRICAL || sigma == 0) {
        f.frac = fxq_empirical_frac(s, bits);
        return f;
    }
    f.frac = fxq_clamp_frac(fxq_frac_from_step(opts.xi_sigmas * sigma, fxq_optimal_step(opts.dist, bits)));
    return f;
}

double fxq_sqnr_db(const fxq_tensor_stats *s, fxq_format f)
{
    const double signal = fxq_ts_power(s);
    if (!s->count || signal == 0) return INFINITY; /* nothing to lose */
    const double noise = fxq_hist_mse(s, ldexp(1, -f.frac), f.bits);
    return noise > 0 ? 10 * log10(signal / noise) : INFINITY;
}

double fxq_kappa_measured(const fxq_tensor_stats *s, int bits, const fxq_qopts *o)
{
    int lo = bits - 1, hi = bits + 1;
    if (lo < FXQ_MIN_BITS) lo = FXQ_MIN_BITS;
    if (hi > FXQ_MAX_BITS) hi = FXQ_MAX_BITS;
    if (hi <= lo) return 0;
    const double a = fxq_sqnr_db(s, fxq_choose_format(s, lo, o)), b = fxq_sqnr_db(s, fxq_choose_format(s, hi, o));
    if (!isfinite(a) || !isfinite(b)) return 0; /* all-zero tensor: no noise at any width */
    return (b - a) / (hi - lo);
}

double fxq_kappa_ratio(const fxq_tensor_stats *s, int bits, const fxq_qopts *o)
{
    if (bits < 1) return 0;
    const double g = fxq_sqnr_db(s, fxq_choose_format(s, bits, o));
    return isfinite(g) ? g / bits : 0;
}
