/* Quantization plan: steps from layer shapes, the budget, the Q-formats.
 * See fxq_qplan.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"
#include "fxq_policy.h"
#include "fxq_qplan.h"

#define FXQ_MEASURE_ROUNDS 10 /* relinearisations of measured kappa before giving up */

void fxq_qplan_free(fxq_qplan *p)
{
    if (!p) return;
    fxq_netshape_free(p->shapes);
    for (int i = 0; p->layers && i < p->nl; ++i) free(p->layers[i].w_fracs), free(p->layers[i].b_shift),
            free(p->layers[i].w_opt);
    free(p->layers);
    free(p->steps);
    free(p);
}

static fxq_step make_step(int layer, fxq_step_kind kind, double rho, double params, double kappa)
{
    fxq_step s;
    memset(&s, 0, sizeof s);
    s.layer = layer;
    s.kind = kind;
    s.rho = rho;
    s.params = params;
    s.kappa = kappa;
    return s;
}

static void pin(fxq_step *s, int bits)
{
    s->pinned = 1;
    s->bits = bits;
    s->exact = bits;
}

fxq_qplan *fxq_qplan_build(const fxq_netshape *ns, const fxq_qplan_opts *o, char *why, size_t why_len)
{
    if (!(o->kappa > 0) || !isfinite(o->kappa)) {
        snprintf(why, why_len, "kappa must be a positive number of dB/bit (got %g)", o->kappa);
        return NULL;
    }
    if (o->lo < FXQ_MIN_BITS || o->hi > FXQ_MAX_BITS || o->lo > o->hi) {
        snprintf(why, why_len, "bit-width range %d..%d is outside what the kernels support (%d..%d)", o->lo, o->hi,
                 FXQ_MIN_BITS, FXQ_MAX_BITS);
        return NULL;
    }
    int nl = 0;
    for (int i = 0; i < ns->n; ++i) nl += ns->layers[i].quantizable;
    if (!nl) {
        snprintf(why, why_len, "no [convolutional] or [connected] layer to quantize");
        return NULL;
    }
    fxq_qplan *p = calloc(1, sizeof *p);
    if (!p || !(p->layers = calloc((size_t)nl, sizeof *p->layers)) ||
        !(p->steps = calloc(3 * (size_t)nl, sizeof *p->steps))) {
        snprintf(why, why_len, "out of memory");
        fxq_qplan_free(p);
        return NULL;
    }
    p->search_complete = 1;
    /* --head-bits: a head's output is read by no quantized layer, so the
     * next quantized layer in cfg order (a yolo network's other branch)
     * gets an input step of its own at abits instead of the chain's */
    const int head_bits = o->head_bits > 0 && !o->alloc_acts ? o->head_bits : 0;
    int prev_head = 0;
    for (int i = 0; i < ns->n; ++i) {
        const fxq_layer_shape *sh = &ns->layers[i];
        if (!sh->quantizable) continue;
        fxq_qlayer *ql = &p->layers[p->nl++];
        ql->index = i;
        ql->shape = sh;
        ql->b_bits = o->bbits;
        if (p->ns == 0 || (prev_head && head_bits != o->abits)) { /* a(0): the first quantized layer's input (or one after a head) */
            p->steps[p->ns] = make_step(i, FXQ_STEP_INPUT, (double)sh->inputs, 0, o->kappa);
            if (!o->alloc_acts) pin(&p->steps[p->ns], o->abits);
            p->ns++;
        }
        ql->in_step = p->ns - 1; /* the previous quantized layer's output, or a(0) */
        const double rho_w = o->objective_ops ? (double)sh->macs : (double)sh->params;
        ql->w_step = p->ns;
        p->steps[p->ns] = make_step(i, FXQ_STEP_WEIGHTS, rho_w, (double)sh->params, o->kappa);
        if (o->fc_bits > 0 && sh->type == CONNECTED) pin(&p->steps[p->ns], o->fc_bits);
        p->ns++;
        ql->out_step = p->ns;
        p->steps[p->ns] = make_step(i, FXQ_STEP_OUTPUT, (double)sh->outputs, 0, o->kappa);
        if (!o->alloc_acts) pin(&p->steps[p->ns], head_bits && sh->head ? head_bits : o->abits);
        p->ns++;
        prev_head = head_bits && sh->head;
    }
    return p;
}

