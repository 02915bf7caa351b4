/* Measured refinement of the fractional bits: see fxq_refine.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_eval.h"
#include "fxq_input.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_pipe.h"
#include "fxq_qreport.h"
#include "fxq_outfile.h"
#include "fxq_refine.h"

typedef struct fxq_refine_ctx {
    network *fx;
    const float *x;   /* n images, `in` floats each */
    int n, in, batch;
    int logit, nlog;  /* logit layer and its width */
    const float *ref; /* float logits, n x nlog */
    float *buf;       /* one batch of input */
} fxq_refine_ctx;

/* Squared error of the fixed-point logits, summed in image order. */
static double fxq_refine_err(fxq_refine_ctx *c, long *agree)
{
    double err = 0;
    long ag = 0;
    for (int start = 0; start < c->n; start += c->batch) {
        const int m = c->n - start < c->batch ? c->n - start : c->batch;
        memcpy(c->buf, c->x + (size_t)start * c->in, (size_t)m * c->in * sizeof *c->buf);
        memset(c->buf + (size_t)m * c->in, 0, (size_t)(c->batch - m) * c->in * sizeof *c->buf);
        network_predict(c->fx, c->buf);
        const float *lg = c->fx->layers[c->logit].output;
        for (int b = 0; b < m; ++b) {
            const float *q = lg + (size_t)b * c->nlog, *f = c->ref + (size_t)(start + b) * c->nlog;
            int aq = 0, af = 0;
            for (int j = 0; j < c->nlog; ++j) {
                const double d = (double)q[j] - f[j];
                err += d * d;
                if (q[j] > q[aq]) aq = j;
                if (f[j] > f[af]) af = j;
            }
            ag += aq == af;
        }
    }
    if (agree) *agree = ag;
    return err;
}

/* The bias follows §3.3/mse on its own record, lowered to the accumulator's
 * frac (as fxq_qplan_formats does). */
static void fxq_refine_bias(fxq_qlayer *ql, const fxq_refine_opts *o)
{
    const fxq_tensor_stats *t = fxq_stats_get(o->stats, ql->index, FXQ_T_BIASES);
    ql->b = fxq_choose_format(t, ql->b_bits, o->q);
    ql->b_frac_clamped = ql->b.frac > ql->w.frac + ql->in.frac;
    if (ql->b_frac_clamped) ql->b.frac = ql->w.frac + ql->in.frac;
}

static void fxq_refine_apply(network *net, layer *l, const fxq_qlayer *ql)
{
    struct fxq_layer_state *s = l->fxq;
    s->w = ql->w, s->b = ql->b, s->in = ql->in, s->out = ql->out;
    s->in_unsigned = ql->in_unsigned, s->out_unsigned = ql->out_unsigned;
    s->in_win = ql->in_win, s->in_lo = ql->in_lo, s->out_win = ql->out_win, s->out_lo = ql->out_lo;
    s->prepared = 0;
    fxq_layer_prepare(l);
    fxq_pipe_rebuild(net); /* the formats codes pass on changed */
}

/* Whether (err, agree) beats (best, best_agree) under the objective. */
static int fxq_refine_better(const fxq_refine_opts *o, double err, long agree, double best, long best_agree)
{
    if (o->agree && agree != best_agree) return agree > best_agree;
    return err < best;
}

static double fxq_db(double sig, double err) { return err > 0 ? 10 * log10(sig / err) : INFINITY; }

int fxq_refine_write_cfg(const fxq_qplan *p, const fxq_cfgtext *text, char *dir, char *path, size_t path_len,
                                char *why, size_t why_len)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 256, "%s/fxq-refine.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(why, why_len, "%s: cannot create a temporary directory", dir);
        return 0;
    }
    snprintf(path, path_len, "%s/refine.cfg", dir);
    /* gone at exit and on a signal too (fxq_refine_remove_cfg otherwise) */
    fxq_temp_hold(dir);
    fxq_temp_hold(path);
    char **added = calloc((size_t)text->nsec, sizeof *added);
    int ok = added != NULL;
    for (int i = 0; ok && i < p->nl; ++i) ok = (added[p->layers[i].index + 1] = fxq_qreport_cfg_keys(p, i)) != NULL;
    if (!ok) snprintf(why, why_len, "out of memory");
    else ok = fxq_cfgtext_write(text, path, NULL, added, why, why_len);
    for (int i = 0; added && i < text->nsec; ++i) free(added[i]);
    free(added);
    return ok;
}

void fxq_refine_remove_cfg(char *dir, const char *path)
{
    if (!*dir) return;
    fxq_temp_remove(path);
    fxq_temp_remove(dir);
    *dir = 0;
}

network *fxq_refine_load_fx(const char *cfg, const char *weights, int batch, char *why, size_t why_len)
{
    /* keep the float weights: every candidate format re-quantizes them */
    const int saved = fxq_layer_keep_float_default();
    fxq_layer_set_keep_float(1);
    network *net = fxq_net_load_quiet(cfg, weights, batch, why, why_len);
    fxq_layer_set_keep_float(saved);
    return net;
}

