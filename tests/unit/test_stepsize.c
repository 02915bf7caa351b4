/* Optimal uniform-quantizer steps (fxq_stepsize.c) against the paper's
 * Table 1, closed forms, and an independent Gaussian error formula. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxq_stepsize.h"
#include "fxq_test.h"

/* Independent: expected squared error of the 2^bits-level midrise quantizer
 * on N(0,1), from the Gaussian partial moments (no quadrature):
 *   int_a^b (x-y)^2 phi(x) dx = F(b) - F(a),
 *   F(x) = (1+y^2) Phi(x) + (2y - x) phi(x)   (as phi' = -x phi). */
static double gauss_phi(double x) { return exp(-0.5 * x * x) / sqrt(2 * M_PI); }
static double gauss_Q(double x) { return 0.5 * erfc(x / M_SQRT2); } /* 1 - Phi */

static double gauss_mse(int bits, double step)
{
    const long half = 1L << (bits - 1);
    double sum = 0;
    for (long i = 0; i < half; ++i) {
        const double a = i * step, y = (i + 0.5) * step;
        /* F(b) - F(a) with Phi(b) - Phi(a) = Q(a) - Q(b) */
        const double Fa_phi = (2 * y - a) * gauss_phi(a);
        if (i == half - 1) {
            sum += (1 + y * y) * gauss_Q(a) - Fa_phi;
        } else {
            const double b = a + step;
            sum += (1 + y * y) * (gauss_Q(a) - gauss_Q(b)) + (2 * y - b) * gauss_phi(b) - Fa_phi;
        }
    }
    return 2 * sum;
}

