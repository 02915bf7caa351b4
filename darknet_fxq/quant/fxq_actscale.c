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
    int *f1 = malloc((size_t)(n > 0 ? n : 1) * sizeof *f1);
    double e1 = 0;
    for (int i = 0; i < n; ++i) e1 += fxq_act_point_err(&pts[i], 1, frac_lo, frac_hi, f1 ? &f1[i] : NULL);
    int best = 0;
    double best_e = e1;
    for (int k = 1; f1 && k < per_octave; ++k) {
        const double unit = exp2((double)k / per_octave);
        double e = 0;
        for (int i = 0; i < n; ++i) {
            const int lo = f1[i] - 2 < frac_lo ? frac_lo : f1[i] - 2, hi = f1[i] + 2 > frac_hi ? frac_hi : f1[i] + 2;
            e += fxq_act_point_err(&pts[i], unit, lo, hi, NULL);
        }
        if (e < best_e) best_e = e, best = k;
    }
    free(f1);
    if (err1) *err1 = e1;
    if (errc) *errc = best_e;
    return best;
}
