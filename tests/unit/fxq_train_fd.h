/* Shared by the training tests (test_finetune*.c): a tiny network parsed
 * with or without training, the energy E = sum_j g_j y_j of layer 0's
 * fake-quantized forward on a fixed input, and finite differences of E that
 * never straddle a quantizer's edge. A test points fd_x / fd_g / fd_nout at
 * its own input, output weights and width before the first call. */
#ifndef FXQ_TRAIN_FD_H
#define FXQ_TRAIN_FD_H

#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* The straight-through gradients of E: delta = g, backward into zeroed
 * updates and dx (layer 0's input gradient). Returns the training view of
 * net that the backward ran on, for more passes. */
static network ste_grads(network *net, float *dx, int nin)
{
    layer *l = &net->layers[0];
    energy(net);
    memcpy(l->delta, fd_g, (size_t)fd_nout * sizeof *fd_g);
    memset(dx, 0, (size_t)nin * sizeof *dx);
    memset(l->weight_updates, 0, sizeof(float) * nin * fd_nout);
    memset(l->bias_updates, 0, sizeof(float) * fd_nout);
    network tmp = *net;
    tmp.input = fd_x;
    tmp.delta = dx;
    tmp.train = 1;
    l->backward(*l, tmp);
    return tmp;
}

/* Mismatches of the STE gradients against finite differences: the input
 * (step h, range [lo, hi]), the weights (row j: step lsb[j], range
 * [-8, 7] * lsb[j], i.e. 4-bit codes), the biases (step hb). The first
 * mismatch is described in what. */
static int fd_bad_input(network *net, const float *dx, int nin, double h, double lo, double hi, char *what, size_t n)
{
    int bad = 0;
    for (int i = 0; i < nin; ++i) {
        const double fd = fdiff(net, &fd_x[i], h, lo, hi);
        if (fabs(fd - dx[i]) > 1e-6 && !bad++) snprintf(what, n, "input %d: STE %g, FD %g", i, dx[i], fd);
    }
    return bad;
}

static int fd_bad_weights(network *net, int nin, const double *lsb, char *what, size_t n)
{
    layer *l = &net->layers[0];
    int bad = 0;
    for (int j = 0; j < fd_nout; ++j)
        for (int i = 0; i < nin; ++i) {
            float *p = &l->weights[j * nin + i];
            const double fd = fdiff(net, p, lsb[j], -8 * lsb[j], 7 * lsb[j]), ste = l->weight_updates[j * nin + i];
            if (fabs(fd - ste) > 1e-6 && !bad++) snprintf(what, n, "w[%d][%d] = %g: STE %g, FD %g", j, i, *p, ste, fd);
        }
    return bad;
}

static int fd_bad_biases(network *net, double hb, char *what, size_t n)
{
    layer *l = &net->layers[0];
    int bad = 0;
    for (int j = 0; j < fd_nout; ++j) {
        const double fd = fdiff(net, &l->biases[j], hb, -1e9, 1e9), ste = l->bias_updates[j];
        if (fabs(fd - ste) > 1e-6 && !bad++) snprintf(what, n, "b[%d]: STE %g, FD %g", j, ste, fd);
    }
    return bad;
}

/* 20 steps of plain SGD (rate 1, momentum 0.9) towards large outputs, then
 * a forward: the masters train past their formats. */
static void train_up(network *net, network tmp)
{
    layer *l = &net->layers[0];
    update_args ua = {0};
    ua.batch = 1, ua.learning_rate = 1, ua.momentum = 0.9f, ua.decay = 0;
    for (int it = 0; it < 20; ++it) {
        energy(net);
        for (int j = 0; j < fd_nout; ++j) l->delta[j] = 1;
        l->backward(*l, tmp);
        l->update(*l, ua);
    }
    energy(net);
}

/* A training layer saved and loaded in inference mode: the same codes and
 * biases, and the floats dropped. */
static int same_codes(const layer *li, const layer *l, int nin)
{
    int same = !li->fxq->train && li->weights == NULL;
    for (int k = 0; k < nin * fd_nout; ++k) same &= li->fxq->w_codes[k] == l->fxq->w_codes[k];
    for (int j = 0; j < fd_nout; ++j) same &= li->fxq->bias_acc[j] == l->fxq->bias_acc[j];
    return same;
}

/* Saves net's weights to wpath and loads them into cfg in inference mode
 * (the integer kernel): *codes = the same codes; returns 1 when its outputs
 * equal the training forward's bit for bit on `rounds` inputs
 * x[i] = ((r * 7 + i * 5) % mod) / 4 - off (else what says where). */
static int same_forward(network *net, const char *cfg, const char *wpath, int nin, int rounds, int mod, float off,
                        int *codes, char *what, size_t n)
{
    save_weights(net, (char *)wpath);
    network *inf = tiny(cfg, 0);
    load_weights(inf, (char *)wpath);
    layer *l = &net->layers[0], *li = &inf->layers[0];
    *codes = same_codes(li, l, nin);
    int same = 1;
    for (int r = 0; r < rounds && same; ++r) {
        for (int i = 0; i < nin; ++i) fd_x[i] = (float)((r * 7 + i * 5) % mod) * .25f - off;
        energy(net);
        network ti = *inf;
        ti.input = fd_x;
        ti.train = 0;
        li->forward(*li, ti);
        for (int j = 0; j < fd_nout; ++j) same &= li->output[j] == l->output[j];
        if (!same)
            snprintf(what, n, "round %d: int %g %g %g vs training forward %g %g %g", r, li->output[0], li->output[1],
                     li->output[2], l->output[0], l->output[1], l->output[2]);
    }
    free_network(inf);
    return same;
}

#endif
