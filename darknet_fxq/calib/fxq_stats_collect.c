/* Calibration: float forward passes over a list of images, recording per
 * convolutional/connected layer its input, pre-activation and output tensors
 * (paper §3.3, Fig. 2), plus the batch-norm-folded weights and biases.
 *
 * The forward loop is forward_network()'s, layer by layer, except that a
 * recorded layer runs with its activation set to LINEAR (layers are passed
 * by value, so only that call sees it); its output is then the
 * pre-activation, and activate_array() — the call Darknet itself would have
 * made — turns it into the output. The numbers are therefore Darknet's own.
 *
 * Parallelism: each OpenMP thread owns a replica of the network and takes
 * whole batches (Darknet's gemm parallelises one layer of one image at a
 * time, too fine-grained to scale; it runs serially inside a replica). Per-batch
 * statistics are merged into the result in batch order (an ordered region),
 * so the result does not depend on the thread count or on scheduling.
 * Memory is the replicas plus one record set per thread, whatever the number
 * of images. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "activations.h"
#include "fxq_fold.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_stats_net.h"
#include "fxq_walk.h"

/* record index of each network layer, -1 when not recorded */
static int *fxq_record_map(const network *net, int *nrec)
{
    int *map = malloc(sizeof(int) * (size_t)net->n);
    if (!map) return NULL;
    int k = 0;
    for (int i = 0; i < net->n; ++i) map[i] = fxq_stats_layer_type(&net->layers[i]) ? k++ : -1;
    *nrec = k;
    return map;
}

static int fxq_record_params(fxq_stats *st, const network *net, const int *map, char *why, size_t why_len)
{
    for (int i = 0; i < net->n; ++i) {
        if (map[i] < 0) continue;
        const layer *l = &net->layers[i];
        fxq_layer_stats *r = &st->layers[map[i]];
        r->index = i;
        snprintf(r->type, sizeof r->type, "%s", fxq_stats_layer_type(l));
        const size_t units = (size_t)fxq_fold_units(l), nw = units * (size_t)fxq_fold_fan_in(l);
        float *w = malloc(sizeof(float) * nw), *b = malloc(sizeof(float) * units);
        if (!w || !b) {
            free(w), free(b);
            snprintf(why, why_len, "out of memory");
            return 0;
        }
        fxq_fold_bn(l, w, b);
        const size_t bad = fxq_ts_add_checked(&r->t[FXQ_T_WEIGHTS], w, nw) + fxq_ts_add_checked(&r->t[FXQ_T_BIASES], b, units);
        free(w), free(b);
        if (bad) {
            snprintf(why, why_len, "layer %d: %zu NaN/Inf weights or biases after folding batch norm", i, bad);
            return 0;
        }
    }
    return 1;
}

/* forward_network() with the recording described at the top. Returns the
 * index of the first layer that produced NaN/Inf, or -1. */
typedef struct fxq_record_ctx {
    fxq_stats *rec;
    const int *map;
} fxq_record_ctx;

static int fxq_record_layer(void *ctxp, network *net, int i)
{
    const fxq_record_ctx *ctx = ctxp;
    const int r = ctx->map[i];
    if (r < 0) {
        fxq_layer_run(net, i);
        return 0;
    }
    const layer l = net->layers[i];
    fxq_tensor_stats *t = ctx->rec->layers[r].t;
    const size_t nin = (size_t)l.inputs * l.batch, nout = (size_t)l.outputs * l.batch;
    size_t bad = fxq_ts_add_checked(&t[FXQ_T_INPUT], net->input, nin);
    layer lin = l;
    lin.activation = LINEAR;
    lin.forward(lin, *net);
    bad += fxq_ts_add_checked(&t[FXQ_T_PREACT], l.output, nout);
    activate_array(l.output, (int)nout, l.activation);
    bad += fxq_ts_add_checked(&t[FXQ_T_OUTPUT], l.output, nout);
    return bad != 0;
}

static int fxq_forward_record(network *net, fxq_stats *rec, const int *map)
{
    fxq_record_ctx ctx = {rec, map};
    return fxq_net_forward(net, fxq_record_layer, &ctx);
}

static double fxq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct fxq_progress {
    int quiet, tty, shown;
    double start, last;
} fxq_progress;

/* A status line for runs longer than a couple of seconds: rewritten in place
 * on a terminal, one line every 30 s in a log (a Slurm job's stderr). */
static void fxq_progress_update(fxq_progress *p, int done, int total)
{
    if (p->quiet) return;
    const double now = fxq_now(), el = now - p->start;
    if (el < 2 || (done < total && now - p->last < (p->tty ? 0.2 : 30))) return;
    p->last = now, p->shown = 1;
    const double eta = done ? el * (total - done) / done : 0;
    fprintf(stderr, "%sfxq stats: %d/%d images (%.0f%%), %.0f s, %.0f s left%s", p->tty ? "\r" : "", done, total,
            100.0 * done / total, el, eta, p->tty && done < total ? "" : "\n");
    fflush(stderr);
}

