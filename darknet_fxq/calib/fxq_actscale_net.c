/* Activation scales on a Darknet network: see fxq_actscale_net.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_actscale.h"
#include "fxq_actscale_net.h"
#include "fxq_chanmax.h"
#include "fxq_fold.h"
#include "fxq_hist_err.h"
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

/* The channel groups of every layer's output (gid[i], nch[i] channels).
 * cix[i][k] is channel k's index in its group (the channel of the conv or
 * connected layer that made it); flat[id] marks a group whose channels
 * cannot be told apart (a [reorg], a [shortcut] pairing different indices):
 * --act-channels leaves its channels at one factor. */
typedef struct {
    int **gid, **cix, *nch, *par, *plan_of, n;
    unsigned char *flat;
} fxq_groups;

static void pin_all(fxq_groups *g, const int *ch, int n)
{
    for (int k = 0; k < n; ++k) uf_union(g->par, ch[k], 0);
}

static void groups_free(fxq_groups *g)
{
    for (int i = 0; g->gid && i < g->n; ++i) free(g->gid[i]);
    for (int i = 0; g->cix && i < g->n; ++i) free(g->cix[i]);
    free(g->gid), free(g->cix), free(g->nch), free(g->par), free(g->plan_of), free(g->flat);
}

static int groups_build(fxq_groups *g, const network *net, const fxq_qplan *p, int *image)
{
    const int n = net->n;
    memset(g, 0, sizeof *g);
    g->n = n;
    if (!(g->gid = calloc((size_t)n, sizeof *g->gid)) || !(g->cix = calloc((size_t)n, sizeof *g->cix)) ||
        !(g->nch = calloc((size_t)n, sizeof *g->nch)) || !(g->par = malloc((size_t)(n + 1) * sizeof *g->par)) ||
        !(g->plan_of = malloc((size_t)n * sizeof *g->plan_of)) || !(g->flat = calloc((size_t)n + 1, 1)))
        return 0;
    for (int i = 0; i <= n; ++i) g->par[i] = i; /* group 1 + i: layer i's output */
    for (int i = 0; i < n; ++i) g->plan_of[i] = -1;
    for (int k = 0; k < p->nl; ++k) g->plan_of[p->layers[k].index] = k;
    for (int i = 0; i < n; ++i) {
        const layer *l = &net->layers[i];
        const int *in = i ? g->gid[i - 1] : image, nin = i ? g->nch[i - 1] : net->c;
        const int *inx = i ? g->cix[i - 1] : image; /* the image's channels are pinned: any index */
        const int oc = l->type == CONNECTED ? l->outputs : l->out_c;
        int *out = g->gid[i] = calloc((size_t)(oc > 0 ? oc : 1), sizeof *out);
        int *ox = g->cix[i] = calloc((size_t)(oc > 0 ? oc : 1), sizeof *ox);
        if (!out || !ox) return 0;
        g->nch[i] = oc;
        const int t = l->type;
        if ((t == CONVOLUTIONAL || t == CONNECTED) && g->plan_of[i] >= 0 && homogeneous(l->activation) &&
            (t == CONNECTED || (l->groups <= 1 && l->c == nin)) && (t == CONVOLUTIONAL || l->inputs % nin == 0)) {
            for (int k = 0; k < oc; ++k) out[k] = 1 + i, ox[k] = k; /* its own c; its input columns fold theirs */
        } else if ((t == MAXPOOL || t == AVGPOOL || t == UPSAMPLE) && oc == nin) {
            memcpy(out, in, (size_t)oc * sizeof *out);
            memcpy(ox, inx, (size_t)oc * sizeof *ox);
        } else if (t == REORG) {
            int same = 1;
            for (int k = 1; k < nin; ++k) same &= uf_find(g->par, in[k]) == uf_find(g->par, in[0]);
            if (!same) pin_all(g, in, nin);
            else g->flat[in[0]] = 1; /* it moves positions into channels */
            for (int k = 0; k < oc; ++k) out[k] = same ? in[0] : 0;
        } else if (t == ROUTE) {
            int at = 0;
            for (int j = 0; j < l->n; ++j) {
                const int s = l->input_layers[j], m = g->nch[s];
                for (int k = 0; k < m && at + k < oc; ++k) out[at + k] = g->gid[s][k], ox[at + k] = g->cix[s][k];
                at += m;
            }
            if (at != oc) { /* not a plain concatenation: keep every input at 1 */
                for (int j = 0; j < l->n; ++j) pin_all(g, g->gid[l->input_layers[j]], g->nch[l->input_layers[j]]);
                memset(out, 0, (size_t)oc * sizeof *out);
            }
        } else if (t == SHORTCUT && oc == nin && homogeneous(l->activation)) {
            /* out = alpha * prev + beta * from on the first min(c) channels */
            const int f = l->index, m = g->nch[f] < nin ? g->nch[f] : nin;
            for (int k = 0; k < m; ++k) {
                if (g->cix[f][k] != inx[k] || g->nch[f] != nin) g->flat[in[k]] = g->flat[g->gid[f][k]] = 1;
                uf_union(g->par, in[k], g->gid[f][k]);
            }
            memcpy(out, in, (size_t)oc * sizeof *out);
            memcpy(ox, inx, (size_t)oc * sizeof *ox);
        } else { /* any other reader keeps c = 1, and so does what it writes */
            pin_all(g, in, nin);
            if (t == SHORTCUT) pin_all(g, g->gid[l->index], g->nch[l->index]);
            if (t == ROUTE)
                for (int j = 0; j < l->n; ++j) pin_all(g, g->gid[l->input_layers[j]], g->nch[l->input_layers[j]]);
        }
    }
    pin_all(g, g->gid[n - 1], g->nch[n - 1]); /* the caller reads the network's output */
    for (int r = 1; r <= n; ++r)
        if (g->flat[r]) g->flat[uf_find(g->par, r)] = 1;
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

/* Scales layer i (quantized): row u by 1 / cout[u] (batch norm: its scales
 * and biases), input columns by their channel's c. */
static void scale_layer(layer *l, const double *cin, int nin, const double *couts)
{
    const int units = fxq_fold_units(l), fan = fxq_fold_fan_in(l);
    /* a fan-in that is not whole channels was kept at c = 1 (groups_build) */
    const int per = nin > 0 && fan % nin == 0 ? fan / nin : 0;
    for (int u = 0; u < units; ++u) {
        float *w = l->weights + (size_t)u * fan;
        const double cout = couts[u], r = l->batch_normalize ? 1 : cout;
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

/* The factor of channel k of layer i's output: its group's c times, with
 * --act-channels, the channel's own factor. The image (i = -1) keeps 1:
 * groups_build pins it to group 0. */
static double chan_factor(fxq_groups *g, int i, int k, const double *cg, double *const *dch)
{
    if (i < 0) return 1;
    const int r = uf_find(g->par, g->gid[i][k]);
    return (cg ? cg[r] : 1) * (dch && dch[r] ? dch[r][g->cix[i][k]] : 1);
}

/* Scales every quantized layer: rows by their output channel's factor,
 * columns by their input channel's. 0 when out of memory. */
static int scale_net(fxq_groups *g, network *net, const fxq_qplan *p, const double *cg, double *const *dch)
{
    int maxc = net->c;
    for (int i = 0; i < net->n; ++i) maxc = g->nch[i] > maxc ? g->nch[i] : maxc;
    double *cin = malloc((size_t)maxc * sizeof *cin), *cout = malloc((size_t)maxc * sizeof *cout);
    if (!cin || !cout) {
        free(cin), free(cout);
        return 0;
    }
    for (int k = 0; k < p->nl; ++k) {
        const int i = p->layers[k].index;
        layer *l = &net->layers[i];
        const int nin = i ? g->nch[i - 1] : net->c, units = fxq_fold_units(l);
        for (int c = 0; c < nin; ++c) cin[c] = chan_factor(g, i - 1, c, cg, dch);
        for (int u = 0; u < units; ++u) cout[u] = u < g->nch[i] ? chan_factor(g, i, u, cg, dch) : 1;
        scale_layer(l, cin, nin, cout);
    }
    free(cin), free(cout);
    return 1;
}

/* One layer's weight term: NSR a * tab[(k_out - k_in) mod N] at its output. */
typedef struct {
    int gin, gout; /* group indices, -1 = c 1 */
    double a;
    double *tab;
} fxq_wterm;

static double wterm(const fxq_wterm *t, const int *k, int n)
{
    const int ki = t->gin < 0 ? 0 : k[t->gin], ko = t->gout < 0 ? 0 : k[t->gout];
    return t->a * t->tab[((ko - ki) % n + n) % n];
}

static double power_of(const fxq_tensor_stats *t) { return t ? fxq_ts_power(t) : 0; }

int fxq_act_scales(const fxq_qplan *p, const fxq_stats *st, const fxq_qopts *q, const fxq_actscale_opts *o,
                   const char *out, char *why, size_t why_len)
{
    network *net = fxq_net_load_quiet(o->cfg, o->weights, 1, why, why_len);
    if (!net) return 0;
    const int n = net->n, N = o->per_octave;
    int ok = 0, ng = 0, nw = 0, *image = calloc((size_t)net->c, sizeof *image), *gidx = NULL, *kk = NULL;
    double *cg = NULL, *A = NULL, *ptab = malloc((size_t)N * sizeof *ptab);
    fxq_wterm *wt = NULL;
    char (*names)[512] = NULL;
    fxq_groups g = {0};
    if (!image || !ptab || !groups_build(&g, net, p, image) || !(cg = malloc((size_t)(n + 1) * sizeof *cg)) ||
        !(gidx = malloc((size_t)(n + 1) * sizeof *gidx)) || !(kk = calloc((size_t)(n + 1), sizeof *kk)) ||
        !(A = calloc((size_t)(n + 1) * N, sizeof *A)) || !(names = calloc((size_t)(n + 1), sizeof *names)) ||
        !(wt = calloc((size_t)p->nl, sizeof *wt))) {
        snprintf(why, why_len, "out of memory");
        goto done;
    }
    /* the free groups (each holds a quantized layer's output) and their
     * activation terms: the summed squared error of every quantized output
     * in the group and every quantized input wholly in it (one unit: they
     * share c), divided by the power of the group's first tensor to make a
     * noise-to-signal ratio that the weights' terms can be added to */
    for (int r = 0; r <= n; ++r) gidx[r] = -1, cg[r] = 1;
    for (int r = 1; r <= n; ++r) {
        if (uf_find(g.par, r) != r) continue;
        int len = 0, np = 0;
        double gpow = 0;
        names[ng][0] = 0;
        for (int k = 0; k < p->nl; ++k) {
            const int i = p->layers[k].index;
            fxq_act_point pt[2];
            int m = 0;
            double pw[2];
            if (g.nch[i] > 0 && uf_find(g.par, g.gid[i][0]) == r) {
                pt[m] = out_point(p, k, st, q, &net->layers[i]);
                pw[m++] = power_of(fxq_stats_get(st, i, FXQ_T_OUTPUT));
                if (len < 480) len += snprintf(names[ng] + len, 512 - len, " %d out", i);
            }
            if (input_root(&g, net, i, image) == r) {
                pt[m] = in_point(p, k, st, q);
                pw[m] = power_of(pt[m].s);
                ++m;
                if (len < 480) len += snprintf(names[ng] + len, 512 - len, " %d in", i);
            }
            for (int j = 0; j < m; ++j) {
                if (!pt[j].s) {
                    snprintf(why, why_len, "the statistics have no record for layer %d of %s", i, o->cfg);
                    goto done;
                }
                fxq_act_point_table(&pt[j], N, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, ptab);
                for (int c = 0; c < N; ++c) A[(size_t)ng * N + c] += ptab[c];
                if (!(gpow > 0)) gpow = pw[j];
            }
            np += m;
        }
        if (!np) continue;
        for (int c = 0; c < N; ++c) A[(size_t)ng * N + c] /= gpow > 0 ? gpow : 1;
        gidx[r] = ng++;
    }
    /* the weight terms: each quantized layer's rows are scaled by c_in / c_out */
    for (int k = 0; o->weight_terms && k < p->nl; ++k) {
        const fxq_qlayer *ql = &p->layers[k];
        const int i = ql->index, ir = input_root(&g, net, i, image);
        const int orr = g.nch[i] > 0 ? uf_find(g.par, g.gid[i][0]) : 0;
        if (ir < 0 || (ir == 0 && orr == 0)) continue; /* mixed (a route) or fixed at 1 */
        const layer *l = &net->layers[i];
        const int units = fxq_fold_units(l), fan = fxq_fold_fan_in(l);
        const double pin = power_of(fxq_stats_get(st, i, FXQ_T_INPUT)), pout = power_of(fxq_stats_get(st, i, FXQ_T_PREACT));
        float *w = malloc((size_t)units * fan * sizeof *w), *b = malloc((size_t)units * sizeof *b);
        fxq_wterm *t = &wt[nw];
        if (!w || !b || !(t->tab = malloc((size_t)N * sizeof *t->tab))) {
            free(w), free(b);
            snprintf(why, why_len, "out of memory");
            goto done;
        }
        fxq_fold_bn(l, w, b);
        fxq_w_unit_table(w, units, fan, p->steps[ql->w_step].bits, o->per_channel, N, FXQ_LAYER_FRAC_MIN,
                         FXQ_LAYER_FRAC_MAX, t->tab);
        free(w), free(b);
        t->gin = gidx[ir], t->gout = gidx[orr];
        t->a = pout > 0 ? pin / pout : 0;
        ++nw;
    }
    /* each group's c: its activation terms alone first, then coordinate
     * descent on the sum of every term (ties: the smaller c) */
    for (int j = 0; j < ng; ++j) {
        int best = 0;
        for (int c = 1; c < N; ++c)
            if (A[(size_t)j * N + c] < A[(size_t)j * N + best]) best = c;
        kk[j] = best;
    }
    double j0 = 0, j1 = 0;
    for (int j = 0; j < ng; ++j) j0 += A[(size_t)j * N];
    for (int t = 0; t < nw; ++t) j0 += wt[t].a * wt[t].tab[0];
    int sweeps = 0;
    for (int moved = nw > 0; moved && sweeps < 8; ++sweeps) {
        moved = 0;
        for (int j = 0; j < ng; ++j) {
            int best = 0;
            double best_e = INFINITY;
            const int keep = kk[j];
            for (int c = 0; c < N; ++c) {
                kk[j] = c;
                double e = A[(size_t)j * N + c];
                for (int t = 0; t < nw; ++t)
                    if (wt[t].gin == j || wt[t].gout == j) e += wterm(&wt[t], kk, N);
                if (e < best_e) best_e = e, best = c;
            }
            kk[j] = best;
            moved |= best != keep;
        }
    }
    for (int j = 0; j < ng; ++j) j1 += A[(size_t)j * N + kk[j]];
    for (int t = 0; t < nw; ++t) j1 += wterm(&wt[t], kk, N);
    int scaled = 0;
    for (int r = 1; r <= n; ++r) {
        if (gidx[r] < 0) continue;
        const int j = gidx[r];
        cg[r] = exp2((double)kk[j] / N);
        scaled += kk[j] != 0;
        if (!o->quiet)
            fprintf(stderr, "  act group {%s }: c = %.6f (2^(%d/%d)), activation NSR %.2f dB -> %.2f dB\n", names[j],
                    cg[r], kk[j], N, 10 * log10(A[(size_t)j * N] + 1e-300), 10 * log10(A[(size_t)j * N + kk[j]] + 1e-300));
    }
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: activation scales: %d of %d groups scaled (grid %d per octave; %s): summed NSR "
                "%.2f dB -> %.2f dB\n", scaled, ng, N, nw ? "activations and weights" : "activations",
                10 * log10(j0 + 1e-300), 10 * log10(j1 + 1e-300));
    if (!scale_net(&g, net, p, cg, NULL)) {
        snprintf(why, why_len, "out of memory");
        goto done;
    }
    fxq_net_save_quiet(net, out);
    ok = 1;
done:
    groups_free(&g);
    for (int t = 0; wt && t < p->nl; ++t) free(wt[t].tab);
    free(image), free(gidx), free(kk), free(cg), free(A), free(ptab), free(wt), free(names);
    free_network(net);
    return ok;
}

int fxq_act_channels(const fxq_qplan *p, const fxq_actscale_opts *o, char **paths, int npaths, const char *out,
                     char *why, size_t why_len)
{
    network *net = fxq_net_load_quiet(o->cfg, o->weights, o->batch > 0 ? o->batch : 32, why, why_len);
    if (!net) return 0;
    const int n = net->n;
    int ok = 0, *image = calloc((size_t)net->c, sizeof *image);
    float **mx = calloc((size_t)n, sizeof *mx);
    double **dch = calloc((size_t)n + 1, sizeof *dch);
    fxq_groups g = {0};
    if (!image || !mx || !dch || !groups_build(&g, net, p, image)) goto oom;
    for (int i = 0; i < n; ++i) {
        int c, hw;
        if (fxq_chanmax_shape(&net->layers[i], &c, &hw) && c == g.nch[i] && !(mx[i] = calloc((size_t)c, sizeof **mx)))
            goto oom;
    }
    if (!fxq_chanmax(net, paths, npaths, mx, why, why_len)) goto done;
    /* a group's channel k: the largest of its tensors' max|x| of channel k,
     * each tensor relative to its own largest channel, at least the floor */
    int nscaled = 0;
    for (int r = 1; r <= n; ++r) {
        /* a group is rooted at the conv or connected layer that made it */
        if (uf_find(g.par, r) != r || g.flat[r] || g.nch[r - 1] < 1 || g.gid[r - 1][0] != r) continue;
        const int S = g.nch[r - 1];
        if (!(dch[r] = calloc((size_t)S, sizeof **dch))) goto oom;
        int members = 0;
        for (int i = 0; i < n; ++i) {
            const int t = net->layers[i].type;
            if (!mx[i] || !(g.plan_of[i] >= 0 || t == SHORTCUT)) continue;
            int whole = g.nch[i] > 0;
            float top = 0;
            for (int k = 0; whole && k < g.nch[i]; ++k) {
                whole = uf_find(g.par, g.gid[i][k]) == r && g.cix[i][k] < S;
                top = mx[i][k] > top ? mx[i][k] : top;
            }
            if (!whole || !(top > 0)) continue;
            for (int k = 0; k < g.nch[i]; ++k) {
                const double v = mx[i][k] / top;
                if (v > dch[r][g.cix[i][k]]) dch[r][g.cix[i][k]] = v;
            }
            ++members;
        }
        double lo = 1;
        for (int k = 0; k < S; ++k) {
            double *d = &dch[r][k];
            *d = !members || !(*d > 0) ? 1 : *d < o->channel_floor ? o->channel_floor : *d;
            lo = *d < lo ? *d : lo;
        }
        nscaled += lo < 1;
        if (!o->quiet)
            fprintf(stderr, "  act channels of layer %d's group: %d channels, factors %.3f .. 1\n", r - 1, S, lo);
    }
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: activation channels: %d groups scaled per channel (floor %g)\n", nscaled,
                o->channel_floor);
    if (!scale_net(&g, net, p, NULL, dch)) goto oom;
    fxq_net_save_quiet(net, out);
    ok = 1;
    goto done;
oom:
    snprintf(why, why_len, "out of memory");
done:
    for (int i = 0; mx && i < n; ++i) free(mx[i]);
    for (int r = 0; dch && r <= n; ++r) free(dch[r]);
    groups_free(&g);
    free(image), free(mx), free(dch);
    free_network(net);
    return ok;
}
