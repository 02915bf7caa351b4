/* MSE-optimal step sizes of symmetric uniform quantizers (paper §3.1, Table 1),
 * found numerically so any bit-width 1..16 is available, not only the four
 * rows the paper prints.
 *
 * Quantizer: 2^bits levels, symmetric midrise (levels at +-(i+1/2)*step,
 * thresholds at +-i*step), the outermost cell extends to infinity, so the
 * expected squared error includes overload. This is the quantizer of Table 1
 * (e.g. Gaussian, 1 bit: levels +-0.798, step 1.596).
 *
 * Densities, all zero mean and unit variance:
 *   uniform    on [-sqrt 3, sqrt 3]
 *   gaussian   exp(-x^2/2) / sqrt(2 pi)
 *   laplacian  exp(-sqrt2 |x|) / sqrt2
 *   gamma      sqrt(k) / (2 sqrt(pi |x|)) exp(-k |x|), k = sqrt(3)/2 — the
 *              two-sided "gamma" model of speech samples (Paez & Glisson 1972)
 *              whose optimal steps are Table 1's last column (1.154 = 2/sqrt 3
 *              at 1 bit, since E|x| = 1/sqrt 3).
 * Table 1's uniform column (1.0, 0.5, 0.25, 0.125) is not unit variance: it is
 * the step for a uniform density on [-1, 1] (variance 1/3), i.e. 2 / 2^bits.
 * fxq_table1_step() reports that convention; fxq_optimal_step() stays unit
 * variance for every density, which is what s = xi * Stepsize(beta) needs.
 *
 * Integration: cell by cell with Gauss-Legendre on the integrand
 * (x - level)^2 p(x); the gamma density's 1/sqrt|x| singularity is removed by
 * x = t^2 on the cell that touches zero; the uniform density is integrated in
 * closed form (it is piecewise constant, which quadrature would blur). The step
 * is the minimum of a golden-section search on log(step), bracketed from the
 * previous bit-width's optimum (steps shrink by a factor 0.5..0.7 per bit). */
#include <math.h>
#include <string.h>

#include "fxq_stepsize.h"

#define FXQ_SS_MAX_BITS 16
#define FXQ_SS_NDIST 4 /* uniform, gaussian, laplacian, gamma */

/* 8-point Gauss-Legendre on [-1, 1] (nodes +-x, weights w). */
static const double fxq_gl8_x[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363};
static const double fxq_gl8_w[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};

static double fxq_pdf(fxq_dist d, double x) /* x >= 0 */
{
    switch (d) {
    case FXQ_DIST_GAUSSIAN: return exp(-0.5 * x * x) * 0.39894228040143267794;
    case FXQ_DIST_LAPLACIAN: return exp(-M_SQRT2 * x) * M_SQRT1_2;
    case FXQ_DIST_GAMMA: {
        const double k = 0.86602540378443864676; /* sqrt(3)/2 */
        return sqrt(k / M_PI) / (2 * sqrt(x)) * exp(-k * x);
    }
    default: return 0;
    }
}

/* Gamma density after x = t^2: p(t^2) * 2t, smooth at t = 0. */
static double fxq_gamma_pdf_t(double t)
{
    const double k = 0.86602540378443864676;
    return sqrt(k / M_PI) * exp(-k * t * t);
}

/* int_a^b (x - y)^2 p(x) dx for 0 <= a < b, smooth densities. */
static double fxq_cell_err(fxq_dist d, double a, double b, double y)
{
    double sum = 0;
    if (d == FXQ_DIST_GAMMA && a == 0) {
        /* x = t^2 on [0, sqrt b]: (t^2 - y)^2 * pdf_t(t) dt */
        const double tb = sqrt(b);
        const int m = tb > 0.25 ? (int)ceil(tb / 0.25) : 1;
        const double h = tb / m;
        for (int s = 0; s < m; ++s) {
            const double c = (s + 0.5) * h, r = 0.5 * h;
            for (int i = 0; i < 4; ++i)
                for (int sg = -1; sg <= 1; sg += 2) {
                    const double t = c + sg * r * fxq_gl8_x[i], e = t * t - y;
                    sum += fxq_gl8_w[i] * r * e * e * fxq_gamma_pdf_t(t);
                }
        }
        return sum;
    }
    const double w = b - a;
    const int m = w > 0.25 ? (int)ceil(w / 0.25) : 1;
    const double h = w / m;
    for (int s = 0; s < m; ++s) {
        const double c = a + (s + 0.5) * h, r = 0.5 * h;
        for (int i = 0; i < 4; ++i)
            for (int sg = -1; sg <= 1; sg += 2) {
                const double x = c + sg * r * fxq_gl8_x[i], e = x - y;
                sum += fxq_gl8_w[i] * r * e * e * fxq_pdf(d, x);
            }
    }
    return sum;
}

/* Uniform density 1/(2 sqrt 3) on [0, sqrt 3]: exact. */
static double fxq_cell_err_uniform(double a, double b, double y)
{
    const double top = 1.73205080756887729353;
    if (a >= top) return 0;
    if (b > top) b = top;
    const double hi = b - y, lo = a - y;
    return (hi * hi * hi - lo * lo * lo) / 3 / (2 * top);
}

