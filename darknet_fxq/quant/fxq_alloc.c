/* Cross-layer bit-width allocation (paper §4.2): see fxq_alloc.h. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_alloc.h"

#define LN10_10 0.23025850929940458 /* ln(10) / 10: dB -> nepers of power */

double fxq_step_sqnr_db(const fxq_step *s, double bits) { return s->kappa * bits + s->offset; }

double fxq_step_noise(const fxq_step *s, double bits) { return pow(10.0, -fxq_step_sqnr_db(s, bits) / 10.0); }

double fxq_step_sqnr_db_int(const fxq_step *s, int bits)
{
    if (s->has_tab && bits >= 0 && bits <= FXQ_ALLOC_TAB_BITS) return s->tab_db[bits];
    return fxq_step_sqnr_db(s, bits);
}

double fxq_step_noise_int(const fxq_step *s, int bits) { return pow(10.0, -fxq_step_sqnr_db_int(s, bits) / 10.0); }

static double noise_sum(const fxq_step *s, int n, int use_exact)
{
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += use_exact ? fxq_step_noise(&s[i], s[i].exact) : fxq_step_noise_int(&s[i], s[i].bits);
    return sum;
}

double fxq_alloc_pred_db(const fxq_step *s, int n) { return -10.0 * log10(noise_sum(s, n, 0)); }

double fxq_alloc_pred_exact_db(const fxq_step *s, int n) { return -10.0 * log10(noise_sum(s, n, 1)); }

double fxq_alloc_move_cost_db(const fxq_step *s, int n, int i)
{
    const double all = noise_sum(s, n, 1);
    const double moved = all - fxq_step_noise(&s[i], s[i].exact) + fxq_step_noise_int(&s[i], s[i].bits);
    return -10.0 * log10(moved) + 10.0 * log10(all);
}

double fxq_alloc_weight_bits(const fxq_step *s, int n)
{
    double bits = 0;
    for (int i = 0; i < n; ++i)
        if (s[i].kind == FXQ_STEP_WEIGHTS) bits += s[i].params * s[i].bits;
    return bits;
}

