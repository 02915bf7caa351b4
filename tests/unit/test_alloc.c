/* Cross-layer bit-width allocation (fxq_alloc.h): the paper's fixtures,
 * water-filling optimality on random rho, the size budget against brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_alloc.h"
#include "fxq_test.h"

#define NMAX 16

/* Paper CIFAR-10 network (arXiv Table 3 / ICML Table 2): conv0..conv5, fc0. */
static const double cifar_params[7] = {6912, 294912, 294912, 589824, 589824, 1605632, 5120};
/* ICML Table 4 AlexNet-like network, weights only: conv1..conv5. */
static const double alex_params[5] = {14112, 384000, 276480, 331776, 276480};

static unsigned rng_state = 12345u;
static double frand(void) /* [0, 1) */
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) / 16777216.0;
}

static int weights_chain(fxq_step *s, const double *params, int n, double kappa)
{
    for (int i = 0; i < n; ++i) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].layer = i;
        s[i].kind = FXQ_STEP_WEIGHTS;
        s[i].rho = s[i].params = params[i];
        s[i].kappa = kappa;
    }
    return n;
}

static double cost(const fxq_step *s, int n, const double *bits)
{
    double c = 0;
    for (int i = 0; i < n; ++i) c += s[i].rho * bits[i];
    return c;
}

static void paper_fixtures(void)
{
    char why[256];
    fxq_step s[NMAX];
    static const int table6[7][6] = {
        {16, 11, 11, 10, 10, 8}, {15, 10, 10, 9, 9, 7}, {14, 9, 9, 8, 8, 6}, {13, 8, 8, 7, 7, 5},
        {12, 7, 7, 6, 6, 4}, {11, 6, 6, 5, 5, 3}, {10, 5, 5, 4, 4, 2}};
    static const double mbits[7] = {31.24, 27.86, 24.48, 21.09, 17.71, 14.33, 10.95};
    for (int c = 0; c < 7; ++c) {
        const int beta0 = 16 - c;
        weights_chain(s, cifar_params, 6, 3.0);
        int ok = fxq_alloc_beta0(s, 6, beta0, 2, 16, why, sizeof why);
        int same = ok;
        for (int i = 0; i < 6 && same; ++i) same = s[i].bits == table6[c][i];
        char name[64];
        snprintf(name, sizeof name, "beta0.cifar_table6_case%d", 7 + c);
        FXQ_CHECK(name, same, "beta0 %d: got %d %d %d %d %d %d (%s)", beta0, s[0].bits, s[1].bits, s[2].bits,
                  s[3].bits, s[4].bits, s[5].bits, ok ? "" : why);
        snprintf(name, sizeof name, "beta0.cifar_mbits_case%d", 7 + c);
        const double mb = fxq_alloc_weight_bits(s, 6) / 1e6;
        FXQ_CHECK(name, fabs(mb - mbits[c]) <= 0.005 + 1e-9, "%.4f Mbits, want %.2f", mb, mbits[c]);
    }
    static const double eq_mbits[6] = {30.44, 27.06, 23.67, 20.29, 16.91, 13.53};
    int eq_ok = 1;
    for (int b = 9; b >= 4; --b) {
        weights_chain(s, cifar_params, 6, 3.0);
        fxq_alloc_equal(s, 6, b, 2, 16, why, sizeof why);
        if (fabs(fxq_alloc_weight_bits(s, 6) / 1e6 - eq_mbits[9 - b]) > 0.005 + 1e-9) eq_ok = 0;
    }
    FXQ_CHECK("equal.cifar_table6_cases1_6", eq_ok, "Mbits differ from Table 6");

    /* fc0 (5120 weights) in the allocation: 10 log10(5120/6912)/3 = -0.43 -> beta0. */
    weights_chain(s, cifar_params, 7, 3.0);
    fxq_alloc_beta0(s, 7, 16, 2, 16, why, sizeof why);
    FXQ_CHECK("beta0.cifar_fc0_follows_eq15", s[6].bits == 16, "fc0 got %d", s[6].bits);

    weights_chain(s, alex_params, 5, 3.0);
    fxq_alloc_beta0(s, 5, 12, 2, 16, why, sizeof why);
    FXQ_CHECK("beta0.alexnet_icml_table5", s[1].bits == 7 && s[2].bits == 8 && s[3].bits == 7 && s[4].bits == 8,
              "conv2..5 = %d %d %d %d, want 7 8 7 8", s[1].bits, s[2].bits, s[3].bits, s[4].bits);

    /* Clamping at the low end: beta0 = 4 puts conv5 at -4 -> 2. */
    weights_chain(s, cifar_params, 6, 3.0);
    fxq_alloc_beta0(s, 6, 4, 2, 16, why, sizeof why);
    FXQ_CHECK("beta0.clamped_low", s[5].bits == 2 && fabs(s[5].exact - (4 - 7.887)) < 0.01,
              "conv5 %d (exact %.3f)", s[5].bits, s[5].exact);
    FXQ_CHECK("beta0.out_of_range_rejected", !fxq_alloc_beta0(s, 6, 17, 2, 16, why, sizeof why), "accepted 17");

    /* ICML Table 6, Example 1 (beta0 = 13, activations at 16 bits, kappa 3):
     * predicted SQNR at conv5's output 12.54 dB. */
    fxq_step c[1 + 2 * 6];
    int n = 0;
    memset(c, 0, sizeof c);
    c[n].kind = FXQ_STEP_INPUT, c[n].kappa = 3, c[n].pinned = 1, c[n].bits = 16, ++n;
    for (int i = 0; i < 6; ++i) {
        c[n].layer = i, c[n].kind = FXQ_STEP_WEIGHTS, c[n].rho = c[n].params = cifar_params[i], c[n].kappa = 3, ++n;
        c[n].layer = i, c[n].kind = FXQ_STEP_OUTPUT, c[n].kappa = 3, c[n].pinned = 1, c[n].bits = 16, ++n;
    }
    fxq_alloc_beta0(c, n, 13, 2, 16, why, sizeof why);
    FXQ_CHECK("eq9.icml_table6_example1", fabs(fxq_alloc_pred_db(c, n) - 12.54) < 0.05, "%.3f dB", fxq_alloc_pred_db(c, n));
}

