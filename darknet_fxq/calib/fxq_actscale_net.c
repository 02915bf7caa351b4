/* Activation scales on a Darknet network: see fxq_actscale_net.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_actscale.h"
#include "fxq_actscale_net.h"
#include "fxq_fold.h"
#include "fxq_net.h"
#include "fxq_policy.h"

/* Union-find over groups; group 0 is c = 1. The root of a set holding 0 is 0. */
static int uf_find(int *par, int a)
{
    while (par[a] != a) a = par[a] = par[par[a]];
    return a;
}

static void uf_union(int *par, int a, int b)
{
    a = uf_find(par, a), b = uf_find(par, b);
    if (a == b) return;
    if (a < b) par[b] = a; /* the smaller id is the root: 0 wins */
    else par[a] = b;
}

static int homogeneous(ACTIVATION a) { return a == LINEAR || a == RELU || a == LEAKY; }

/* The channel groups of every layer's output (gid[i], nch[i] channels). */
typedef struct {
    int **gid, *nch, *par, *plan_of, n;
} fxq_groups;

static void pin_all(fxq_groups *g, const int *ch, int n)
{
    for (int k = 0; k < n; ++k) uf_union(g->par, ch[k], 0);
}

static void groups_free(fxq_groups *g)
{
    for (int i = 0; g->gid && i < g->n; ++i) free(g->gid[i]);
    free(g->gid), free(g->nch), free(g->par), free(g->plan_of);
}

static int groups_build(fxq_groups *g, const network *net, const fxq_qplan *p, int *image)
{
    const int n = net->n;
    memset(g, 0, sizeof *g);
    g->n = n;
    if (!(g->gid = calloc((size_t)n, sizeof *g->gid)) || !(g->nch = calloc((size_t)n, sizeof *g->nch)) ||
        !(g->par = malloc((size_t)(n + 1) * sizeof *g->par)) || !(g->plan_of = malloc((size_t)n * sizeof *g->plan_of)))
        return 0;
    for (int i = 0; i <= n; ++i) g->par[i] = i; /* group 1 + i: layer i's output */
    for (int i = 0; i < n; ++i) g->plan_of[i] = -1;
    for (int k = 0; k < p->nl; ++k) g->plan_of[p->layers[k].index] = k;
    for (int i = 0; i < n; ++i) {
        const layer *l = &net->layers[i];
        const int *in = i ? g->gid[i - 1] : image, nin = i ? g->nch[i - 1] : net->c;
        const int oc = l->type == CONNECTED ? l->outputs : l->out_c;
        int *out = g->gid[i] = calloc((size_t)(oc > 0 ? oc : 1), sizeof *out);
        if (!out) return 0;
        g->nch[i] = oc;
        const int t = l->type;
        if ((t == CONVOLUTIONAL || t == CONNECTED) && g->plan_of[i] >= 0 && homogeneous(l->activation) &&
            (t == CONNECTED || (l->groups <= 1 && l->c == nin)) && (t == CONVOLUTIONAL || l->inputs % nin == 0)) {
            for (int k = 0; k < oc; ++k) out[k] = 1 + i; /* its own c; its input columns fold theirs */
        } else if ((t == MAXPOOL || t == AVGPOOL || t == UPSAMPLE) && oc == nin) {
            memcpy(out, in, (size_t)oc * sizeof *out);
        } else if (t == REORG) {
            int same = 1;
            for (int k = 1; k < nin; ++k) same &= uf_find(g->par, in[k]) == uf_find(g->par, in[0]);
            if (!same) pin_all(g, in, nin);
            for (int k = 0; k < oc; ++k) out[k] = same ? in[0] : 0;
        } else if (t == ROUTE) {
            int at = 0;
            for (int j = 0; j < l->n; ++j) {
                const int s = l->input_layers[j], m = g->nch[s];
                for (int k = 0; k < m && at + k < oc; ++k) out[at + k] = g->gid[s][k];
                at += m;
            }
            if (at != oc) { /* not a plain concatenation: keep every input at 1 */
                for (int j = 0; j < l->n; ++j) pin_all(g, g->gid[l->input_layers[j]], g->nch[l->input_layers[j]]);
                memset(out, 0, (size_t)oc * sizeof *out);
            }
        } else if (t == SHORTCUT && oc == nin && homogeneous(l->activation)) {
            /* out = alpha * prev + beta * from on the first min(c) channels */
            const int f = l->index, m = g->nch[f] < nin ? g->nch[f] : nin;
            for (int k = 0; k < m; ++k) uf_union(g->par, in[k], g->gid[f][k]);
            memcpy(out, in, (size_t)oc * sizeof *out);
        } else { /* any other reader keeps c = 1, and so does what it writes */
            pin_all(g, in, nin);
            if (t == SHORTCUT) pin_all(g, g->gid[l->index], g->nch[l->index]);
            if (t == ROUTE)
                for (int j = 0; j < l->n; ++j) pin_all(g, g->gid[l->input_layers[j]], g->nch[l->input_layers[j]]);
        }
    }
    pin_all(g, g->gid[n - 1], g->nch[n - 1]); /* the caller reads the network's output */
    return 1;
}

