/* `darknet fxq sqnr`: per fixed-point layer, the SQNR of its output against
 * the float network's (measured over N images) beside Eq. 9's prediction
 * with the cfg's kappa and with measured kappa (fxq_sqnr.h): the paper's
 * Table 6 for any network. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_eval.h"
#include "fxq_file.h"
#include "fxq_input.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_sqnr.h"
#include "fxq_stats_net.h"
#include "fxq_walk.h"

static void fxq_sqnr_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq sqnr <cfg> <fx.cfg> <weights> <list> [options]\n"
               "  Runs the float <cfg> and the fixed-point <fx.cfg> (both with <weights>) on the\n"
               "  first N images of <list>; per fixed-point layer prints the measured SQNR of its\n"
               "  output vs float beside Eq. 9's prediction from per-step kappas (gamma = kappa*beta):\n"
               "    cfg   the kappa the allocation assumed (the cfg's '# kappa:' line, or --kappa)\n"
               "    tens  each step's SQNR on the recorded float tensor / its bits (paper §3.1;\n"
               "          per-channel weights: every row in its own format, on the folded weights)\n"
               "    meas  each step's SQNR measured alone at its layer's output / its bits\n"
               "options:\n"
               "  -n N          images (default 256)\n"
               "  --kappa K     the cfg's kappa in dB/bit (default: the '# kappa: K dB/bit' line\n"
               "                fxq quantize writes, else 3)\n"
               "  --stats FILE  float statistics of the same images (else collected now)\n"
               "  --csv         CSV on stdout instead of the table\n"
               "  -o FILE       also write the CSV to FILE\n"
               "  -v            also list every quantization step\n"
               "  --batch B     images per forward pass (default 32)\n"
               "  -q            no progress or layer table on stderr\n");
}

/* The kappa `fxq quantize` allocated with, from the header it writes
 * ("# kappa: 3 dB/bit"); 0 when the cfg records none or a measured one. */
static double fxq_cfg_kappa(const char *cfg)
{
    FILE *f = fopen(cfg, "r");
    char line[512];
    double k = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] != '#') {
            if (line[0] == '[') break; /* the header precedes [net] */
            continue;
        }
        char unit[16] = "";
        if (sscanf(line, "# kappa: %lf %15s", &k, unit) == 2 && !strcmp(unit, "dB/bit")) break;
        k = 0;
    }
    if (f) fclose(f);
    return k > 0 && isfinite(k) ? k : 0;
}

static void fxq_print_csv(FILE *out, const fxq_sqnr_report *r, const network *fx)
{
    fprintf(out, "layer,type,w_bits,in_bits,out_bits,measured_db,pred_cfg_kappa_db,pred_tensor_kappa_db,"
                 "pred_measured_kappa_db,err_cfg_kappa_db,err_tensor_kappa_db,err_measured_kappa_db,gain_db,"
                 "pred_measured_gain_db,err_measured_gain_db,cfg_kappa,images\n");
    for (int k = 0; k < r->n; ++k) {
        const fxq_sqnr_layer *sl = &r->layers[k];
        const layer *l = &fx->layers[sl->layer];
        const struct fxq_layer_state *s = l->fxq;
        fprintf(out, "%d,%s,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%ld\n", sl->layer,
                fxq_layer_type_name(l->type), s->w.bits, s->in.bits, s->out.bits, sl->measured_db, sl->pred_cfg_db,
                sl->pred_tensor_db, sl->pred_meas_db, sl->pred_cfg_db - sl->measured_db,
                sl->pred_tensor_db - sl->measured_db, sl->pred_meas_db - sl->measured_db, sl->gain_db,
                sl->pred_gain_db, sl->pred_gain_db - sl->measured_db, r->cfg[sl->nsteps - 1].kappa,
                sl->count / l->outputs);
    }
}

typedef struct fxq_csv_ctx {
    const fxq_sqnr_report *r;
    const network *fx;
} fxq_csv_ctx;

static int fxq_emit_csv(FILE *f, void *ctxp)
{
    const fxq_csv_ctx *c = ctxp;
    fxq_print_csv(f, c->r, c->fx);
    return 1;
}

static int fxq_write_csv(const char *path, const fxq_sqnr_report *r, const network *fx, char *why, size_t why_len)
{
    fxq_csv_ctx c = {r, fx};
    return fxq_file_write(path, fxq_emit_csv, &c, why, why_len);
}