void fxq_waterfill(const double *w, int n, double C, double *lambda)
{
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += w[i];
    for (int i = 0; i < n; ++i) lambda[i] = C * w[i] / sum;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Bits for an exact value, clamped; lround is half away from zero. */
static int round_clamp(double exact, int lo, int hi)
{
    if (!(exact > lo)) return lo; /* also NaN and -inf */
    if (!(exact < hi)) return hi;
    return clampi((int)lround(exact), lo, hi);
}

/* Bits at which step s has inverse SQNR lambda (the inverse of Eq. 2). */
static double bits_for_noise(const fxq_step *s, double log10_lambda)
{
    return (-10.0 * log10_lambda - s->offset) / s->kappa;
}

/* The checks every solver needs; 0 + why on bad input. */
static int check_steps(const fxq_step *s, int n, int lo, int hi, char *why, size_t why_len)
{
    if (n <= 0) {
        snprintf(why, why_len, "no quantization steps to allocate");
        return 0;
    }
    if (lo < 1 || hi < lo) {
        snprintf(why, why_len, "bad bit-width range %d..%d", lo, hi);
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        if (!(s[i].kappa > 0) || !isfinite(s[i].kappa) || !isfinite(s[i].offset)) {
            snprintf(why, why_len, "layer %d: kappa must be a positive number of dB/bit (got %g)", s[i].layer, s[i].kappa);
            return 0;
        }
        if (s[i].has_tab && hi > FXQ_ALLOC_TAB_BITS) {
            snprintf(why, why_len, "layer %d: measured SQNR only up to %d bits", s[i].layer, FXQ_ALLOC_TAB_BITS);
            return 0;
        }
        if (s[i].pinned && (s[i].bits < lo || s[i].bits > hi)) {
            snprintf(why, why_len, "layer %d: fixed bit-width %d is outside %d..%d", s[i].layer, s[i].bits, lo, hi);
            return 0;
        }
        if (!s[i].pinned && !(s[i].rho > 0 && isfinite(s[i].rho))) {
            snprintf(why, why_len, "layer %d: rho must be positive (got %g)", s[i].layer, s[i].rho);
            return 0;
        }
    }
    return 1;
}

/* The integer bit-width in lo..hi with the least noise (hi for a line). */
static int best_bits(const fxq_step *s, int lo, int hi)
{
    int best = hi;
    for (int b = hi - 1; b >= lo; --b)
        if (fxq_step_noise_int(s, b) < fxq_step_noise_int(s, best)) best = b;
    return best;
}

static double best_noise(const fxq_step *s, int lo, int hi) { return fxq_step_noise_int(s, best_bits(s, lo, hi)); }

static void set_pinned_exact(fxq_step *s, int n)
{
    for (int i = 0; i < n; ++i)
        if (s[i].pinned) s[i].exact = s[i].bits;
}

int fxq_alloc_equal(fxq_step *s, int n, int bits, int lo, int hi, char *why, size_t why_len)
{
    if (!check_steps(s, n, lo, hi, why, why_len)) return 0;
    if (bits < lo || bits > hi) {
        snprintf(why, why_len, "%d bits is outside the supported %d..%d", bits, lo, hi);
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        if (!s[i].pinned) s[i].bits = bits;
        s[i].exact = s[i].bits;
    }
    return 1;
}

int fxq_alloc_beta0(fxq_step *s, int n, int beta0, int lo, int hi, char *why, size_t why_len)
{
    if (!check_steps(s, n, lo, hi, why, why_len)) return 0;
    if (beta0 < lo || beta0 > hi) {
        snprintf(why, why_len, "beta0 = %d is outside the supported %d..%d bits", beta0, lo, hi);
        return 0;
    }
    int ref = -1;
    for (int i = 0; i < n && ref < 0; ++i)
        if (!s[i].pinned && s[i].kind == FXQ_STEP_WEIGHTS) ref = i;
    if (ref < 0) {
        snprintf(why, why_len, "beta0 needs a layer whose weights are allocated (all are fixed)");
        return 0;
    }
    /* Eq. 13: lambda_i / lambda_ref = (rho_i / kappa_i) / (rho_ref / kappa_ref). */
    const double w_ref = s[ref].rho / s[ref].kappa;
    const double log_l_ref = -fxq_step_sqnr_db(&s[ref], beta0) / 10.0;
    set_pinned_exact(s, n);
    for (int i = 0; i < n; ++i) {
        if (s[i].pinned) continue;
        const double w = s[i].rho / s[i].kappa;
        s[i].exact = i == ref ? beta0 : bits_for_noise(&s[i], log_l_ref + log10(w / w_ref));
        /* Eq. 15 literally: beta0 minus the rounded difference. */
        const double diff = beta0 - s[i].exact;
        s[i].bits = fabs(diff) > 1e6 ? (diff > 0 ? lo : hi) : clampi(beta0 - (int)lround(diff), lo, hi);
    }
    return 1;
}

int fxq_alloc_sqnr(fxq_step *s, int n, double sqnr_db, int lo, int hi, char *why, size_t why_len)
{
    if (!check_steps(s, n, lo, hi, why, why_len)) return 0;
    if (!isfinite(sqnr_db)) {
        snprintf(why, why_len, "the SQNR target must be a finite number of dB");
        return 0;
    }
    const double C = pow(10.0, -sqnr_db / 10.0);
    double pinned = 0, at_hi = 0, wsum = 0;
    int free_steps = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i].pinned) {
            pinned += fxq_step_noise_int(&s[i], s[i].bits);
        } else {
            at_hi += best_noise(&s[i], lo, hi);
            wsum += s[i].rho / s[i].kappa;
            ++free_steps;
        }
    }
    if (!free_steps) {
        snprintf(why, why_len, "--sqnr needs at least one step to allocate (all are fixed)");
        return 0;
    }
    if (pinned + at_hi > C * (1 + 1e-12)) {
        snprintf(why, why_len, "an output SQNR of %.2f dB is out of reach: at most %.2f dB with %d bits everywhere allocated",
                 sqnr_db, -10.0 * log10(pinned + at_hi), hi);
        return 0;
    }
    /* Exact water-filling over what the fixed steps leave of the budget. */
    const double left = C - pinned;
    set_pinned_exact(s, n);
    for (int i = 0; i < n; ++i) {
        if (s[i].pinned) continue;
        s[i].exact = bits_for_noise(&s[i], log10(left * (s[i].rho / s[i].kappa) / wsum));
        s[i].bits = round_clamp(s[i].exact, lo, hi);
    }
    /* Rounding may break the floor: buy back the cheapest noise reduction. */
    const double cap = C * (1 + 1e-12);
    double total = noise_sum(s, n, 0);
    while (total > cap) {
        int best = -1;
        double best_gain = 0;
        for (int i = 0; i < n; ++i) {
            if (s[i].pinned || s[i].bits >= hi) continue;
            const double gain = (fxq_step_noise_int(&s[i], s[i].bits) - fxq_step_noise_int(&s[i], s[i].bits + 1)) / s[i].rho;
            if (best < 0 || gain > best_gain) best = i, best_gain = gain;
        }
        if (best < 0) break; /* only with a non-monotone measured table */
        s[best].bits++;
        total = noise_sum(s, n, 0);
    }
    if (total > cap) {
        /* a measured table that does not improve with bits: take the best */
        for (int i = 0; i < n; ++i)
            if (!s[i].pinned) s[i].bits = best_bits(&s[i], lo, hi);
        total = noise_sum(s, n, 0);
    }
    /* ...and give back bits that the floor does not need, most rho first. */
    for (;;) {
        int best = -1;
        double best_ratio = 0;
        for (int i = 0; i < n; ++i) {
            if (s[i].pinned || s[i].bits <= lo) continue;
            const double more = fxq_step_noise_int(&s[i], s[i].bits - 1) - fxq_step_noise_int(&s[i], s[i].bits);
            if (total + more > cap) continue;
            const double ratio = more > 0 ? s[i].rho / more : INFINITY;
            if (best < 0 || ratio > best_ratio) best = i, best_ratio = ratio;
        }
        if (best < 0) break;
        s[best].bits--;
        total = noise_sum(s, n, 0);
    }
    return 1;
}

