/* Tables, CSV and cfg text for a quantization plan: see fxq_qreport.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"
#include "fxq_qreport.h"
#include "fxq_walk.h"

void fxq_qreport_budget(char *buf, size_t len, const fxq_qplan_opts *o)
{
    switch (o->budget) {
    case FXQ_BUDGET_BETA0: snprintf(buf, len, "--beta0 %d (first layer's weights; the rest by Eq. 15/16)", (int)o->budget_value); break;
    case FXQ_BUDGET_SQNR: snprintf(buf, len, "--sqnr %g dB (minimum output SQNR; water-filling, Eq. 12/13)", o->budget_value); break;
    case FXQ_BUDGET_SIZE: snprintf(buf, len, "--size-mbits %g (highest predicted SQNR whose weights fit)", o->budget_value); break;
    case FXQ_BUDGET_WBITS: snprintf(buf, len, "--wbits %d (equal bit-width, the paper's baseline)", (int)o->budget_value); break;
    default: snprintf(buf, len, "none"); break;
    }
}

const char *fxq_qreport_objective(const fxq_qplan_opts *o)
{
    if (o->budget == FXQ_BUDGET_SIZE) return "model size (the size budget fixes it)";
    if (o->budget == FXQ_BUDGET_WBITS) return "none (equal bit-width)";
    return o->objective_ops ? "ops (rho_i = multiply-accumulates of layer i)" : "size (rho_i = weights of layer i)";
}

void fxq_qreport_kappa(char *buf, size_t len, const fxq_qplan *p, const fxq_qplan_opts *o)
{
    if (!o->kappa_measured) {
        snprintf(buf, len, "%g dB/bit", o->kappa);
        return;
    }
    snprintf(buf, len, "measured per step (tangent of its SQNR curve at its bits; %d round%s%s)", p->kappa_iterations,
             p->kappa_iterations == 1 ? "" : "s", p->kappa_converged ? "" : ", not converged");
}

static const char *type_name(const fxq_qlayer *l) { return fxq_layer_type_name(l->shape->type); }

static void frac_cell(char *buf, size_t len, const fxq_qplan *p, int frac)
{
    if (p->has_formats) snprintf(buf, len, "%d", frac);
    else snprintf(buf, len, "-");
}

void fxq_qreport_table(FILE *f, const fxq_qplan *p)
{
    fprintf(f, "%5s %-13s %10s %12s %6s %7s %6s %6s %6s %7s %7s %8s %8s %9s %8s\n", "layer", "type", "params", "MACs",
            "w_bits", "w_exact", "w_frac", "b_bits", "b_frac", "in_bits", "in_frac", "out_bits", "out_frac", "w_Mbits",
            "pred_dB");
    for (int i = 0; i < p->nl; ++i) {
        const fxq_qlayer *l = &p->layers[i];
        const fxq_step *w = &p->steps[l->w_step];
        char wf[16], bf[16], inf[16], of[16];
        frac_cell(wf, sizeof wf, p, l->w.frac);
        frac_cell(bf, sizeof bf, p, l->b.frac);
        frac_cell(inf, sizeof inf, p, l->in.frac);
        frac_cell(of, sizeof of, p, l->out.frac);
        fprintf(f, "%5d %-13s %10lld %12lld %6d %7.2f %6s %6d %6s %7d %7s %8d %8s %9.4f %8.2f\n", l->index, type_name(l),
                l->shape->params, l->shape->macs, w->bits, w->exact, wf, l->b_bits, bf, p->steps[l->in_step].bits, inf,
                p->steps[l->out_step].bits, of, (double)l->shape->params * w->bits / 1e6, fxq_qplan_pred_at(p, i));
    }
    fprintf(f, "weights (sum params * w_bits / 1e6): convolutional %.4f Mbits, connected %.4f Mbits, total %.4f Mbits\n",
            fxq_qplan_weight_bits(p, CONVOLUTIONAL) / 1e6, fxq_qplan_weight_bits(p, CONNECTED) / 1e6,
            fxq_qplan_weight_bits(p, -1) / 1e6);
    fprintf(f, "predicted output SQNR (Eq. 9): %.2f dB\n", fxq_alloc_pred_db(p->steps, p->ns));
}

int fxq_qreport_csv(FILE *f, const fxq_qplan *p)
{
    fprintf(f, "layer,type,params,macs,w_bits,w_frac,b_bits,b_frac,a_bits,a_frac,out_bits,out_frac,w_exact,w_kappa,"
               "w_mbits,pred_sqnr_db\n");
    for (int i = 0; i < p->nl; ++i) {
        const fxq_qlayer *l = &p->layers[i];
        const fxq_step *w = &p->steps[l->w_step];
        char wf[16] = "", bf[16] = "", inf[16] = "", of[16] = "";
        if (p->has_formats) {
            snprintf(wf, sizeof wf, "%d", l->w.frac);
            snprintf(bf, sizeof bf, "%d", l->b.frac);
            snprintf(inf, sizeof inf, "%d", l->in.frac);
            snprintf(of, sizeof of, "%d", l->out.frac);
        }
        fprintf(f, "%d,%s,%lld,%lld,%d,%s,%d,%s,%d,%s,%d,%s,%.4f,%.4f,%.6f,%.4f\n", l->index, type_name(l), l->shape->params,
                l->shape->macs, w->bits, wf, l->b_bits, bf, p->steps[l->in_step].bits, inf, p->steps[l->out_step].bits,
                of, w->exact, w->kappa, (double)l->shape->params * w->bits / 1e6, fxq_qplan_pred_at(p, i));
    }
    static const int totals[] = {CONVOLUTIONAL, CONNECTED, -1}; /* -1: all */
    for (size_t t = 0; t < sizeof totals / sizeof totals[0]; ++t) {
        const char *name = totals[t] < 0 ? "all" : fxq_layer_type_name(totals[t]);
        long long params = 0, macs = 0;
        for (int i = 0; i < p->nl; ++i) {
            if (totals[t] >= 0 && p->layers[i].shape->type != totals[t]) continue;
            params += p->layers[i].shape->params;
            macs += p->layers[i].shape->macs;
        }
        fprintf(f, "total,%s,%lld,%lld,,,,,,,,,,,%.6f,", name, params, macs,
                fxq_qplan_weight_bits(p, totals[t]) / 1e6);
        if (totals[t] < 0) fprintf(f, "%.4f", fxq_alloc_pred_db(p->steps, p->ns));
        fputc('\n', f);
    }
    return !ferror(f);
}

