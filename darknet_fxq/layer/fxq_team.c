/* See fxq_team.h. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "blas.h"
#include "fxq_env.h"
#include "fxq_hooks.h"
#include "fxq_kernels.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_team.h"
#include "fxq_walk.h"
#include "yolo_layer.h"

/* FXQ_TEAM_FUSED: a maxpool / avgpool the fixed layer before it runs
 * (FXQ_TEAM_FX_POOL + the row alignment it needs). FXQ_TEAM_SOLO (a flag
 * on the kind): thread 0 alone runs the layer. */
enum { FXQ_TEAM_FX = 1, FXQ_TEAM_PIPE, FXQ_TEAM_SERIAL, FXQ_TEAM_YOLO, FXQ_TEAM_FUSED, FXQ_TEAM_FX_POOL };
enum { FXQ_TEAM_SOLO = 0x80 };

/* Multiply-accumulates per image below which a network runs on one thread
 * (< 0: the active kernel set's team_min_macs). */
static double fxq_team_min_macs = -1;

void fxq_team_set_min_macs(double macs) { fxq_team_min_macs = macs; }

/* Float layers cheap enough for thread 0 alone (no OpenMP inside). */
static int fxq_team_serial_ok(LAYER_TYPE t)
{
    return t == SOFTMAX || t == COST || t == YOLO || t == REGION || t == DETECTION || t == DROPOUT;
}

static int fxq_team_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_TEAM", 1, &on);
}

/* FXQ_FUSE=0: every pool a layer of its own (for comparisons) */
static int fxq_fuse_enabled(void)
{
    static int on = -1;
    return fxq_env_switch("FXQ_FUSE", 1, &on);
}

/* How each layer runs in the team (kinds[i]; align[i]: a fused maxpool's
 * row alignment), or 0 if the network cannot. Also makes plans and
 * buffers, which must not happen inside the region. */
static int fxq_team_plan(network *net, int nth, unsigned char *kinds, int *align)
{
    if (net->train || net->batch != 1) return 0;
    int coded = 0;
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        if (fxq_layer_is_fixed(l)) {
            if (!fxq_layer_team_ready(l, nth)) return 0;
            kinds[i] = FXQ_TEAM_FX, coded = 1;
        } else if (l->fxq_pipe) {
            if (!fxq_pipe_team_ready(l)) return 0;
            kinds[i] = FXQ_TEAM_PIPE;
        } else if (l->type == YOLO && l->forward == forward_yolo_layer && l->batch == 1) {
            kinds[i] = FXQ_TEAM_YOLO;
        } else if (fxq_team_serial_ok(l->type)) {
            kinds[i] = FXQ_TEAM_SERIAL;
        } else {
            return 0;
        }
    }
    /* a maxpool or avgpool right after the fixed layer that feeds it,
     * pooled block by block on the threads that wrote them
     * (fxq_pipe_pool_fusable) */
    for (int i = 0; i + 1 < net->n && fxq_fuse_enabled(); ++i) {
        const int a = kinds[i] == FXQ_TEAM_FX && kinds[i + 1] == FXQ_TEAM_PIPE ? fxq_pipe_pool_fusable(net, i + 1, i) : 0;
        if (a > 0 && fxq_layer_member_aligns(&net->layers[i], nth, a))
            kinds[i] = FXQ_TEAM_FX_POOL, align[i] = a, kinds[i + 1] = FXQ_TEAM_FUSED;
    }
    for (int i = 0; i < net->n; ++i)
        if (kinds[i] == FXQ_TEAM_SERIAL || ((kinds[i] == FXQ_TEAM_FX || kinds[i] == FXQ_TEAM_FX_POOL) &&
                                            fxq_layer_member_solo(&net->layers[i], nth)))
            kinds[i] |= FXQ_TEAM_SOLO;
    return coded;
}

/* The fixed layer whose outputs a yolo layer reads (layer i - 1 without a
 * route between), with its logistic memo made, or NULL: every value the
 * yolo layer sees is then code * 2^-out.frac, one of 2^out.bits codes. */
