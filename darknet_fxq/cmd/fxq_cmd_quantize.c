/* `darknet fxq quantize`: cross-layer bit-width optimization (paper §4.2) and
 * the rewritten cfg.
 *
 *   quantize <cfg> [<weights> <calib.list|file.stats>] -o <out.cfg> <budget> [options]
 *
 * Bit-widths need only the cfg's shapes (--dry-run prints them without
 * weights); fractional bits need calibration statistics, read from a .stats
 * file or recorded on the fly. Every bad input ends in one line
 * "darknet fxq quantize: <reason>", exit status 1 (2 for a usage error), and
 * nothing written: all checks and computations come before the first write.
 * docs/quantize.md is the user's documentation. */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_actscale_net.h"
#include "fxq_biascorr.h"
#include "fxq_roundopt_net.h"
#include "fxq_cfgtext.h"
#include "fxq_cfgcheck.h"
#include "fxq_cli.h"
#include "fxq_outfile.h"
#include "fxq_cmd.h"
#include "fxq_cmd_quantize_args.h"
#include "fxq_eval.h"
#include "fxq_input.h"
#include "fxq_logitwin.h"
#include "fxq_net.h"
#include "fxq_qplan.h"
#include "fxq_qreport.h"
#include "fxq_perchan.h"
#include "fxq_qwrite.h"
#include "fxq_refine.h"
#include "fxq_stats_net.h"

