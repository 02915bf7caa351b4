/* The one place that walks a Darknet network: forward_network's loop with a
 * per-layer callback, and what the verbs need to know about a layer (its
 * section name, whether it is fixed point, its multiply-accumulates:
 * fxq_layer_kind.h, which the layer code uses without the walker). Used by
 * stats (recording), bench (timing) and sqnr (one layer alone). */
#ifndef FXQ_WALK_H
#define FXQ_WALK_H

#include "darknet.h"
#include "fxq_layer_kind.h"

/* Called for layer i with net->input the layer's input and net->index = i;
 * it runs the layer (fxq_layer_run, or its own variant: e.g. with another
 * activation) and may look at what went in and came out. Nonzero stops the
 * walk. `net` is the walk's copy of the network: fields it changes (input,
 * index, truth) do not reach the caller's network. */
typedef int (*fxq_layer_fn)(void *ctx, network *net, int i);

/* forward_network() over net->input, layer by layer; fn NULL runs each
 * layer plainly. Returns -1, or the index of the layer whose callback
 * returned nonzero. */
int fxq_net_forward(network *net, fxq_layer_fn fn, void *ctx);
/* With a callback, fxq_net_forward has every layer read and write floats
 * (fxq_pipe_set_all_float), so the callback sees every layer's input and
 * output. fxq_net_forward_codes keeps the integer hand-over between layers
 * as forward_network runs it: for callbacks that only run (and time) the
 * layer, reading no float but the network output. */
int fxq_net_forward_codes(network *net, fxq_layer_fn fn, void *ctx);

/* Layer i as forward_network runs it: clears its delta, calls its forward
 * on net->input. */
void fxq_layer_run(network *net, int i);

/* Layer i of net alone on `input` at inference (no truth, no delta). */
void fxq_layer_run_on(const network *net, int i, float *input);

#endif
