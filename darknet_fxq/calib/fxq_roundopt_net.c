/* Post-training weight rounding on a network: see fxq_roundopt_net.h. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gemm.h"
#include "im2col.h"

#include "fxq_fold.h"
#include "fxq_input.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_refine.h"
#include "fxq_roundopt.h"
#include "fxq_roundopt_net.h"
#include "fxq_calpair.h"
#include "fxq_walk.h"

#define FXQ_RO_COLS 4096 /* im2col columns summed in float before they go into double */
#define FXQ_RO_BN_EPS .000001f /* fxq_fold.c's (Darknet's normalize_cpu) */

/* The walk stops at layer `stop` and hands out its input. */
typedef struct fxq_ro_walk {
    int stop;
    float *input;
} fxq_ro_walk;

static int fxq_ro_walk_fn(void *ctx, network *net, int i)
{
    fxq_ro_walk *w = ctx;
    if (i == w->stop) {
        w->input = net->input;
        return 1;
    }
    fxq_layer_run(net, i);
    return 0;
}

/* Runs net on buf up to layer `stop`; its input there (batch x inputs). */
static const float *fxq_ro_input(network *net, float *buf, int stop)
{
    float *saved = net->input;
    net->input = buf;
    net->train = 0;
    net->truth = 0;
    net->delta = 0;
    fxq_ro_walk w = {stop, NULL};
    fxq_net_forward(net, fxq_ro_walk_fn, &w);
    net->input = saved;
    return w.input;
}

/* Per layer sums, centred (the bias takes the means): with D = Xf - Xq, the
 * input error the earlier layers left, H = Xq Xq^T, G = Xq D^T, R = D D^T.
 * Working with D rather than Xf keeps every term at its own scale: the
 * output error s q^T Xq - w^T Xf = (s q - w)^T Xq - w^T D is a difference of
 * small quantities, not of two large ones. Each block of columns is centred
 * on its own mean and summed in float, then merged into the double totals
 * with the parallel-variance update (Chan et al.), so large means cost no
 * precision either. */
typedef struct fxq_ro_acc {
    int K, P;        /* inputs per output, positions per image */
    long cols;       /* columns merged */
    int nc;          /* columns pending in bq/bd */
    double *H, *G, *R, *mq, *md;
    float *bq, *bd, *t, *colq, *colf, *xq;
    int16_t *codes;
} fxq_ro_acc;

static void fxq_ro_acc_free(fxq_ro_acc *a)
{
    free(a->H), free(a->G), free(a->R), free(a->mq), free(a->md);
    free(a->bq), free(a->bd), free(a->t), free(a->colq), free(a->colf), free(a->xq), free(a->codes);
    memset(a, 0, sizeof *a);
}

static int fxq_ro_acc_init(fxq_ro_acc *a, int K, int P, int inputs)
{
    const size_t kk = (size_t)K * K;
    *a = (fxq_ro_acc){.K = K, .P = P};
    a->H = calloc(kk, sizeof *a->H), a->G = calloc(kk, sizeof *a->G), a->R = calloc(kk, sizeof *a->R);
    a->mq = calloc((size_t)K, sizeof *a->mq), a->md = calloc((size_t)K, sizeof *a->md);
    a->bq = malloc((size_t)K * FXQ_RO_COLS * sizeof *a->bq), a->bd = malloc((size_t)K * FXQ_RO_COLS * sizeof *a->bd);
    a->t = calloc(kk, sizeof *a->t); /* gemm scales it by 0 first: no NaN garbage */
    a->colq = malloc((size_t)K * P * sizeof *a->colq), a->colf = malloc((size_t)K * P * sizeof *a->colf);
    a->xq = malloc((size_t)inputs * sizeof *a->xq), a->codes = malloc((size_t)inputs * sizeof *a->codes);
    if (a->H && a->G && a->R && a->mq && a->md && a->bq && a->bd && a->t && a->colq && a->colf && a->xq && a->codes)
        return 1;
    fxq_ro_acc_free(a);
    return 0;
}