/* An output must not replace any input (the same path or the same file). */
static int fxq_same_file(const char *a, const char *b)
{
    if (!strcmp(a, b)) return 1;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int fxq_check_output(const fxq_quantize_args *a, const char *out, char *why, size_t why_len)
{
    for (int i = 0; i < a->npos; ++i) {
        if (!strcmp(out, a->pos[i])) {
            snprintf(why, why_len, "%s: the output would overwrite an input; choose another path", out);
            return 0;
        }
    }
    return fxq_cli_output_ok(out, (const char *const *)a->pos, a->npos, why, why_len);
}

/* Statistics from a .stats file (checked against the cfg) or recorded now. */
static fxq_stats *fxq_quantize_stats(const fxq_quantize_args *a, char *why, size_t why_len)
{
    const char *cfg = a->pos[0], *weights = a->pos[1], *src = a->pos[2];
    char inner[1024];
    network *net0 = fxq_net_load_quiet(cfg, weights, fxq_is_stats_file(src) ? 1 : a->batch, why, why_len);
    if (!net0) return NULL;
    fxq_stats *s = NULL;
    if (fxq_is_stats_file(src)) {
        s = fxq_stats_read(src, why, why_len);
        if (s && !fxq_stats_match(s, net0, inner, sizeof inner)) {
            snprintf(why, why_len, "%s: does not match %s: %s", src, cfg, inner);
            fxq_stats_free(s);
            s = NULL;
        }
        free_network(net0);
        return s;
    }
    int n = 0;
    char **paths = fxq_list_read(src, a->n, &n, why, why_len);
    if (!paths) {
        free_network(net0);
        return NULL;
    }
    /* net0 only validated cfg + weights before the list was read */
    free_network(net0);
    s = fxq_stats_calibrate(cfg, weights, paths, n, src, a->batch, a->threads, a->quiet, 0,
                         "fxq quantize: recording statistics of ", why, why_len);
    fxq_list_free(paths, n);
    return s;
}

/* --logit-window on the plan's network, after every other format choice and
 * before --bias-correct / --round-opt measure the final formats */
static int fxq_quantize_logit_window(const fxq_quantize_args *a, fxq_qplan *p, char *why, size_t why_len)
{
    const char *list = a->logit_list  ? a->logit_list
                       : a->round_list ? a->round_list
                       : a->act_list   ? a->act_list
                                       : a->pos[2];
    return fxq_logit_window(p, a->pos[0], a->pos[1], list, a->n, a->batch, a->quiet, why, why_len);
}

/* Everything that can fail without writing: the plan, allocated and formatted. */
static fxq_qplan *fxq_quantize_plan(const fxq_quantize_args *a, const fxq_cfgtext *text, fxq_stats **stats,
                                    char *why, size_t why_len)
{
    fxq_netshape *ns = fxq_netshape_probe(a->pos[0], why, why_len);
    if (!ns) return NULL;
    fxq_qplan *p = NULL;
    if (ns->n != text->nsec - 1) {
        snprintf(why, why_len, "%s: Darknet built %d layers from %d sections", a->pos[0], ns->n, text->nsec - 1);
        goto fail;
    }
    char inner[1024];
    if (!(p = fxq_qplan_build(ns, &a->o, inner, sizeof inner))) {
        snprintf(why, why_len, "%.900s: %s", a->pos[0], inner);
        goto fail;
    }
    p->shapes = ns; /* the plan's layers point into it */
    if (a->npos == 3) {
        if (!(*stats = fxq_quantize_stats(a, why, why_len))) goto fail;
    }
    if (!fxq_qplan_finish(p, &a->o, *stats, stderr, why, why_len)) goto fail;
    /* before refine, so refine measures the per-channel network */
    if (*stats && a->per_channel && !fxq_qplan_per_channel(p, a->pos[0], a->pos[1], why, why_len)) goto fail;
    if (*stats && a->o.q.formats == FXQ_FORMATS_REFINE) {
        /* the layers must accept the starting formats before they are run */
        if (!fxq_qplan_check_layers(p, inner, sizeof inner)) {
            snprintf(why, why_len, "%.900s: %s", a->pos[0], inner);
            goto fail;
        }
        const fxq_refine_opts ro = {a->pos[0], a->pos[1], a->o.refine_list, a->o.refine_n, a->batch, a->quiet,
                                    a->o.refine_agree, *stats, &a->o.q};
        if (!fxq_refine(p, text, &ro, why, why_len)) goto fail;
    }
    /* a cfg the fixed-point layers would refuse is not worth writing */
    if (!fxq_qplan_check_layers(p, inner, sizeof inner)) {
        if (!a->dry_run) {
            snprintf(why, why_len, "%.900s: %s", a->pos[0], inner);
            goto fail;
        }
        fprintf(stderr, "warning: %s\n", inner);
    } else if (a->logit_window && !fxq_quantize_logit_window(a, p, why, why_len)) {
        goto fail;
    } else if (a->bias_out) { /* last: the formats are final */
        const fxq_calpair_src bo = {a->pos[0], a->pos[1], a->bias_list ? a->bias_list : a->pos[2], 0, a->batch,
                                    a->quiet};
        if (!fxq_bias_correct(p, text, &bo, why, why_len)) goto fail;
    } else if (a->round_out) {
        const fxq_roundopt_opts ro = {{a->pos[0], a->pos[1], a->round_list ? a->round_list : a->pos[2], 0, a->batch,
                                       a->quiet},
                                      a->round_target_fixed, a->round_damp, a->round_sweeps};
        if (!fxq_round_opt(p, text, &ro, why, why_len)) goto fail;
    }
    return p;
fail:
    if (p) fxq_qplan_free(p);
    else fxq_netshape_free(ns);
    return NULL;
}

/* --act-channels: the per-channel factors on the float network, saved to
 * chan; ao->weights and *st become that network's and its statistics on the
 * --act-list images. */
static int fxq_quantize_act_channels(const fxq_quantize_args *a, const fxq_qplan *p0, fxq_actscale_opts *ao,
                                     fxq_stats **st, const char *chan, char *why, size_t why_len)
{
    const char *list = a->act_list ? a->act_list : a->pos[2];
    int n = 0;
    char **paths = fxq_list_read(list, a->n, &n, why, why_len);
    if (!paths) return 0;
    int ok = fxq_act_channels(p0, ao, paths, n, chan, why, why_len);
    fxq_list_free(paths, n);
    if (!ok) return 0;
    fxq_quantize_args a1 = *a;
    a1.pos[1] = chan;
    a1.pos[2] = list;
    fxq_stats *s1 = fxq_quantize_stats(&a1, why, why_len);
    if (!s1) return 0;
    fxq_stats_free(*st);
    *st = s1;
    ao->weights = chan;
    return 1;
}

/* --act-scales: a plan on the float network's statistics gives each
 * activation's bits and policy; the scaled network is saved to a temporary
 * directory (dir, path; the caller removes them), which the real plan then
 * records and quantizes. */
static int fxq_quantize_act(const fxq_quantize_args *a, const fxq_cfgtext *text, char *dir, char *path,
                            size_t path_len, char *why, size_t why_len)
{
    fxq_quantize_args a0 = *a;
    a0.bias_out = a0.round_out = NULL;
    a0.logit_window = 0;
    a0.per_channel = 0;
    if (a0.o.q.formats == FXQ_FORMATS_REFINE) a0.o.q.formats = FXQ_FORMATS_MSE;
    fxq_stats *st = NULL;
    fxq_qplan *p0 = fxq_quantize_plan(&a0, text, &st, why, why_len);
    if (!p0) return 0;
    int ok = 0;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 256, "%s/fxq-act.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(why, why_len, "%s: cannot create a temporary directory", dir);
        *dir = 0;
    } else {
        snprintf(path, path_len, "%s/act.weights", dir);
        fxq_actscale_opts ao = {a->pos[0], a->pos[1], a->act_grid, a->per_channel, a->act_all, a->act_floor, a->quiet};
        char chan[300];
        snprintf(chan, sizeof chan, "%s/chan.weights", dir);
        ok = !a->act_floor || fxq_quantize_act_channels(a, p0, &ao, &st, chan, why, why_len);
        if (ok) ok = fxq_act_scales(p0, st, &a->o.q, &ao, path, why, why_len);
        if (a->act_floor) unlink(chan);
    }
    fxq_qplan_free(p0);
    fxq_stats_free(st);
    return ok;
}