/* Eq. 15/16 on random rho and kappa: beta_i = beta0 - round(10 log10(rho_i/rho_0)/kappa). */
static void beta0_rule_random(void)
{
    char why[256];
    fxq_step s[NMAX];
    int ok = 1;
    for (int t = 0; t < 200 && ok; ++t) {
        const int n = 2 + (int)(frand() * 10);
        const double kappa = 1 + 5 * frand();
        const int beta0 = 2 + (int)(frand() * 15);
        for (int i = 0; i < n; ++i) {
            memset(&s[i], 0, sizeof s[i]);
            s[i].kind = FXQ_STEP_WEIGHTS;
            s[i].rho = s[i].params = floor(pow(10, 2 + 5 * frand()));
            s[i].kappa = kappa;
        }
        fxq_alloc_beta0(s, n, beta0, 2, 16, why, sizeof why);
        for (int i = 0; i < n && ok; ++i) {
            int want = beta0 - (int)lround(10 * log10(s[i].rho / s[0].rho) / kappa);
            want = want < 2 ? 2 : want > 16 ? 16 : want;
            if (s[i].bits != want) {
                ok = 0;
                FXQ_CHECK("beta0.eq15_random", 0, "trial %d step %d: %d, want %d", t, i, s[i].bits, want);
            }
        }
    }
    if (ok) FXQ_CHECK("beta0.eq15_random", 1, "%s", "");
}

