/* Sweep points: descriptions (cfgs are written by fxq_qwrite.h) and the
 * equal-error size comparison. See fxq_sweep.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"
#include "fxq_qreport.h"
#include "fxq_sweep.h"

const char *fxq_series_name(fxq_series s)
{
    switch (s) {
    case FXQ_SERIES_FLOAT: return "float";
    case FXQ_SERIES_EQUAL: return "equal";
    case FXQ_SERIES_BETA0: return "beta0";
    default: return "sqnr";
    }
}

void fxq_sweep_describe(const fxq_qplan *p, fxq_sweep_point *pt)
{
    size_t at = 0, kat = 0;
    pt->wbits[0] = pt->key[0] = 0;
    for (int i = 0; i < p->nl; ++i) {
        const fxq_qlayer *l = &p->layers[i];
        at += (size_t)snprintf(pt->wbits + at, at < sizeof pt->wbits ? sizeof pt->wbits - at : 0, "%s%d", i ? "/" : "",
                               l->w.bits);
        if (at >= sizeof pt->wbits) at = sizeof pt->wbits - 1;
        kat += (size_t)snprintf(pt->key + kat, kat < sizeof pt->key ? sizeof pt->key - kat : 0, "%d:%d.%d,%d.%d,%d.%d,%d.%d;",
                                l->index, l->w.bits, l->w.frac, l->in.bits, l->in.frac, l->out.bits, l->out.frac,
                                l->b.bits, l->b.frac);
        if (kat >= sizeof pt->key) kat = sizeof pt->key - 1;
    }
    pt->weight_mbits = fxq_qplan_weight_bits(p, -1) / 1e6;
    pt->conv_mbits = fxq_qplan_weight_bits(p, CONVOLUTIONAL) / 1e6;
    pt->pred_db = fxq_alloc_pred_db(p->steps, p->ns);
}

void fxq_sweep_match(const double *s, const double *e, int n, double e_eq, double *measured, double *interpolated)
{
    *measured = *interpolated = NAN;
    for (int i = 0; i < n; ++i)
        if (e[i] <= e_eq && (isnan(*measured) || s[i] < *measured)) *measured = s[i];
    /* Pareto front: by size, each point with lower error than every smaller one */
    int *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx), m = 0;
    if (!idx) return;
    for (int i = 0; i < n; ++i) idx[i] = i;
    for (int i = 1; i < n; ++i) /* insertion sort by size, then error */
        for (int j = i; j > 0 && (s[idx[j]] < s[idx[j - 1]] || (s[idx[j]] == s[idx[j - 1]] && e[idx[j]] < e[idx[j - 1]]));
             --j) {
            const int t = idx[j];
            idx[j] = idx[j - 1], idx[j - 1] = t;
        }
    double best = INFINITY;
    for (int i = 0; i < n; ++i)
        if (e[idx[i]] < best) best = e[idx[i]], idx[m++] = idx[i];
    for (int k = 0; k < m; ++k) {
        const int b = idx[k];
        if (e[b] > e_eq) continue;
        if (k == 0) {
            *interpolated = s[b];
        } else { /* the front crosses e_eq between the previous point and b */
            const int a = idx[k - 1];
            const double t = (e[a] - e_eq) / (e[a] - e[b]);
            *interpolated = s[a] + t * (s[b] - s[a]);
        }
        break;
    }
    free(idx);
}
