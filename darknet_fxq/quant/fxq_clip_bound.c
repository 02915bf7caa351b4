/* Lower bounds of a window's histogram error: see fxq_clip_bound.h. */
#include <math.h>
#include <stdlib.h>

#include "fxq_clip_bound.h"

struct fxq_clip_bound {
    int n;            /* bins that carry values, in value order */
    double count;     /* the tensor's count: the error is a mean over it */
    double *p, *q;    /* bin k spans [p[k], q[k]) after the activation */
    double *s0, *s1, *s2, *sw; /* prefix sums over bins < k: count, count * mid, count * mid^2, count * width^2 / 12 */
};

fxq_clip_bound *fxq_clip_bound_new(const fxq_tensor_stats *s, double neg_gain)
{
    if (!s || !s->count || !(s->range > 0)) return NULL;
    fxq_clip_bound *b = calloc(1, sizeof *b);
    double *mem = malloc((size_t)(2 * FXQ_HIST_BINS + 4 * (FXQ_HIST_BINS + 1)) * sizeof *mem);
    if (!b || !mem) {
        free(b);
        free(mem);
        return NULL;
    }
    b->p = mem, b->q = b->p + FXQ_HIST_BINS;
    b->s0 = b->q + FXQ_HIST_BINS, b->s1 = b->s0 + FXQ_HIST_BINS + 1;
    b->s2 = b->s1 + FXQ_HIST_BINS + 1, b->sw = b->s2 + FXQ_HIST_BINS + 1;
    b->count = (double)s->count;
    /* the same bins, counts and scaling as fxq_hist_mse_window */
    const double w = 2 * s->range / FXQ_HIST_BINS;
    double c0 = 0, c1 = 0, c2 = 0, cw = 0;
    int n = 0;
    for (int i = 0; i < FXQ_HIST_BINS; ++i) {
        double c = (double)s->hist[i];
        if (i == FXQ_HIST_BINS / 2) c -= (double)s->zeros;
        if (c <= 0) continue;
        double a = -s->range + i * w, e = a + w;
        if (i < FXQ_HIST_BINS / 2 && neg_gain != 1) {
            if (!(neg_gain > 0)) continue; /* relu: exact 0, inside every window */
            a *= neg_gain, e *= neg_gain;
        }
        const double mid = 0.5 * (a + e), len = e - a;
        b->s0[n] = c0, b->s1[n] = c1, b->s2[n] = c2, b->sw[n] = cw;
        b->p[n] = a, b->q[n] = e;
        c0 += c, c1 += c * mid, c2 += c * mid * mid, cw += c * len * len / 12;
        ++n;
    }
    b->s0[n] = c0, b->s1[n] = c1, b->s2[n] = c2, b->sw[n] = cw;
    b->n = n;
    return b;
}

void fxq_clip_bound_free(fxq_clip_bound *b)
{
    if (b) free(b->p);
    free(b);
}

/* The first k in [0, n] with v[k] > x (below) or v[k] >= x (!below). */
static int fxq_first_past(const double *v, int n, double x, int below)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        const int m = lo + (hi - lo) / 2;
        if (below ? v[m] > x : v[m] >= x) hi = m;
        else lo = m + 1;
    }
    return lo;
}

/* Bins [i, j) saturated to t: sum of count * ((mid - t)^2 + width^2 / 12),
 * less a margin that covers the rounding of the expanded form. */
static double fxq_run_err(const fxq_clip_bound *b, int i, int j, double t)
{
    if (j <= i) return 0;
    const double c0 = b->s0[j] - b->s0[i], c1 = b->s1[j] - b->s1[i], c2 = b->s2[j] - b->s2[i], cw = b->sw[j] - b->sw[i];
    const double e = c2 - 2 * t * c1 + t * t * c0 + cw;
    const double scale = fabs(b->s2[j]) + fabs(b->s2[i]) + 2 * fabs(t) * (fabs(b->s1[j]) + fabs(b->s1[i])) +
                         t * t * (b->s0[j] + b->s0[i]) + b->sw[j] + b->sw[i];
    return e - 1e-9 * scale;
}

double fxq_clip_bound_at(const fxq_clip_bound *b, double step, double lo, double hi)
{
    const double L = (lo - 0.5) * step, U = (hi + 0.5) * step;
    const int below = fxq_first_past(b->q, b->n, L, 1); /* bins [0, below) end at or before L */
    const int above = fxq_first_past(b->p, b->n, U, 0); /* bins [above, n) start at or after U */
    const double e = fxq_run_err(b, 0, below, lo * step) + fxq_run_err(b, above, b->n, hi * step);
    return e > 0 ? e / b->count : 0;
}

int fxq_clip_bound_interior(const fxq_clip_bound *b, double step, double lo, double hi)
{
    /* fxq_err_int rounds a bin end x to floor(x / step + 0.5): the lowest and
     * highest codes any bin reaches; one code inside lo and hi also keeps
     * every bin clear of the saturation edges (lo - 0.5) step, (hi + 0.5) step */
    return b->n > 0 && floor(b->p[0] / step + 0.5) >= lo + 1 && floor(b->q[b->n - 1] / step + 0.5) <= hi - 1;
}