static const char *fxq_step_name(const fxq_sqnr_step *s)
{
    if (s->kind == FXQ_STEP_WEIGHTS) return s->per_row ? "weights/row" : "weights";
    if (s->kind == FXQ_STEP_INPUT) return "input a(0)";
    return s->clip_only ? "input clip" : "activations";
}

static void fxq_print_table(const fxq_sqnr_report *r, const network *fx, int images, int verbose)
{
    printf("SQNR (dB) of each fixed-point layer's output vs the float network, %d images.\n"
           "Predictions: Eq. 9 with kappa from the cfg / of the tensors / measured per step (see --help).\n",
           images);
    printf("%5s  %-15s %3s %3s %3s  %9s  %9s  %9s  %9s  %7s  %6s  %9s  %7s\n", "layer", "type", "w", "in", "out",
           "measured", "pred cfg", "pred tens", "pred meas", "diff", "gain", "pred+gain", "diff");
    double worst = 0, worst_gain = 0;
    for (int k = 0; k < r->n; ++k) {
        const fxq_sqnr_layer *sl = &r->layers[k];
        const layer *l = &fx->layers[sl->layer];
        const double d = sl->pred_meas_db - sl->measured_db;
        if (fabs(d) > worst) worst = fabs(d);
        if (fabs(sl->pred_gain_db - sl->measured_db) > worst_gain) worst_gain = fabs(sl->pred_gain_db - sl->measured_db);
        printf("%5d  %-15s %3d %3d %3d  %9.2f  %9.2f  %9.2f  %9.2f  %+7.2f  %+6.2f  %9.2f  %+7.2f\n", sl->layer,
               fxq_layer_type_name(l->type), l->fxq->w.bits, l->fxq->in.bits, l->fxq->out.bits, sl->measured_db, sl->pred_cfg_db,
               sl->pred_tensor_db, sl->pred_meas_db, d, sl->gain_db, sl->pred_gain_db,
               sl->pred_gain_db - sl->measured_db);
    }
    printf("largest |pred meas - measured|: %.2f dB; with the measured gains: %.2f dB\n", worst, worst_gain);
    if (!verbose) return;
    printf("\nquantization steps, in the order Eq. 9 sums them (SQNR in dB, kappa in dB/bit):\n"
           "%5s  %-12s %7s  %9s  %9s  %7s  %7s  %7s\n",
           "layer", "step", "format", "tensor", "alone", "cfg k", "tens k", "meas k");
    for (int i = 0; i < r->nsteps; ++i) {
        const fxq_sqnr_step *sp = &r->steps[i];
        char fmt[24];
        snprintf(fmt, sizeof fmt, "%d.%d", sp->f.bits, sp->f.frac);
        printf("%5d  %-12s %7s  %9.2f  %9.2f  %7.3f  %7.3f  %7.3f\n", sp->layer, fxq_step_name(sp), fmt,
               sp->tensor_db, sp->alone_db, r->cfg[i].kappa, r->tensor[i].kappa, r->meas[i].kappa);
    }
}

