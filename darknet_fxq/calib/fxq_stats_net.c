/* The Darknet-facing part of the statistics: see fxq_stats_net.h. */
#include <stdio.h>
#include <string.h>

#include "fxq_fold.h"
#include "fxq_stats_net.h"
#include "fxq_walk.h"

/* The layer types whose tensors are recorded, as named in the stats file. */
const char *fxq_stats_layer_type(const layer *l)
{
    return fxq_layer_quantizable(l) ? fxq_layer_type_name(l->type) : NULL;
}

int fxq_stats_match(const fxq_stats *s, const network *net, char *why, size_t why_len)
{
    if (s->net_layers != net->n) {
        snprintf(why, why_len, "recorded for a network of %d layers, the cfg has %d", s->net_layers, net->n);
        return 0;
    }
    int k = 0;
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        const char *type = fxq_stats_layer_type(l);
        if (!type) continue;
        if (k >= s->n || s->layers[k].index != i) {
            snprintf(why, why_len, "no record for layer %d (%s)", i, type);
            return 0;
        }
        if (strcmp(s->layers[k].type, type)) {
            snprintf(why, why_len, "layer %d is %s in the cfg but %s in the stats", i, type, s->layers[k].type);
            return 0;
        }
        /* shapes: the number of weights and of outputs per image must agree */
        const fxq_layer_stats *r = &s->layers[k];
        const uint64_t nw = (uint64_t)fxq_fold_units(l) * (uint64_t)fxq_fold_fan_in(l);
        if (r->t[FXQ_T_WEIGHTS].count && r->t[FXQ_T_WEIGHTS].count != nw) {
            snprintf(why, why_len, "layer %d has %llu weights in the cfg but %llu in the stats", i,
                     (unsigned long long)nw, (unsigned long long)r->t[FXQ_T_WEIGHTS].count);
            return 0;
        }
        if (s->images && r->t[FXQ_T_OUTPUT].count != s->images * (uint64_t)l->outputs) {
            snprintf(why, why_len, "layer %d has %d outputs per image in the cfg, the stats do not", i, l->outputs);
            return 0;
        }
        ++k;
    }
    if (k != s->n) {
        snprintf(why, why_len, "record for layer %d, which is not a convolutional/connected layer of the cfg",
                 s->layers[k].index);
        return 0;
    }
    return 1;
}