/* --sqnr: the exact solution is the water-filling optimum. */
static void waterfill_random(void)
{
    char why[256];
    fxq_step s[NMAX];
    int equal_ok = 1, budget_ok = 1, optimal_ok = 1, floor_ok = 1, trim_ok = 1;
    double worst_rel = 0;
    for (int t = 0; t < 100; ++t) {
        const int n = 2 + (int)(frand() * 12);
        const double kappa = 2 + 4 * frand();
        const double target = 10 + 30 * frand();
        for (int i = 0; i < n; ++i) {
            memset(&s[i], 0, sizeof s[i]);
            s[i].layer = i;
            s[i].kind = FXQ_STEP_WEIGHTS;
            s[i].rho = s[i].params = floor(pow(10, 2 + 5 * frand()));
            s[i].kappa = kappa;
        }
        if (!fxq_alloc_sqnr(s, n, target, 2, 16, why, sizeof why)) continue; /* out of reach */
        /* rho_i * gamma_i equal (Eq. 13), sum 1/gamma_i = 1/gamma_min. */
        double g[NMAX], lam_sum = 0, exact[NMAX];
        for (int i = 0; i < n; ++i) {
            g[i] = s[i].rho * pow(10, kappa * s[i].exact / 10);
            lam_sum += pow(10, -kappa * s[i].exact / 10);
            exact[i] = s[i].exact;
        }
        for (int i = 1; i < n; ++i) {
            const double rel = fabs(g[i] / g[0] - 1);
            if (rel > worst_rel) worst_rel = rel;
            if (rel > 1e-9) equal_ok = 0;
        }
        if (fabs(-10 * log10(lam_sum) - target) > 1e-9) budget_ok = 0;
        /* No other real allocation with the same sum of 1/gamma costs less:
         * random points of that simplex, and small moves along it. */
        const double best = cost(s, n, exact);
        const double C = pow(10, -target / 10);
        for (int r = 0; r < 300; ++r) {
            double lam[NMAX], bits[NMAX], sum = 0;
            for (int i = 0; i < n; ++i) {
                lam[i] = r < 150 ? -log(frand() + 1e-12) : pow(10, -kappa * exact[i] / 10) * (1 + 0.01 * (frand() - 0.5));
                sum += lam[i];
            }
            for (int i = 0; i < n; ++i) bits[i] = -10 * log10(lam[i] * C / sum) / kappa;
            if (cost(s, n, bits) < best * (1 - 1e-12)) optimal_ok = 0;
        }
        /* Integer allocation: meets the floor and no bit can be removed. */
        if (fxq_alloc_pred_db(s, n) < target - 1e-9) floor_ok = 0;
        for (int i = 0; i < n; ++i) {
            if (s[i].bits <= 2) continue;
            s[i].bits--;
            if (fxq_alloc_pred_db(s, n) >= target + 1e-9) trim_ok = 0;
            s[i].bits++;
        }
    }
    FXQ_CHECK("waterfill.rho_gamma_equal", equal_ok, "worst relative spread %g", worst_rel);
    FXQ_CHECK("waterfill.meets_gamma_min_exactly", budget_ok, "sum 1/gamma != 1/gamma_min");
    FXQ_CHECK("waterfill.no_cheaper_real_allocation", optimal_ok, "found a cheaper allocation");
    FXQ_CHECK("waterfill.integer_meets_floor", floor_ok, "rounded allocation below the floor");
    FXQ_CHECK("waterfill.integer_no_spare_bit", trim_ok, "a bit could be removed");

    /* Different kappa per step: lambda_i ∝ rho_i / kappa_i. */
    for (int i = 0; i < 4; ++i) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].kind = FXQ_STEP_WEIGHTS;
        s[i].rho = s[i].params = 1000.0 * (i + 1);
        s[i].kappa = 2.0 + i;
        s[i].offset = -3.0 * i;
    }
    fxq_alloc_sqnr(s, 4, 20, 2, 16, why, sizeof why);
    int kkt = 1;
    for (int i = 1; i < 4; ++i) {
        const double li = fxq_step_noise(&s[i], s[i].exact), l0 = fxq_step_noise(&s[0], s[0].exact);
        if (fabs((li / l0) / ((s[i].rho / s[i].kappa) / (s[0].rho / s[0].kappa)) - 1) > 1e-9) kkt = 0;
    }
    FXQ_CHECK("waterfill.per_step_kappa", kkt, "lambda_i not proportional to rho_i/kappa_i");

    double lam[3];
    fxq_waterfill((const double[]){1, 2, 5}, 3, 0.8, lam);
    FXQ_CHECK("waterfill.closed_form", fabs(lam[0] - 0.1) < 1e-15 && fabs(lam[1] - 0.2) < 1e-15 && fabs(lam[2] - 0.5) < 1e-15,
              "%g %g %g", lam[0], lam[1], lam[2]);
    weights_chain(s, cifar_params, 6, 3.0);
    FXQ_CHECK("sqnr.unreachable_rejected", !fxq_alloc_sqnr(s, 6, 60, 2, 16, why, sizeof why), "accepted 60 dB");
}