/* The tensor points of a quantized layer, as fxq_qplan_formats picks their formats. */
static fxq_act_point out_point(const fxq_qplan *p, int k, const fxq_stats *st, const fxq_qopts *q, const layer *l)
{
    const fxq_qlayer *ql = &p->layers[k];
    const int bits = p->steps[ql->out_step].bits;
    const double g = l->activation == RELU ? 0 : l->activation == LEAKY ? 0.1 : 1;
    fxq_act_point pt = {fxq_stats_get(st, ql->index, FXQ_T_PREACT), bits, g, FXQ_AP_SIGNED};
    if (fxq_qplan_windows(q, bits)) pt.mode = FXQ_AP_WINDOW;
    else if (!q->unsigned_in) pt.neg_gain = 1;
    else if (l->activation == RELU && bits <= 15) pt.mode = FXQ_AP_UNSIGNED;
    return pt;
}

static fxq_act_point in_point(const fxq_qplan *p, int k, const fxq_stats *st, const fxq_qopts *q)
{
    const fxq_qlayer *ql = &p->layers[k];
    const int bits = p->steps[ql->in_step].bits;
    fxq_act_point pt = {fxq_stats_get(st, ql->index, FXQ_T_INPUT), bits, 1, FXQ_AP_SIGNED};
    if (fxq_qplan_windows(q, bits)) pt.mode = FXQ_AP_WINDOW;
    else if (q->unsigned_in && pt.s && pt.s->count && pt.s->min >= 0 && bits <= 15) pt.mode = FXQ_AP_UNSIGNED;
    return pt;
}

/* The root every channel of layer i's input shares, or -1 when they differ. */
static int input_root(fxq_groups *g, const network *net, int i, const int *image)
{
    const int *in = i ? g->gid[i - 1] : image, nin = i ? g->nch[i - 1] : net->c;
    const int r = uf_find(g->par, in[0]);
    for (int k = 1; k < nin; ++k)
        if (uf_find(g->par, in[k]) != r) return -1;
    return r;
}

/* Scales layer i (quantized): rows by 1 / cout (batch norm: its scales and
 * biases), input columns by their channel's c. */
static void scale_layer(layer *l, const double *cin, int nin, double cout)
{
    const int units = fxq_fold_units(l), fan = fxq_fold_fan_in(l);
    /* a fan-in that is not whole channels was kept at c = 1 (groups_build) */
    const int per = nin > 0 && fan % nin == 0 ? fan / nin : 0;
    for (int u = 0; u < units; ++u) {
        float *w = l->weights + (size_t)u * fan;
        const double r = l->batch_normalize ? 1 : cout;
        for (int j = 0; j < fan; ++j) {
            const double f = (per ? cin[j / per] : 1) / r;
            if (f != 1) w[j] = (float)((double)w[j] * f);
        }
        if (cout != 1) {
            l->biases[u] = (float)((double)l->biases[u] / cout);
            if (l->batch_normalize) l->scales[u] = (float)((double)l->scales[u] / cout);
        }
    }
}

