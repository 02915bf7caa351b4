#include <math.h>

#include "fxq_fold.h"

#define FXQ_BN_EPS .000001f /* Darknet's normalize_cpu epsilon */

int fxq_fold_units(const layer *l)
{
    return (l->type == CONNECTED || l->type == FXCONNECTED) ? l->outputs : l->n;
}

int fxq_fold_fan_in(const layer *l)
{
    if (l->type == CONNECTED || l->type == FXCONNECTED) return l->inputs;
    return l->c / (l->groups > 0 ? l->groups : 1) * l->size * l->size;
}

void fxq_fold_bn(const layer *l, float *w_out, float *b_out)
{
    const int units = fxq_fold_units(l), fan_in = fxq_fold_fan_in(l);
    for (int u = 0; u < units; ++u) {
        /* float, like Darknet's own forward, so folding adds no extra error */
        float g = 1.f, shift = 0.f;
        if (l->batch_normalize) {
            g = l->scales[u] / (sqrtf(l->rolling_variance[u]) + FXQ_BN_EPS);
            shift = -l->rolling_mean[u] * g;
        }
        for (int k = 0; k < fan_in; ++k) w_out[(size_t)u * fan_in + k] = l->weights[(size_t)u * fan_in + k] * g;
        b_out[u] = l->biases[u] + shift;
    }
}