/* dst += x y^T over the pending (centred) columns + f dx dy^T. */
static void fxq_ro_gemm_add(fxq_ro_acc *a, float *x, float *y, const double *dx, const double *dy, double f,
                            double *dst)
{
    const int K = a->K;
    gemm(0, 1, K, K, a->nc, 1, x, FXQ_RO_COLS, y, FXQ_RO_COLS, 0, a->t, K);
    for (int i = 0; i < K; ++i)
        for (int j = 0; j < K; ++j) dst[(size_t)i * K + j] += a->t[(size_t)i * K + j] + f * dx[i] * dy[j];
}

static int fxq_ro_flush(fxq_ro_acc *a)
{
    if (!a->nc) return 1;
    const int K = a->K, nc = a->nc;
    double *bmq = calloc((size_t)K, sizeof *bmq), *bmd = calloc((size_t)K, sizeof *bmd);
    double *dq = calloc((size_t)K, sizeof *dq), *dd = calloc((size_t)K, sizeof *dd);
    if (!bmq || !bmd || !dq || !dd) {
        free(bmq), free(bmd), free(dq), free(dd);
        return 0;
    }
    for (int i = 0; i < K; ++i) { /* centre the block on its own means */
        float *q = a->bq + (size_t)i * FXQ_RO_COLS, *d = a->bd + (size_t)i * FXQ_RO_COLS;
        double sq = 0, sd = 0;
        for (int p = 0; p < nc; ++p) sq += q[p], sd += d[p];
        bmq[i] = sq / nc, bmd[i] = sd / nc;
        for (int p = 0; p < nc; ++p) q[p] -= (float)bmq[i], d[p] -= (float)bmd[i];
        dq[i] = bmq[i] - a->mq[i], dd[i] = bmd[i] - a->md[i];
    }
    const double n0 = (double)a->cols, n1 = nc, f = n0 * n1 / (n0 + n1);
    fxq_ro_gemm_add(a, a->bq, a->bq, dq, dq, f, a->H);
    fxq_ro_gemm_add(a, a->bq, a->bd, dq, dd, f, a->G);
    fxq_ro_gemm_add(a, a->bd, a->bd, dd, dd, f, a->R);
    for (int i = 0; i < K; ++i) a->mq[i] += dq[i] * n1 / (n0 + n1), a->md[i] += dd[i] * n1 / (n0 + n1);
    a->cols += nc;
    a->nc = 0;
    free(bmq), free(bmd), free(dq), free(dd);
    return 1;
}

/* One image's columns: the fixed layer's input as its codes see it, the
 * float layer's input as is. */
static int fxq_ro_add_image(fxq_ro_acc *a, const layer *lq, const float *inq, const float *inf)
{
    const struct fxq_layer_state *s = lq->fxq;
    const int n = lq->inputs, K = a->K, P = a->P;
    fxq_layer_quantize_input(s, inq, (size_t)n, a->codes);
    for (int i = 0; i < n; ++i) a->xq[i] = fxq_dequantize(a->codes[i], s->in.frac);
    const float *cq = a->xq, *cf = inf;
    if (lq->type == FXCONVOLUTIONAL) {
        im2col_cpu(a->xq, lq->c, lq->h, lq->w, lq->size, lq->stride, lq->pad, a->colq);
        im2col_cpu((float *)inf, lq->c, lq->h, lq->w, lq->size, lq->stride, lq->pad, a->colf);
        cq = a->colq, cf = a->colf;
    }
    /* an image of more positions than a block (a detector's early layers)
     * goes in as several blocks, always split at the same positions */
    for (int p0 = 0; p0 < P; p0 += FXQ_RO_COLS) {
        const int np = P - p0 < FXQ_RO_COLS ? P - p0 : FXQ_RO_COLS;
        if (a->nc + np > FXQ_RO_COLS && !fxq_ro_flush(a)) return 0;
        for (int i = 0; i < K; ++i) {
            float *q = a->bq + (size_t)i * FXQ_RO_COLS + a->nc, *d = a->bd + (size_t)i * FXQ_RO_COLS + a->nc;
            memcpy(q, cq + (size_t)i * P + p0, (size_t)np * sizeof *cq);
            for (int p = 0; p < np; ++p) d[p] = cf[(size_t)i * P + p0 + p] - q[p];
        }
        a->nc += np;
    }
    return 1;
}

