/* Activation scales (fxq_actscale.c, fxq_mse_window_unit): the real-step
 * error against brute force, the real-step window search against the
 * exhaustive one, unit 1 = the power-of-two searches exactly, the modes =
 * the policies' own searches, and the group scale against a full search. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_actscale.h"
#include "fxq_format.h"
#include "fxq_hist_err.h"
#include "fxq_policy.h"
#include "fxq_test.h"
#include "fxq_test_hist.h"
#include "fxq_test_rng.h"

static double fxq_test_urand(void) { return (double)(rnd() >> 11) * 0x1p-53; }

#define SUB 64 /* points per bin of the brute-force integration */

/* Round half away from zero to multiples of step, clamp to lo..hi. */
typedef struct { double step, lo, hi; } real_q;
static double real_quantize(double y, const void *ctx)
{
    const real_q *r = ctx;
    double q = y / r->step;
    q = q < 0 ? -floor(-q + 0.5) : floor(q + 0.5);
    return fmin(fmax(q, r->lo), r->hi) * r->step;
}

static double brute(const fxq_tensor_stats *s, double step, double lo, double hi, double g)
{
    const real_q r = {step, lo, hi};
    return fxq_test_hist_brute(s, SUB, g, real_quantize, &r);
}

/* A row's squared error at `step`, signed codes of `bits`, by the number
 * system's quantizer (round half away from zero, saturate). */
static double brute_w(const float *x, int n, double step, int bits)
{
    double e = 0;
    for (int i = 0; i < n; ++i) {
        const double q = (double)fxq_quantize64_ref((double)x[i] / step, 0, -(1 << (bits - 1)), (1 << (bits - 1)) - 1);
        e += ((double)x[i] - q * step) * ((double)x[i] - q * step);
    }
    return e;
}

/* Skewed values: a long positive tail, a short negative one (leaky-like). */
static void fill(fxq_tensor_stats *s, int t, int nonneg)
{
    float v[4000];
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 4000; ++i) {
        const double u = fxq_test_urand();
        v[i] = (float)(nonneg || i % 3 ? -log(1 - u) * (0.7 + 0.37 * t) : -(0.2 + t % 3) * u);
    }
    fxq_ts_add(s, v, 4000);
}

