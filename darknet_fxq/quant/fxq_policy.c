/* Format policies: names and the exact power-of-two MSE search. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_clip_bound.h"
#include "fxq_format.h"
#include "fxq_hist_err.h"
#include "fxq_policy.h"
#include "fxq_qformat.h"

static const char *const fxq_formats_names[] = {"paper", "mse", "refine"};

int fxq_formats_parse(const char *s, fxq_formats *out)
{
    for (int i = 0; i < 3; ++i) {
        if (!strcmp(s, fxq_formats_names[i])) {
            *out = (fxq_formats)i;
            return 1;
        }
    }
    return 0;
}

const char *fxq_formats_name(fxq_formats f)
{
    return f >= FXQ_FORMATS_PAPER && f <= FXQ_FORMATS_REFINE ? fxq_formats_names[f] : "?";
}

/* Exhaustive on purpose: the error is not unimodal in frac in general (a
 * histogram with separated clusters has local minima), and 81 candidates x
 * 2048 bins cost well under a millisecond per tensor. */
int fxq_mse_frac(const fxq_tensor_stats *s, int bits, int frac_lo, int frac_hi, double *err)
{
    int best = bits - 1 < frac_lo ? frac_lo : bits - 1 > frac_hi ? frac_hi : bits - 1;
    double best_e = INFINITY;
    if (!s || !s->count || fxq_ts_absmax(s) == 0) {
        if (err) *err = 0;
        return best;
    }
    for (int n = frac_lo; n <= frac_hi; ++n) {
        const double e = fxq_hist_mse(s, ldexp(1, -n), bits);
        if (e < best_e) best_e = e, best = n;
    }
    if (err) *err = best_e;
    return best;
}

int fxq_mse_frac_values(const float *x, size_t n, int bits, int frac_lo, int frac_hi)
{
    int best = bits - 1 < frac_lo ? frac_lo : bits - 1 > frac_hi ? frac_hi : bits - 1;
    double best_e = INFINITY, amax = 0;
    for (size_t i = 0; i < n; ++i) amax = fabs((double)x[i]) > amax ? fabs((double)x[i]) : amax;
    if (amax == 0) return best;
    for (int f = frac_lo; f <= frac_hi; ++f) {
        const fxq_format fm = {bits, f};
        double e = 0;
        for (size_t i = 0; i < n; ++i) {
            const double d = (double)x[i] - ldexp((double)fxq_quantize_ref(x[i], fm), -f);
            e += d * d;
        }
        if (e < best_e) best_e = e, best = f;
    }
    return best;
}

int fxq_mse_frac_act(const fxq_tensor_stats *s, int bits, double neg_gain, int frac_lo, int frac_hi)
{
    if (neg_gain == 1 || !s || !s->count || fxq_ts_absmax(s) == 0) return fxq_mse_frac(s, bits, frac_lo, frac_hi, NULL);
    /* the two halves as records of their own, count kept so the means add */
    fxq_tensor_stats *h = malloc(2 * sizeof *h);
    if (!h) return fxq_mse_frac(s, bits, frac_lo, frac_hi, NULL);
    h[0] = *s, h[1] = *s;
    for (int b = 0; b < FXQ_HIST_BINS / 2; ++b) h[0].hist[b] = 0;     /* positive half (and zeros) */
    for (int b = FXQ_HIST_BINS / 2; b < FXQ_HIST_BINS; ++b) h[1].hist[b] = 0; /* negative half */
    h[1].zeros = 0;
    int best = bits - 1 < frac_lo ? frac_lo : bits - 1 > frac_hi ? frac_hi : bits - 1;
    double best_e = INFINITY;
    for (int n = frac_lo; n <= frac_hi; ++n) {
        const double step = ldexp(1, -n);
        double e = fxq_hist_mse(&h[0], step, bits);
        if (neg_gain != 0) e += neg_gain * neg_gain * fxq_hist_mse(&h[1], step, bits);
        if (e < best_e) best_e = e, best = n;
    }
    free(h);
    return best;
}

int fxq_mse_window_unit(const fxq_tensor_stats *s, int bits, double neg_gain, double unit, int frac_lo, int frac_hi,
                        int *lo, double *err)
{
    const int ncode = (1 << bits) - 1, sgn = -(1 << (bits - 1));
    int best = bits - 1 < frac_lo ? frac_lo : bits - 1 > frac_hi ? frac_hi : bits - 1;
    *lo = sgn;
    if (err) *err = 0;
    if (!s || !s->count || fxq_ts_absmax(s) == 0) return best;
    /* what the next layer sees: act(x) in [ymin, ymax] */
    const double ymin = s->min < 0 ? neg_gain * s->min : 0, ymax = s->max > 0 ? s->max : 0;
    double best_e = INFINITY;
    /* windows whose saturated bins alone cost more than the best so far are
     * skipped: the result is the exhaustive search's (fxq_clip_bound.h) */
    fxq_clip_bound *cb = fxq_clip_bound_new(s, neg_gain);
    for (int n = frac_lo; n <= frac_hi; ++n) {
        const double step = unit * ldexp(1, -n); /* unit 1: exactly 2^-n */
        /* lo below la clips nothing on the negative side, lo above lp
         * nothing on the positive one: outside [min - 1, max + 1] of the two
         * the error only grows, so those windows are not tried */
        const double la = fmax(-ncode, floor(ymin / step) - 1), lp = ceil(ymax / step) + 1 - ncode;
        const int r0 = (int)fmax(-ncode, fmin(la, lp) - 1), r1 = (int)fmin(0, fmax(la, lp) + 1);
        int interior_seen = 0; /* windows that clip nothing at this step share one error */
        for (int i = -2; i <= r1 - r0; ++i) {
            const int l = i == -2 ? 0 : i == -1 ? sgn : r1 - i;
            if (i >= 0 && (l == 0 || l == sgn)) continue;
            if (cb && fxq_clip_bound_interior(cb, step, l, l + ncode)) {
                if (interior_seen) continue;
                interior_seen = 1;
            }
            if (cb && fxq_clip_bound_at(cb, step, l, l + ncode) > best_e) continue;
            const double e = fxq_hist_mse_window(s, step, l, l + ncode, neg_gain);
            if (e < best_e) best_e = e, best = n, *lo = l;
        }
    }
    fxq_clip_bound_free(cb);
    if (err) *err = best_e;
    return best;
}

int fxq_mse_window(const fxq_tensor_stats *s, int bits, double neg_gain, int frac_lo, int frac_hi, int *lo,
                   double *err)
{
    return fxq_mse_window_unit(s, bits, neg_gain, 1, frac_lo, frac_hi, lo, err);
}
