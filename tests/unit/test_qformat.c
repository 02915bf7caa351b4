/* Q-format rule (paper §3.3), histogram SQNR and kappa (fxq_qformat.c,
 * fxq_hist_err.c), pinned on hand-made tensors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_hist_err.h"
#include "fxq_qformat.h"
#include "fxq_test.h"

static uint64_t rng_state = 12345;
static double urand(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}
static double nrand(void) { return sqrt(-2 * log(1 - urand())) * cos(2 * M_PI * urand()); }

/* Direct mean squared error of the number system's quantizer on the samples
 * (independent of the histogram): round half away from zero, saturate. */
static double direct_mse(const float *x, size_t n, fxq_format f)
{
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
        const double q = fxq_dequantize(fxq_quantize_ref(x[i], f), f.frac);
        e += (x[i] - q) * (x[i] - q);
    }
    return e / n;
}
static double direct_sqnr(const float *x, size_t n, fxq_format f)
{
    double p = 0;
    for (size_t i = 0; i < n; ++i) p += (double)x[i] * x[i];
    return 10 * log10(p / n / direct_mse(x, n, f));
}

int main(void)
{
    char name[96];
    const fxq_qopts def = FXQ_QOPTS_DEFAULT;

    /* --- the rule on a tensor with sigma exactly 1: {-1, +1} x 500 ---------
     * sigma = 1, xi = 3:
     *   8 bits gaussian: s = 3 * 0.030762 = 0.092286, log2 s = -3.44, ceil -3 -> n = 3
     *   4 bits gaussian: s = 3 * 0.335201 = 1.005603, log2 s = +0.008, ceil 1 -> n = -1
     *   2 bits gaussian: s = 3 * 0.995687 = 2.987061, log2 s = 1.58, ceil 2 -> n = -2
     *   8 bits laplacian: s = 3 * 0.054844 = 0.164532, log2 s = -2.60, ceil -2 -> n = 2
     *   8 bits uniform (unit variance, 2 sqrt3 / 256 = 0.013532):
     *                     s = 0.040595, log2 s = -4.62, ceil -4 -> n = 4
     *   8 bits gamma:     s = 3 * 0.074362 = 0.223086, log2 s = -2.16, ceil -2 -> n = 2
     *   8 bits gaussian, xi = 1 sigma: s = 0.030762, log2 = -5.02, ceil -5 -> n = 5 */
    fxq_tensor_stats pm = {0};
    {
        float v[1000];
        for (int i = 0; i < 1000; ++i) v[i] = i & 1 ? 1.f : -1.f;
        fxq_ts_add(&pm, v, 1000);
    }
    FXQ_CHECK("rule.sigma_is_1", fxq_ts_sigma(&pm) == 1 && pm.mean == 0, "sigma %.17g", fxq_ts_sigma(&pm));
    struct { int bits; fxq_dist d; double xi; int n; } rule[] = {
        {8, FXQ_DIST_GAUSSIAN, 3, 3},  {4, FXQ_DIST_GAUSSIAN, 3, -1}, {2, FXQ_DIST_GAUSSIAN, 3, -2},
        {8, FXQ_DIST_LAPLACIAN, 3, 2}, {8, FXQ_DIST_UNIFORM, 3, 4},   {8, FXQ_DIST_GAMMA, 3, 2},
        {8, FXQ_DIST_GAUSSIAN, 1, 5},
    };
    for (size_t i = 0; i < sizeof rule / sizeof rule[0]; ++i) {
        const fxq_qopts o = {.xi_sigmas = rule[i].xi, .dist = rule[i].d, .formats = FXQ_FORMATS_PAPER};
        const fxq_format f = fxq_choose_format(&pm, rule[i].bits, &o);
        snprintf(name, sizeof name, "rule.%s.beta%d.xi%g", fxq_dist_name(rule[i].d), rule[i].bits, rule[i].xi);
        FXQ_CHECK(name, f.bits == rule[i].bits && f.frac == rule[i].n, "frac %d, by hand %d", f.frac, rule[i].n);
    }

    /* ceil(log2) exactly at powers of two */
    FXQ_CHECK("frac_from_step.power_of_two", fxq_frac_from_step(1, 0.25) == 2 && fxq_frac_from_step(2, 0.25) == 1 &&
                                                 fxq_frac_from_step(1, 4) == -2,
              "%d %d %d", fxq_frac_from_step(1, 0.25), fxq_frac_from_step(2, 0.25), fxq_frac_from_step(1, 4));
    FXQ_CHECK("frac_from_step.around", fxq_frac_from_step(1, 0.25 * (1 + 1e-12)) == 1 &&
                                           fxq_frac_from_step(1, 0.25 * (1 - 1e-12)) == 2,
              "%d %d", fxq_frac_from_step(1, 0.25 * (1 + 1e-12)), fxq_frac_from_step(1, 0.25 * (1 - 1e-12)));

    /* a Gaussian sample with sigma 0.01: s = 3 * 0.01 * 0.030762 = 9.23e-4,
     * log2 = -10.08, ceil -10 -> n = 10 (measured sigma within 1%, far from
     * the next power of two) */
    const size_t N = 400000;
    float *g = malloc(sizeof(float) * N), *u = malloc(sizeof(float) * N), *relu = malloc(sizeof(float) * N);
    for (size_t i = 0; i < N; ++i) {
        g[i] = (float)(0.01 * nrand());
        u[i] = (float)(2 * urand() - 1);
        const double z = nrand() + 0.2;
        relu[i] = z > 0 ? (float)z : 0.f;
    }
    fxq_tensor_stats gs = {0}, us = {0}, rs = {0};
    fxq_ts_add(&gs, g, N);
    fxq_ts_add(&us, u, N);
    fxq_ts_add(&rs, relu, N);
    FXQ_CHECK("rule.gauss_sigma_0.01.beta8", fxq_choose_format(&gs, 8, &def).frac == 10, "frac %d (sigma %g)",
              fxq_choose_format(&gs, 8, &def).frac, fxq_ts_sigma(&gs));

    /* degenerate tensors */
    fxq_tensor_stats empty = {0}, zero = {0}, cst = {0};
    {
        float z[10] = {0}, c[10];
        for (int i = 0; i < 10; ++i) c[i] = 0.75f;
        fxq_ts_add(&zero, z, 10);
        fxq_ts_add(&cst, c, 10);
    }
    FXQ_CHECK("degenerate.empty", fxq_choose_format(&empty, 8, &def).frac == 7, "frac %d",
              fxq_choose_format(&empty, 8, &def).frac);
    FXQ_CHECK("degenerate.all_zero", fxq_choose_format(&zero, 6, &def).frac == 5 && isinf(fxq_sqnr_db(&zero, (fxq_format){6, 5})) &&
                                         fxq_kappa_measured(&zero, 6, &def) == 0,
              "frac %d", fxq_choose_format(&zero, 6, &def).frac);
    /* constant 0.75, 8 bits: 0.75 * 2^n exact and <= 127 -> n = 7 (96) is the
     * finest that holds it with zero error */
    {
        const fxq_format f = fxq_choose_format(&cst, 8, &def);
        FXQ_CHECK("degenerate.constant", f.frac >= 2 && f.frac <= 7 && fxq_hist_mse(&cst, ldexp(1, -7), 8) <
                                                                         fxq_hist_mse(&cst, ldexp(1, -1), 8),
                  "frac %d", f.frac);
    }

    /* --- SQNR from the histogram vs the samples themselves ---------------- */
    /* uniform [-1,1), (8,7): step 1/128, no clipping but the top half step:
     * SQNR = 10 log10((1/3) / (2^-14 / 12)) = 10 log10(4 * 128^2) = 48.16 dB */
    {
        const fxq_format f = {8, 7};
        const double h = fxq_sqnr_db(&us, f), d = direct_sqnr(u, N, f);
        FXQ_CHECK("sqnr.uniform_by_hand", fabs(h - 48.16) < 0.1, "%.3f dB", h);
        FXQ_CHECK("sqnr.uniform_vs_direct", fabs(h - d) < 0.1, "hist %.3f direct %.3f", h, d);
    }
    static const fxq_format gf[] = {{8, 10}, {8, 9}, {8, 12}, {4, 6}, {4, 8}, {2, 7}, {16, 18}};
    for (size_t i = 0; i < sizeof gf / sizeof gf[0]; ++i) {
        const double h = fxq_sqnr_db(&gs, gf[i]), d = direct_sqnr(g, N, gf[i]);
        snprintf(name, sizeof name, "sqnr.gauss_vs_direct.%d.%d", gf[i].bits, gf[i].frac);
        FXQ_CHECK(name, fabs(h - d) < 0.15, "hist %.3f dB, direct %.3f dB", h, d);
    }
    /* ReLU outputs: 42% exact zeros, which must not count as error */
    static const fxq_format rf[] = {{8, 4}, {8, 6}, {12, 8}, {16, 12}};
    for (size_t i = 0; i < sizeof rf / sizeof rf[0]; ++i) {
        const double h = fxq_sqnr_db(&rs, rf[i]), d = direct_sqnr(relu, N, rf[i]);
        snprintf(name, sizeof name, "sqnr.relu_vs_direct.%d.%d", rf[i].bits, rf[i].frac);
        FXQ_CHECK(name, fabs(h - d) < 0.15, "hist %.3f dB, direct %.3f dB", h, d);
    }

    /* --- kappa --------------------------------------------------------------- */
    {
        /* empirical formats on uniform data halve the step per bit: 6.02 dB/bit */
        const fxq_qopts emp = {.xi_sigmas = 3, .dist = FXQ_DIST_EMPIRICAL, .formats = FXQ_FORMATS_PAPER};
        const double k = fxq_kappa_measured(&us, 8, &emp);
        FXQ_CHECK("kappa.uniform_6dB", fabs(k - 6.02) < 0.1, "%.3f", k);
        /* gaussian rule on gaussian data: between 4.5 and 6.5 dB/bit at 8 bits;
         * Eq. 2 ratio SQNR/beta with xi = 3 sigma: 3..4 dB/bit (paper: 2-4 on real data) */
        /* with the ceil rule the local slope is lumpy (n may move by one over
         * two bits: 3 dB/bit there); on average it is 5..6.5 dB/bit */
        const double kg = fxq_kappa_measured(&gs, 8, &def), rg = fxq_kappa_ratio(&gs, 8, &def);
        const double avg = (fxq_sqnr_db(&gs, fxq_choose_format(&gs, 12, &def)) -
                            fxq_sqnr_db(&gs, fxq_choose_format(&gs, 4, &def))) / 8;
        FXQ_CHECK("kappa.gauss_average_slope", avg > 5 && avg < 6.5, "%.3f", avg);
        FXQ_CHECK("kappa.gauss_ratio", rg > 3 && rg < 4.2, "%.3f", rg);
        /* the slope is what the SQNR does: check against a direct difference */
        const fxq_format f7 = fxq_choose_format(&gs, 7, &def), f9 = fxq_choose_format(&gs, 9, &def);
        const double dk = (direct_sqnr(g, N, f9) - direct_sqnr(g, N, f7)) / 2;
        FXQ_CHECK("kappa.gauss_vs_direct", fabs(kg - dk) < 0.15, "hist %.3f direct %.3f", kg, dk);
        /* one-sided at the ends of 2..16 */
        const double k16 = fxq_kappa_measured(&gs, 16, &def), k2 = fxq_kappa_measured(&gs, 2, &def);
        const double d16 = fxq_sqnr_db(&gs, fxq_choose_format(&gs, 16, &def)) - fxq_sqnr_db(&gs, fxq_choose_format(&gs, 15, &def));
        const double d2 = fxq_sqnr_db(&gs, fxq_choose_format(&gs, 3, &def)) - fxq_sqnr_db(&gs, fxq_choose_format(&gs, 2, &def));
        FXQ_CHECK("kappa.ends_one_sided", k16 == d16 && k2 == d2, "%.3f/%.3f %.3f/%.3f", k16, d16, k2, d2);
    }

    /* --- empirical: least histogram error, never worse than the rule ------ */
    {
        const fxq_qopts emp = {.xi_sigmas = 3, .dist = FXQ_DIST_EMPIRICAL, .formats = FXQ_FORMATS_PAPER};
        int ok = 1;
        for (int b = 2; b <= 16; ++b) {
            const fxq_format fe = fxq_choose_format(&gs, b, &emp), fr = fxq_choose_format(&gs, b, &def);
            const double se = fxq_sqnr_db(&gs, fe);
            ok &= se >= fxq_sqnr_db(&gs, fr) - 1e-9 && se >= fxq_sqnr_db(&gs, (fxq_format){b, fe.frac - 1}) &&
                  se >= fxq_sqnr_db(&gs, (fxq_format){b, fe.frac + 1});
        }
        FXQ_CHECK("empirical.best_frac", ok, "an adjacent or the rule's format is better");
        /* the empirical real-valued step of N(0, 0.01^2) at 6 bits, in units
         * of sigma, lies near Table 1's Gaussian optimum (the number system is
         * midtread with 2^b codes, Table 1 midrise: close, not equal) */
        const double es = fxq_empirical_step(&gs, 6) / fxq_ts_sigma(&gs), ts = fxq_optimal_step(FXQ_DIST_GAUSSIAN, 6);
        FXQ_CHECK("empirical.step_near_table", fabs(es / ts - 1) < 0.1, "%.5f vs %.5f", es, ts);
        const double se = fxq_hist_mse(&gs, fxq_empirical_step(&gs, 6), 6);
        FXQ_CHECK("empirical.step_is_minimum", se <= fxq_hist_mse(&gs, fxq_empirical_step(&gs, 6) * 1.02, 6) &&
                                                   se <= fxq_hist_mse(&gs, fxq_empirical_step(&gs, 6) * 0.98, 6),
                  "not a minimum");
    }
    free(g);
    free(u);
    free(relu);
    FXQ_TEST_END();
}
