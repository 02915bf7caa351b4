/* Predicted (Eq. 9) vs measured SQNR per fixed-point layer: see fxq_sqnr.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_fold.h"
#include "fxq_layer.h"
#include "fxq_hist_err.h"
#include "fxq_qformat.h"
#include "fxq_sqnr.h"
#include "fxq_walk.h"
#include "network.h"

int fxq_sqnr_match(const network *flt, const network *fx, char *why, size_t why_len)
{
    if (flt->n != fx->n) {
        snprintf(why, why_len, "the float cfg has %d layers, the fixed-point cfg %d", flt->n, fx->n);
        return 0;
    }
    int nfx = 0;
    for (int i = 0; i < fx->n; ++i) {
        const layer *a = &flt->layers[i], *b = &fx->layers[i];
        if (a->outputs != b->outputs) {
            snprintf(why, why_len, "layer %d: %d outputs in the float cfg, %d in the fixed-point cfg", i, a->outputs,
                     b->outputs);
            return 0;
        }
        if (!fxq_layer_is_fixed(b)) continue;
        ++nfx;
        const LAYER_TYPE want = b->type == FXCONVOLUTIONAL ? CONVOLUTIONAL : CONNECTED;
        if (a->type != want || fxq_fold_units(a) != b->fxq->units || fxq_fold_fan_in(a) != b->fxq->fan_in) {
            snprintf(why, why_len, "layer %d: [%s] in the fixed-point cfg, [%s] of another shape in the float cfg", i,
                     fxq_layer_type_name(b->type), fxq_layer_type_name(a->type));
            return 0;
        }
    }
    if (!nfx) {
        snprintf(why, why_len, "the fixed-point cfg has no [fxconvolutional]/[fxconnected] layer");
        return 0;
    }
    return 1;
}

/* Whether quantizing to `in` leaves values already on the `out` grid (and in
 * its range) unchanged. */
static int fxq_lossless(fxq_format out, fxq_format in)
{
    return in.frac >= out.frac && in.bits - in.frac >= out.bits - out.frac;
}

/* Whether the `in` grid contains the `out` grid: re-quantizing then only
 * clips. */
static int fxq_grid_compatible(fxq_format out, fxq_format in) { return in.frac >= out.frac; }

/* SQNR of clipping alone to the range of f: the histogram error of a grid
 * 2^12 times finer with the same range (its rounding noise is negligible). */
static double fxq_clip_sqnr_db(const fxq_tensor_stats *ts, fxq_format f)
{
    const double signal = fxq_ts_power(ts), noise = fxq_hist_mse(ts, ldexp(1, -f.frac - 12), f.bits + 12);
    return signal > 0 && noise > 0 ? 10 * log10(signal / noise) : INFINITY;
}

static int fxq_add_step(fxq_sqnr_report *r, const fxq_stats *st, int layer, fxq_step_kind kind, int tensor,
                        fxq_format f, double params, double kappa_cfg, int clip_only, char *why, size_t why_len)
{
    const fxq_tensor_stats *ts = fxq_stats_get(st, layer, tensor);
    if (!ts || !ts->count) {
        snprintf(why, why_len, "layer %d: no %s statistics", layer, fxq_tensor_names[tensor]);
        return 0;
    }
    fxq_sqnr_step *sp = &r->steps[r->nsteps];
    sp->layer = layer, sp->kind = kind, sp->f = f, sp->clip_only = clip_only;
    sp->tensor_db = clip_only ? fxq_clip_sqnr_db(ts, f) : fxq_sqnr_db(ts, f);
    fxq_step m = {0};
    m.layer = layer, m.kind = kind, m.rho = 1, m.params = params, m.offset = 0;
    m.bits = f.bits, m.exact = f.bits, m.pinned = 1;
    m.kappa = kappa_cfg;
    r->cfg[r->nsteps] = m;
    m.kappa = sp->tensor_db / f.bits;
    r->tensor[r->nsteps] = m;
    r->meas[r->nsteps] = m; /* kappa filled by fxq_sqnr_finish */
    ++r->nsteps;
    return 1;
}

/* The last step is a zero-point window of f.bits codes from lo: its tensor
 * SQNR is the window's error on what the next layer sees (the recorded
 * values, negatives scaled by neg_gain: the activation) against the
 * recorded power; the measured one clamps to the window. */
