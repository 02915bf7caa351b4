/* See fxq_perchan.h. */
#include <math.h>
#include <stdlib.h>

#include "fxq_fold.h"
#include "fxq_net.h"
#include "fxq_perchan.h"
#include "fxq_policy.h"

/* Squared error of x in format (bits, f). */
static double fxq_row_err(const float *x, size_t n, int bits, int f)
{
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
        const double d = (double)x[i] - ldexp((double)fxq_quantize_ref(x[i], (fxq_format){bits, f}), -f);
        e += d * d;
    }
    return e;
}

/* Row frac: the least error within what the layers accept. Below the range
 * (FXQ_LAYER_FRAC_MIN - 1) when a frac beyond it is strictly better: the row
 * cannot be served, *need is that frac. A row that every frac in range quantizes equally (all codes 0:
 * values far below the finest step) takes `neutral`, so it neither coarsens
 * the layer's bias format nor asks for a shift the others do not need. */
static int fxq_row_frac(const float *x, size_t n, int bits, int neutral, int *need)
{
    const int lo = FXQ_LAYER_FRAC_MIN, hi = FXQ_LAYER_FRAC_MAX;
    const int f = fxq_mse_frac_values(x, n, bits, lo, hi), g = fxq_mse_frac_values(x, n, bits, lo - 1, hi + 1);
    const double ef = fxq_row_err(x, n, bits, f);
    if (g != f && fxq_row_err(x, n, bits, g) < ef) {
        *need = g;
        return FXQ_LAYER_FRAC_MIN - 1;
    }
    return fxq_row_err(x, n, bits, lo) == ef && fxq_row_err(x, n, bits, hi) == ef ? neutral : f;
}

int fxq_qplan_per_channel(fxq_qplan *p, const char *cfg, const char *weights, char *why, size_t why_len)
{
    char inner[1024];
    network *net = fxq_net_load_quiet(cfg, weights, 1, inner, sizeof inner);
    if (!net) {
        snprintf(why, why_len, "%.1000s", inner);
        return 0;
    }
    int ok = 1;
    for (int i = 0; i < p->nl && ok; ++i) {
        fxq_qlayer *ql = &p->layers[i];
        const layer *l = &net->layers[ql->index];
        const int units = fxq_fold_units(l), fan_in = fxq_fold_fan_in(l);
        float *w = malloc((size_t)units * fan_in * sizeof *w), *b = malloc((size_t)units * sizeof *b);
        free(ql->w_fracs);
        ql->w_fracs = malloc((size_t)units * sizeof *ql->w_fracs);
        if (!w || !b || !ql->w_fracs) {
            snprintf(why, why_len, "out of memory");
            ok = 0;
        } else {
            fxq_fold_bn(l, w, b);
            ql->units = units;
            /* one step beyond the accepted range on each side: a row whose
             * error is lower there cannot be served and is reported */
            const int neutral = ql->w.frac; /* the tensor's own (per-tensor) frac */
            for (int u = 0; u < units && ok; ++u) {
                int need = 0;
                const int f = fxq_row_frac(w + (size_t)u * fan_in, (size_t)fan_in, ql->w.bits, neutral, &need);
                if (f < FXQ_LAYER_FRAC_MIN) {
                    snprintf(why, why_len, "%s: layer %d: per-channel: filter %d needs w_frac=%d, outside the %d..%d "
                             "the fixed-point layers accept", cfg, ql->index, u, need, FXQ_LAYER_FRAC_MIN,
                             FXQ_LAYER_FRAC_MAX);
                    ok = 0;
                }
                ql->w_fracs[u] = f;
            }
            for (int u = 0; u < units && ok; ++u)
                if (u == 0 || ql->w_fracs[u] < ql->w.frac) ql->w.frac = ql->w_fracs[u];
            ql->b_frac_clamped = ql->b.frac > ql->w.frac + ql->in.frac;
            if (ql->b_frac_clamped) ql->b.frac = ql->w.frac + ql->in.frac;
        }
        free(w);
        free(b);
    }
    free_network(net);
    return ok;
}
