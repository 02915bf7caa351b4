/* `darknet fxq sweep`: the paper's size-error experiment (§5.1, Figure 3).
 * Quantizes the network with equal bit-widths and with the optimized
 * (water-filling) allocation over ranges of budgets, evaluates top-1 error
 * of every distinct result on the test set, and writes a CSV, an SVG plot of
 * model size vs error, and the size reduction at equal error. Each point is
 * made by the same code as `fxq quantize` (fxq_qplan + its cfg writer), from
 * one set of calibration statistics. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_cfgcheck.h"
#include "fxq_cli.h"
#include "fxq_outfile.h"
#include "fxq_cmd.h"
#include "fxq_eval.h"
#include "fxq_file.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_netshape.h"
#include "fxq_qreport.h"
#include "fxq_qwrite.h"
#include "fxq_stats_net.h"
#include "fxq_svgplot.h"
#include "fxq_sweep.h"
#include "fxq_sweep_csv.h"

#define FXQ_SWEEP_CHUNK 12 /* fixed-point networks evaluated per pass over the test set */

static void fxq_sweep_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq sweep <data> <cfg> <weights> <calib.list> -o sweep.csv [options]\n"
               "  Equal bit-widths (--wbits) vs the optimized allocation (--beta0, --sqnr), as in the\n"
               "  paper's Figure 3: each budget is quantized like `fxq quantize`, every distinct\n"
               "  network is evaluated on the data file's valid= list, and model size (weights,\n"
               "  Mbit) is written beside top-1 error.\n"
               "ranges: LO:HI or LO:HI:STEP (step 1 by default), or 'none'; outside the limits = error\n"
               "  --wbits R        equal bit-widths, integers in 2..16 (default 2:8)\n"
               "  --beta0 R        first layer's weight bits, 1..32; the rest by Eq. 15/16 (default 4:14)\n"
               "  --sqnr R         minimum predicted output SQNR in dB, 0..200 (default 2:26:2)\n"
               "options:\n"
               "  -o FILE          the CSV (required)\n"
               "  --plot FILE      an SVG plot of model size vs top-1 error, both series\n"
               "  -n N             first N test images (default: all)\n"
               "  --calib-n N      calibration images for the statistics (default 1000)\n"
               "  --stats FILE     statistics from `fxq stats` instead of recording them\n"
               "  --abits B        activation bits (default 16, as in the paper's §5.1)\n"
               "  --fc-bits B      connected layers' weights at B bits outside the allocation\n"
               "                   (default 16, as in the paper; 0 = allocate them too)\n"
               "  --kappa K        dB/bit for the allocation (default 3) | measured\n"
               "  --formats P      fractional bits: mse (default) | paper (section 3.3), as fxq quantize\n"
               "  --keep DIR       keep the cfgs written (default: a temporary folder, removed)\n"
               "  --batch B        images per forward pass (default 32)\n"
               "  -q               no progress or layer table on stderr\n"
               "or:    darknet fxq sweep --from-csv sweep.csv [--plot sweep.svg [--title TEXT]]\n"
               "  the summary (and plot) of an earlier run, from its CSV.\n");
}

typedef struct fxq_range {
    double lo, hi, step;
    int on;
} fxq_range;

/* LO[:HI[:STEP]] inside [min, max] (integers only when `integral`): a range
 * that reaches outside is an error, not silently clipped to what runs. */
static int fxq_parse_range(const char *s, fxq_range *r, double min, double max, int integral)
{
    if (!strcmp(s, "none")) {
        r->on = 0;
        return 1;
    }
    char *end;
    r->lo = strtod(s, &end);
    r->hi = r->lo, r->step = 1, r->on = 1;
    if (end == s) return 0;
    if (*end == ':') {
        const char *h = end + 1;
        r->hi = strtod(h, &end);
        if (end == h) return 0;
        if (*end == ':') {
            h = end + 1;
            r->step = strtod(h, &end);
            if (end == h) return 0;
        }
    }
    if (*end || !isfinite(r->lo) || !isfinite(r->hi) || !isfinite(r->step) || !(r->step > 0) || r->hi < r->lo ||
        r->lo < min || r->hi > max || (r->hi - r->lo) / r->step >= 1000)
        return 0;
    if (integral && (r->lo != floor(r->lo) || r->hi != floor(r->hi) || r->step != floor(r->step))) return 0;
    return 1;
}