int fxq_cmd_sqnr(int argc, char **argv)
{
    const char *pos[4], *stats_path = NULL, *csv_path = NULL;
    int npos = 0, limit = 256, batch = 32, csv = 0, quiet = 0, verbose = 0, rc = 1;
    double kappa = 3.0;
    int kappa_given = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fxq_sqnr_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--csv")) {
            csv = 1;
        } else if (!strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "-v")) {
            verbose = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--batch") || !strcmp(a, "--kappa") || !strcmp(a, "--stats") ||
                   !strcmp(a, "-o")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "darknet fxq sqnr: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            int ok = 1;
            if (!strcmp(a, "--stats")) stats_path = v;
            else if (!strcmp(a, "-o")) csv_path = v;
            else if (!strcmp(a, "--kappa")) ok = fxq_cli_pos_double(v, &kappa) && kappa <= 100 && (kappa_given = 1);
            else if (!strcmp(a, "-n")) ok = fxq_cli_int(v, 1, 100000000, &limit);
            else ok = fxq_cli_int(v, 1, 4096, &batch);
            if (!ok) {
                fprintf(stderr, "darknet fxq sqnr: %s '%s' is out of range or not a number\n", a, v);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "darknet fxq sqnr: unknown option '%s'\n", a);
            return 2;
        } else if (npos < 4) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "darknet fxq sqnr: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (npos != 4) {
        fxq_sqnr_usage(stderr);
        return 2;
    }
    const char *cfg = pos[0], *fxcfg = pos[1], *weights = pos[2], *list = pos[3];
    char why[1024];
    const char *inputs[] = {cfg, fxcfg, weights, list, stats_path};
    if (csv_path && !fxq_cli_output_ok(csv_path, inputs, 5, why, sizeof why)) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", why);
        return 1;
    }
    fxq_evalset set;
    network *flt = NULL, *fx = NULL, *wq = NULL, *f2 = NULL;
    fxq_stats *st = NULL;
    fxq_sqnr_report *rep = NULL;
    float *x = NULL;
    if (!fxq_evalset_list(list, &set, why, sizeof why)) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", why);
        return 1;
    }
    const int n = limit < set.n ? limit : set.n;
    if (!(flt = fxq_eval_load_net(cfg, weights, batch, quiet, why, sizeof why)) ||
        !(fx = fxq_eval_load_net(fxcfg, weights, batch, quiet, why, sizeof why)) ||
        !(wq = fxq_eval_load_net(cfg, weights, batch, quiet, why, sizeof why)) ||
        !(f2 = fxq_eval_load_net(cfg, weights, batch, quiet, why, sizeof why))) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", why);
        goto free_all;
    }
    fxq_pipe_set_all_float(fx, 1); /* every layer's output is compared */
    if (!fxq_sqnr_match(flt, fx, why, sizeof why)) {
        fprintf(stderr, "darknet fxq sqnr: %s vs %s: %s\n", cfg, fxcfg, why);
        goto free_all;
    }
    if (stats_path) {
        st = fxq_stats_read(stats_path, why, sizeof why);
        if (st && !fxq_stats_match(st, flt, why, sizeof why)) {
            fxq_stats_free(st);
            st = NULL;
        }
    } else {
        st = fxq_stats_collect(flt, set.paths, n, quiet, why, sizeof why);
    }
    if (!st) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", why);
        goto free_all;
    }
    const double cfg_kappa = fxq_cfg_kappa(fxcfg);
    if (!kappa_given && cfg_kappa > 0) kappa = cfg_kappa;
    if (!(rep = fxq_sqnr_plan(fx, flt, st, NULL, kappa, why, sizeof why))) {
        fprintf(stderr, "darknet fxq sqnr: %s: %s\n", stats_path ? stats_path : fxcfg, why);
        goto free_all;
    }
    fxq_sqnr_weights_twin(rep, fx, wq);
    /* all four networks, same batches (the stats pass may have changed flt's) */
    const int bmin = flt->batch < fx->batch ? flt->batch : fx->batch;
    set_batch_network(flt, bmin);
    set_batch_network(fx, bmin);
    set_batch_network(wq, bmin);
    set_batch_network(f2, bmin);
    const int b = flt->batch, in = flt->inputs;
    if (flt->c != 3 || !(x = calloc((size_t)b * in, sizeof *x))) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", flt->c != 3 ? "only 3-channel image networks are supported"
                                                               : "out of memory");
        goto free_all;
    }
    for (int start = 0; start < n; start += b) {
        const int m = n - start < b ? n - start : b;
        for (int k = 0; k < m; ++k)
            if (!fxq_input_load(set.paths[start + k], flt->w, flt->h, 3, x + (size_t)k * in, why, sizeof why)) {
                fprintf(stderr, "darknet fxq sqnr: %s\n", why);
                goto free_all;
            }
        network_predict(flt, x);
        network_predict(fx, x);
        fxq_sqnr_accumulate(rep, flt, fx, wq, f2, x, m);
        if (!quiet) fprintf(stderr, "\r  sqnr: %d/%d images", start + m, n);
    }
    if (!quiet) fprintf(stderr, "\n");
    fxq_sqnr_finish(rep);
    if (csv_path && !fxq_write_csv(csv_path, rep, fx, why, sizeof why)) {
        fprintf(stderr, "darknet fxq sqnr: %s\n", why);
        goto free_all;
    }
    if (csv) fxq_print_csv(stdout, rep, fx);
    else fxq_print_table(rep, fx, n, verbose);
    rc = 0;
free_all:
    free(x);
    fxq_sqnr_free(rep);
    if (st) fxq_stats_free(st);
    if (flt) free_network(flt);
    if (fx) free_network(fx);
    if (wq) free_network(wq);
    if (f2) free_network(f2);
    fxq_evalset_free(&set);
    return rc;
}