int fxq_act_scales(const fxq_qplan *p, const fxq_stats *st, const fxq_qopts *q, const fxq_actscale_opts *o,
                   const char *out, char *why, size_t why_len)
{
    network *net = fxq_net_load_quiet(o->cfg, o->weights, 1, why, why_len);
    if (!net) return 0;
    int ok = 0, *image = calloc((size_t)net->c, sizeof *image);
    fxq_act_point *pts = NULL;
    double *cg = NULL, *cin = NULL;
    fxq_groups g = {0};
    const int n = net->n;
    if (!image || !groups_build(&g, net, p, image) ||
        !(pts = malloc(2 * (size_t)p->nl * sizeof *pts)) || !(cg = malloc((size_t)(n + 1) * sizeof *cg))) {
        snprintf(why, why_len, "out of memory");
        goto done;
    }
    for (int r = 0; r <= n; ++r) cg[r] = 1;
    /* every free group: its points (quantized outputs in it, quantized inputs
     * wholly in it), then c */
    int groups = 0, scaled = 0;
    for (int r = 1; r <= n; ++r) {
        if (uf_find(g.par, r) != r) continue;
        int np = 0, len = 0;
        char names[512] = "";
        for (int k = 0; k < p->nl; ++k) {
            const int i = p->layers[k].index;
            const layer *l = &net->layers[i];
            if (g.plan_of[i] == k && g.nch[i] > 0 && uf_find(g.par, g.gid[i][0]) == r) {
                pts[np++] = out_point(p, k, st, q, l);
                if (len < (int)sizeof names - 24) len += snprintf(names + len, sizeof names - len, " %d out", i);
            }
            if (input_root(&g, net, i, image) == r) {
                pts[np++] = in_point(p, k, st, q);
                if (len < (int)sizeof names - 24) len += snprintf(names + len, sizeof names - len, " %d in", i);
            }
        }
        for (int j = 0; j < np; ++j)
            if (!pts[j].s) {
                snprintf(why, why_len, "the statistics have no record for a layer of %s", o->cfg);
                goto done;
            }
        if (!np) continue;
        double e1 = 0, ec = 0;
        const int k = fxq_act_scale_choose(pts, np, o->per_octave, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &e1, &ec);
        cg[r] = exp2((double)k / o->per_octave);
        ++groups, scaled += k != 0;
        if (!o->quiet)
            fprintf(stderr, "  act group {%s }: c = %.6f (2^(%d/%d)), squared error %.4g -> %.4g (%+.2f dB)\n", names,
                    cg[r], k, o->per_octave, e1, ec, e1 > 0 && ec > 0 ? 10 * log10(ec / e1) : 0.0);
    }
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: activation scales: %d of %d groups scaled (grid %d per octave)\n", scaled,
                groups, o->per_octave);
    /* scale: each quantized layer's rows by its output's c, columns by its input channels' */
    int maxc = net->c;
    for (int i = 0; i < n; ++i) maxc = g.nch[i] > maxc ? g.nch[i] : maxc;
    if (!(cin = malloc((size_t)maxc * sizeof *cin))) {
        snprintf(why, why_len, "out of memory");
        goto done;
    }
    for (int k = 0; k < p->nl; ++k) {
        const int i = p->layers[k].index;
        layer *l = &net->layers[i];
        const int *in = i ? g.gid[i - 1] : image, nin = i ? g.nch[i - 1] : net->c;
        for (int c = 0; c < nin; ++c) cin[c] = cg[uf_find(g.par, in[c])];
        const double cout = g.plan_of[i] == k && g.nch[i] > 0 ? cg[uf_find(g.par, g.gid[i][0])] : 1;
        scale_layer(l, cin, nin, cout);
    }
    fxq_net_save_quiet(net, out);
    ok = 1;
done:
    groups_free(&g);
    free(image), free(pts), free(cg), free(cin);
    free_network(net);
    return ok;
}