/* Batch-norm fold factor of unit u, as fxq_fold_bn computes it. */
static float fxq_ro_fold_gain(const layer *l, int u)
{
    return l->batch_normalize ? l->scales[u] / (sqrtf(l->rolling_variance[u]) + FXQ_RO_BN_EPS) : 1.f;
}

/* ||s q^T Xq - w^T Xf||^2 over the columns (centred), from the sums: with
 * d = s q - w, d^T H d - 2 d^T (G w) + w^T R w; H's diagonal undamped (dg). */
static double fxq_ro_error(const double *H, const double *dg, const double *gw, double wrw, int K, double st,
                           const int32_t *q, const float *w, double *d)
{
    for (int i = 0; i < K; ++i) d[i] = st * q[i] - w[i];
    double e = wrw;
    for (int i = 0; i < K; ++i) {
        double hd = 0;
        const double *h = H + (size_t)i * K;
        for (int j = 0; j < K; ++j) hd += (j == i ? dg[i] : h[j]) * d[j];
        e += d[i] * (hd - 2 * gw[i]);
    }
    return e;
}

typedef struct fxq_ro_report {
    double e_rtn, e_opt, signal;
    long moves;
} fxq_ro_report;

/* Chooses every row of one layer from the sums in a; writes ql->w_opt,
 * ql->b_shift and the fx layer's float weights/biases, then checks that the
 * layer's own fold + rounding gives the chosen codes. */