static void fxq_step_window(fxq_sqnr_report *r, const fxq_stats *st, int layer, int tensor, fxq_format f, int lo,
                            double neg_gain)
{
    fxq_sqnr_step *sp = &r->steps[r->nsteps - 1];
    const fxq_tensor_stats *ts = fxq_stats_get(st, layer, tensor);
    const double e = fxq_hist_mse_window(ts, ldexp(1, -f.frac), lo, lo + (1 << f.bits) - 1, neg_gain);
    const double p = fxq_ts_power(ts);
    sp->win = 1, sp->wlo = lo, sp->wbits = f.bits;
    if (!sp->clip_only) sp->tensor_db = e > 0 && p > 0 ? 10 * log10(p / e) : INFINITY;
    r->tensor[r->nsteps - 1].kappa = sp->tensor_db / f.bits;
}

/* SQNR of a per-channel layer's weights, each row in its own format: exact,
 * on flt's batch-norm-folded float weights (the statistics keep one
 * histogram per tensor, not per row). */
static double fxq_rows_sqnr_db(const layer *fl, const struct fxq_layer_state *s)
{
    const size_t nw = (size_t)s->units * s->fan_in;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)s->units * sizeof *b);
    double sig = 0, err = 0;
    if (w && b) {
        fxq_fold_bn(fl, w, b);
        for (size_t j = 0; j < nw; ++j) {
            const fxq_format f = {s->w.bits, fxq_row_w_frac(s, (int)(j / s->fan_in))};
            const double d = (double)fxq_dequantize(fxq_quantize_ref(w[j], f), f.frac) - w[j];
            sig += (double)w[j] * w[j], err += d * d;
        }
    }
    free(w);
    free(b);
    return sig > 0 && err > 0 ? 10 * log10(sig / err) : INFINITY;
}