/* --size-mbits: branch and bound equals brute force. */
static void size_bruteforce(void)
{
    char why[256];
    fxq_step s[NMAX];
    int same = 1, fits = 1, complete = 1;
    for (int t = 0; t < 30; ++t) {
        const int n = 2 + (int)(frand() * 3) + (t % 2); /* 2..5 weight steps */
        const int lo = 2, hi = 2 + 4 + (int)(frand() * 9);
        double total_p = 0;
        for (int i = 0; i < n; ++i) {
            memset(&s[i], 0, sizeof s[i]);
            s[i].layer = i;
            s[i].kind = FXQ_STEP_WEIGHTS;
            s[i].rho = s[i].params = floor(pow(10, 2 + 4 * frand()));
            s[i].kappa = 2 + 4 * frand();
            s[i].offset = 3 * (frand() - 0.5);
            total_p += s[i].params;
        }
        /* one pinned weight step and one activation step on some trials */
        int m = n;
        if (t % 3 == 0) {
            memset(&s[m], 0, sizeof s[m]);
            s[m].kind = FXQ_STEP_WEIGHTS, s[m].params = 500, s[m].rho = 500, s[m].kappa = 3, s[m].pinned = 1, s[m].bits = 3;
            ++m;
        }
        if (t % 4 == 0) {
            memset(&s[m], 0, sizeof s[m]);
            s[m].kind = FXQ_STEP_OUTPUT, s[m].rho = 100, s[m].kappa = 3;
            ++m;
        }
        const double fixed = t % 3 == 0 ? 500 * 3 : 0;
        const double budget = fixed + total_p * (lo + (hi - lo) * frand());
        long nodes = 0;
        int done = 0;
        if (!fxq_alloc_size(s, m, budget, lo, hi, 1000000, &nodes, &done, why, sizeof why)) {
            FXQ_CHECK("size.bruteforce", 0, "solver failed: %s", why);
            return;
        }
        if (!done) complete = 0;
        if (fxq_alloc_weight_bits(s, m) > floor(budget + 1e-6)) fits = 0;
        /* brute force over the n free weight steps */
        int b[NMAX];
        double best = INFINITY;
        for (int i = 0; i < n; ++i) b[i] = lo;
        for (;;) {
            double size = fixed, noise = 0;
            for (int i = 0; i < n; ++i) size += s[i].params * b[i], noise += fxq_step_noise(&s[i], b[i]);
            if (size <= floor(budget + 1e-6) && noise < best) best = noise;
            int k = 0;
            while (k < n && ++b[k] > hi) b[k++] = lo;
            if (k == n) break;
        }
        double got = 0;
        for (int i = 0; i < n; ++i) got += fxq_step_noise(&s[i], s[i].bits);
        if (fabs(got / best - 1) > 1e-12) {
            same = 0;
            FXQ_CHECK("size.bruteforce_trial", 0, "trial %d: noise %.12g, brute force %.12g", t, got, best);
        }
        if (t % 4 == 0 && s[m - 1].bits != hi) same = 0;
    }
    FXQ_CHECK("size.equals_bruteforce", same, "see above");

    /* Measured tables need not be convex or even monotone: still exact. */
    int tab_same = 1;
    for (int t = 0; t < 20; ++t) {
        const int n = 3 + t % 3, lo = 2, hi = 9;
        double total_p = 0;
        for (int i = 0; i < n; ++i) {
            memset(&s[i], 0, sizeof s[i]);
            s[i].layer = i;
            s[i].kind = FXQ_STEP_WEIGHTS;
            s[i].rho = s[i].params = floor(pow(10, 2 + 3 * frand()));
            s[i].kappa = 3;
            s[i].has_tab = 1;
            double db = 2 * frand();
            for (int b = 0; b <= FXQ_ALLOC_TAB_BITS; ++b) s[i].tab_db[b] = db, db += 6 * frand() - 1;
            total_p += s[i].params;
        }
        const double budget = total_p * (lo + (hi - lo) * frand());
        if (!fxq_alloc_size(s, n, budget, lo, hi, 1000000, NULL, NULL, why, sizeof why)) {
            tab_same = 0;
            break;
        }
        int b[NMAX];
        double best = INFINITY;
        for (int i = 0; i < n; ++i) b[i] = lo;
        for (;;) {
            double size = 0, noise = 0;
            for (int i = 0; i < n; ++i) size += s[i].params * b[i], noise += fxq_step_noise_int(&s[i], b[i]);
            if (size <= floor(budget + 1e-6) && noise < best) best = noise;
            int k = 0;
            while (k < n && ++b[k] > hi) b[k++] = lo;
            if (k == n) break;
        }
        double got = 0;
        for (int i = 0; i < n; ++i) got += fxq_step_noise_int(&s[i], s[i].bits);
        if (fabs(got / best - 1) > 1e-12) tab_same = 0;
    }
    FXQ_CHECK("size.tables_equal_bruteforce", tab_same, "table-based search differs from brute force");
    /* --sqnr with tables meets the floor by the table */
    for (int i = 0; i < 3; ++i) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].kind = FXQ_STEP_WEIGHTS;
        s[i].rho = s[i].params = 1000.0 * (i + 1);
        s[i].kappa = 5;
        s[i].has_tab = 1;
        for (int b = 0; b <= FXQ_ALLOC_TAB_BITS; ++b) s[i].tab_db[b] = 4.0 * b - 3 + (b % 2); /* not on any line */
    }
    int sq_ok = fxq_alloc_sqnr(s, 3, 25, 2, 16, why, sizeof why);
    FXQ_CHECK("sqnr.tables_meet_floor", sq_ok && fxq_alloc_pred_db(s, 3) >= 25 - 1e-9, "%.3f dB (%s)",
              fxq_alloc_pred_db(s, 3), sq_ok ? "" : why);
    FXQ_CHECK("size.fits_budget", fits, "allocation over budget");
    FXQ_CHECK("size.search_complete", complete, "node limit hit");

    /* Table 6 case #7's exact size (31240192 bits) as the budget, kappa 3: the
     * allocation fits and predicts at least case #7's SQNR. */
    weights_chain(s, cifar_params, 6, 3.0);
    fxq_alloc_size(s, 6, 31240192, 2, 16, 1000000, NULL, NULL, why, sizeof why);
    const double got_db = fxq_alloc_pred_db(s, 6);
    weights_chain(s, cifar_params, 6, 3.0);
    fxq_alloc_beta0(s, 6, 16, 2, 16, why, sizeof why);
    const double case7_db = fxq_alloc_pred_db(s, 6);
    FXQ_CHECK("size.cifar_beats_case7", got_db >= case7_db - 1e-9, "%.3f dB < case #7 %.3f dB", got_db, case7_db);
    weights_chain(s, cifar_params, 6, 3.0);
    FXQ_CHECK("size.too_small_rejected", !fxq_alloc_size(s, 6, 6e6, 2, 16, 1000, NULL, NULL, why, sizeof why),
              "accepted 6 Mbits (needs 6.76)");

    /* A larger network stays fast enough. */
    const int big = 14;
    for (int i = 0; i < big; ++i) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].kind = FXQ_STEP_WEIGHTS;
        s[i].rho = s[i].params = floor(pow(10, 3 + 4 * frand()));
        s[i].kappa = 3;
    }
    double tp = 0;
    for (int i = 0; i < big; ++i) tp += s[i].params;
    long nodes = 0;
    int done = 0;
    fxq_alloc_size(s, big, tp * 6.5, 2, 16, 2000000, &nodes, &done, why, sizeof why);
    FXQ_CHECK("size.14_layers_complete", done, "stopped after %ld nodes", nodes);
}

int main(void)
{
    paper_fixtures();
    beta0_rule_random();
    waterfill_random();
    size_bruteforce();
    FXQ_TEST_END();
}
