/* See fxq_walk.h. */
#include <stdio.h>
#include <string.h>


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