fxq_sqnr_report *fxq_sqnr_plan(const network *fx, const network *flt, const fxq_stats *st, const double *kappa_cfg,
                               double default_kappa, char *why, size_t why_len)
{
    fxq_sqnr_report *r = calloc(1, sizeof *r);
    const size_t cap = 3 * (size_t)fx->n + 1;
    if (!r || !(r->layers = calloc((size_t)fx->n, sizeof *r->layers)) || !(r->steps = calloc(cap, sizeof *r->steps)) ||
        !(r->cfg = calloc(cap, sizeof *r->cfg)) || !(r->tensor = calloc(cap, sizeof *r->tensor)) ||
        !(r->meas = calloc(cap, sizeof *r->meas))) {
        fxq_sqnr_free(r);
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    for (int i = 0; i < fx->n; ++i) {
        const layer *l = &fx->layers[i];
        if (!fxq_layer_is_fixed(l)) continue;
        const struct fxq_layer_state *s = l->fxq;
        const double k = kappa_cfg && kappa_cfg[i] > 0 ? kappa_cfg[i] : default_kappa;
        const layer *prev = i ? &fx->layers[i - 1] : NULL;
        /* a(0), or a re-quantization of the input: one that keeps the previous
         * layer's grid only clips (values already on it round exactly) */
        const int fed = prev && fxq_layer_is_fixed(prev);
        /* unsigned codes of b bits cover the non-negative half of signed
         * b + 1 bits: the steps below use that range (the allocation's cost
         * stays b bits) */
        /* a window of b bits lies within signed b + 1 bits: the grid and
         * lossless tests below use that, the step's error the window */
        const fxq_format in_eff = {s->in.bits + (s->in_unsigned || s->in_win), s->in.frac};
        const fxq_format out_eff = {s->out.bits + (s->out_unsigned || s->out_win), s->out.frac};
        const fxq_format prev_out =
            fed ? (fxq_format){prev->fxq->out.bits + (prev->fxq->out_unsigned || prev->fxq->out_win), prev->fxq->out.frac}
                : out_eff;
        if (!fed || !fxq_lossless(prev_out, in_eff)) {
            if (!fxq_add_step(r, st, i, r->nsteps ? FXQ_STEP_OUTPUT : FXQ_STEP_INPUT, FXQ_T_INPUT, in_eff, 0, k,
                              fed && fxq_grid_compatible(prev_out, in_eff), why, why_len))
                goto fail;
            r->steps[r->nsteps - 1].unsig = s->in_unsigned;
            if (s->in_win) fxq_step_window(r, st, i, FXQ_T_INPUT, s->in, s->in_lo, 1);
        }
        if (!fxq_add_step(r, st, i, FXQ_STEP_WEIGHTS, FXQ_T_WEIGHTS, s->w, (double)s->units * s->fan_in, k, 0, why,
                          why_len))
            goto fail;
        if (s->w_fracs && flt) { /* per-channel: every row in its own format */
            fxq_sqnr_step *sp = &r->steps[r->nsteps - 1];
            sp->tensor_db = fxq_rows_sqnr_db(&flt->layers[i], s);
            sp->per_row = 1;
            r->tensor[r->nsteps - 1].kappa = sp->tensor_db / s->w.bits;
        }
        if (!fxq_add_step(r, st, i, FXQ_STEP_OUTPUT, FXQ_T_PREACT, out_eff, 0, k, 0, why, why_len)) goto fail;
        if (s->out_win)
            fxq_step_window(r, st, i, FXQ_T_PREACT, s->out, s->out_lo,
                            s->act == FXQ_ACT_LEAKY ? 0.1 : s->act == FXQ_ACT_RELU ? 0 : 1);
        fxq_sqnr_layer *sl = &r->layers[r->n++];
        sl->layer = i;
        sl->nsteps = r->nsteps;
    }
    return r;
fail:
    fxq_sqnr_free(r);
    return NULL;
}

void fxq_sqnr_weights_twin(const fxq_sqnr_report *r, const network *fx, network *wq)
{
    for (int k = 0; k < r->n; ++k) {
        const int i = r->layers[k].layer;
        const struct fxq_layer_state *s = fx->layers[i].fxq;
        layer *l = &wq->layers[i];
        const size_t nw = (size_t)s->units * s->fan_in;
        for (size_t j = 0; j < nw; ++j) l->weights[j] = fxq_dequantize(s->w_codes[j], fxq_row_w_frac(s, (int)(j / s->fan_in)));
        for (int u = 0; u < s->units; ++u) {
            l->biases[u] = (float)ldexp((double)s->bias_acc[u], -fxq_row_acc_frac(s, u));
            if (l->batch_normalize) { /* identity to float precision */
                l->scales[u] = 1.f;
                l->rolling_mean[u] = 0.f;
                l->rolling_variance[u] = (1.f - .000001f) * (1.f - .000001f);
            }
        }
    }
}

static double fxq_sq_err(const float *a, const float *b, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; ++i) {
        const double d = (double)a[i] - b[i];
        e += d * d;
    }
    return e;
}

/* x quantized to f (or only clipped to its range) into dst. */
static void fxq_requant(const float *x, size_t n, fxq_format f, int clip_only, int unsig, float *dst);

/* x into a step's window (clamped after rounding, as the layers do). */
static void fxq_requant_window(const float *x, size_t n, const fxq_sqnr_step *sp, float *dst)
{
    const int64_t lo = sp->wlo, hi = sp->wlo + ((int64_t)1 << sp->wbits) - 1;
    for (size_t i = 0; i < n; ++i) {
        const int64_t q = fxq_quantize64_ref((double)x[i], sp->f.frac, lo, hi);
        dst[i] = sp->clip_only ? fminf(fmaxf(x[i], fxq_dequantize(lo, sp->f.frac)), fxq_dequantize(hi, sp->f.frac))
                               : fxq_dequantize(q, sp->f.frac);
    }
}

static void fxq_requant(const float *x, size_t n, fxq_format f, int clip_only, int unsig, float *dst)
{
    const float lo = unsig ? 0.f : fxq_dequantize(fxq_code_min(f.bits), f.frac), hi = fxq_dequantize(fxq_code_max(f.bits), f.frac);
    for (size_t i = 0; i < n; ++i)
        dst[i] = clip_only || (unsig && x[i] < 0) ? (x[i] < lo ? lo : x[i] > hi ? hi : x[i])
                                                 : fxq_dequantize(fxq_quantize_ref(x[i], f), f.frac);
}

