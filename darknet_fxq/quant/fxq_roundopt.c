/* Integer coordinate descent on a quadratic: see fxq_roundopt.h. */
#include <math.h>
#include <stdlib.h>

#include "fxq_roundopt.h"

double fxq_cd_energy(const double *H, const double *c, int K, double s, const int32_t *q)
{
    double e = 0;
    for (int i = 0; i < K; ++i) {
        if (!q[i]) continue;
        double hq = 0;
        const double *h = H + (size_t)i * K;
        for (int j = 0; j < K; ++j) hq += h[j] * q[j];
        e += s * q[i] * (s * hq - 2 * c[i]);
    }
    return e;
}

int fxq_cd_round(const double *H, const double *c, int K, double s, int64_t lo, int64_t hi, int32_t *q,
                 int max_sweeps, fxq_cd_result *res)
{
    double *g = malloc((size_t)(K > 0 ? K : 1) * sizeof *g);
    if (!g) return 0;
    fxq_cd_result r = {0, 0, 0, 0};
    /* g = H (s q) - c */
    for (int i = 0; i < K; ++i) {
        double hq = 0;
        const double *h = H + (size_t)i * K;
        for (int j = 0; j < K; ++j) hq += h[j] * q[j];
        g[i] = s * hq - c[i];
    }
    r.e_start = fxq_cd_energy(H, c, K, s, q);
    for (int sweep = 0; sweep < max_sweeps; ++sweep) {
        long moved = 0;
        for (int i = 0; i < K; ++i) {
            const double hii = H[(size_t)i * K + i];
            if (!(hii > 0)) continue;
            double t = nearbyint((double)q[i] - g[i] / (s * hii)); /* vertex, rounded */
            if (t < (double)lo) t = (double)lo;
            if (t > (double)hi) t = (double)hi;
            const double d = t - q[i];
            if (d == 0) continue;
            /* dE = s^2 H_ii d^2 + 2 s d g_i: take only strict decreases
             * (relative guard: rounding noise must not make it cycle) */
            const double de = s * d * (s * hii * d + 2 * g[i]);
            if (!(de < -1e-12 * (fabs(s * d * g[i]) + s * s * hii * d * d))) continue;
            q[i] = (int32_t)t;
            const double step = s * d;
            const double *h = H + (size_t)i * K; /* column i = row i (symmetric) */
            for (int j = 0; j < K; ++j) g[j] += h[j] * step;
            ++moved;
        }
        r.sweeps = sweep + 1;
        r.moves += moved;
        if (!moved) break;
    }
    r.e_end = fxq_cd_energy(H, c, K, s, q);
    free(g);
    if (res) *res = r;
    return 1;
}