typedef struct fxq_sweep_args {
    const char *pos[4], *csv, *plot, *stats, *keep;
    fxq_range wbits, beta0, sqnr;
    int limit, calib_n, batch, quiet;
    fxq_qplan_opts o;
    int argc;           /* the command line, for the cfgs' headers */
    char **argv;
} fxq_sweep_args;

static int fxq_sweep_parse(int argc, char **argv, fxq_sweep_args *a)
{
    memset(a, 0, sizeof *a);
    a->argc = argc, a->argv = argv;
    a->wbits = (fxq_range){2, 8, 1, 1};
    a->beta0 = (fxq_range){4, 14, 1, 1};
    a->sqnr = (fxq_range){2, 26, 2, 1};
    a->calib_n = 1000, a->batch = 32;
    a->o = (fxq_qplan_opts){.kappa = 3.0, .abits = 16, .fc_bits = 16, .bbits = 16, .lo = FXQ_MIN_BITS,
                            .hi = FXQ_MAX_BITS, .q = FXQ_QOPTS_DEFAULT};
    a->o.q.formats = FXQ_FORMATS_MSE; /* the points are fxq quantize's cfgs: its default */
    a->o.q.unsigned_in = 1;
    int npos = 0;
    for (int i = 1; i < argc; ++i) {
        const char *k = argv[i];
        if (!strcmp(k, "-q")) {
            a->quiet = 1;
            continue;
        }
        if (k[0] != '-' || !k[1]) {
            if (npos == 4) {
                fprintf(stderr, "darknet fxq sweep: unexpected argument '%s'\n", k);
                return 2;
            }
            a->pos[npos++] = k;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "darknet fxq sweep: %s needs a value (see --help)\n", k);
            return 2;
        }
        const char *v = argv[++i];
        int ok = 1;
        if (!strcmp(k, "-o")) a->csv = v;
        else if (!strcmp(k, "--plot")) a->plot = v;
        else if (!strcmp(k, "--stats")) a->stats = v;
        else if (!strcmp(k, "--keep")) a->keep = v;
        else if (!strcmp(k, "--wbits")) ok = fxq_parse_range(v, &a->wbits, FXQ_MIN_BITS, FXQ_MAX_BITS, 1);
        else if (!strcmp(k, "--beta0")) ok = fxq_parse_range(v, &a->beta0, 1, 32, 0);
        else if (!strcmp(k, "--sqnr")) ok = fxq_parse_range(v, &a->sqnr, 0, 200, 0);
        else if (!strcmp(k, "-n")) ok = fxq_cli_int(v, 1, 100000000, &a->limit);
        else if (!strcmp(k, "--calib-n")) ok = fxq_cli_int(v, 1, 100000000, &a->calib_n);
        else if (!strcmp(k, "--batch")) ok = fxq_cli_int(v, 1, 4096, &a->batch);
        else if (!strcmp(k, "--abits")) ok = fxq_cli_int(v, FXQ_MIN_BITS, FXQ_MAX_BITS, &a->o.abits);
        else if (!strcmp(k, "--fc-bits")) ok = fxq_cli_int(v, 0, FXQ_MAX_BITS, &a->o.fc_bits) && a->o.fc_bits != 1;
        else if (!strcmp(k, "--formats")) ok = fxq_formats_parse(v, &a->o.q.formats) && a->o.q.formats != FXQ_FORMATS_REFINE;
        else if (!strcmp(k, "--kappa")) {
            if (!strcmp(v, "measured")) a->o.kappa_measured = 1;
            else ok = fxq_cli_pos_double(v, &a->o.kappa) && a->o.kappa <= 100;
        } else {
            fprintf(stderr, "darknet fxq sweep: unknown option '%s' (see --help)\n", k);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "darknet fxq sweep: %s '%s' is not valid (see --help)\n", k, v);
            return 2;
        }
    }
    if (npos != 4 || !a->csv) {
        fxq_sweep_usage(stderr);
        return 2;
    }
    if (!a->wbits.on && !a->beta0.on && !a->sqnr.on) {
        fprintf(stderr, "darknet fxq sweep: every series is 'none'\n");
        return 2;
    }
    return 0;
}

/* Quantizes one budget into pts[*np] (skipped with a note when the budget
 * cannot be met). 0 only on a hard failure (writing). */