static const char *kind_name(fxq_step_kind k)
{
    return k == FXQ_STEP_INPUT ? "input" : k == FXQ_STEP_WEIGHTS ? "weights" : "output";
}

void fxq_qreport_moves(FILE *f, const fxq_qplan *p, const fxq_qplan_opts *o)
{
    int moved = 0;
    for (int i = 0; i < p->ns; ++i) {
        const fxq_step *s = &p->steps[i];
        if (s->pinned || fabs(s->bits - s->exact) < 1e-6) continue;
        if (!moved++)
            fprintf(f, "off the exact solution (exact bits -> integer bits, change of the predicted output SQNR with "
                       "only that step moved):\n");
        const char *why = s->exact < o->lo - 1e-9 || s->exact > o->hi + 1e-9 ? "clamped to the supported range"
                          : fabs(s->bits - s->exact) <= 0.5 + 1e-9          ? "rounded"
                          : o->budget == FXQ_BUDGET_SQNR                    ? "rounded, then moved by the floor check"
                                                                            : "integer search";
        double cost = fxq_alloc_move_cost_db(p->steps, p->ns, i);
        if (fabs(cost) < 0.005) cost = 0; /* no "-0.00" */
        fprintf(f, "  layer %3d %-7s %8.3f -> %2d  %-38s %+7.2f dB\n", s->layer, kind_name(s->kind), s->exact, s->bits,
                why, cost);
    }
    if (!moved) return;
    const double exact = fxq_alloc_pred_exact_db(p->steps, p->ns), got = fxq_alloc_pred_db(p->steps, p->ns);
    fprintf(f, "  all together: exact solution %.2f dB, integer allocation %.2f dB (%+.2f dB)\n", exact, got, got - exact);
    if (o->budget == FXQ_BUDGET_SIZE && !p->search_complete)
        fprintf(f, "  note: the search stopped after %ld nodes; this is the best allocation found, not a proven optimum\n",
                p->search_nodes);
}

/* Shell-quoted argument (newlines would end the comment line). */
static void put_arg(FILE *f, const char *a)
{
    const int plain = a[0] && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == strlen(a);
    if (plain) {
        fputs(a, f);
        return;
    }
    fputc('\'', f);
    for (; *a; ++a) {
        if (*a == '\'') fputs("'\\''", f);
        else fputc(*a == '\n' || *a == '\r' ? '?' : *a, f);
    }
    fputc('\'', f);
}