void fxq_sqnr_accumulate(fxq_sqnr_report *r, const network *flt, const network *fx, network *wq, network *f2,
                         const float *x, int m)
{
    int s = 0;
    for (int k = 0; k < r->n; ++k) {
        fxq_sqnr_layer *sl = &r->layers[k];
        const int i = sl->layer;
        const layer *a = &flt->layers[i], *b = &fx->layers[i];
        const size_t n = (size_t)a->outputs * m, nin = (size_t)a->inputs * m;
        const float *in = i ? flt->layers[i - 1].output : x;
        double sig = 0;
        for (size_t j = 0; j < n; ++j) sig += (double)a->output[j] * a->output[j];
        sl->sig += sig;
        sl->err += fxq_sq_err(a->output, b->output, n);
        sl->count += (long)n;
        if ((size_t)a->inputs * flt->batch > r->buf_len || (size_t)a->outputs * flt->batch > r->buf_len) {
            const size_t len = (size_t)(a->inputs > a->outputs ? a->inputs : a->outputs) * flt->batch;
            float *nb = realloc(r->buf, len * sizeof *nb);
            if (!nb) {
                fprintf(stderr, "darknet fxq sqnr: out of memory\n");
                exit(1);
            }
            r->buf = nb, r->buf_len = len;
        }
        if (k) { /* upstream noise alone: the float layer on the fixed-point input */
            fxq_layer_run_on(f2, i, i ? fx->layers[i - 1].output : (float *)x);
            sl->up_sig += sig;
            sl->up_err += fxq_sq_err(a->output, f2->layers[i].output, n);
        }
        for (; s < sl->nsteps; ++s) {
            fxq_sqnr_step *sp = &r->steps[s];
            sp->sig += sig;
            if (sp->kind == FXQ_STEP_WEIGHTS) {
                fxq_layer_run_on(wq, i, (float *)in);
                sp->err += fxq_sq_err(a->output, wq->layers[i].output, n);
            } else if (s + 1 < sl->nsteps) { /* the layer's input */
                if (sp->win) fxq_requant_window(in, nin, sp, r->buf);
                else fxq_requant(in, nin, sp->f, sp->clip_only, sp->unsig, r->buf);
                fxq_layer_run_on(f2, i, r->buf);
                sp->err += fxq_sq_err(a->output, f2->layers[i].output, n);
            } else { /* its output */
                if (sp->win) fxq_requant_window(a->output, n, sp, r->buf);
                else fxq_requant(a->output, n, sp->f, 0, 0, r->buf);
                sp->err += fxq_sq_err(a->output, r->buf, n);
            }
        }
    }
}

static double fxq_db(double sig, double err) { return err > 0 ? 10 * log10(sig / err) : INFINITY; }

void fxq_sqnr_finish(fxq_sqnr_report *r)
{
    for (int s = 0; s < r->nsteps; ++s) {
        fxq_sqnr_step *sp = &r->steps[s];
        sp->alone_db = fxq_db(sp->sig, sp->err);
        r->meas[s].kappa = sp->alone_db / sp->f.bits;
    }
    double noise = 0; /* arriving at the current layer, with gains */
    for (int k = 0, s = 0; k < r->n; ++k) {
        fxq_sqnr_layer *sl = &r->layers[k];
        sl->measured_db = fxq_db(sl->sig, sl->err);
        sl->pred_cfg_db = fxq_alloc_pred_db(r->cfg, sl->nsteps);
        sl->pred_tensor_db = fxq_alloc_pred_db(r->tensor, sl->nsteps);
        sl->pred_meas_db = fxq_alloc_pred_db(r->meas, sl->nsteps);
        sl->gain_db = k && isfinite(r->layers[k - 1].measured_db)
                          ? fxq_db(sl->up_sig, sl->up_err) - r->layers[k - 1].measured_db
                          : 0;
        if (!isfinite(sl->gain_db)) sl->gain_db = 0;
        noise *= pow(10, -sl->gain_db / 10);
        for (; s < sl->nsteps; ++s) noise += fxq_step_noise(&r->meas[s], r->meas[s].bits);
        sl->pred_gain_db = noise > 0 ? -10 * log10(noise) : INFINITY;
    }
}

void fxq_sqnr_free(fxq_sqnr_report *r)
{
    if (!r) return;
    free(r->layers);
    free(r->steps);
    free(r->cfg);
    free(r->tensor);
    free(r->meas);
    free(r->buf);
    free(r);
}
