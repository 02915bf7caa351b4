/* See fxq_team.h. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_team.h"
#include "fxq_walk.h"

enum { FXQ_TEAM_FX = 1, FXQ_TEAM_PIPE, FXQ_TEAM_SERIAL };

/* Float layers cheap enough for thread 0 alone (no OpenMP inside). */
static int fxq_team_serial_ok(LAYER_TYPE t)
{
    return t == SOFTMAX || t == COST || t == YOLO || t == REGION || t == DETECTION || t == DROPOUT;
}

static int fxq_team_enabled(void)
{
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("FXQ_TEAM");
        on = !(e && !strcmp(e, "0"));
    }
    return on;
}

/* How each layer runs in the team (kinds[i]), or 0 if the network cannot.
 * Also makes plans and buffers, which must not happen inside the region. */
static int fxq_team_plan(network *net, int nth, unsigned char *kinds)
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
        } else if (fxq_team_serial_ok(l->type)) {
            kinds[i] = FXQ_TEAM_SERIAL;
        } else {
            return 0;
        }
    }
    return coded;
}

int fxq_net_forward_team(network *netp, double *t)
{
    const int nth = omp_get_max_threads();
    if (nth < 2 || omp_in_parallel() || !fxq_team_enabled() || netp->n > 4096) return 0;
    unsigned char kinds[4096];
    if (!fxq_team_plan(netp, nth, kinds)) return 0;
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nth)
    {
        const int tid = omp_get_thread_num(), team = omp_get_num_threads();
        network net = *netp;
        for (int i = 0; i < net.n; ++i) {
            const layer *l = &net.layers[i];
            net.index = i;
            if (kinds[i] == FXQ_TEAM_FX) {
                fxq_layer_forward_member(l, &net, tid, team);
            } else if (kinds[i] == FXQ_TEAM_PIPE) {
                fxq_pipe_forward_member(l, &net, tid, team);
            } else if (tid == 0) {
                if (l->delta) fill_cpu(l->outputs * l->batch, 0, l->delta, 1);
                l->forward(*l, net);
            }
#pragma omp barrier
            if (t && tid == 0) {
                const double now = omp_get_wtime();
                t[i] = now - t0;
                t0 = now;
            }
            net.input = l->output;
            if (l->truth) net.truth = l->output;
        }
    }
    return 1;
}

int fxq_forward_network(network *net) { return fxq_net_forward_team(net, NULL); }
