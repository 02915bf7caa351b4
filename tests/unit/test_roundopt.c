/* The rounding optimizer's solver (quant/fxq_roundopt.c): integer coordinate
 * descent on E(q) = (s q)^T H (s q) - 2 (s q)^T c, on random small problems
 * against brute force over every code vector. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_roundopt.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"

static double urand(void) { return (double)(rnd() >> 11) * 0x1p-53; }
static double nrand(void) { return sqrt(-2 * log(urand() + 1e-300)) * cos(6.283185307179586 * urand()); }

/* A random problem shaped like a layer's: H = X X^T over n positions of
 * correlated inputs, target w^T Xf with Xf = X + noise (the float input
 * differs from the fixed one), c = X Xf^T w. diag: X rows independent and
 * H made diagonal (separable: coordinate descent is exact there). */
static void problem(int K, int n, int diag, double *H, double *c, double *w)
{
    double *X = malloc((size_t)K * n * sizeof *X), *Xf = malloc((size_t)K * n * sizeof *Xf);
    const double rho = diag ? 0 : 0.3 + 0.6 * urand();
    for (int p = 0; p < n; ++p) {
        const double common = nrand();
        for (int i = 0; i < K; ++i) {
            X[(size_t)i * n + p] = rho * common + sqrt(1 - rho * rho) * nrand() + 0.3;
            Xf[(size_t)i * n + p] = X[(size_t)i * n + p] + 0.05 * nrand();
        }
    }
    for (int i = 0; i < K; ++i) w[i] = 2.5 * nrand();
    for (int i = 0; i < K; ++i) {
        c[i] = 0;
        for (int j = 0; j < K; ++j) {
            double h = 0, cf = 0;
            for (int p = 0; p < n; ++p) {
                h += X[(size_t)i * n + p] * X[(size_t)j * n + p];
                cf += X[(size_t)i * n + p] * Xf[(size_t)j * n + p];
            }
            H[(size_t)i * K + j] = (diag && i != j) ? 0 : h;
            c[i] += cf * w[j];
        }
    }
    free(X);
    free(Xf);
}

/* The least E over every code vector in [lo, hi]^K. */
static double brute(const double *H, const double *c, int K, double s, int lo, int hi)
{
    int32_t q[8];
    for (int i = 0; i < K; ++i) q[i] = lo;
    double best = INFINITY;
    for (;;) {
        const double e = fxq_cd_energy(H, c, K, s, q);
        if (e < best) best = e;
        int i = 0;
        while (i < K && q[i] == hi) q[i++] = lo;
        if (i == K) break;
        ++q[i];
    }
    return best;
}

static int32_t rtn(double x, int lo, int hi)
{
    double r = x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
    return (int32_t)(r < lo ? lo : r > hi ? hi : r);
}

int main(void)
{
    rng_state = 0x5eed0f5eed0full;
    enum { CASES = 300 };
    double H[64], c[8], w[8];
    int worse = 0, not_local = 0, below_opt = 0, diag_miss = 0, k1_miss = 0, hit = 0, general = 0;
    double worst_gap = 0;
    for (int t = 0; t < CASES; ++t) {
        const int K = 1 + (int)(rnd() % 5), diag = t % 5 == 0, bits = 3 + (int)(rnd() % 2);
        const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
        const double s = 0.5;
        problem(K, 6 + (int)(rnd() % 20), diag, H, c, w);
        int32_t q[8], q0[8];
        for (int i = 0; i < K; ++i) q0[i] = q[i] = rtn(w[i] / s, lo, hi);
        fxq_cd_result r;
        fxq_cd_round(H, c, K, s, lo, hi, q, 100, &r);
        const double e0 = fxq_cd_energy(H, c, K, s, q0), e1 = fxq_cd_energy(H, c, K, s, q);
        const double opt = brute(H, c, K, s, lo, hi), tol = 1e-9 * (fabs(e0) + 1);
        if (e1 > e0 + tol) ++worse;
        if (fabs(r.e_start - e0) > tol || fabs(r.e_end - e1) > tol) ++worse;
        if (e1 < opt - tol) ++below_opt; /* the energy or the search would be wrong */
        /* a coordinate-wise minimum: no single code change lowers E */
        for (int i = 0; i < K; ++i)
            for (int v = lo; v <= hi; ++v) {
                const int32_t keep = q[i];
                q[i] = v;
                if (fxq_cd_energy(H, c, K, s, q) < e1 - tol) ++not_local;
                q[i] = keep;
            }
        if (diag && e1 > opt + tol) ++diag_miss;
        if (K == 1 && e1 > opt + tol) ++k1_miss;
        if (!diag && K > 1) {
            ++general;
            if (e1 <= opt + tol) ++hit;
            const double gap = (e1 - opt) / (e0 - opt + 1e-300);
            if (gap > worst_gap) worst_gap = gap;
        }
    }
    FXQ_CHECK("cd.never_worse_than_nearest", !worse, "%d of %d cases worse", worse, CASES);
    FXQ_CHECK("cd.never_below_brute_force", !below_opt, "%d cases below the exhaustive optimum", below_opt);
    FXQ_CHECK("cd.coordinatewise_minimum", !not_local, "%d single-code moves would lower E", not_local);
    FXQ_CHECK("cd.exact_when_separable", !diag_miss, "%d diagonal problems missed the optimum", diag_miss);
    FXQ_CHECK("cd.exact_for_one_weight", !k1_miss, "%d K=1 problems missed the optimum", k1_miss);
    /* coupled problems: coordinate descent is a local method; it must find
     * the exhaustive optimum in most of them (measured: printed) */
    printf("# coupled problems: exhaustive optimum reached in %d of %d, worst remaining gap %.3f of RTN's\n",
           hit, general, worst_gap);
    FXQ_CHECK("cd.mostly_optimal_when_coupled", hit * 10 >= general * 7, "%d of %d", hit, general);

    /* clamping: a target far outside the code range ends on the bound */
    double H1[1] = {2}, c1[1] = {1e6};
    int32_t q1[1] = {0};
    fxq_cd_round(H1, c1, 1, 1, -8, 7, q1, 10, NULL);
    FXQ_CHECK("cd.clamps_to_range", q1[0] == 7, "q %d", q1[0]);
    /* an input that is always zero (H_ii = 0) keeps its start code */
    double H2[4] = {0, 0, 0, 1}, c2[2] = {5, 0.2};
    int32_t q2[2] = {3, 0};
    fxq_cd_round(H2, c2, 2, 1, -8, 7, q2, 10, NULL);
    FXQ_CHECK("cd.zero_input_keeps_code", q2[0] == 3 && q2[1] == 0, "q %d %d", q2[0], q2[1]);
    FXQ_TEST_END();
}