char *fxq_qreport_cfg_header(const fxq_qplan *p, const fxq_qplan_opts *o, int argc, char **argv, const char *point,
                             const char *cfg, const char *stats_source, const char *weights_out)
{
    char *buf = NULL, tmp[256];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fprintf(f, "# darknet-fxq fixed-point network (Lin, Talathi & Annapureddy, ICML 2016), written by\n#   darknet fxq");
    for (int i = 0; i < argc; ++i) {
        fputc(' ', f);
        put_arg(f, argv[i]);
    }
    if (point) fprintf(f, "\n#   point: %s", point);
    fprintf(f, "\n# from: ");
    put_arg(f, cfg);
    if (weights_out) {
        fprintf(f, " -- load it with ");
        put_arg(f, weights_out);
        fprintf(f, ", written with it (the original .weights would run uncorrected)\n");
    } else {
        fprintf(f, " -- load it with that cfg's original .weights file, unchanged\n");
    }
    fprintf(f, "# objective: %s\n", fxq_qreport_objective(o));
    fxq_qreport_kappa(tmp, sizeof tmp, p, o);
    fprintf(f, "# kappa: %s\n", tmp);
    fxq_qreport_budget(tmp, sizeof tmp, o);
    fprintf(f, "# budget: %s\n", tmp);
    if (o->alloc_acts) fprintf(f, "# activations: allocated with the weights\n");
    else if (o->head_bits && o->head_bits != o->abits)
        fprintf(f, "# activations: %d bits, head outputs (read only by float layers) %d bits\n", o->abits, o->head_bits);
    else fprintf(f, "# activations: %d bits\n", o->abits);
    if (o->fc_bits > 0) fprintf(f, "# connected layers' weights: %d bits, outside the allocation\n", o->fc_bits);
    fprintf(f, "# supported bit-widths: %d..%d; biases: %d bits\n", o->lo, o->hi, o->bbits);
    if (stats_source && o->q.formats == FXQ_FORMATS_PAPER) {
        fprintf(f, "# fractional bits: paper 3.3 rule, xi = %g sigma, %s step sizes, statistics from ", o->q.xi_sigmas,
                fxq_dist_name(o->q.dist));
        put_arg(f, stats_source);
        fputc('\n', f);
    } else if (stats_source) {
        fprintf(f, "# fractional bits: %s (least squared error on the recorded histograms", fxq_formats_name(o->q.formats));
        if (o->q.formats == FXQ_FORMATS_REFINE)
            fprintf(f, ", then refined on %d held-out images: output SQNR %.2f -> %.2f dB, %d fracs moved",
                    p->refine_images, p->refine_db0, p->refine_db1, p->refine_moves);
        fprintf(f, "), statistics from ");
        put_arg(f, stats_source);
        fputc('\n', f);
    }
    fprintf(f, "# predicted output SQNR (Eq. 9): %.2f dB\n", fxq_alloc_pred_db(p->steps, p->ns));
    fprintf(f, "# weights: convolutional %.4f Mbits, connected %.4f Mbits, total %.4f Mbits\n",
            fxq_qplan_weight_bits(p, CONVOLUTIONAL) / 1e6, fxq_qplan_weight_bits(p, CONNECTED) / 1e6,
            fxq_qplan_weight_bits(p, -1) / 1e6);
    fprintf(f, "# the keys each [fxconvolutional]/[fxconnected] section adds are described in docs/quantize.md\n\n");
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *fxq_qreport_cfg_keys(const fxq_qplan *p, int i)
{
    const fxq_qlayer *l = &p->layers[i];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fprintf(f, "# darknet-fxq Q-formats (value = code * 2^-frac): weights, biases, input, output before activation\n");
    if (l->w_fracs) {
        fprintf(f, "w_bits=%d\nw_frac=", l->w.bits);
        for (int u = 0; u < l->units; ++u) fprintf(f, "%s%d", u ? "," : "", l->w_fracs[u]);
        fprintf(f, "\n");
    } else {
        fprintf(f, "w_bits=%d\nw_frac=%d\n", l->w.bits, l->w.frac);
    }
    fprintf(f, "b_bits=%d\nb_frac=%d\n", l->b.bits, l->b.frac);
    fprintf(f, "in_bits=%d\nin_frac=%d\n", l->in.bits, l->in.frac);
    if (l->in_unsigned) fprintf(f, "in_unsigned=1\n");
    if (l->in_win) fprintf(f, "in_zero=%d\n", -l->in_lo);
    fprintf(f, "out_bits=%d\nout_frac=%d\n", l->out.bits, l->out.frac);
    if (l->out_unsigned) fprintf(f, "out_unsigned=1\n");
    if (l->out_win) fprintf(f, "out_zero=%d\n", -l->out_lo);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