int main(void)
{
    char name[96];
    /* Table 1 (Lin et al. 2016, from Shi & Sun 2008), beta = 1..4 */
    static const double table[4][4] = {
        /* uniform, gaussian, laplacian, gamma */
        {1.0, 1.596, 1.414, 1.154},
        {0.5, 0.996, 1.087, 1.060},
        {0.25, 0.586, 0.731, 0.796},
        {0.125, 0.335, 0.456, 0.540},
    };
    static const fxq_dist cols[4] = {FXQ_DIST_UNIFORM, FXQ_DIST_GAUSSIAN, FXQ_DIST_LAPLACIAN, FXQ_DIST_GAMMA};
    for (int b = 1; b <= 4; ++b)
        for (int c = 0; c < 4; ++c) {
            double want = table[b - 1][c];
            /* The table's gamma entry at 2 bits, 1.060, is not the optimum of
             * the density fixed by its own 1-bit entry (1.154 = 2/sqrt3 forces
             * the shape-1/2 speech gamma): that optimum is 1.0660 (Paez &
             * Glisson 1972), the table's 1.060 looks like "1.0660" with a 6
             * dropped. Checked against 1.066 here; the flatness check below
             * shows why the slip is harmless. */
            if (cols[c] == FXQ_DIST_GAMMA && b == 2) want = 1.066;
            const double got = fxq_table1_step(cols[c], b);
            snprintf(name, sizeof name, "table1.%s.beta%d", fxq_dist_name(cols[c]), b);
            FXQ_CHECK(name, fabs(got - want) <= 0.005, "step %.6f, Table 1 says %.3f", got, want);
        }
    {
        const double opt = fxq_optimal_mse(FXQ_DIST_GAMMA, 2);
        const double paper = fxq_unit_quant_mse(FXQ_DIST_GAMMA, 2, 1.060);
        FXQ_CHECK("table1.gamma.beta2.paper_value_nearly_optimal", paper >= opt && paper < opt * 1.0001,
                  "mse at 1.060 = %.9f, optimum %.9f", paper, opt);
    }

    /* closed forms: 1 bit puts the two levels at +-E|x| */
    FXQ_CHECK("closed.gauss1", fabs(fxq_optimal_step(FXQ_DIST_GAUSSIAN, 1) - 2 * sqrt(2 / M_PI)) < 1e-7, "%.9f",
              fxq_optimal_step(FXQ_DIST_GAUSSIAN, 1));
    FXQ_CHECK("closed.laplace1", fabs(fxq_optimal_step(FXQ_DIST_LAPLACIAN, 1) - M_SQRT2) < 1e-7, "%.9f",
              fxq_optimal_step(FXQ_DIST_LAPLACIAN, 1));
    FXQ_CHECK("closed.gamma1", fabs(fxq_optimal_step(FXQ_DIST_GAMMA, 1) - 2 / sqrt(3)) < 1e-7, "%.9f",
              fxq_optimal_step(FXQ_DIST_GAMMA, 1));
    FXQ_CHECK("closed.gauss1.mse", fabs(fxq_optimal_mse(FXQ_DIST_GAUSSIAN, 1) - (1 - 2 / M_PI)) < 1e-9, "%.12f",
              fxq_optimal_mse(FXQ_DIST_GAUSSIAN, 1));
    int uni_ok = 1;
    for (int b = 1; b <= 16; ++b) {
        /* unit-variance uniform on [-sqrt3, sqrt3]: step 2 sqrt3 / 2^b, mse 4^-b */
        const double s = fxq_optimal_step(FXQ_DIST_UNIFORM, b), want = 2 * sqrt(3) / ldexp(1, b);
        const double m = fxq_optimal_mse(FXQ_DIST_UNIFORM, b);
        if (fabs(s / want - 1) > 1e-6 || fabs(m / ldexp(1, -2 * b) - 1) > 1e-6) {
            uni_ok = 0;
            printf("# uniform beta %d: step %.9g want %.9g, mse %.9g want %.9g\n", b, s, want, m, ldexp(1, -2 * b));
        }
    }
    FXQ_CHECK("closed.uniform.all_bits", uni_ok, "see above");

    /* independent Gaussian formula: same error at the optimum, and the
     * optimum is a minimum of it (5 bits and 12 bits) */
    for (int b = 2; b <= 12; b += 5) {
        const double s = fxq_optimal_step(FXQ_DIST_GAUSSIAN, b), m = fxq_optimal_mse(FXQ_DIST_GAUSSIAN, b);
        const double ind = gauss_mse(b, s);
        snprintf(name, sizeof name, "gauss.independent_mse.beta%d", b);
        FXQ_CHECK(name, fabs(ind / m - 1) < 1e-6, "quadrature %.12g, closed form %.12g", m, ind);
        snprintf(name, sizeof name, "gauss.independent_minimum.beta%d", b);
        FXQ_CHECK(name, gauss_mse(b, s * 1.01) > ind && gauss_mse(b, s * 0.99) > ind, "not a minimum");
    }

    /* monotone in beta, all densities, all 16 widths */
    for (int c = 0; c < 4; ++c) {
        int mono = 1;
        for (int b = 2; b <= 16; ++b)
            mono &= fxq_optimal_step(cols[c], b) < fxq_optimal_step(cols[c], b - 1) &&
                    fxq_optimal_mse(cols[c], b) < fxq_optimal_mse(cols[c], b - 1);
        snprintf(name, sizeof name, "monotone.%s", fxq_dist_name(cols[c]));
        FXQ_CHECK(name, mono, "step or error does not shrink with beta");
    }

    /* quantization efficiency (paper Fig. 1 / Eq. 2): 6.02 dB/bit uniform,
     * about 5 dB/bit Gaussian; lower as kurtosis rises */
    const double ku = -10 * log10(fxq_optimal_mse(FXQ_DIST_UNIFORM, 8)) / 8;
    const double kg = -10 * log10(fxq_optimal_mse(FXQ_DIST_GAUSSIAN, 8)) / 8;
    const double kl = -10 * log10(fxq_optimal_mse(FXQ_DIST_LAPLACIAN, 8)) / 8;
    const double kga = -10 * log10(fxq_optimal_mse(FXQ_DIST_GAMMA, 8)) / 8;
    FXQ_CHECK("kappa.uniform", fabs(ku - 6.0206) < 0.001, "%.4f dB/bit", ku);
    FXQ_CHECK("kappa.gauss_about_5", kg > 4.8 && kg < 5.3, "%.4f dB/bit", kg);
    FXQ_CHECK("kappa.order_by_kurtosis", ku > kg && kg > kl && kl > kga, "%.3f %.3f %.3f %.3f", ku, kg, kl, kga);

    /* domain */
    FXQ_CHECK("domain.bits0", fxq_optimal_step(FXQ_DIST_GAUSSIAN, 0) == 0, "not 0");
    FXQ_CHECK("domain.bits17", fxq_optimal_step(FXQ_DIST_GAUSSIAN, 17) == 0, "not 0");
    FXQ_CHECK("domain.empirical", fxq_optimal_step(FXQ_DIST_EMPIRICAL, 8) == 0, "not 0");

    fxq_dist d;
    int names_ok = 1;
    for (int i = 0; i <= FXQ_DIST_EMPIRICAL; ++i)
        names_ok &= fxq_dist_parse(fxq_dist_name((fxq_dist)i), &d) && d == (fxq_dist)i;
    FXQ_CHECK("names.round_trip", names_ok && !fxq_dist_parse("cauchy", &d), "dist names");
    FXQ_TEST_END();
}
