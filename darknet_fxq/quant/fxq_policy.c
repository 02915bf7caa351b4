/* Format policies: names and the exact power-of-two MSE search. */
#include <math.h>
#include <string.h>

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