int main(void)
{
    fxq_tensor_stats *s = calloc(4, sizeof *s);
    int bad_err = 0, bad_search = 0, cases = 0;
    double worst = 0;
    for (int t = 0; t < 6; ++t) {
        fill(s, t, 0);
        const double g = t % 3 == 0 ? 1 : t % 3 == 1 ? 0.1 : 0, unit = exp2((t * 7 % 32) / 32.0);
        const int bits = t < 3 ? 4 : 6, n = (1 << bits) - 1;
        for (int k = 0; k < 4; ++k) { /* the error at a real step against brute force */
            const double step = unit * ldexp(1, -(bits - 3 + k));
            const int lo = -(int)(fxq_test_urand() * n);
            const double want = brute(s, step, lo, lo + n, g), got = fxq_hist_mse_window(s, step, lo, lo + n, g);
            const double rel = fabs(got - want) / want;
            worst = rel > worst ? rel : worst;
            bad_err += !(rel < 1e-3);
        }
        /* the real-step search against every (frac, lo) */
        int lo_got, best_n = 0, best_lo = 0;
        const int got = fxq_mse_window_unit(s, bits, g, unit, -6, 20, &lo_got, NULL);
        double best = INFINITY;
        for (int fr = -6; fr <= 20; ++fr)
            for (int i = -2; i <= n; ++i) {
                const int lo = i == -2 ? 0 : i == -1 ? -(1 << (bits - 1)) : -i;
                const double e = fxq_hist_mse_window(s, unit * ldexp(1, -fr), lo, lo + n, g);
                if (e < best) best = e, best_n = fr, best_lo = lo;
            }
        ++cases;
        if (got != best_n || lo_got != best_lo)
            bad_search += fxq_hist_mse_window(s, unit * ldexp(1, -got), lo_got, lo_got + n, g) != best;
    }
    printf("# real-step error vs brute force: worst relative gap %.3g\n", worst);
    FXQ_CHECK("unit.error_vs_brute_force", bad_err == 0, "%d steps off, worst relative gap %.3g", bad_err, worst);
    FXQ_CHECK("unit.search_is_exhaustive", bad_search == 0, "%d of %d searches missed the least error", bad_search,
              cases);

    /* unit 1 is the power-of-two window search, bit for bit */
    int same = 1;
    for (int t = 0; t < 4; ++t) {
        fill(s, t, 0);
        for (int bits = 3; bits <= 7; bits += 4) {
            int l1, l2;
            double e1, e2;
            const int f1 = fxq_mse_window(s, bits, 0.1, -8, 24, &l1, &e1);
            const int f2 = fxq_mse_window_unit(s, bits, 0.1, 1, -8, 24, &l2, &e2);
            same &= f1 == f2 && l1 == l2 && e1 == e2;
        }
    }
    FXQ_CHECK("unit.one_is_mse_window", same, "differs");

    /* the point modes at c = 1 pick the policies' own fracs */
    {
        fill(&s[0], 2, 0);
        fill(&s[1], 3, 1);
        int f;
        const fxq_act_point sg = {&s[0], 8, 1, FXQ_AP_SIGNED}, lk = {&s[0], 8, 0.1, FXQ_AP_SIGNED},
                            un = {&s[1], 8, 1, FXQ_AP_UNSIGNED}, rl = {&s[0], 8, 0, FXQ_AP_UNSIGNED},
                            wn = {&s[0], 8, 0.1, FXQ_AP_WINDOW};
        double e_mse;
        const int f_mse = fxq_mse_frac(&s[0], 8, -8, 24, &e_mse);
        const double e = fxq_act_point_err(&sg, 1, -8, 24, &f);
        FXQ_CHECK("mode.signed_is_mse_frac", f == f_mse && e == e_mse, "frac %d err %g, mse %d %g", f, e, f_mse, e_mse);
        fxq_act_point_err(&lk, 1, -8, 24, &f);
        const int f_act = fxq_mse_frac_act(&s[0], 8, 0.1, -8, 24);
        FXQ_CHECK("mode.signed_leaky_is_frac_act", f == f_act, "frac %d, fxq_mse_frac_act %d", f, f_act);
        fxq_act_point_err(&un, 1, -8, 24, &f);
        const int f_un = fxq_mse_frac(&s[1], 9, -8, 24, NULL);
        FXQ_CHECK("mode.unsigned_is_signed_bits_plus_1", f == f_un, "frac %d, unsigned rule %d", f, f_un);
        fxq_act_point_err(&rl, 1, -8, 24, &f);
        const int f_rl = fxq_mse_frac_act(&s[0], 9, 0, -8, 24);
        FXQ_CHECK("mode.relu_is_frac_act", f == f_rl, "frac %d, fxq_mse_frac_act(relu) %d", f, f_rl);
        int lo;
        double ew;
        const int f_w = fxq_mse_window(&s[0], 8, 0.1, -8, 24, &lo, &ew);
        const double e2 = fxq_act_point_err(&wn, 1, -8, 24, &f);
        FXQ_CHECK("mode.window_is_mse_window", f == f_w && e2 == ew, "frac %d err %g, window %d %g", f, e2, f_w, ew);
    }

    /* a group's c: against the full search (every k, every frac of every
     * point); c = 1 never loses; the chosen error is the sum at that c */
    {
        int bad = 0, worse = 0;
        for (int t = 0; t < 4; ++t) {
            for (int j = 0; j < 3; ++j) fill(&s[j], t + j, j == 2);
            const fxq_act_point pts[3] = {{&s[0], 4, 0.1, FXQ_AP_WINDOW}, {&s[1], 5, 1, FXQ_AP_WINDOW},
                                          {&s[2], 6, 1, t % 2 ? FXQ_AP_UNSIGNED : FXQ_AP_SIGNED}};
            const int grid = 5 + 4 * t;
            double e1, ec;
            const int k = fxq_act_scale_choose(pts, 3, grid, -6, 16, &e1, &ec);
            double best = INFINITY, at1 = 0;
            int kb = 0;
            for (int kk = 0; kk < grid; ++kk) {
                double e = 0;
                for (int i = 0; i < 3; ++i)
                    e += fxq_act_point_err(&pts[i], exp2((double)kk / grid), -6, 16, NULL);
                if (kk == 0) at1 = e;
                if (e < best) best = e, kb = kk;
            }
            bad += k != kb && fabs(ec - best) > 1e-12 * best;
            worse += !(ec <= e1) || e1 != at1;
            if (k != kb) printf("# group: grid %d: k %d err %.9g, full search k %d %.9g\n", grid, k, ec, kb, best);
        }
        FXQ_CHECK("group.matches_full_search", bad == 0, "%d of 4 groups differ", bad);
        FXQ_CHECK("group.never_worse_than_c1", worse == 0, "%d groups", worse);
        const fxq_act_point empty[1] = {{&s[3], 8, 1, FXQ_AP_WINDOW}};
        memset(&s[3], 0, sizeof s[3]);
        double e1 = -1, ec = -1;
        FXQ_CHECK("group.empty_is_c1", fxq_act_scale_choose(empty, 1, 32, -32, 48, &e1, &ec) == 0 && e1 == 0 && ec == 0,
                  "k != 0");
    }

    /* the weight side: at u = 1 each row's least error over every frac
     * (fxq_mse_frac_values' frac), at u = 2^(j/N) the brute force over
     * fracs around it; per tensor: one frac for all rows */
    {
        enum { ROWS = 5, FAN = 40, N = 8 };
        float w[ROWS * FAN];
        for (int i = 0; i < ROWS * FAN; ++i) w[i] = (float)((fxq_test_urand() - 0.5) * (1 + i / FAN) * 0.37);
        double tab[N], tt[N];
        fxq_w_unit_table(w, ROWS, FAN, 6, 1, N, -8, 24, tab);
        fxq_w_unit_table(w, ROWS, FAN, 6, 0, N, -8, 24, tt);
        int bad = 0;
        for (int j = 0; j < N; ++j) {
            const double u = exp2((double)j / N);
            double want = 0, want_t = INFINITY;
            for (int f = -8; f <= 24; ++f) {
                double et = 0;
                for (int r = 0; r < ROWS; ++r) et += brute_w(w + r * FAN, FAN, u * ldexp(1, -f), 6);
                want_t = fmin(want_t, et / ROWS);
            }
            for (int r = 0; r < ROWS; ++r) {
                double er = INFINITY;
                for (int f = -8; f <= 24; ++f) er = fmin(er, brute_w(w + r * FAN, FAN, u * ldexp(1, -f), 6));
                want += er / ROWS;
            }
            bad += fabs(tab[j] - want) > 1e-9 * want || fabs(tt[j] - want_t) > 1e-9 * want_t;
            if (fabs(tab[j] - want) > 1e-9 * want) printf("# w table j %d: %.9g, brute %.9g\n", j, tab[j], want);
        }
        FXQ_CHECK("weights.table_vs_brute_force", bad == 0, "%d of %d units differ", bad, N);
        int same = 1;
        for (int r = 0; r < ROWS; ++r) {
            const int f = fxq_mse_frac_values(w + r * FAN, FAN, 6, -8, 24);
            double er = INFINITY;
            for (int g = -8; g <= 24; ++g) er = fmin(er, brute_w(w + r * FAN, FAN, ldexp(1, -g), 6));
            same &= brute_w(w + r * FAN, FAN, ldexp(1, -f), 6) == er;
        }
        FXQ_CHECK("weights.unit1_is_per_channel_rule", same, "a row's least error is not fxq_mse_frac_values' frac");
    }
    free(s);
    FXQ_TEST_END();
}