static struct fxq_layer_state *fxq_yolo_source(network *net, int i)
{
    if (i == 0) return NULL;
    layer *p = &net->layers[i - 1];
    if (!fxq_layer_is_fixed(p) || !p->fxq || p->outputs != net->layers[i].inputs || p->fxq->out.bits > 16) return NULL;
    struct fxq_layer_state *s = p->fxq;
    if (!s->logistic_memo) {
        const size_t n = (size_t)1 << s->out.bits;
        s->logistic_memo = malloc(n * sizeof *s->logistic_memo);
        if (!s->logistic_memo) return NULL;
        memset(s->logistic_memo, 0xff, n * sizeof *s->logistic_memo);
    }
    return s;
}

/* Upstream's logistic on n values of x into y. src: the fixed layer the
 * values come from (or NULL): each value is code * 2^-frac, so its
 * logistic is looked up by code, computed by upstream's own
 * activate_array the first time a code is met (the same floats: the
 * same function on the same value). Two threads may compute one entry
 * together; they store the same bits, through relaxed atomics. */
static void fxq_yolo_logistic(const float *x, float *y, size_t n, const struct fxq_layer_state *src)
{
    if (!src) {
        if (y != x) memcpy(y, x, n * sizeof *y);
        activate_array(y, (int)n, LOGISTIC);
        return;
    }
    const float up = ldexpf(1.0f, src->out.frac);
    const long lo = src->out_win ? src->out_lo : src->out_unsigned ? 0 : -(1L << (src->out.bits - 1));
    const unsigned span = 1u << src->out.bits;
    for (size_t j = 0; j < n; ++j) {
        float v = x[j];
        const float c = v * up; /* exact: a power of two */
        const long code = (long)c;
        const unsigned at = (unsigned)(code - lo);
        if ((float)code != c || code < lo || at >= span) { /* not one of the codes */
            activate_array(&v, 1, LOGISTIC);
            y[j] = v;
            continue;
        }
        uint32_t bits = __atomic_load_n(&src->logistic_memo[at], __ATOMIC_RELAXED);
        if (bits == UINT32_MAX) {
            activate_array(&v, 1, LOGISTIC);
            memcpy(&bits, &v, sizeof bits);
            __atomic_store_n(&src->logistic_memo[at], bits, __ATOMIC_RELAXED);
        }
        memcpy(&y[j], &bits, sizeof bits);
    }
}

/* Upstream's forward_yolo_layer at inference, shared out by elements:
 * copy, logistic on x, y, objectness and classes of each anchor, delta
 * cleared -- the same function on every element, so the same floats
 * (measured: yolov3-tiny's two yolo layers took 1 of 7.2 ms on thread 0;
 * with the memo by code, see fxq_yolo_logistic). */
static void fxq_yolo_member(const layer *l, const network *net, const struct fxq_layer_state *src, int tid, int nth)
{
    const size_t n = (size_t)l->outputs, wh = (size_t)l->w * l->h, per = wh * (size_t)(4 + l->classes + 1);
    const size_t a = n * tid / nth, b = n * (tid + 1) / nth;
    if (b <= a) return;
    size_t done = a; /* l->output[a .. done) written */
    for (size_t k = 0; k < (size_t)l->n; ++k) {
        const size_t runs[2][2] = {{k * per, k * per + 2 * wh}, {k * per + 4 * wh, (k + 1) * per}};
        for (int r = 0; r < 2; ++r) {
            const size_t s0 = runs[r][0] > a ? runs[r][0] : a, s1 = runs[r][1] < b ? runs[r][1] : b;
            if (s1 <= s0) continue;
            if (s0 > done) memcpy(l->output + done, net->input + done, (s0 - done) * sizeof *l->output);
            fxq_yolo_logistic(net->input + s0, l->output + s0, s1 - s0, src);
            done = s1;
        }
    }
    if (b > done) memcpy(l->output + done, net->input + done, (b - done) * sizeof *l->output);
    if (l->delta) memset(l->delta + a, 0, (b - a) * sizeof *l->delta);
}

