/* The window searches' pruning (fxq_clip_bound.c): the clipping bound never
 * exceeds the exact histogram error, windows it calls interior share one
 * error bit for bit, and fxq_mse_window_unit returns exactly (frac, lo,
 * error, ties included) what the unpruned exhaustive search written here
 * returns, on histograms of many shapes, activations, bit-widths and real
 * units. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_clip_bound.h"
#include "fxq_hist_err.h"
#include "fxq_policy.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"

static double urand(void) { return (double)(rnd() >> 11) * 0x1p-53; }

/* fxq_mse_window_unit as it was before the pruning: every window of the
 * same enumeration, in the same order, evaluated. */
static int search_ref(const fxq_tensor_stats *s, int bits, double g, double unit, int frac_lo, int frac_hi, int *lo,
                      double *err)
{
    const int ncode = (1 << bits) - 1, sgn = -(1 << (bits - 1));
    int best = bits - 1 < frac_lo ? frac_lo : bits - 1 > frac_hi ? frac_hi : bits - 1;
    *lo = sgn, *err = 0;
    if (!s->count || fxq_ts_absmax(s) == 0) return best;
    const double ymin = s->min < 0 ? g * s->min : 0, ymax = s->max > 0 ? s->max : 0;
    double best_e = INFINITY;
    for (int n = frac_lo; n <= frac_hi; ++n) {
        const double step = unit * ldexp(1, -n);
        const double la = fmax(-ncode, floor(ymin / step) - 1), lp = ceil(ymax / step) + 1 - ncode;
        const int r0 = (int)fmax(-ncode, fmin(la, lp) - 1), r1 = (int)fmin(0, fmax(la, lp) + 1);
        for (int i = -2; i <= r1 - r0; ++i) {
            const int l = i == -2 ? 0 : i == -1 ? sgn : r1 - i;
            if (i >= 0 && (l == 0 || l == sgn)) continue;
            const double e = fxq_hist_mse_window(s, step, l, l + ncode, g);
            if (e < best_e) best_e = e, best = n, *lo = l;
        }
    }
    *err = best_e;
    return best;
}

/* A tensor of one of several shapes: skewed with a short negative side,
 * symmetric, two separated clusters, relu-like with exact zeros, a handful
 * of values, one value. */
static void fill(fxq_tensor_stats *s, int shape, float *v, int n)
{
    memset(s, 0, sizeof *s);
    const double scale = ldexp(1, (int)(urand() * 12) - 6) * (0.5 + urand());
    for (int i = 0; i < n; ++i) {
        const double u = urand(), z = sqrt(-2 * log(1 - urand())) * cos(6.283185307179586 * urand());
        double x;
        switch (shape) {
        case 0: x = i % 3 ? -log(1 - u) : -0.3 * u; break;
        case 1: x = z; break;
        case 2: x = i % 5 ? 0.2 * z + 3 : 0.1 * z - 5; break;
        case 3: x = i % 2 ? 0 : fabs(z); break;
        case 4: x = (double)(i % 7) - 2; n = n < 9 ? n : 9; break;
        default: x = 1.5; break;
        }
        v[i] = (float)(x * scale);
    }
    fxq_ts_add(s, v, (size_t)(shape == 4 ? 9 : n));
}