/* ---- size budget: branch and bound over the unpinned weight steps ---- */

typedef struct bb_item {
    double p;                                /* params */
    double noise[FXQ_ALLOC_TAB_BITS + 1];    /* inverse SQNR at each integer width */
    double a, A;                             /* the line: lambda(x) = A exp(-a x) */
    int step;                                /* index into the caller's steps */
} bb_item;

typedef struct bb_ctx {
    const bb_item *it;
    int m, lo, hi;
    const double *rest_p;  /* rest_p[k] = sum of p over items k..m-1 */
    int *cur, *best;
    double best_val;
    long nodes, limit;
    int stopped;
} bb_ctx;

/* Lagrangian dual of the integer problem over items k.. (sum p_j x_j <= R,
 * x_j integer in lo..hi): for every nu >= 0,
 *   sum_j min_x [noise_j(x) + nu p_j x] - nu R
 * is a lower bound on its optimum; the best nu is found by bisection on the
 * supergradient sum_j p_j x_j(nu) - R. Exact for any table, convex or not. */
static double bb_dual(const bb_ctx *c, int k, double R, double nu, double *used)
{
    double val = 0, u = 0;
    for (int j = k; j < c->m; ++j) {
        const bb_item *it = &c->it[j];
        int bx = c->hi;
        double bv = it->noise[bx] + nu * it->p * bx;
        for (int b = c->hi - 1; b >= c->lo; --b) {
            const double v = it->noise[b] + nu * it->p * b;
            if (v < bv) bv = v, bx = b;
        }
        val += bv;
        u += it->p * bx;
    }
    *used = u;
    return val - nu * R;
}

static double bb_lower(const bb_ctx *c, int k, double R)
{
    if (k == c->m) return 0;
    double used;
    double bound = bb_dual(c, k, R, 0, &used);
    if (used <= R) return bound; /* the unconstrained best fits: exact */
    /* nu large enough that every item sits at lo */
    double nu_hi = 0;
    for (int j = k; j < c->m; ++j)
        for (int b = c->lo + 1; b <= c->hi; ++b)
            nu_hi = fmax(nu_hi, (c->it[j].noise[c->lo] - c->it[j].noise[b]) / (c->it[j].p * (b - c->lo)));
    if (!(nu_hi > 0)) return bound;
    double t_lo = log(nu_hi) - 80, t_hi = log(nu_hi) + 1;
    for (int iter = 0; iter < 50; ++iter) {
        const double t = 0.5 * (t_lo + t_hi);
        const double v = bb_dual(c, k, R, exp(t), &used);
        if (v > bound) bound = v;
        if (used > R) t_lo = t; else t_hi = t;
    }
    return bound;
}

static void bb_dfs(bb_ctx *c, int k, double R, double acc)
{
    if (c->stopped) return;
    if (++c->nodes > c->limit) {
        c->stopped = 1;
        return;
    }
    if (k == c->m) {
        if (acc < c->best_val) {
            c->best_val = acc;
            memcpy(c->best, c->cur, sizeof(int) * (size_t)c->m);
        }
        return;
    }
    if (acc + bb_lower(c, k, R) >= c->best_val) return;
    const bb_item *it = &c->it[k];
    const double room = R - c->lo * c->rest_p[k + 1];
    int bmax = (int)floor(room / it->p);
    if (bmax > c->hi) bmax = c->hi;
    for (int b = bmax; b >= c->lo; --b) {
        c->cur[k] = b;
        bb_dfs(c, k + 1, R - it->p * b, acc + it->noise[b]);
    }
}

static int cmp_p_desc(const void *x, const void *y)
{
    const double a = ((const bb_item *)x)->p, b = ((const bb_item *)y)->p;
    return a < b ? 1 : a > b ? -1 : 0;
}