static int fxq_sweep_point_make(const fxq_sweep_args *a, const fxq_netshape *ns, const fxq_cfgtext *text,
                                const fxq_stats *st, const char *dir, fxq_series series, double value,
                                fxq_sweep_point *pts, int *np, char *why, size_t why_len)
{
    if (*np >= FXQ_SWEEP_MAX_POINTS) return 1;
    fxq_sweep_point *pt = &pts[*np];
    memset(pt, 0, sizeof *pt);
    pt->series = series, pt->value = value, pt->same_as = -1;
    fxq_qplan_opts o = a->o;
    o.budget = series == FXQ_SERIES_EQUAL ? FXQ_BUDGET_WBITS : series == FXQ_SERIES_BETA0 ? FXQ_BUDGET_BETA0 : FXQ_BUDGET_SQNR;
    o.budget_value = value;
    char inner[1024];
    fxq_qplan *p = fxq_qplan_build(ns, &o, inner, sizeof inner);
    if (!p || !fxq_qplan_finish(p, &o, st, NULL, inner, sizeof inner) || !fxq_qplan_check_layers(p, inner, sizeof inner)) {
        if (!a->quiet) fprintf(stderr, "  --%s %g skipped: %s\n", fxq_series_name(series), value, inner);
        fxq_qplan_free(p);
        return 1;
    }
    fxq_sweep_describe(p, pt);
    for (int i = 0; i < *np && pt->same_as < 0; ++i)
        if (!strcmp(pts[i].key, pt->key)) pt->same_as = pts[i].same_as >= 0 ? pts[i].same_as : i;
    int ok = 1;
    if (pt->same_as < 0) {
        snprintf(pt->cfg, sizeof pt->cfg, "%s/%s-%s-%g.cfg", dir, "sweep", fxq_series_name(series), value);
        char point[64];
        snprintf(point, sizeof point, "--%s %g", fxq_series_name(series), value);
        char *header = fxq_qreport_cfg_header(p, &o, a->argc, a->argv, point, a->pos[1], a->stats ? a->stats : a->pos[3], NULL);
        ok = header && fxq_qplan_write_cfg(text, p, header, a->pos[1], pt->cfg, why, why_len);
        if (!header) snprintf(why, why_len, "out of memory");
        free(header);
    }
    fxq_qplan_free(p);
    if (ok) ++*np;
    return ok;
}

static int fxq_sweep_make_all(const fxq_sweep_args *a, const fxq_netshape *ns, const fxq_cfgtext *text,
                              const fxq_stats *st, const char *dir, fxq_sweep_point *pts, int *np, char *why,
                              size_t why_len)
{
    const fxq_range *r[3] = {&a->wbits, &a->beta0, &a->sqnr};
    const fxq_series s[3] = {FXQ_SERIES_EQUAL, FXQ_SERIES_BETA0, FXQ_SERIES_SQNR};
    for (int k = 0; k < 3; ++k) {
        if (!r[k]->on) continue;
        for (double v = r[k]->lo; v <= r[k]->hi + 1e-9 * r[k]->step; v += r[k]->step)
            if (!fxq_sweep_point_make(a, ns, text, st, dir, s[k], k < 2 ? round(v) : v, pts, np, why, why_len))
                return 0;
    }
    return 1;
}

/* Evaluates every distinct point with the float network as reference, in
 * chunks that share each pass over the test images. */