int main(void)
{
    fxq_tensor_stats *s = calloc(1, sizeof *s);
    float *v = malloc(3000 * sizeof *v);
    if (!s || !v) return 1;
    const double gains[3] = {1, 0.1, 0};
    const int bitss[4] = {2, 4, 8, 10};
    long bound_cases = 0, bound_over = 0, useful = 0, useful_cases = 0, interior_cases = 0, interior_diff = 0;
    int searches = 0, search_diff = 0;
    double worst_over = 0;
    for (int t = 0; t < 72; ++t) {
        const int shape = t % 6, bits = bitss[(t / 6) % 4];
        const double g = gains[(t / 24) % 3], unit = t % 4 == 3 ? 1 + urand() : 1;
        fill(s, shape, v, 3000);
        fxq_clip_bound *b = fxq_clip_bound_new(s, g);
        if (!b) {
            FXQ_CHECK("bound.built", 0, "shape %d: no bound", shape);
            continue;
        }
        const int ncode = (1 << bits) - 1;
        const double amax = fxq_ts_absmax(s);
        /* the bound against the exact error, windows from coarse to very fine */
        for (int k = 0; k < 60; ++k) {
            const double step = amax * ldexp(1, -(int)(urand() * (bits + 12))) * (0.5 + urand());
            const int lo = urand() < 0.2 ? 0 : -(int)(urand() * (ncode + 1));
            const double e = fxq_hist_mse_window(s, step, lo, lo + ncode, g), lb = fxq_clip_bound_at(b, step, lo, lo + ncode);
            ++bound_cases;
            if (lb > e) {
                ++bound_over;
                worst_over = fmax(worst_over, (lb - e) / e);
            }
            /* a window a quarter of the data's width clips most of it: the bound must see that */
            if (shape < 4 && ncode * step < 0.25 * (s->max - s->min) && e > 0) {
                ++useful_cases;
                useful += lb > 0.5 * e;
            }
            /* interior windows: the error of the first interior one from lo = 0 down */
            if (fxq_clip_bound_interior(b, step, lo, lo + ncode)) {
                int c = 0;
                while (!fxq_clip_bound_interior(b, step, c, c + ncode)) --c;
                ++interior_cases;
                interior_diff += c != lo && fxq_hist_mse_window(s, step, c, c + ncode, g) != e;
            }
        }
        fxq_clip_bound_free(b);
        /* the pruned search = the unpruned one, bit for bit */
        int lo_a, lo_b;
        double e_a, e_b;
        const int frac_lo = t % 2 ? FXQ_LAYER_FRAC_MIN : -6, frac_hi = t % 2 ? FXQ_LAYER_FRAC_MAX : 20;
        const int f_a = fxq_mse_window_unit(s, bits, g, unit, frac_lo, frac_hi, &lo_a, &e_a);
        const int f_b = search_ref(s, bits, g, unit, frac_lo, frac_hi, &lo_b, &e_b);
        ++searches;
        if (f_a != f_b || lo_a != lo_b || e_a != e_b) {
            ++search_diff;
            printf("# shape %d bits %d gain %g unit %.6f: pruned (%d, %d, %.17g), exhaustive (%d, %d, %.17g)\n", shape,
                   bits, g, unit, f_a, lo_a, e_a, f_b, lo_b, e_b);
        }
    }
    printf("# %ld windows, %ld interior, %ld narrow\n", bound_cases, interior_cases, useful_cases);
    FXQ_CHECK("bound.below_exact", bound_over == 0, "%ld of %ld windows: bound above the error (worst by %.3g)",
              bound_over, bound_cases, worst_over);
    FXQ_CHECK("bound.sees_clipping", useful_cases > 100 && useful * 10 >= useful_cases * 9,
              "only %ld of %ld narrow windows bounded above half their error", useful, useful_cases);
    FXQ_CHECK("interior.same_error", interior_cases > 100 && interior_diff == 0, "%ld of %ld interior windows differ",
              interior_diff, interior_cases);
    FXQ_CHECK("search.equals_exhaustive", search_diff == 0, "%d of %d searches differ", search_diff, searches);

    /* empty and all-zero tensors: no bound (searches then run unpruned) */
    memset(s, 0, sizeof *s);
    fxq_clip_bound *b = fxq_clip_bound_new(s, 1);
    FXQ_CHECK("bound.empty_is_null", b == NULL, "a bound for an empty tensor");
    fxq_clip_bound_free(b);
    free(v);
    free(s);
    FXQ_TEST_END();
}
