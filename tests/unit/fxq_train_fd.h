/* Shared by the training tests (test_finetune*.c): a tiny network parsed
 * with or without training, the energy E = sum_j g_j y_j of layer 0's
 * fake-quantized forward on a fixed input, and finite differences of E that
 * never straddle a quantizer's edge. A test points fd_x / fd_g / fd_nout at
 * its own input, output weights and width before the first call. */
#ifndef FXQ_TRAIN_FD_H
#define FXQ_TRAIN_FD_H

#include "darknet.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"

static float *fd_x;       /* layer 0's input */
static const float *fd_g; /* dE/dy */
static int fd_nout;

static network *tiny(const char *path, int training)
{
    fxq_set_training(training);
    network *net = parse_network_cfg((char *)path);
    fxq_set_training(0);
    return net;
}

static double energy(network *net)
{
    layer *l = &net->layers[0];
    l->fxq->train->dirty = 1; /* masters may have changed */
    network tmp = *net;
    tmp.input = fd_x;
    tmp.train = 1;
    l->forward(*l, tmp);
    double e = 0;
    for (int j = 0; j < fd_nout; ++j) e += fd_g[j] * l->output[j];
    return e;
}

/* Finite difference of E in *p with step h (a multiple of the LSB): centered
 * where both sides stay on one side of every edge of [lo, hi], else one-sided
 * away from the edge the point sits on. */
static double fdiff(network *net, float *p, double h, double lo, double hi)
{
    const float p0 = *p;
    double a = p0 - h, b = p0 + h;
    if (p0 <= hi && p0 >= lo) { /* representable: stay inside */
        if (b > hi) b = p0;
        if (a < lo) a = p0;
    } else if (p0 > hi) { /* saturated above: stay above */
        if (a <= hi) a = p0;
    } else if (b >= lo) {
        b = p0;
    }
    *p = (float)b;
    const double eb = energy(net);
    *p = (float)a;
    const double ea = energy(net);
    *p = p0;
    energy(net);
    return (eb - ea) / (b - a);
}

#endif