static int fxq_sweep_evaluate(const fxq_sweep_args *a, const fxq_evalset *set, network *flt, fxq_sweep_point *pts,
                              int np, fxq_eval_result *float_res, char *why, size_t why_len)
{
    network *nets[FXQ_SWEEP_CHUNK + 1];
    int idx[FXQ_SWEEP_CHUNK];
    fxq_eval_result res[FXQ_SWEEP_CHUNK + 1];
    memset(res, 0, sizeof res); /* no per-image predictions (res[].pred) */
    int next = 0, done = 0, todo = 0;
    for (int i = 0; i < np; ++i) todo += pts[i].same_as < 0;
    nets[0] = flt;
    memset(float_res, 0, sizeof *float_res);
    while (next < np) {
        int k = 0;
        for (; next < np && k < FXQ_SWEEP_CHUNK; ++next) {
            if (pts[next].same_as >= 0) continue;
            if (!(nets[k + 1] = fxq_eval_load_net(pts[next].cfg, a->pos[2], a->batch, a->quiet, why, why_len))) {
                for (int j = 1; j <= k; ++j) free_network(nets[j]);
                return 0;
            }
            idx[k++] = next;
        }
        if (!k) break;
        if (!a->quiet) fprintf(stderr, "  evaluating networks %d-%d of %d\n", done + 1, done + k, todo);
        const int ok = fxq_eval_run(nets, NULL, k + 1, set, a->limit, a->quiet, res, why, why_len);
        for (int j = 1; j <= k; ++j) free_network(nets[j]);
        if (!ok) return 0;
        if (!float_res->images) *float_res = res[0];
        for (int j = 0; j < k; ++j) {
            fxq_sweep_point *pt = &pts[idx[j]];
            const fxq_eval_result *r = &res[j + 1];
            pt->images = r->images, pt->top1 = r->top1, pt->topk = r->topk, pt->agree = r->agree;
            pt->dlogit = r->logits ? r->abs_dlogit_sum / r->logits : 0;
        }
        done += k;
    }
    for (int i = 0; i < np; ++i) {
        if (pts[i].same_as < 0) continue;
        const fxq_sweep_point *o = &pts[pts[i].same_as];
        pts[i].images = o->images, pts[i].top1 = o->top1, pts[i].topk = o->topk, pts[i].agree = o->agree;
        pts[i].dlogit = o->dlogit;
    }
    return 1;
}

static void fxq_rmtree_cfgs(const char *dir, const fxq_sweep_point *pts, int np)
{
    for (int i = 0; i < np; ++i)
        if (pts[i].same_as < 0 && pts[i].cfg[0]) unlink(pts[i].cfg);
    rmdir(dir);
}

