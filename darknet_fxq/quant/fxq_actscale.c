/* The activation-scale search: see fxq_actscale.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_actscale.h"
#include "fxq_hist_err.h"
#include "fxq_policy.h"

/* SIGNED with neg_gain != 1: the two halves of the histogram as records of
 * their own (count kept, so the means add), as fxq_mse_frac_act splits them. */
static double fxq_signed_act_err(const fxq_tensor_stats *s, double step, int bits, double g, fxq_tensor_stats *h)
{
    if (g == 1) return fxq_hist_mse(s, step, bits);
    double e = fxq_hist_mse(&h[0], step, bits);
    if (g != 0) e += g * g * fxq_hist_mse(&h[1], step, bits);
    return e;
}

double fxq_act_point_err(const fxq_act_point *p, double unit, int frac_lo, int frac_hi, int *frac)
{
    const fxq_tensor_stats *s = p->s;
    if (frac) *frac = frac_lo;
    if (!s || !s->count || fxq_ts_absmax(s) == 0) return 0;
    if (p->mode == FXQ_AP_WINDOW) {
        int lo;
        double e = 0;
        const int f = fxq_mse_window_unit(s, p->bits, p->neg_gain, unit, frac_lo, frac_hi, &lo, &e);
        if (frac) *frac = f;
        return e;
    }
    fxq_tensor_stats *h = NULL;
    if (p->mode == FXQ_AP_SIGNED && p->neg_gain != 1) {
        if (!(h = malloc(2 * sizeof *h))) return INFINITY;
        h[0] = *s, h[1] = *s;
        for (int b = 0; b < FXQ_HIST_BINS / 2; ++b) h[0].hist[b] = 0;
        for (int b = FXQ_HIST_BINS / 2; b < FXQ_HIST_BINS; ++b) h[1].hist[b] = 0;
        h[1].zeros = 0;
    }
    const double hi = ldexp(1, p->bits) - 1;
    double best = INFINITY;
    for (int n = frac_lo; n <= frac_hi; ++n) {
        const double step = unit * ldexp(1, -n);
        const double e = p->mode == FXQ_AP_SIGNED ? fxq_signed_act_err(s, step, p->bits, p->neg_gain, h)
                                                  : fxq_hist_mse_window(s, step, 0, hi, p->neg_gain);
        if (e < best) {
            best = e;
            if (frac) *frac = n;
        }
    }
    free(h);
    return best;
}

int fxq_act_scale_choose(const fxq_act_point *pts, int n, int per_octave, int frac_lo, int frac_hi, double *err1,
                         double *errc)
{
    double *sum = calloc((size_t)per_octave, sizeof *sum), *tab = malloc((size_t)per_octave * sizeof *tab);
    int best = 0;
    if (sum && tab) {
        for (int i = 0; i < n; ++i) {
            fxq_act_point_table(&pts[i], per_octave, frac_lo, frac_hi, tab);
            for (int k = 0; k < per_octave; ++k) sum[k] += tab[k];
        }
        for (int k = 1; k < per_octave; ++k)
            if (sum[k] < sum[best]) best = k;
    }
    if (err1) *err1 = sum ? sum[0] : 0;
    if (errc) *errc = sum ? sum[best] : 0;
    free(sum), free(tab);
    return best;
}

void fxq_act_point_table(const fxq_act_point *p, int per_octave, int frac_lo, int frac_hi, double *tab)
{
    int f1 = frac_lo;
    tab[0] = fxq_act_point_err(p, 1, frac_lo, frac_hi, &f1);
    const int lo = f1 - 2 < frac_lo ? frac_lo : f1 - 2, hi = f1 + 2 > frac_hi ? frac_hi : f1 + 2;
    for (int k = 1; k < per_octave; ++k) tab[k] = fxq_act_point_err(p, exp2((double)k / per_octave), lo, hi, NULL);
}

/* Squared error of x[0..n) at the step `step`, codes lo..hi. */
static double fxq_w_err(const float *x, int n, double step, double lo, double hi)
{
    double e = 0;
    for (int i = 0; i < n; ++i) {
        double q = (double)x[i] / step;
        q = q < 0 ? -floor(-q + 0.5) : floor(q + 0.5);
        const double d = (double)x[i] - fmin(fmax(q, lo), hi) * step;
        e += d * d;
    }
    return e;
}

int fxq_w_unit_table(const float *w, int rows, int fan_in, int bits, int per_row, int per_octave, int frac_lo,
                     int frac_hi, double *tab)
{
    const int groups = per_row ? rows : 1, len = per_row ? fan_in : rows * fan_in;
    const double lo = -ldexp(1, bits - 1), hi = ldexp(1, bits - 1) - 1;
    for (int j = 0; j < per_octave; ++j) tab[j] = 0;
    for (int g = 0; g < groups; ++g) {
        const float *x = w + (size_t)g * len;
        double amax = 0;
        for (int i = 0; i < len; ++i) amax = fmax(amax, fabs((double)x[i]));
        if (amax == 0) continue;
        int f1 = frac_lo;
        double best = INFINITY;
        for (int f = frac_lo; f <= frac_hi; ++f) {
            const double ef = fxq_w_err(x, len, ldexp(1, -f), lo, hi);
            if (ef < best) best = ef, f1 = f;
        }
        tab[0] += best;
        const int a = f1 - 2 < frac_lo ? frac_lo : f1 - 2, b = f1 + 2 > frac_hi ? frac_hi : f1 + 2;
        for (int j = 1; j < per_octave; ++j) {
            const double u = exp2((double)j / per_octave);
            double bj = INFINITY;
            for (int f = a; f <= b; ++f) bj = fmin(bj, fxq_w_err(x, len, u * ldexp(1, -f), lo, hi));
            tab[j] += bj;
        }
    }
    for (int j = 0; j < per_octave; ++j) tab[j] /= rows > 0 ? rows : 1;
    return 1;
}