static int fxq_ro_solve_layer(fxq_ro_acc *a, fxq_qlayer *ql, layer *lq, const layer *lf, const fxq_roundopt_opts *o,
                              fxq_ro_report *rep, char *why, size_t why_len)
{
    const int K = a->K, units = lq->fxq->units;
    double *dg = malloc((size_t)K * sizeof *dg), *c = malloc((size_t)K * sizeof *c);
    double *gw = malloc((size_t)K * sizeof *gw), *hw = malloc((size_t)K * sizeof *hw), *d = malloc((size_t)K * sizeof *d);
    float *wf = malloc((size_t)units * K * sizeof *wf), *bf = malloc((size_t)units * sizeof *bf);
    int32_t *q = malloc((size_t)K * sizeof *q), *chosen = malloc((size_t)units * K * sizeof *chosen);
    free(ql->w_opt), free(ql->b_shift);
    ql->w_opt = malloc((size_t)units * K * sizeof *ql->w_opt);
    ql->b_shift = malloc((size_t)units * sizeof *ql->b_shift);
    int ok = 0;
    if (!dg || !c || !gw || !hw || !d || !wf || !bf || !q || !chosen || !ql->w_opt || !ql->b_shift) {
        snprintf(why, why_len, "out of memory (layer %d, %d inputs per output)", ql->index, K);
        goto done;
    }
    /* the fixed-input target: w^T Xq, i.e. D = 0 in the objective (the bias
     * still matches the float network's mean) */
    if (o->target_fixed) memset(a->G, 0, (size_t)K * K * sizeof *a->G), memset(a->R, 0, (size_t)K * K * sizeof *a->R);
    /* damping: H_ii (1 + lambda), c_i += lambda H_ii w_i */
    for (int i = 0; i < K; ++i) {
        dg[i] = a->H[(size_t)i * K + i];
        a->H[(size_t)i * K + i] = dg[i] * (1 + o->damp);
    }
    fxq_fold_bn(lf, wf, bf);
    const struct fxq_layer_state *s = lq->fxq;
    const int64_t lo = fxq_code_min(s->w.bits), hi = fxq_code_max(s->w.bits);
    for (int u = 0; u < units; ++u) {
        const float *w = wf + (size_t)u * K;
        const int frac = fxq_row_w_frac(s, u);
        const double st = ldexp(1, -frac);
        double wrw = 0, whw = 0, wgw = 0;
        for (int i = 0; i < K; ++i) {
            double hv = 0, gv = 0, rv = 0;
            const double *hrow = a->H + (size_t)i * K, *grow = a->G + (size_t)i * K, *rrow = a->R + (size_t)i * K;
            for (int j = 0; j < K; ++j) hv += (j == i ? dg[i] : hrow[j]) * w[j], gv += grow[j] * w[j], rv += rrow[j] * w[j];
            hw[i] = hv, gw[i] = gv;
            c[i] = hv + gv + o->damp * dg[i] * w[i];
            wrw += w[i] * rv, whw += w[i] * hv, wgw += w[i] * gv;
            q[i] = fxq_quantize_ref(w[i], (fxq_format){s->w.bits, frac});
        }
        const double e0 = fxq_ro_error(a->H, dg, gw, wrw, K, st, q, w, d);
        const float g = fxq_ro_fold_gain(lf, u);
        const int usable = isfinite(g) && g != 0;
        fxq_cd_result r = {0, 0, 0, 0};
        if (usable && !fxq_cd_round(a->H, c, K, st, lo, hi, q, o->max_sweeps, &r)) {
            snprintf(why, why_len, "out of memory (layer %d)", ql->index);
            goto done;
        }
        const double e1 = fxq_ro_error(a->H, dg, gw, wrw, K, st, q, w, d);
        rep->e_rtn += e0, rep->e_opt += e1, rep->signal += whw + 2 * wgw + wrw, rep->moves += r.moves;
        /* weights: the record's float that folds + rounds to q; bias: the mean */
        double mean_q = 0, mean_f = 0;
        for (int i = 0; i < K; ++i) {
            mean_q += st * q[i] * a->mq[i];
            mean_f += (double)w[i] * (a->mq[i] + a->md[i]);
            ql->w_opt[(size_t)u * K + i] = usable ? (float)(st * q[i] / g) : lf->weights[(size_t)u * K + i];
        }
        ql->b_shift[u] = (float)(mean_q - mean_f);
        memcpy(chosen + (size_t)u * K, q, (size_t)K * sizeof *q);
        memcpy(lq->weights + (size_t)u * K, ql->w_opt + (size_t)u * K, (size_t)K * sizeof *lq->weights);
        lq->biases[u] = lf->biases[u] - ql->b_shift[u];
    }
    /* the loader's own fold + rounding must give the chosen codes */
    lq->fxq->prepared = 0;
    fxq_layer_prepare(lq);
    for (size_t i = 0; i < (size_t)units * K; ++i)
        if (lq->fxq->w_codes[i] != chosen[i]) {
            snprintf(why, why_len, "layer %d: row %d weight %d reloads as code %d, not the chosen %d", ql->index,
                     (int)(i / K), (int)(i % K), lq->fxq->w_codes[i], (int)chosen[i]);
            goto done;
        }
    ok = 1;
done:
    free(dg), free(c), free(gw), free(hw), free(d), free(wf), free(bf), free(q), free(chosen);
    return ok;
}