int fxq_cmd_sweep(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fxq_sweep_usage(stdout);
            return 0;
        }
    /* --from-csv IN [--plot SVG] [--title CFG]: summary and plot of an earlier run */
    if (argc >= 3 && !strcmp(argv[1], "--from-csv")) {
        static fxq_sweep_point pts[FXQ_SWEEP_MAX_POINTS];
        static double buf[4 * FXQ_SWEEP_MAX_POINTS];
        fxq_eval_result fr;
        char why[1024];
        int np = 0;
        const char *plot = argc >= 5 && !strcmp(argv[3], "--plot") ? argv[4] : NULL;
        const char *title = argc >= 7 && !strcmp(argv[5], "--title") ? argv[6] : argv[2];
        const char *in = argv[2];
        if ((plot && !fxq_cli_output_ok(plot, &in, 1, why, sizeof why)) ||
            !fxq_sweep_read_csv(argv[2], pts, &np, &fr, why, sizeof why) ||
            (plot && !fxq_sweep_plot(plot, pts, np, &fr, title, why, sizeof why))) {
            fprintf(stderr, "darknet fxq sweep: %s\n", why);
            return 1;
        }
        fxq_sweep_summary(pts, np, &fr, buf, buf + FXQ_SWEEP_MAX_POINTS, buf + 2 * FXQ_SWEEP_MAX_POINTS,
                          buf + 3 * FXQ_SWEEP_MAX_POINTS);
        return 0;
    }
    fxq_sweep_args a;
    int rc = fxq_sweep_parse(argc, argv, &a);
    if (rc) return rc;
    rc = 1;
    char why[2048], dir[4096] = "";
    fxq_evalset set;
    memset(&set, 0, sizeof set);
    fxq_netshape *ns = NULL;
    fxq_cfgtext *text = NULL;
    fxq_stats *st = NULL;
    network *flt = NULL;
    fxq_sweep_point *pts = calloc(FXQ_SWEEP_MAX_POINTS, sizeof *pts);
    double *buf = malloc(sizeof(double) * FXQ_SWEEP_MAX_POINTS * 4);
    int np = 0, made_dir = 0;
    char **calib = NULL;
    int ncalib = 0;
    if (!pts || !buf) {
        snprintf(why, sizeof why, "out of memory");
        goto fail;
    }
    /* every output checked before the sweep runs: a bad --plot path must
     * not be found after an hour, next to a CSV already written */
    static char named[8][FXQ_CLI_PATH];
    const char *inputs[13] = {a.pos[0], a.pos[1], a.pos[2], a.pos[3], a.stats};
    const int nin = 5 + fxq_cli_data_inputs(a.pos[0], named, 8);
    for (int k = 5; k < nin; ++k) inputs[k] = named[k - 5];
    if (!fxq_cli_output_ok(a.csv, inputs, nin, why, sizeof why)) goto fail;
    if (a.plot && !fxq_cli_output_ok(a.plot, inputs, nin, why, sizeof why)) goto fail;
    struct stat kst;
    if (a.keep && stat(a.keep, &kst) == 0 && !S_ISDIR(kst.st_mode)) {
        snprintf(why, sizeof why, "%s: --keep wants a folder: this is a file (an input?)", a.keep);
        goto fail;
    }
    if (a.plot && fxq_out_same(a.plot, a.csv)) {
        snprintf(why, sizeof why, "%s: -o and --plot name the same file", a.plot);
        goto fail;
    }
    if (!fxq_evalset_open(a.pos[0], NULL, &set, why, sizeof why)) goto fail;
    if (!fxq_cfgcheck_file(a.pos[1], why, sizeof why)) goto fail; /* the cfg's own errors first */
    if (!(text = fxq_cfg_read_text(a.pos[1], why, sizeof why))) goto fail;
    if (!(ns = fxq_netshape_probe(a.pos[1], why, sizeof why))) goto fail;
    if (!(flt = fxq_eval_load_net(a.pos[1], a.pos[2], a.batch, a.quiet, why, sizeof why))) goto fail;
    if (a.stats) {
        st = fxq_stats_read(a.stats, why, sizeof why);
        if (st && !fxq_stats_match(st, flt, why, sizeof why)) {
            fxq_stats_free(st);
            st = NULL;
        }
    } else {
        if (!(calib = fxq_list_read(a.pos[3], a.calib_n, &ncalib, why, sizeof why))) goto fail;
        if (!a.quiet) fprintf(stderr, "fxq sweep: statistics of %d calibration images\n", ncalib);
        st = fxq_stats_collect(flt, calib, ncalib, a.quiet, why, sizeof why);
    }
    if (!st) goto fail;
    if (a.keep) {
        snprintf(dir, sizeof dir, "%s", a.keep);
        if (mkdir(dir, 0777) && errno != EEXIST) {
            snprintf(why, sizeof why, "%s: cannot create: %s", dir, strerror(errno));
            goto fail;
        }
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fxq-sweep.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            snprintf(why, sizeof why, "cannot create a temporary folder: %s", strerror(errno));
            goto fail;
        }
        made_dir = 1;
    }
    if (!fxq_sweep_make_all(&a, ns, text, st, dir, pts, &np, why, sizeof why)) goto fail;
    if (!np) {
        snprintf(why, sizeof why, "no budget in the ranges could be quantized");
        goto fail;
    }
    fxq_eval_result fr = {0};
    if (!fxq_sweep_evaluate(&a, &set, flt, pts, np, &fr, why, sizeof why)) goto fail;
    long long params = 0;
    for (int i = 0; i < ns->n; ++i)
        if (ns->layers[i].quantizable) params += ns->layers[i].params;
    const double float_mbits = 32e-6 * (double)params;
    fxq_out_txn_begin(); /* the CSV and the plot, or neither */
    const int put = fxq_sweep_write_csv(a.csv, pts, np, &fr, float_mbits, set.topk, why, sizeof why) &&
                    (!a.plot || fxq_sweep_plot(a.plot, pts, np, &fr, a.pos[1], why, sizeof why));
    if (!fxq_out_txn_end(put, why, sizeof why) || !put) goto fail;
    printf("fxq sweep %s: %ld test images, float weights %.4f Mbit\n", a.pos[1], fr.images, float_mbits);
    fxq_sweep_summary(pts, np, &fr, buf, buf + FXQ_SWEEP_MAX_POINTS, buf + 2 * FXQ_SWEEP_MAX_POINTS,
                      buf + 3 * FXQ_SWEEP_MAX_POINTS);
    printf("wrote %s%s%s\n", a.csv, a.plot ? " and " : "", a.plot ? a.plot : "");
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "darknet fxq sweep: %s\n", why);
done:
    if (made_dir) fxq_rmtree_cfgs(dir, pts, np);
    if (calib) fxq_list_free(calib, ncalib);
    if (flt) free_network(flt);
    if (st) fxq_stats_free(st);
    fxq_netshape_free(ns);
    fxq_cfgtext_free(text);
    fxq_evalset_free(&set);
    free(pts);
    free(buf);
    return rc;
}
