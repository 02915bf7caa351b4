/* Streaming, mergeable statistics of one tensor (fxq_tensor_stats) and the
 * per-network container (fxq_stats): moments, histogram, merge, lookup.
 *
 * Moments: each added chunk is reduced exactly in double (two passes: mean,
 * then central sums), then combined with the running sums by Pébay's pairwise
 * update, which is also the merge. So memory is constant and merging shards
 * equals one run over the union up to floating-point rounding.
 *
 * Histogram: FXQ_HIST_BINS bins over [-range, range), range a power of two
 * strictly above max|x| (at least FXQ_HIST_MIN_RANGE). Bin of x:
 *     floor(x * (BINS/2) / range) + BINS/2
 * The scaling is by a power of two, hence exact, so the bin is an exact
 * function of x and range. Doubling the range maps bin pairs (2k, 2k+1) onto
 * bin BINS/4 + k exactly, and the final range depends only on the data's
 * max|x|; therefore histograms of shards, widened to the larger range and
 * added, are identical to the union's histogram. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_stats.h"

#define FXQ_HIST_HALF (FXQ_HIST_BINS / 2)

double fxq_ts_sigma(const fxq_tensor_stats *s)
{
    return s->count ? sqrt(s->m2 / (double)s->count) : 0;
}

double fxq_ts_kurtosis(const fxq_tensor_stats *s)
{
    return s->count && s->m2 > 0 ? s->m4 * (double)s->count / (s->m2 * s->m2) : 0;
}

double fxq_ts_absmax(const fxq_tensor_stats *s)
{
    return s->count ? fmax(fabs(s->min), fabs(s->max)) : 0;
}

double fxq_hist_range_for(double absmax)
{
    /* smallest power of two strictly greater than absmax */
    double r = FXQ_HIST_MIN_RANGE;
    if (absmax >= r) {
        int e;
        frexp(absmax, &e); /* absmax = m * 2^e, m in [0.5, 1) => 2^e > absmax */
        r = ldexp(1, e);
    }
    return r;
}

/* Doubles the range until it reaches `range` (a power of two >= s->range). */
static void fxq_hist_widen(fxq_tensor_stats *s, double range)
{
    if (s->range == 0) {
        s->range = range;
        return;
    }
    while (s->range < range) {
        uint64_t h[FXQ_HIST_BINS] = {0};
        for (int i = 0; i < FXQ_HIST_BINS; ++i) h[FXQ_HIST_BINS / 4 + i / 2] += s->hist[i];
        memcpy(s->hist, h, sizeof h);
        s->range *= 2;
    }
}

int fxq_hist_bin(double x, double range)
{
    int b = (int)floor(x * (FXQ_HIST_HALF / range)) + FXQ_HIST_HALF;
    /* only reachable for |x| >= range, which callers exclude; keep memory safe */
    return b < 0 ? 0 : b >= FXQ_HIST_BINS ? FXQ_HIST_BINS - 1 : b;
}

/* Pébay (2008) pairwise combination of (n, mean, M2, M3, M4). */
static void fxq_moments_combine(fxq_tensor_stats *a, uint64_t nb, double mb, double m2b, double m3b, double m4b)
{
    if (!nb) return;
    if (!a->count) {
        a->count = nb, a->mean = mb, a->m2 = m2b, a->m3 = m3b, a->m4 = m4b;
        return;
    }
    const double na = (double)a->count, n_b = (double)nb, n = na + n_b;
    const double d = mb - a->mean, dn = d / n, dn2 = dn * dn;
    const double m2 = a->m2 + m2b + d * dn * na * n_b;
    const double m3 = a->m3 + m3b + d * dn2 * na * n_b * (na - n_b) + 3 * dn * (na * m2b - n_b * a->m2);
    const double m4 = a->m4 + m4b + d * dn2 * dn * na * n_b * (na * na - na * n_b + n_b * n_b) +
                      6 * dn2 * (na * na * m2b + n_b * n_b * a->m2) + 4 * dn * (na * m3b - n_b * a->m3);
    a->mean += dn * n_b;
    a->m2 = m2, a->m3 = m3, a->m4 = m4;
    a->count += nb;
}

