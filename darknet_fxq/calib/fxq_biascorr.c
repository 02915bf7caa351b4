/* Bias correction: see fxq_biascorr.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_pipe.h"
#include "fxq_biascorr.h"
#include "fxq_calpair.h"
#include "fxq_eval.h"
#include "fxq_fold.h"
#include "fxq_input.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_outfile.h"
#include "fxq_refine.h"

/* The value before the activation, from the value after it, where the
 * activation is the identity; 0 elsewhere. Leaky's negative side is not
 * inverted: the fixed-point layer rounds 0.1 x on codes, and x 10 would turn
 * that rounding into a shift that is not there (measured: it made the
 * correction worse than none). */
static int fxq_preact(ACTIVATION a, float y, double *x)
{
    *x = y;
    return a == LINEAR || ((a == LEAKY || a == RELU) && y > 0);
}

/* Adds this batch's per-channel sums of (fixed - float) before the
 * activation at layer l. */
static void fxq_bias_accumulate(const layer *lf, const layer *lq, int m, double *sum, long *cnt)
{
    const int units = lq->fxq->units, spatial = lf->outputs / units;
    for (int b = 0; b < m; ++b)
        for (int u = 0; u < units; ++u) {
            const size_t at = (size_t)b * lf->outputs + (size_t)u * spatial;
            for (int k = 0; k < spatial; ++k) {
                double xf, xq;
                if (!fxq_preact(lf->activation, lf->output[at + k], &xf) ||
                    !fxq_preact(lq->activation, lq->output[at + k], &xq))
                    continue;
                sum[u] += xq - xf;
                ++cnt[u];
            }
        }
}

int fxq_bias_correct(fxq_qplan *p, const fxq_cfgtext *text, const fxq_calpair_src *o, char *why, size_t why_len)
{
    int ok = 0;
    fxq_calpair c;
    double *sum = NULL;
    long *cnt = NULL;
    if (!fxq_calpair_open(&c, p, text, o, why, why_len)) return 0;
    network *fx = c.fx, *flt = c.flt;
    const int n = c.n;
    fxq_pipe_set_all_float(fx, 1); /* every corrected layer's own output is read */
    int maxu = 1;
    for (int k = 0; k < p->nl; ++k)
        if (fx->layers[p->layers[k].index].fxq->units > maxu) maxu = fx->layers[p->layers[k].index].fxq->units;
    sum = malloc((size_t)maxu * sizeof *sum);
    cnt = malloc((size_t)maxu * sizeof *cnt);
    if (!sum || !cnt) {
        snprintf(why, why_len, "out of memory for %d calibration images", n);
        goto cleanup;
    }
    if (!o->quiet)
        fprintf(stderr, "fxq quantize: bias correction on %d images from %s: %d layers\n", n, o->list, p->nl);
    for (int k = 0; k < p->nl; ++k) {
        fxq_qlayer *ql = &p->layers[k];
        layer *lq = &fx->layers[ql->index];
        const layer *lf = &flt->layers[ql->index];
        const int units = lq->fxq->units;
        memset(sum, 0, (size_t)units * sizeof *sum);
        memset(cnt, 0, (size_t)units * sizeof *cnt);
        for (int start = 0; start < n; start += c.batch) {
            const int m = fxq_calpair_fill(&c, start);
            network_predict(flt, c.buf);
            network_predict(fx, c.buf);
            fxq_bias_accumulate(lf, lq, m, sum, cnt);
        }
        free(ql->b_shift);
        if (!(ql->b_shift = malloc((size_t)units * sizeof *ql->b_shift))) {
            snprintf(why, why_len, "out of memory");
            goto cleanup;
        }
        double mean_abs = 0;
        for (int u = 0; u < units; ++u) {
            ql->b_shift[u] = cnt[u] ? (float)(sum[u] / cnt[u]) : 0.f;
            lq->biases[u] -= ql->b_shift[u];
            mean_abs += ql->b_shift[u] < 0 ? -ql->b_shift[u] : ql->b_shift[u];
        }
        lq->fxq->prepared = 0;
        fxq_layer_prepare(lq);
        if (!o->quiet)
            fprintf(stderr, "  layer %3d: mean |bias shift| %.3g (output step %.3g)\n", ql->index, mean_abs / units,
                    ldexp(1, -ql->out.frac));
    }
    ok = 1;
cleanup:
    fxq_calpair_close(&c);
    free(sum);
    free(cnt);
    return ok;
}

/* The float network with the plan's corrections applied, or NULL + why. */
static network *fxq_bias_applied(const fxq_qplan *p, const char *cfg, const char *weights, char *why, size_t why_len)
{
    network *net = fxq_net_load_quiet(cfg, weights, 1, why, why_len);
    if (!net) return NULL;
    for (int k = 0; k < p->nl; ++k) {
        const fxq_qlayer *ql = &p->layers[k];
        layer *l = &net->layers[ql->index];
        for (int u = 0; ql->b_shift && u < fxq_fold_units(l); ++u) l->biases[u] -= ql->b_shift[u];
        if (ql->w_opt) /* --round-opt: the rows it chose */
            memcpy(l->weights, ql->w_opt, (size_t)fxq_fold_units(l) * fxq_fold_fan_in(l) * sizeof *l->weights);
    }
    return net;
}

int fxq_bias_save_weights(const fxq_qplan *p, const char *cfg, const char *weights, const char *file, char *why,
                          size_t why_len)
{
    network *net = fxq_bias_applied(p, cfg, weights, why, why_len);
    if (!net) return 0;
    fxq_net_save_quiet(net, file); /* its "Saving weights to" would name the temp file */
    free_network(net);
    return 1;
}