/* Expected squared error of the 2^bits-level midrise quantizer with `step`. */
static double fxq_quant_mse(fxq_dist d, int bits, double step)
{
    const long half = 1L << (bits - 1); /* cells on the positive side */
    double sum = 0;
    for (long i = 0; i < half; ++i) {
        const double a = i * step, y = (i + 0.5) * step;
        const int last = i == half - 1;
        if (d == FXQ_DIST_UNIFORM) {
            sum += fxq_cell_err_uniform(a, last ? INFINITY : a + step, y);
        } else if (!last) {
            sum += fxq_cell_err(d, a, a + step, y);
        } else {
            /* overload: out to where the density is below 1e-26 */
            const double end = a + (d == FXQ_DIST_GAUSSIAN ? 12 : 60);
            if (d == FXQ_DIST_GAMMA && a == 0) {
                sum += fxq_cell_err(d, 0, 1, y) + fxq_cell_err(d, 1, end, y);
            } else {
                sum += fxq_cell_err(d, a, end, y);
            }
        }
    }
    return 2 * sum;
}

static struct {
    int done[FXQ_SS_NDIST];
    double step[FXQ_SS_NDIST][FXQ_SS_MAX_BITS + 1];
    double mse[FXQ_SS_NDIST][FXQ_SS_MAX_BITS + 1];
} fxq_ss_cache;

static void fxq_ss_solve(fxq_dist d)
{
    double prev = 2.0; /* every density's 1-bit optimum is below 2 */
    for (int bits = 1; bits <= FXQ_SS_MAX_BITS; ++bits) {
        /* the optimum shrinks by 0.5..0.75 per bit (6 dB/bit at most); the
         * bracket is wider than that on both sides */
        double lo = log(prev * (bits == 1 ? 0.25 : 0.3)), hi = log(prev * (bits == 1 ? 1.0 : 0.95));
        const double g = 0.61803398874989484820;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
        double f1 = fxq_quant_mse(d, bits, exp(x1)), f2 = fxq_quant_mse(d, bits, exp(x2));
        while (hi - lo > 1e-10) {
            if (f1 <= f2) {
                hi = x2, x2 = x1, f2 = f1;
                x1 = hi - g * (hi - lo);
                f1 = fxq_quant_mse(d, bits, exp(x1));
            } else {
                lo = x1, x1 = x2, f1 = f2;
                x2 = lo + g * (hi - lo);
                f2 = fxq_quant_mse(d, bits, exp(x2));
            }
        }
        const double step = exp(0.5 * (lo + hi));
        fxq_ss_cache.step[d][bits] = step;
        fxq_ss_cache.mse[d][bits] = fxq_quant_mse(d, bits, step);
        prev = step;
    }
}

static void fxq_ss_init(fxq_dist d)
{
    /* A density's 16 widths take about 0.1 s; solved on first use, once per
     * process. The critical section makes concurrent first calls (OpenMP)
     * safe. */
#pragma omp critical(fxq_stepsize_cache)
    {
        if (!fxq_ss_cache.done[d]) {
            fxq_ss_solve(d);
            fxq_ss_cache.done[d] = 1;
        }
    }
}

double fxq_optimal_step(fxq_dist d, int bits)
{
    if ((int)d < 0 || (int)d >= FXQ_SS_NDIST || bits < 1 || bits > FXQ_SS_MAX_BITS) return 0;
    fxq_ss_init(d);
    return fxq_ss_cache.step[d][bits];
}

double fxq_optimal_mse(fxq_dist d, int bits)
{
    if ((int)d < 0 || (int)d >= FXQ_SS_NDIST || bits < 1 || bits > FXQ_SS_MAX_BITS) return 0;
    fxq_ss_init(d);
    return fxq_ss_cache.mse[d][bits];
}

double fxq_table1_step(fxq_dist d, int bits)
{
    const double s = fxq_optimal_step(d, bits);
    return d == FXQ_DIST_UNIFORM ? s / 1.73205080756887729353 : s;
}

double fxq_unit_quant_mse(fxq_dist d, int bits, double step)
{
    if ((int)d < 0 || (int)d >= FXQ_SS_NDIST || bits < 1 || bits > FXQ_SS_MAX_BITS || !(step > 0)) return 0;
    return fxq_quant_mse(d, bits, step);
}

static const char *const fxq_dist_names[] = {"uniform", "gaussian", "laplacian", "gamma", "empirical"};

int fxq_dist_parse(const char *s, fxq_dist *out)
{
    for (int i = 0; i < (int)(sizeof fxq_dist_names / sizeof fxq_dist_names[0]); ++i)
        if (s && !strcmp(s, fxq_dist_names[i])) {
            *out = (fxq_dist)i;
            return 1;
        }
    return 0;
}

const char *fxq_dist_name(fxq_dist d)
{
    if ((int)d < 0 || (int)d >= (int)(sizeof fxq_dist_names / sizeof fxq_dist_names[0])) return "?";
    return fxq_dist_names[d];
}