/* Which recorded tensor a step quantizes. */
static const fxq_tensor_stats *step_tensor(const fxq_stats *st, const fxq_step *s)
{
    const int t = s->kind == FXQ_STEP_INPUT ? FXQ_T_INPUT : s->kind == FXQ_STEP_WEIGHTS ? FXQ_T_WEIGHTS : FXQ_T_PREACT;
    return fxq_stats_get(st, s->layer, t);
}

static const char *step_name(const fxq_step *s)
{
    return s->kind == FXQ_STEP_INPUT ? "input" : s->kind == FXQ_STEP_WEIGHTS ? "weights" : "output";
}

/* Measured kappa: the tangent of the step's measured SQNR curve at `bits`
 * (slope fxq_kappa_measured, through the measured point), so the model is
 * exact at the operating point and its slope is the marginal dB per bit the
 * allocation trades. */
static void linearise(fxq_step *s, const fxq_tensor_stats *t, int bits, const fxq_qplan_opts *o, FILE *warn)
{
    const double k = t ? fxq_kappa_measured(t, bits, &o->q) : 0;
    const double g = t ? fxq_sqnr_db(t, fxq_choose_format(t, bits, &o->q)) : 0;
    if (k > 0.1 && isfinite(k) && isfinite(g)) {
        s->kappa = k;
        s->offset = g - k * bits;
        return;
    }
    /* No usable slope (the histogram's resolution ends first at high bits):
     * Eq. 2 through the origin still reproduces the measured point. */
    if (isfinite(g) && g / bits > 0.1) {
        s->kappa = g / bits;
        s->offset = 0;
        return;
    }
    if (warn)
        fprintf(warn, "warning: layer %d %s: kappa cannot be measured at %d bits (%s); using %g dB/bit\n", s->layer,
                step_name(s), bits, t ? "no usable SQNR slope" : "no statistics", o->kappa);
    s->kappa = o->kappa;
    s->offset = 0;
}

static int solve(fxq_qplan *p, const fxq_qplan_opts *o, char *why, size_t why_len)
{
    switch (o->budget) {
    case FXQ_BUDGET_BETA0:
        return fxq_alloc_beta0(p->steps, p->ns, (int)o->budget_value, o->lo, o->hi, why, why_len);
    case FXQ_BUDGET_SQNR:
        return fxq_alloc_sqnr(p->steps, p->ns, o->budget_value, o->lo, o->hi, why, why_len);
    case FXQ_BUDGET_SIZE: {
        int free_w = 0;
        for (int i = 0; i < p->ns; ++i) free_w += !p->steps[i].pinned && p->steps[i].kind == FXQ_STEP_WEIGHTS;
        /* each node evaluates a bound over the free layers: cap the work */
        const long limit = o->node_limit > 0 ? o->node_limit : 20000000L / (free_w > 0 ? free_w : 1);
        return fxq_alloc_size(p->steps, p->ns, o->budget_value * 1e6, o->lo, o->hi, limit, &p->search_nodes,
                              &p->search_complete, why, why_len);
    }
    case FXQ_BUDGET_WBITS:
        return fxq_alloc_equal(p->steps, p->ns, (int)o->budget_value, o->lo, o->hi, why, why_len);
    default:
        snprintf(why, why_len, "no budget given");
        return 0;
    }
}