fxq_stats *fxq_stats_collect_nets(network **nets, int nnets, char **paths, int n, int quiet, char *why, size_t why_len)
{
    network *net0 = nets[0];
    const int B = net0->batch, nb = (n + B - 1) / B;
    if (n <= 0 || B <= 0 || nnets <= 0) {
        snprintf(why, why_len, "nothing to run (%d images, batch %d)", n, B);
        return NULL;
    }
    if (net0->w <= 0 || net0->h <= 0 || net0->c <= 0 || net0->c > 4 || net0->inputs != net0->w * net0->h * net0->c) {
        snprintf(why, why_len, "the cfg's [net] does not take images (width/height/channels)");
        return NULL;
    }
    int nrec = 0;
    int *map = fxq_record_map(net0, &nrec);
    fxq_stats *st = map ? fxq_stats_alloc(nrec, net0->n) : NULL;
    fxq_stats **scratch = calloc((size_t)nnets, sizeof *scratch);
    int ok = st && scratch;
    for (int t = 0; ok && t < nnets; ++t) ok = (scratch[t] = fxq_stats_alloc(nrec, net0->n)) != NULL;
    if (!ok) {
        snprintf(why, why_len, "out of memory");
        goto free_all;
    }
    if (!(ok = fxq_record_params(st, net0, map, why, why_len))) goto free_all;

    int failed = 0;
    fxq_progress prog = {.quiet = quiet, .tty = isatty(2), .start = fxq_now()};
    prog.last = prog.start;
    const int threads = nnets < nb ? nnets : nb;
#pragma omp parallel num_threads(threads)
    {
        /* Darknet's gemm has its own "omp parallel for": inside a replica it
         * must stay serial, or a 1-thread team (-t 1, inactive, so nesting
         * does not stop it) would spawn gemm teams that spin against the
         * replicas, which is many times slower on a busy machine */
        omp_set_num_threads(1);
        const int tid = omp_get_thread_num();
        network *net = nets[tid];
        fxq_stats *rec = scratch[tid];
        char lwhy[512];
#pragma omp for ordered schedule(static, 1)
        for (int k = 0; k < nb; ++k) {
            const int first = k * B, m = n - first < B ? n - first : B;
            int lok = 1;
            int stop;
#pragma omp atomic read
            stop = failed;
            if (stop) lok = 0;
            for (int i = 0; lok && i < m; ++i)
                lok = fxq_input_load(paths[first + i], net->w, net->h, net->c, net->input + (size_t)i * net->inputs, lwhy,
                                     sizeof lwhy);
            if (lok) {
                if (net->batch != m) set_batch_network(net, m);
                for (int r = 0; r < nrec; ++r)
                    memset(&rec->layers[r].t[FXQ_T_INPUT], 0, sizeof(fxq_tensor_stats) * (FXQ_T_COUNT - FXQ_T_INPUT));
                const int badl = fxq_forward_record(net, rec, map);
                if (badl >= 0) {
                    snprintf(lwhy, sizeof lwhy, "layer %d produced NaN/Inf on images %d..%d (%s ...): broken weights?",
                             badl, first + 1, first + m, paths[first]);
                    lok = 0;
                }
            }
#pragma omp ordered
            {
                if (!failed && !stop && !lok) {
                    snprintf(why, why_len, "%s", lwhy);
#pragma omp atomic write
                    failed = 1;
                } else if (!failed && lok) {
                    for (int r = 0; r < nrec; ++r)
                        for (int t = FXQ_T_INPUT; t < FXQ_T_COUNT; ++t)
                            fxq_ts_merge(&st->layers[r].t[t], &rec->layers[r].t[t]);
                    st->images += (uint64_t)m;
                    fxq_progress_update(&prog, first + m, n);
                }
            }
        }
    }
    if (failed) {
        if (prog.shown && prog.tty) fputc('\n', stderr);
        ok = 0;
    }

free_all:
    if (scratch)
        for (int t = 0; t < nnets; ++t) fxq_stats_free(scratch[t]);
    free(scratch);
    free(map);
    if (!ok) {
        fxq_stats_free(st);
        return NULL;
    }
    return st;
}

fxq_stats *fxq_stats_collect(network *net, char **paths, int n, int quiet, char *why, size_t why_len)
{
    return fxq_stats_collect_nets(&net, 1, paths, n, quiet, why, why_len);
}

fxq_stats *fxq_stats_calibrate(const char *cfg, const char *weights, char **paths, int n, const char *list, int batch,
                               int threads, int quiet, int announce, const char *label, char *why, size_t why_len)
{
    const int nb = (n + batch - 1) / batch;
    if (!threads) threads = omp_get_max_threads();
    if (threads > nb) threads = nb;
    if (threads < 1) threads = 1;
    network **nets = calloc((size_t)threads, sizeof *nets);
    fxq_stats *s = NULL;
    if (!nets) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    for (int t = 0; t < threads; ++t)
        if (!(nets[t] = t || !announce ? fxq_net_load_quiet(cfg, weights, batch, why, why_len)
                                       : fxq_net_load(cfg, weights, batch, why, why_len)))
            goto free_nets;
    if (!quiet)
        fprintf(stderr, "%s%d images from %s, batch %d, %d thread%s\n", label, n, list, batch, threads,
                threads > 1 ? "s" : "");
    s = fxq_stats_collect_nets(nets, threads, paths, n, quiet, why, why_len);
    if (!s && strstr(why, "after folding batch norm")) { /* the cause is in the weights file: name it */
        char inner[512];
        snprintf(inner, sizeof inner, "%s", why);
        snprintf(why, why_len, "%s: %s", weights ? weights : cfg, inner);
    }
free_nets:
    for (int t = 0; t < threads; ++t)
        if (nets[t]) free_network(nets[t]);
    free(nets);
    return s;
}