/* Loads the held-out images and the float logits into c. */
static int fxq_refine_reference(fxq_refine_ctx *c, const fxq_refine_opts *o, float **x, float **ref, char *why,
                                size_t why_len)
{
    int n = 0, ok = 0;
    char **paths = fxq_list_read(o->list, o->n, &n, why, why_len);
    if (!paths) return 0;
    network *flt = fxq_net_load_quiet(o->cfg, o->weights, c->batch, why, why_len);
    if (!flt) goto free_paths;
    if (flt->c != 3 || flt->inputs != c->in) {
        snprintf(why, why_len, "%s: the network does not take the fixed-point network's input", o->cfg);
        goto free_flt;
    }
    *x = malloc((size_t)n * c->in * sizeof **x);
    *ref = malloc((size_t)n * c->nlog * sizeof **ref);
    if (!*x || !*ref) {
        snprintf(why, why_len, "out of memory for %d held-out images", n);
        goto free_flt;
    }
    for (int i = 0; i < n; ++i)
        if (!fxq_input_load(paths[i], flt->w, flt->h, 3, *x + (size_t)i * c->in, why, why_len)) goto free_flt;
    c->n = n, c->x = *x;
    for (int start = 0; start < n; start += c->batch) {
        const int m = n - start < c->batch ? n - start : c->batch;
        memcpy(c->buf, *x + (size_t)start * c->in, (size_t)m * c->in * sizeof *c->buf);
        memset(c->buf + (size_t)m * c->in, 0, (size_t)(c->batch - m) * c->in * sizeof *c->buf);
        network_predict(flt, c->buf);
        memcpy(*ref + (size_t)start * c->nlog, flt->layers[c->logit].output, (size_t)m * c->nlog * sizeof **ref);
    }
    c->ref = *ref;
    ok = 1;
free_flt:
    if (flt) free_network(flt);
free_paths:
    fxq_list_free(paths, n);
    return ok;
}

static const char *const fxq_refine_tensor[3] = {"input", "weights", "output"};

int fxq_refine(fxq_qplan *p, const fxq_cfgtext *text, const fxq_refine_opts *o, char *why, size_t why_len)
{
    char dir[256] = "", path[300];
    float *x = NULL, *ref = NULL;
    fxq_refine_ctx c = {0};
    int ok = 0;
    if (!fxq_refine_write_cfg(p, text, dir, path, sizeof path, why, why_len)) goto cleanup;
    c.batch = o->batch > 0 ? o->batch : 32;
    if (!(c.fx = fxq_refine_load_fx(path, o->weights, c.batch, why, why_len))) goto cleanup;
    c.in = c.fx->inputs;
    c.logit = fxq_eval_logit_layer(c.fx);
    c.nlog = c.fx->layers[c.logit].outputs;
    if (!(c.buf = malloc((size_t)c.batch * c.in * sizeof *c.buf))) {
        snprintf(why, why_len, "out of memory");
        goto cleanup;
    }
    if (!fxq_refine_reference(&c, o, &x, &ref, why, why_len)) goto cleanup;
    double sig = 0;
    for (size_t i = 0; i < (size_t)c.n * c.nlog; ++i) sig += (double)ref[i] * ref[i];
    long agree = 0;
    double best = fxq_refine_err(&c, &agree);
    long best_agree = agree;
    p->refine_db0 = fxq_db(sig, best);
    p->refine_images = c.n;
    p->refine_moves = 0;
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: refine on %d held-out images from %s: %d passes (1 + 2 x %d tensors); "
                "start %.2f dB, top-1 agreement %.2f %%\n", c.n, o->list, 1 + 6 * p->nl, 3 * p->nl, p->refine_db0,
                100.0 * agree / c.n);
    for (int k = 0; k < p->nl; ++k) {
        fxq_qlayer *ql = &p->layers[k];
        layer *l = &c.fx->layers[ql->index];
        for (int t = 0; t < 3; ++t) {
            if (t == 1 && ql->w_fracs) continue; /* per-channel weights: already least error per row */
            fxq_format *f = t == 0 ? &ql->in : t == 1 ? &ql->w : &ql->out;
            const int n0 = f->frac;
            int best_n = n0;
            const double e0 = best;
            double e[2] = {NAN, NAN};
            long ag[2] = {0, 0};
            for (int d = 0; d < 2; ++d) {
                const int n = n0 + (d ? 1 : -1);
                if (n < FXQ_LAYER_FRAC_MIN || n > FXQ_LAYER_FRAC_MAX) continue;
                f->frac = n;
                fxq_refine_bias(ql, o);
                fxq_refine_apply(c.fx, l, ql);
                e[d] = fxq_refine_err(&c, &ag[d]);
                if (fxq_refine_better(o, e[d], ag[d], best, best_agree)) /* strictly better: ties keep n0 */
                    best = e[d], best_agree = ag[d], best_n = n;
            }
            f->frac = best_n;
            fxq_refine_bias(ql, o);
            fxq_refine_apply(c.fx, l, ql);
            p->refine_moves += best_n != n0;
            if (!o->quiet)
                fprintf(stderr, "  layer %3d %-7s frac %3d: %.2f dB; %d: %.2f dB; %d: %.2f dB -> %d\n", ql->index,
                        fxq_refine_tensor[t], n0 - 1, fxq_db(sig, e[0]), n0, fxq_db(sig, e0),
                        n0 + 1, fxq_db(sig, e[1]), best_n);
        }
    }
    fxq_refine_err(&c, &agree);
    p->refine_db1 = fxq_db(sig, best);
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: refine: %.2f -> %.2f dB, %d fracs moved, top-1 agreement %.2f %%\n",
                p->refine_db0, p->refine_db1, p->refine_moves, 100.0 * agree / c.n);
    ok = 1;
cleanup:
    if (c.fx) free_network(c.fx);
    free(c.buf);
    free(x);
    free(ref);
    fxq_refine_remove_cfg(dir, path);
    return ok;
}
