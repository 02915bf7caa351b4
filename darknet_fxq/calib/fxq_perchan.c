/* See fxq_perchan.h. */
#include <stdlib.h>

#include "fxq_fold.h"
#include "fxq_net.h"
#include "fxq_perchan.h"
#include "fxq_policy.h"

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
             * best frac lands there cannot be served and is reported */
            for (int u = 0; u < units && ok; ++u) {
                const int f = fxq_mse_frac_values(w + (size_t)u * fan_in, (size_t)fan_in, ql->w.bits,
                                                  FXQ_LAYER_FRAC_MIN - 1, FXQ_LAYER_FRAC_MAX + 1);
                if (f < FXQ_LAYER_FRAC_MIN || f > FXQ_LAYER_FRAC_MAX) {
                    snprintf(why, why_len, "%s: layer %d: --per-channel: filter %d needs w_frac=%d, outside the %d..%d "
                             "the fixed-point layers accept", cfg, ql->index, u, f, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX);
                    ok = 0;
                }
                ql->w_fracs[u] = f;
                if (u == 0 || f < ql->w.frac) ql->w.frac = f;
            }
            ql->b_frac_clamped = ql->b.frac > ql->w.frac + ql->in.frac;
            if (ql->b_frac_clamped) ql->b.frac = ql->w.frac + ql->in.frac;
        }
        free(w);
        free(b);
    }
    free_network(net);
    return ok;
}