/* The forward as thread tid of nth runs it (nth 1: outside any region). */
static void fxq_team_body(const network *netp, const unsigned char *kinds, const int *align,
                          struct fxq_layer_state *const *yolo_src, double *t, int tid, int nth)
{
    network net = *netp;
    double t0 = t && tid == 0 ? omp_get_wtime() : 0;
    for (int i = 0; i < net.n; ++i) {
        const layer *l = &net.layers[i];
        const int kind = kinds[i] & ~FXQ_TEAM_SOLO;
        net.index = i;
        if (kind == FXQ_TEAM_FUSED) { /* done with layer i - 1, before its barrier */
            if (t && tid == 0) t[i] = 0;
            net.input = l->output;
            continue;
        }
        if (kind == FXQ_TEAM_FX_POOL) {
            fxq_layer_forward_member_pool(l, &net, tid, nth, &net.layers[i + 1], align[i]);
        } else if (kind == FXQ_TEAM_FX) {
            fxq_layer_forward_member(l, &net, tid, nth);
        } else if (kind == FXQ_TEAM_PIPE) {
            fxq_pipe_forward_member(l, &net, tid, nth);
        } else if (kind == FXQ_TEAM_YOLO) {
            fxq_yolo_member(l, &net, yolo_src[i], tid, nth);
        } else if (tid == 0) {
            if (l->delta) fill_cpu(l->outputs * l->batch, 0, l->delta, 1);
            l->forward(*l, net);
        }
        /* no barrier where thread 0 alone ran this layer and runs the next
         * one too, nor after the last (the region's end is one): fmnist's
         * last three layers (a 0.1 MMAC convolution, its connected layer,
         * softmax) */
        const int solo_next = i + 1 < net.n && (kinds[i] & kinds[i + 1] & FXQ_TEAM_SOLO);
        if (nth > 1 && i + 1 < net.n && !solo_next) {
#pragma omp barrier
        }
        if (t && tid == 0) {
            const double now = omp_get_wtime();
            t[i] = now - t0;
            t0 = now;
        }
        net.input = l->output;
        if (l->truth) net.truth = l->output;
    }
}

int fxq_net_forward_team(network *netp, double *t)
{
    int nth = omp_get_max_threads();
    if (omp_in_parallel() || !fxq_team_enabled() || netp->n > 4096) return 0;
    unsigned char kinds[4096];
    int align[4096];
    if (!fxq_team_plan(netp, nth, kinds, align)) return 0;
    static struct fxq_layer_state *yolo_src[4096]; /* one forward at a time per process (Darknet's) */
    for (int i = 0; i < netp->n; ++i)
        yolo_src[i] = (kinds[i] & ~FXQ_TEAM_SOLO) == FXQ_TEAM_YOLO ? fxq_yolo_source(netp, i) : NULL;
    /* a small network on one thread: the barriers between its layers (over
     * a microsecond each on a 2-core VM) and reading rows the other core
     * wrote cost more than a second thread saves (fmnist, 0.01 GMAC: 0.063
     * ms on one thread, 0.100 on two at 126355b; at a4e12d3, chrt -f 10,
     * 8 x 300 alternated runs, load 4: 0.043 on one, 0.065 forced onto two;
     * quiet: 0.0437 vs 0.0484), while
     * paper-cifar10 (0.134 GMAC) gains 1.48x: the bar lies between them.
     * Slower kernel sets put it lower (fxq_kernels.h team_min_macs): on
     * AVX2 fmnist gains 1.69x on two threads */
    double macs = 0;
    for (int i = 0; i < netp->n; ++i) macs += fxq_layer_macs(&netp->layers[i]);
    double min_macs = fxq_team_min_macs;
    if (min_macs < 0) {
        const fxq_kernel_set *ks = fxq_kernel_set_active();
        min_macs = ks && ks->team_min_macs > 0 ? ks->team_min_macs : FXQ_TEAM_MIN_MACS_VNNI;
    }
    if (macs < min_macs) nth = 1;
    /* The process's first forward of a network that only a slow set puts
     * on the team (below the VNNI bar) runs on one thread: starting the
     * OpenMP threads costs more than such a forward (a bare first parallel
     * region took 4-11 ms on a 2-core VM; fmnist's first image on AVX2
     * went from 0.38 to 5-30 ms on two threads, against 0.15 ms warm); the
     * second forward starts them, once. */
    static int started; /* one forward at a time per process, as above */
    if (nth > 1 && !started && macs < FXQ_TEAM_MIN_MACS_VNNI) nth = 1;
    started = 1;
    if (nth == 1) {
        fxq_team_body(netp, kinds, align, yolo_src, t, 0, 1);
        return 1;
    }
#pragma omp parallel num_threads(nth)
    fxq_team_body(netp, kinds, align, yolo_src, t, omp_get_thread_num(), omp_get_num_threads());
    return 1;
}

int fxq_forward_network(network *net) { return fxq_net_forward_team(net, NULL); }