static int fxq_write_csv(const fxq_qplan *p, const char *path, char *why, size_t why_len)
{
    if (!strcmp(path, "-")) return fxq_qreport_csv(stdout, p);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    fxq_qreport_csv(m, p);
    fclose(m);
    /* the same temp-file-then-rename path as the cfg: one text "section" */
    const int ok = fxq_out_write_all(path, buf, len, why, why_len);
    free(buf);
    return ok;
}

int fxq_cmd_quantize(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(fxq_quantize_usage, stdout);
            return 0;
        }
    }
    fxq_quantize_args a;
    int rc = fxq_quantize_parse_args(argc, argv, &a);
    if (rc) return rc;
    char why[2048];
    /* --round-opt writes its weights where --bias-correct would (never both);
     * --act-scales names the same file when combined with either */
    const char *wout = a.act_out ? a.act_out : a.bias_out ? a.bias_out : a.round_out;
    const char *outputs[3] = {a.dry_run ? NULL : a.out, a.csv && strcmp(a.csv, "-") ? a.csv : NULL,
                              a.dry_run ? NULL : wout};
    for (int i = 0; i < 3; ++i)
        if (outputs[i] && !fxq_check_output(&a, outputs[i], why, sizeof why)) return fxq_quantize_fail(why);
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j)
            if (outputs[i] && outputs[j] && fxq_same_file(outputs[i], outputs[j]))
                return fxq_quantize_fail(a.act_out     ? "two outputs (-o, --csv, --act-scales) name the same file"
                                         : a.round_out ? "two outputs (-o, --csv, --round-opt) name the same file"
                                                       : "two outputs (-o, --csv, --bias-correct) name the same file");
    if (a.bias_list && !fxq_file_readable(a.bias_list, why, sizeof why)) return fxq_quantize_fail(why);
    if (a.round_list && !fxq_file_readable(a.round_list, why, sizeof why)) return fxq_quantize_fail(why);
    if (a.o.refine_list && !fxq_file_readable(a.o.refine_list, why, sizeof why)) return fxq_quantize_fail(why);
    if (a.act_list && !fxq_file_readable(a.act_list, why, sizeof why)) return fxq_quantize_fail(why);
    if (a.logit_list && !fxq_file_readable(a.logit_list, why, sizeof why)) return fxq_quantize_fail(why);

    if (!fxq_cfgcheck_file(a.pos[0], why, sizeof why)) return fxq_quantize_fail(why); /* its own errors first */
    fxq_cfgtext *text = fxq_cfg_read_text(a.pos[0], why, sizeof why);
    if (!text) return fxq_quantize_fail(why);
    fxq_stats *stats = NULL;
    fxq_qplan *p = NULL;
    char *header = NULL;
    char act_dir[256] = "", act_w[300] = "";
    fxq_quantize_args ap = a; /* the plan's network: the scaled one with --act-scales */
    if (a.act_out) {
        if (!fxq_quantize_act(&a, text, act_dir, act_w, sizeof act_w, why, sizeof why)) {
            rc = fxq_quantize_fail(why);
            goto done;
        }
        ap.pos[1] = act_w;
        ap.pos[2] = a.act_list ? a.act_list : a.pos[2];
    }
    p = fxq_quantize_plan(&ap, text, &stats, why, sizeof why);
    if (!p) {
        rc = fxq_quantize_fail(why);
        goto done;
    }
    if (!a.dry_run) { /* fail before printing anything */
        if (!fxq_qplan_cfg_conflict(text, p, a.pos[0], why, sizeof why)) {
            rc = fxq_quantize_fail(why);
            goto done;
        }
        if (!(header = fxq_qreport_cfg_header(p, &a.o, argc, argv, NULL, a.pos[0], a.pos[2],
                                              wout))) {
            rc = fxq_quantize_fail("out of memory");
            goto done;
        }
    }

    const int csv_stdout = a.csv && !strcmp(a.csv, "-");
    FILE *info = csv_stdout ? stderr : stdout;
    char tmp[256];
    fprintf(info, "fxq quantize %s\n", a.pos[0]);
    fprintf(info, "  objective: %s\n", fxq_qreport_objective(&a.o));
    fxq_qreport_kappa(tmp, sizeof tmp, p, &a.o);
    fprintf(info, "  kappa: %s\n", tmp);
    fxq_qreport_budget(tmp, sizeof tmp, &a.o);
    fprintf(info, "  budget: %s\n", tmp);
    if (a.o.alloc_acts) fprintf(info, "  activations: allocated\n");
    else if (a.o.head_bits && a.o.head_bits != a.o.abits) fprintf(info, "  activations: %d bits, head outputs %d bits\n", a.o.abits, a.o.head_bits);
    else fprintf(info, "  activations: %d bits\n", a.o.abits);
    if (!csv_stdout) fxq_qreport_table(stdout, p);
    fxq_qreport_moves(info, p, &a.o);
    if (!p->has_formats) fprintf(info, "(fractional bits need <weights> <calib.list|file.stats>)\n");

    if (!a.dry_run) {
        if (!fxq_qplan_write_cfg(text, p, header, a.pos[0], a.out, why, sizeof why)) {
            rc = fxq_quantize_fail(why);
            goto done;
        }
        fprintf(info, "wrote %s\n", a.out);
        if (wout) {
            if (!fxq_bias_write_weights(p, a.pos[0], ap.pos[1], wout, why, sizeof why)) {
                unlink(a.out); /* the cfg needs its weights: leave neither */
                rc = fxq_quantize_fail(why);
                goto done;
            }
            fprintf(info, "wrote %s (%s%s; use it with %s)\n", wout, a.act_out ? "activations scaled" : "",
                    a.round_out  ? a.act_out ? ", weights on the optimized codes, biases corrected"
                                             : "weights on the optimized codes, biases corrected"
                    : a.bias_out ? a.act_out ? ", biases corrected" : "biases corrected"
                                 : "",
                    a.out);
        }
    }
    if (a.csv) {
        if (!fxq_write_csv(p, a.csv, why, sizeof why)) {
            rc = fxq_quantize_fail(why);
            goto done;
        }
        if (!csv_stdout) fprintf(info, "wrote %s\n", a.csv);
    }
done:
    if (*act_dir) {
        unlink(act_w);
        rmdir(act_dir);
    }
    free(header);
    fxq_qplan_free(p);
    fxq_stats_free(stats);
    fxq_cfgtext_free(text);
    return rc;
}