int fxq_round_opt(fxq_qplan *p, const fxq_cfgtext *text, const fxq_roundopt_opts *o, char *why, size_t why_len)
{
    int ok = 0;
    fxq_calpair c;
    fxq_ro_acc a = {0};
    if (!fxq_calpair_open(&c, p, text, &o->src, why, why_len)) return 0;
    network *fx = c.fx, *flt = c.flt;
    const int n = c.n;
    const char *cfg = o->src.cfg;
    if (!o->src.quiet)
        fprintf(stderr, "fxq quantize: rounding optimization on %d images from %s: %d layers (target %s, damping %g)\n",
                n, o->src.list, p->nl, o->target_fixed ? "fixed input" : "float input", o->damp);
    /* the time left: per image, a layer costs its correlations (positions x
     * K^2 multiply-adds) and the forward passes of both networks up to it,
     * whose multiply-accumulates run about twice as fast (Darknet's GEMM;
     * measured on fmnist-yolo's 13 layers) */
    double work_all = 0, work_done = 0, upto = 0, *work = calloc((size_t)p->nl, sizeof *work);
    for (int k = 0, j = 0; work && k < p->nl; ++k) {
        for (; j <= p->layers[k].index; ++j) {
            const layer *l = &fx->layers[j];
            if (l->fxq) upto += (double)l->outputs * l->fxq->fan_in;
        }
        const layer *l = &fx->layers[p->layers[k].index];
        const double K = l->fxq ? l->fxq->fan_in : 0, P = l->type == FXCONVOLUTIONAL ? l->out_h * l->out_w : 1;
        work_all += work[k] = upto + P * K * K;
    }
    const double t0 = omp_get_wtime();
    for (int k = 0; k < p->nl; ++k) {
        fxq_qlayer *ql = &p->layers[k];
        layer *lq = &fx->layers[ql->index];
        const layer *lf = &flt->layers[ql->index];
        if (lq->type != FXCONVOLUTIONAL && lq->type != FXCONNECTED) {
            snprintf(why, why_len, "%s: layer %d [%s]: --round-opt needs a convolutional or connected layer", cfg,
                     ql->index, fxq_layer_type_name(lq->type));
            goto cleanup;
        }
        if (lq->type == FXCONVOLUTIONAL && lq->groups > 1) {
            snprintf(why, why_len, "%s: layer %d [convolutional]: --round-opt does not take groups=%d", cfg,
                     ql->index, lq->groups);
            goto cleanup;
        }
        if (!lq->weights || !lq->biases || fxq_has_float(lq->fxq)) {
            snprintf(why, why_len, "%s: layer %d: --round-opt needs a fixed-point layer with float weights", cfg,
                     ql->index);
            goto cleanup;
        }
        const int K = lq->fxq->fan_in, P = lq->type == FXCONVOLUTIONAL ? lq->out_h * lq->out_w : 1;
        if (!fxq_ro_acc_init(&a, K, P, lq->inputs)) {
            snprintf(why, why_len, "%s: layer %d: out of memory for --round-opt (%d inputs per output: 3 x %.0f MB)",
                     cfg, ql->index, K, (double)K * K * 8 / 1e6);
            goto cleanup;
        }
        for (int start = 0; start < n; start += c.batch) {
            const int m = fxq_calpair_fill(&c, start);
            const float *xf = fxq_ro_input(flt, c.buf, ql->index);
            const float *xq = fxq_ro_input(fx, c.buf, ql->index);
            for (int b = 0; b < m; ++b)
                if (!fxq_ro_add_image(&a, lq, xq + (size_t)b * lq->inputs, xf + (size_t)b * lf->inputs)) {
                    snprintf(why, why_len, "out of memory");
                    goto cleanup;
                }
        }
        if (!fxq_ro_flush(&a)) {
            snprintf(why, why_len, "out of memory");
            goto cleanup;
        }
        fxq_ro_report rep = {0, 0, 0, 0};
        if (!fxq_ro_solve_layer(&a, ql, lq, lf, o, &rep, why, why_len)) goto cleanup;
        fxq_ro_acc_free(&a);
        work_done += work ? work[k] : 0;
        const double took = omp_get_wtime() - t0;
        if (!o->src.quiet)
            fprintf(stderr,
                    "  layer %3d (%d/%d): K %d, %ld positions: output SNR %.2f dB (nearest) -> %.2f dB, %ld codes moved; "
                    "%.0f s, about %.0f s left\n",
                    ql->index, k + 1, p->nl, K, (long)n * P, 10 * log10(rep.signal / rep.e_rtn),
                    10 * log10(rep.signal / rep.e_opt), rep.moves, took,
                    work_done > 0 ? took * (work_all - work_done) / work_done : 0.0);
    }
    ok = 1;
cleanup:
    free(work);
    fxq_ro_acc_free(&a);
    fxq_calpair_close(&c);
    return ok;
}
