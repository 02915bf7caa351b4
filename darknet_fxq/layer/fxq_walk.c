/* See fxq_walk.h. */
#include <stdio.h>
#include <string.h>

#include "activations.h"

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

int fxq_net_forward(network *netp, fxq_layer_fn fn, void *ctx)
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
    if (l->activation != LINEAR && l->activation != RELU && l->activation != LEAKY) {
        snprintf(why, why_len, "activation=%s has no fixed-point version (linear, relu, leaky)",
                 get_activation_string(l->activation));
        return 0;
    }
    if (l->type != CONVOLUTIONAL && l->type != FXCONVOLUTIONAL) return 1;
    if (l->groups != 1 || l->binary || l->xnor) {
        snprintf(why, why_len, "%s convolutions have no fixed-point version", l->groups != 1 ? "grouped" : "binary/xnor");
        return 0;
    }
    if (l->size == 1 && l->stride != 1) {
        snprintf(why, why_len, "1x1 convolutions with stride %d have no fixed-point version (upstream's float path "
                 "ignores their stride)", l->stride);
        return 0;
    }
    return 1;
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
