/* See fxq_layer_kind.h. */
#include <stdio.h>
#include <string.h>

#include "activations.h"
#include "fxq_fixed_rule.h"
#include "fxq_layer_kind.h"
#include "network.h"

const char *fxq_layer_type_name(LAYER_TYPE t)
{
    switch (t) {
    case FXCONVOLUTIONAL: return "fxconvolutional";
    case FXCONNECTED: return "fxconnected";
    default: return get_layer_string(t);
    }
}

int fxq_layer_is_fixed(const layer *l) { return l->type == FXCONVOLUTIONAL || l->type == FXCONNECTED; }

int fxq_layer_quantizable(const layer *l) { return l->type == CONVOLUTIONAL || l->type == CONNECTED; }

int fxq_layer_fixed_ok(const layer *l, char *why, size_t why_len)
{
    const int conv = l->type == CONVOLUTIONAL || l->type == FXCONVOLUTIONAL;
    return fxq_fixed_rule(get_activation_string(l->activation), conv, l->groups, l->binary, l->xnor, l->size,
                          l->stride, why, why_len);
}

double fxq_layer_macs(const layer *l)
{
    switch (l->type) {
    case CONVOLUTIONAL:
    case FXCONVOLUTIONAL:
        return (double)l->n * (l->c / (l->groups > 0 ? l->groups : 1)) * l->size * l->size * l->out_h * l->out_w;
    case CONNECTED:
    case FXCONNECTED:
        return (double)l->inputs * l->outputs;
    default:
        return 0;
    }
}
