/* Quantization error of a recorded tensor, estimated from its histogram.
 *
 * The quantizer is the number system's (fxq_format.h): round to the nearest
 * multiple k*step, k clamped to [lo, hi]. Values inside a histogram bin are
 * taken as uniformly spread over the bin, except the exact zeros counted in
 * s->zeros, which quantize without error. The error of a uniform density
 * against that staircase is integrated exactly (piecewise quadratics), so the
 * estimate stays right both for steps much wider than a bin and for steps
 * much finer (where it becomes step^2/12). */
#include <math.h>

#include "fxq_hist_err.h"
#include "fxq_qformat.h"

/* int_p^q (x - t)^2 dx */
static double fxq_sq_int(double p, double q, double t)
{
    const double a = p - t, b = q - t;
    return (b * b * b - a * a * a) / 3;
}

/* int_p^q (x - Q(x))^2 dx for p <= q, with Q = nearest multiple of step in
 * [lo*step, hi*step]. */
static double fxq_err_int(double p, double q, double step, double lo, double hi)
{
    const double L = (lo - 0.5) * step, U = (hi + 0.5) * step;
    double e = 0;
    if (p < L) { /* saturates to lo */
        e += fxq_sq_int(p, fmin(q, L), lo * step);
        p = L;
        if (q <= p) return e;
    }
    if (q > U) { /* saturates to hi */
        e += fxq_sq_int(fmax(p, U), q, hi * step);
        q = U;
        if (q <= p) return e;
    }
    const double kp = fmin(fmax(floor(p / step + 0.5), lo), hi), kq = fmin(fmax(floor(q / step + 0.5), lo), hi);
    if (kp == kq) return e + fxq_sq_int(p, q, kp * step);
    const double h = 0.5 * step;
    e += fxq_sq_int(p, (kp + 0.5) * step, kp * step);   /* tail of p's cell */
    e += fxq_sq_int((kq - 0.5) * step, q, kq * step);   /* head of q's cell */
    e += (kq - kp - 1) * (2 * h * h * h / 3);            /* whole cells between */
    return e;
}

double fxq_hist_mse_window(const fxq_tensor_stats *s, double step, double lo, double hi, double neg_gain)
{
    if (!s->count || !(step > 0)) return 0;
    const double w = 2 * s->range / FXQ_HIST_BINS;
    double sum = 0;
    for (int b = 0; b < FXQ_HIST_BINS; ++b) {
        double c = (double)s->hist[b];
        if (b == FXQ_HIST_BINS / 2) c -= (double)s->zeros; /* bin [0, w): zeros are exact */
        if (c <= 0) continue;
        const double a = -s->range + b * w;
        if (b >= FXQ_HIST_BINS / 2 || neg_gain == 1)
            sum += c * fxq_err_int(a, a + w, step, lo, hi) / w;
        else if (neg_gain > 0) /* uniform on [a, a + w) stays uniform on [g a, g (a + w)) */
            sum += c * fxq_err_int(neg_gain * a, neg_gain * (a + w), step, lo, hi) / (neg_gain * w);
        /* neg_gain 0: act(x) = 0, a code of every window */
    }
    return sum / (double)s->count;
}

double fxq_hist_mse(const fxq_tensor_stats *s, double step, int bits)
{
    if (bits < 1 || bits > 62) return 0;
    return fxq_hist_mse_window(s, step, -ldexp(1, bits - 1), ldexp(1, bits - 1) - 1, 1);
}

double fxq_ts_power(const fxq_tensor_stats *s)
{
    return s->count ? s->m2 / (double)s->count + s->mean * s->mean : 0;
}

double fxq_empirical_step(const fxq_tensor_stats *s, int bits)
{
    const double absmax = fxq_ts_absmax(s);
    if (!s->count || absmax == 0 || bits < 1 || bits > 62) return 0;
    /* log2 grid, 8 points per octave, from "no clipping at all" down to
     * clipping at 2^-(bits+16) of max|x|, then golden refinement */
    const double top = log2(absmax / ldexp(1, bits - 1)) + 1;
    const int npts = 8 * (bits + 18);
    double best = top, best_e = INFINITY;
    for (int i = 0; i <= npts; ++i) {
        const double l2 = top - i / 8.0, e = fxq_hist_mse(s, exp2(l2), bits);
        if (e < best_e) best_e = e, best = l2;
    }
    double lo = best - 0.125, hi = best + 0.125;
    const double g = 0.61803398874989484820;
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    double f1 = fxq_hist_mse(s, exp2(x1), bits), f2 = fxq_hist_mse(s, exp2(x2), bits);
    while (hi - lo > 1e-9) {
        if (f1 <= f2) {
            hi = x2, x2 = x1, f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = fxq_hist_mse(s, exp2(x1), bits);
        } else {
            lo = x1, x1 = x2, f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = fxq_hist_mse(s, exp2(x2), bits);
        }
    }
    const double refined = 0.5 * (lo + hi);
    return fxq_hist_mse(s, exp2(refined), bits) <= best_e ? exp2(refined) : exp2(best);
}