int fxq_alloc_size(fxq_step *s, int n, double budget_bits, int lo, int hi, long node_limit,
                   long *nodes_out, int *complete_out, char *why, size_t why_len)
{
    if (nodes_out) *nodes_out = 0;
    if (complete_out) *complete_out = 1;
    if (!check_steps(s, n, lo, hi, why, why_len)) return 0;
    if (hi > FXQ_ALLOC_TAB_BITS) {
        snprintf(why, why_len, "the size search covers at most %d bits", FXQ_ALLOC_TAB_BITS);
        return 0;
    }
    if (!(budget_bits > 0) || !isfinite(budget_bits)) {
        snprintf(why, why_len, "the size budget must be a positive number of Mbits");
        return 0;
    }
    /* Whole bits: keeps every partial sum exact in double. */
    const double budget = floor(budget_bits + 1e-6);
    double fixed = 0, free_p = 0;
    int m = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i].kind != FXQ_STEP_WEIGHTS) continue;
        if (s[i].pinned) {
            fixed += s[i].params * s[i].bits;
        } else {
            if (!(s[i].params > 0) || s[i].params != floor(s[i].params)) {
                snprintf(why, why_len, "layer %d: parameter count must be a positive integer", s[i].layer);
                return 0;
            }
            free_p += s[i].params;
            ++m;
        }
    }
    if (fixed + lo * free_p > budget) {
        snprintf(why, why_len, "%.4f Mbits cannot hold the weights: the smallest allocation (%d bits%s) needs %.4f Mbits",
                 budget / 1e6, lo, fixed > 0 ? ", fixed layers as given" : "", (fixed + lo * free_p) / 1e6);
        return 0;
    }
    bb_item *items = calloc((size_t)m + 1, sizeof *items);
    double *rest_p = calloc((size_t)m + 2, sizeof *rest_p);
    int *cur = calloc((size_t)m + 1, sizeof *cur), *best = calloc((size_t)m + 1, sizeof *best);
    if (!items || !rest_p || !cur || !best) {
        snprintf(why, why_len, "out of memory");
        free(items), free(rest_p), free(cur), free(best);
        return 0;
    }
    m = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i].pinned || s[i].kind != FXQ_STEP_WEIGHTS) continue;
        items[m].p = s[i].params;
        items[m].a = s[i].kappa * LN10_10;
        items[m].A = pow(10.0, -s[i].offset / 10.0);
        for (int b = lo; b <= hi; ++b) items[m].noise[b] = fxq_step_noise_int(&s[i], b);
        items[m].step = i;
        ++m;
    }
    qsort(items, (size_t)m, sizeof *items, cmp_p_desc);
    for (int k = m - 1; k >= 0; --k) rest_p[k] = rest_p[k + 1] + items[k].p;
    const double R = budget - fixed;

    /* Real-valued optimum without the box (reported as `exact`): with
     * lambda_i = nu * p_i / a_i, sum p_i beta_i = R fixes L = 10 log10(nu). */
    set_pinned_exact(s, n);
    double sum_pk = 0, sum_c = 0;
    for (int k = 0; k < m; ++k) {
        const fxq_step *st = &s[items[k].step];
        sum_pk += items[k].p / st->kappa;
        sum_c += items[k].p * (10.0 * log10(items[k].p / items[k].a) + st->offset) / st->kappa;
    }
    const double L = m ? -(R + sum_c) / sum_pk : 0;
    for (int k = 0; k < m; ++k) {
        fxq_step *st = &s[items[k].step];
        st->exact = bits_for_noise(st, (L + 10.0 * log10(items[k].p / items[k].a)) / 10.0);
    }

    /* Incumbent: greedy, one bit at a time where it buys the most. */
    double used = lo * rest_p[0];
    for (int k = 0; k < m; ++k) best[k] = lo;
    for (;;) {
        int pick = -1;
        double pick_gain = 0;
        for (int k = 0; k < m; ++k) {
            if (best[k] >= hi || used + items[k].p > R) continue;
            const double gain = (items[k].noise[best[k]] - items[k].noise[best[k] + 1]) / items[k].p;
            if (gain > 0 && (pick < 0 || gain > pick_gain)) pick = k, pick_gain = gain;
        }
        if (pick < 0) break;
        best[pick]++;
        used += items[pick].p;
    }
    bb_ctx c = {items, m, lo, hi, rest_p, cur, best, 0, 0, node_limit > 0 ? node_limit : 1, 0};
    for (int k = 0; k < m; ++k) c.best_val += items[k].noise[best[k]];
    bb_dfs(&c, 0, R, 0);

    for (int k = 0; k < m; ++k) s[items[k].step].bits = best[k];
    for (int i = 0; i < n; ++i)
        if (!s[i].pinned && s[i].kind != FXQ_STEP_WEIGHTS) s[i].bits = hi, s[i].exact = hi;
    if (nodes_out) *nodes_out = c.nodes;
    if (complete_out) *complete_out = !c.stopped;
    free(items), free(rest_p), free(cur), free(best);
    return 1;
}
