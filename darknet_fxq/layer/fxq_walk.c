/* See fxq_walk.h. */
#include <stdio.h>
#include <string.h>

#include "activations.h"

#include "fxq_fixed_rule.h"
#include "fxq_pipe.h"
#include "fxq_walk.h"
#include "network.h"

void fxq_layer_run(network *net, int i)
{
    net->index = i;
    layer l = net->layers[i];
    if (l.delta) memset(l.delta, 0, sizeof(float) * l.outputs * l.batch);
    l.forward(l, *net);
}

void fxq_layer_run_on(const network *net, int i, float *input)
{
    network tmp = *net;
    tmp.input = input;
    tmp.train = 0;
    tmp.truth = 0;
    tmp.delta = 0;
    fxq_layer_run(&tmp, i);
}

static int fxq_walk(network *netp, fxq_layer_fn fn, void *ctx)
{
    network net = *netp;
    for (int i = 0; i < net.n; ++i) {
        if (fn) {
            net.index = i;
            if (fn(ctx, &net, i)) return i;
        } else {
            fxq_layer_run(&net, i);
        }
        const layer *l = &net.layers[i];
        net.input = l->output;
        if (l->truth) net.truth = l->output;
    }
    return -1;
}

int fxq_net_forward(network *netp, fxq_layer_fn fn, void *ctx)
{
    /* a callback may read any layer's input and output: floats everywhere */
    const int was = fn ? fxq_pipe_set_all_float(netp, 1) : 0;
    const int r = fxq_walk(netp, fn, ctx);
    if (fn) fxq_pipe_set_all_float(netp, was);
    return r;
}

int fxq_net_forward_codes(network *netp, fxq_layer_fn fn, void *ctx) { return fxq_walk(netp, fn, ctx); }

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