size_t fxq_ts_add_checked(fxq_tensor_stats *s, const float *x, size_t n)
{
    size_t good = 0;
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(x[i])) continue;
        ++good;
        sum += x[i];
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    if (!good) return n;
    /* -0 and +0 compare equal, so which one min/max keep would depend on the
     * order of the data; recording +0 keeps merged and union files identical */
    if (lo == 0) lo = 0;
    if (hi == 0) hi = 0;
    const double mean = sum / (double)good;
    double m2 = 0, m3 = 0, m4 = 0, corr = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(x[i])) continue;
        const double d = x[i] - mean, d2 = d * d;
        corr += d;
        m2 += d2, m3 += d2 * d, m4 += d2 * d2;
    }
    /* corrected two-pass: removes the rounding left in `mean` */
    m2 -= corr * corr / (double)good;

    const double range = fxq_hist_range_for(fmax(fabs(lo), fabs(hi)));
    if (range > s->range) fxq_hist_widen(s, range);
    const double scale = FXQ_HIST_HALF / s->range;
    uint64_t zeros = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(x[i])) continue;
        /* same arithmetic as fxq_hist_bin; exact since scale is 2^k */
        ++s->hist[(int)floor(x[i] * scale) + FXQ_HIST_HALF];
        zeros += x[i] == 0;
    }
    s->zeros += zeros;
    if (!s->count) {
        s->min = lo, s->max = hi;
    } else {
        s->min = fmin(s->min, lo), s->max = fmax(s->max, hi);
    }
    fxq_moments_combine(s, good, mean, m2, m3, m4);
    return n - good;
}

void fxq_ts_add(fxq_tensor_stats *s, const float *x, size_t n)
{
    (void)fxq_ts_add_checked(s, x, n);
}

void fxq_ts_merge(fxq_tensor_stats *into, const fxq_tensor_stats *from)
{
    if (!from->count) return;
    if (!into->count) {
        *into = *from;
        return;
    }
    /* widen whichever histogram is narrower to the other's range */
    fxq_tensor_stats f = *from;
    if (f.range < into->range) fxq_hist_widen(&f, into->range);
    if (into->range < f.range) fxq_hist_widen(into, f.range);
    for (int i = 0; i < FXQ_HIST_BINS; ++i) into->hist[i] += f.hist[i];
    into->zeros += f.zeros;
    into->min = fmin(into->min, f.min), into->max = fmax(into->max, f.max);
    fxq_moments_combine(into, f.count, f.mean, f.m2, f.m3, f.m4);
}

int fxq_ts_equal(const fxq_tensor_stats *a, const fxq_tensor_stats *b)
{
    return a->count == b->count && a->zeros == b->zeros && a->min == b->min && a->max == b->max &&
           a->range == b->range && !memcmp(a->hist, b->hist, sizeof a->hist) && a->mean == b->mean &&
           a->m2 == b->m2;
}

const char *const fxq_tensor_names[FXQ_T_COUNT] = {"weights", "biases", "input", "preact", "output"};

int fxq_tensor_parse(const char *name)
{
    for (int t = 0; t < FXQ_T_COUNT; ++t)
        if (!strcmp(name, fxq_tensor_names[t])) return t;
    return -1;
}

fxq_stats *fxq_stats_alloc(int n, int net_layers)
{
    fxq_stats *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->n = n, s->net_layers = net_layers;
    if (n > 0 && !(s->layers = calloc((size_t)n, sizeof *s->layers))) {
        free(s);
        return NULL;
    }
    return s;
}

void fxq_stats_free(fxq_stats *s)
{
    if (!s) return;
    free(s->layers);
    free(s);
}

const fxq_tensor_stats *fxq_stats_get(const fxq_stats *s, int index, int tensor)
{
    if (!s || tensor < 0 || tensor >= FXQ_T_COUNT) return NULL;
    for (int i = 0; i < s->n; ++i)
        if (s->layers[i].index == index) return &s->layers[i].t[tensor];
    return NULL;
}

int fxq_stats_merge(fxq_stats *into, const fxq_stats *from, char *why, size_t why_len)
{
    if (into->net_layers != from->net_layers || into->n != from->n) {
        snprintf(why, why_len, "different networks (%d layers/%d records vs %d/%d)", into->net_layers, into->n,
                 from->net_layers, from->n);
        return 0;
    }
    for (int i = 0; i < into->n; ++i) {
        fxq_layer_stats *a = &into->layers[i];
        const fxq_layer_stats *b = &from->layers[i];
        if (a->index != b->index || strcmp(a->type, b->type)) {
            snprintf(why, why_len, "different networks (record %d: layer %d %s vs layer %d %s)", i, a->index, a->type,
                     b->index, b->type);
            return 0;
        }
        /* Weights and biases are properties of the model, not of the images:
         * every shard records the same values once, so they must agree and
         * are kept, not added. */
        for (int t = FXQ_T_WEIGHTS; t <= FXQ_T_BIASES; ++t) {
            if (!a->t[t].count) a->t[t] = b->t[t];
            else if (b->t[t].count && !fxq_ts_equal(&a->t[t], &b->t[t])) {
                snprintf(why, why_len, "layer %d: different %s (stats of different .weights files)", a->index,
                         fxq_tensor_names[t]);
                return 0;
            }
        }
    }
    for (int i = 0; i < into->n; ++i)
        for (int t = FXQ_T_INPUT; t < FXQ_T_COUNT; ++t) fxq_ts_merge(&into->layers[i].t[t], &from->layers[i].t[t]);
    into->images += from->images;
    return 1;
}