int fxq_qplan_allocate(fxq_qplan *p, const fxq_qplan_opts *o, const fxq_stats *st, FILE *warn, char *why,
                       size_t why_len)
{
    p->kappa_iterations = 0;
    p->kappa_converged = 1;
    if (!o->kappa_measured) return solve(p, o, why, why_len);
    if (!st) {
        snprintf(why, why_len, "--kappa measured needs calibration statistics (<weights> <calib.list|file.stats>)");
        return 0;
    }
    /* Relinearise at the allocation until it stops moving: start every free
     * step at 8 bits, fixed steps at their own. */
    int *prev = malloc(sizeof(int) * (size_t)p->ns);
    if (!prev) {
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    for (int i = 0; i < p->ns; ++i) prev[i] = p->steps[i].pinned ? p->steps[i].bits : 8;
    /* Integer decisions use each step's measured SQNR at every width: the
     * lines below only steer the real-valued solution, and a measured curve
     * is not a line (they may never settle). */
    for (int i = 0; i < p->ns; ++i) {
        fxq_step *s = &p->steps[i];
        const fxq_tensor_stats *t = step_tensor(st, s);
        if (!t) continue;
        s->has_tab = 1;
        s->tab_db[0] = 0;
        for (int b = 1; b <= FXQ_ALLOC_TAB_BITS; ++b) {
            const double g = fxq_sqnr_db(t, fxq_choose_format(t, b, &o->q));
            s->tab_db[b] = isfinite(g) ? g : 200.0; /* an all-zero tensor loses nothing */
        }
    }
    int ok = 1;
    p->kappa_converged = 0;
    for (int round = 0; round < FXQ_MEASURE_ROUNDS && ok; ++round) {
        for (int i = 0; i < p->ns; ++i)
            linearise(&p->steps[i], step_tensor(st, &p->steps[i]), prev[i], o, round == 0 ? warn : NULL);
        ok = solve(p, o, why, why_len);
        p->kappa_iterations = round + 1;
        int moved = 0;
        for (int i = 0; i < p->ns && ok; ++i) moved |= p->steps[i].bits != prev[i], prev[i] = p->steps[i].bits;
        if (ok && !moved) {
            p->kappa_converged = 1;
            break;
        }
    }
    /* Report the model at the final bits (exact for each step there). */
    if (ok) {
        for (int i = 0; i < p->ns; ++i) {
            const double exact = p->steps[i].exact;
            linearise(&p->steps[i], step_tensor(st, &p->steps[i]), p->steps[i].bits, o, NULL);
            p->steps[i].exact = exact;
        }
    }
    free(prev);
    return ok;
}

static int format_for(const fxq_stats *st, int layer, int tensor, int bits, const fxq_qopts *q, fxq_format *f,
                      char *why, size_t why_len)
{
    const fxq_tensor_stats *t = fxq_stats_get(st, layer, tensor);
    if (!t) {
        snprintf(why, why_len, "the statistics have no %s record for layer %d", fxq_tensor_names[tensor], layer);
        return 0;
    }
    *f = fxq_choose_format(t, bits, q);
    return 1;
}

/* An input recorded >= 0 (the image, ReLU outputs) under mse/refine with
 * unsigned_in: unsigned codes of `bits` hold [0, 2^bits - 1] steps, exactly
 * the non-negative half of signed bits + 1, so the least-error search at
 * bits + 1 is the search over the unsigned range. */
int fxq_qplan_windows(const fxq_qopts *q, int bits)
{
    /* 10 bits: the search tries up to 2^bits windows per frac */
    return q->formats != FXQ_FORMATS_PAPER && q->unsigned_in && q->windows && bits >= 2 && bits <= 10;
}

int fxq_qplan_input_format(const fxq_stats *st, fxq_qlayer *l, int bits, const fxq_qopts *q, char *why, size_t why_len)
{
    const fxq_tensor_stats *t = fxq_stats_get(st, l->index, FXQ_T_INPUT);
    l->in_win = l->in_lo = 0;
    if (t && fxq_qplan_windows(q, bits)) {
        /* the least error over every window; 0 and the signed one are
         * written as before (in_unsigned=1 / no key) */
        int lo;
        l->in = (fxq_format){bits, fxq_mse_window(t, bits, 1, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &lo, NULL)};
        l->in_unsigned = lo == 0;
        l->in_win = lo != 0 && lo != -(1 << (bits - 1));
        l->in_lo = l->in_win ? lo : 0;
        return 1;
    }
    l->in_unsigned = t && q->formats != FXQ_FORMATS_PAPER && q->unsigned_in && t->count && t->min >= 0 && bits <= 15;
    if (!format_for(st, l->index, FXQ_T_INPUT, bits + l->in_unsigned, q, &l->in, why, why_len)) return 0;
    l->in.bits = bits;
    return 1;
}

int fxq_qplan_formats(fxq_qplan *p, const fxq_stats *st, const fxq_qopts *q, char *why, size_t why_len)
{
    for (int i = 0; i < p->nl; ++i) {
        fxq_qlayer *l = &p->layers[i];
        if (!format_for(st, l->index, FXQ_T_WEIGHTS, p->steps[l->w_step].bits, q, &l->w, why, why_len) ||
            !format_for(st, l->index, FXQ_T_BIASES, l->b_bits, q, &l->b, why, why_len) ||
            !fxq_qplan_input_format(st, l, p->steps[l->in_step].bits, q, why, why_len) ||
            !format_for(st, l->index, FXQ_T_PREACT, p->steps[l->out_step].bits, q, &l->out, why, why_len))
            return 0;
        /* mse/refine with unsigned_in: the output's error as the next layer
         * sees it, after the activation (relu drops the negative side) */
        l->out_win = l->out_lo = 0;
        const int act_ok = !strcmp(l->shape->activation, "linear") || !strcmp(l->shape->activation, "relu") ||
                           !strcmp(l->shape->activation, "leaky");
        if (act_ok && fxq_qplan_windows(q, l->out.bits)) {
            /* what the next layer sees, after the activation; relu at 0 is
             * out_unsigned=1, linear at the signed window the default */
            const int relu = !strcmp(l->shape->activation, "relu"), lin = !strcmp(l->shape->activation, "linear");
            const double g = relu ? 0 : lin ? 1 : 0.1;
            int lo;
            l->out.frac = fxq_mse_window(fxq_stats_get(st, l->index, FXQ_T_PREACT), l->out.bits, g,
                                         FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &lo, NULL);
            l->out_unsigned = relu && lo == 0;
            l->out_win = !l->out_unsigned && !(lin && lo == -(1 << (l->out.bits - 1)));
            l->out_lo = l->out_win ? lo : 0;
        } else if (q->formats != FXQ_FORMATS_PAPER && q->unsigned_in &&
            strcmp(l->shape->activation, "linear")) {
            const int relu = !strcmp(l->shape->activation, "relu");
            const double g = relu ? 0 : !strcmp(l->shape->activation, "leaky") ? 0.1 : 1;
            /* relu: unsigned output codes, one more bit of the positive side */
            l->out_unsigned = relu && l->out.bits <= 15;
            l->out.frac = fxq_mse_frac_act(fxq_stats_get(st, l->index, FXQ_T_PREACT), l->out.bits + l->out_unsigned,
                                           g, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX);
        }
        /* The bias is added to the accumulator (frac w + in): a coarser or
         * equal grid converts by an exact left shift. */
        l->b_frac_clamped = l->b.frac > l->w.frac + l->in.frac;
        if (l->b_frac_clamped) l->b.frac = l->w.frac + l->in.frac;
    }
    p->has_formats = 1;
    return 1;
}

/* FXQ_LAYER_FRAC_MIN..MAX (fxq_policy.h): the range fxq_layer.c accepts. */
static int frac_ok(const fxq_qlayer *l, const char *name, fxq_format f, char *why, size_t why_len)
{
    if (f.frac >= FXQ_LAYER_FRAC_MIN && f.frac <= FXQ_LAYER_FRAC_MAX) return 1;
    snprintf(why, why_len, "layer %d: the %s format would need %d fractional bits, outside the %d..%d the fixed-point "
             "layers accept (a tensor of extreme scale)", l->index, name, f.frac, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX);
    return 0;
}

int fxq_qplan_check_layers(const fxq_qplan *p, char *why, size_t why_len)
{
    for (int i = 0; i < p->nl; ++i) {
        const fxq_qlayer *l = &p->layers[i];
        if (l->shape->why_not[0]) {
            snprintf(why, why_len, "layer %d: %s", l->index, l->shape->why_not);
            return 0;
        }
        if (p->has_formats && (!frac_ok(l, "weights", l->w, why, why_len) || !frac_ok(l, "biases", l->b, why, why_len) ||
                               !frac_ok(l, "input", l->in, why, why_len) || !frac_ok(l, "output", l->out, why, why_len)))
            return 0;
    }
    return 1;
}

double fxq_qplan_weight_bits(const fxq_qplan *p, int type)
{
    double bits = 0;
    for (int i = 0; i < p->nl; ++i) {
        const fxq_qlayer *l = &p->layers[i];
        if (type < 0 || l->shape->type == type) bits += (double)l->shape->params * p->steps[l->w_step].bits;
    }
    return bits;
}

double fxq_qplan_pred_at(const fxq_qplan *p, int l)
{
    return fxq_alloc_pred_db(p->steps, p->layers[l].out_step + 1);
}
