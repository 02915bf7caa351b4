/* `darknet fxq stats`: calibration statistics (paper §3.3).
 *
 *   stats <cfg> <weights> <list> [-n N] [-o out.stats] ...   record
 *   stats --merge a.stats b.stats ... [-o out.stats]           merge shards
 *   stats --show in.stats [--cfg net.cfg]                      print the table
 *
 * Every bad input ends in one line "darknet fxq stats: <file>: <reason>" and
 * exit status 1 (2 for a usage error), and no output file: the file is only
 * written, atomically, once everything succeeded. An image that fails to
 * decode stops the run (calibration on silently fewer images would be hard
 * to notice); the message names it. docs/stats.md documents the format. */
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_stats_net.h"
#include "fxq_stats_summary.h"

#define FXQ_STATS_DEFAULT_BATCH 32

static const char fxq_stats_usage[] =
    "usage: darknet fxq stats <cfg> <weights> <calib.list> [-n N] [-o out.stats] [options]\n"
    "       darknet fxq stats --merge a.stats b.stats ... [-o out.stats] [--cfg net.cfg]\n"
    "       darknet fxq stats --show in.stats [--cfg net.cfg] [options]\n"
    "\n"
    "Float forward passes over the first N images of the list; per convolutional and\n"
    "connected layer, statistics of its weights and biases (batch norm folded), input,\n"
    "pre-activation and output: count, mean, sigma, min, max, kurtosis, histogram.\n"
    "Shards recorded separately and merged equal one run over the union.\n"
    "\n"
    "  -n N        first N images of the list (default: all)\n"
    "  -o FILE     write the stats to FILE (atomically) and print a summary;\n"
    "              without -o the stats file goes to stdout\n"
    "  -b B        images per forward pass (default 32)\n"
    "  -t T        threads, each with its own copy of the network (default: OpenMP's\n"
    "              default, OMP_NUM_THREADS or the number of cores)\n"
    "  -q          no summary and no progress line\n"
    "  --cfg CFG   (--merge/--show) check that the stats belong to this cfg\n"
    "summary options (the paper's rule n = -ceil(log2(xi * Stepsize(bits)))):\n"
    "  --bits B    bit-width of the formats shown (default 8)\n"
    "  --xi K      xi = K sigma (default 3)\n"
    "  --dist D    gaussian | laplacian | uniform | gamma | empirical (default gaussian)\n"
    "\n"
    "An image that cannot be decoded stops the run and is named. See docs/stats.md.\n";

static int fxq_stats_fail(const char *why) { return fxq_cli_fail("stats", why); }

static int fxq_stats_usage_error(const char *what, const char *arg)
{
    return fxq_cli_usage_error("stats", what, arg);
}





typedef struct fxq_stats_args {
    const char *pos[3];
    int npos;
    const char *out, *cfg;
    int n, batch, threads, quiet, bits, merge, show;
    fxq_qopts q;
    const char **files;
    int nfiles;
} fxq_stats_args;

static int fxq_stats_parse_args(int argc, char **argv, fxq_stats_args *a)
{
    *a = (fxq_stats_args){.batch = FXQ_STATS_DEFAULT_BATCH, .bits = 8, .q = FXQ_QOPTS_DEFAULT};
    a->files = calloc((size_t)argc, sizeof *a->files);
    if (!a->files) return fxq_stats_usage_error("out of memory", NULL);
    for (int i = 1; i < argc; ++i) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(o, "-n") || !strcmp(o, "-o") || !strcmp(o, "-b") || !strcmp(o, "-t") ||
                    !strcmp(o, "--bits") || !strcmp(o, "--xi") || !strcmp(o, "--dist") || !strcmp(o, "--cfg");
        if (takes && !v) return fxq_stats_usage_error("missing value after", o);
        if (!strcmp(o, "-n")) {
            if (!fxq_cli_int(v, 1, INT_MAX, &a->n)) return fxq_stats_usage_error("-n wants a positive integer", v);
        } else if (!strcmp(o, "-o")) {
            a->out = v;
        } else if (!strcmp(o, "-b")) {
            if (!fxq_cli_int(v, 1, 4096, &a->batch)) return fxq_stats_usage_error("-b wants 1..4096", v);
        } else if (!strcmp(o, "-t")) {
            if (!fxq_cli_int(v, 1, 1024, &a->threads)) return fxq_stats_usage_error("-t wants 1..1024", v);
        } else if (!strcmp(o, "--bits")) {
            if (!fxq_cli_int(v, FXQ_MIN_BITS, FXQ_MAX_BITS, &a->bits))
                return fxq_stats_usage_error("--bits wants 2..16", v);
        } else if (!strcmp(o, "--xi")) {
            if (!fxq_cli_pos_double(v, &a->q.xi_sigmas)) return fxq_stats_usage_error("--xi wants a positive number", v);
        } else if (!strcmp(o, "--dist")) {
            if (!fxq_dist_parse(v, &a->q.dist))
                return fxq_stats_usage_error("--dist wants gaussian|laplacian|uniform|gamma|empirical", v);
        } else if (!strcmp(o, "--cfg")) {
            a->cfg = v;
        } else if (!strcmp(o, "-q")) {
            a->quiet = 1;
            continue;
        } else if (!strcmp(o, "--merge")) {
            a->merge = 1;
            continue;
        } else if (!strcmp(o, "--show")) {
            a->show = 1;
            continue;
        } else if (o[0] == '-' && o[1]) {
            return fxq_stats_usage_error("unknown option", o);
        } else {
            a->files[a->nfiles++] = o;
            continue;
        }
        ++i; /* consumed the value */
    }
    if (a->merge && a->show) return fxq_stats_usage_error("--merge and --show do not go together", NULL);
    if (a->merge && a->nfiles < 1) return fxq_stats_usage_error("--merge wants at least one stats file", NULL);
    if (a->show && a->nfiles != 1) return fxq_stats_usage_error("--show wants exactly one stats file", NULL);
    if (!a->merge && !a->show && a->nfiles != 3)
        return fxq_stats_usage_error("expected <cfg> <weights> <calib.list>", NULL);
    return 0;
}

/* Optional --cfg: the stats must describe this network. */
static int fxq_stats_check_cfg(const fxq_stats *s, const char *file, const char *cfg)
{
    char why[1024], msg[1200];
    network *net = fxq_net_load_quiet(cfg, NULL, 1, why, sizeof why);
    if (!net) return fxq_stats_fail(why);
    int ok = fxq_stats_match(s, net, why, sizeof why);
    free_network(net);
    if (!ok) {
        snprintf(msg, sizeof msg, "%s: does not match %s: %s", file, cfg, why);
        return fxq_stats_fail(msg);
    }
    return 0;
}

static int fxq_stats_emit(const fxq_stats *s, const fxq_stats_args *a)
{
    char why[1024];
    if (!fxq_stats_write(s, a->out ? a->out : "-", why, sizeof why)) return fxq_stats_fail(why);
    if (a->out && !a->quiet) fxq_stats_print_summary(stdout, s, a->bits, &a->q);
    return 0;
}

static int fxq_stats_merge_files(const fxq_stats_args *a)
{
    char why[1024], msg[1200];
    if (a->out) {
        /* every merged file (and the cfg) is an input the output must spare */
        const char **in = calloc((size_t)a->nfiles + 1, sizeof *in);
        if (!in) return fxq_stats_fail("out of memory");
        in[0] = a->cfg;
        memcpy(in + 1, a->files, (size_t)a->nfiles * sizeof *in);
        const int ok = fxq_cli_output_ok(a->out, in, a->nfiles + 1, why, sizeof why);
        free(in);
        if (!ok) return fxq_stats_fail(why);
    }
    fxq_stats *all = NULL;
    int rc = 0;
    for (int i = 0; i < a->nfiles && !rc; ++i) {
        fxq_stats *s = fxq_stats_read(a->files[i], why, sizeof why);
        if (!s) {
            rc = fxq_stats_fail(why);
        } else if (!all) {
            all = s;
            s = NULL;
        } else if (!fxq_stats_merge(all, s, why, sizeof why)) {
            snprintf(msg, sizeof msg, "%s: cannot merge with %s: %s", a->files[i], a->files[0], why);
            rc = fxq_stats_fail(msg);
        }
        fxq_stats_free(s);
    }
    if (!rc && a->cfg) rc = fxq_stats_check_cfg(all, a->files[0], a->cfg);
    if (!rc) rc = fxq_stats_emit(all, a);
    fxq_stats_free(all);
    return rc;
}

static int fxq_stats_show(const fxq_stats_args *a)
{
    char why[1024];
    fxq_stats *s = fxq_stats_read(a->files[0], why, sizeof why);
    if (!s) return fxq_stats_fail(why);
    int rc = a->cfg ? fxq_stats_check_cfg(s, a->files[0], a->cfg) : 0;
    if (!rc) fxq_stats_print_summary(stdout, s, a->bits, &a->q);
    fxq_stats_free(s);
    return rc;
}

static int fxq_stats_record(const fxq_stats_args *a)
{
    const char *cfg = a->files[0], *weights = a->files[1], *list = a->files[2];
    char why[1024];
    /* every input checked before Darknet parses anything */
    if (!fxq_cfg_check(cfg, why, sizeof why)) return fxq_stats_fail(why);
    FILE *wf = fopen(weights, "rb");
    if (!wf) {
        snprintf(why, sizeof why, "%s: %s", weights, strerror(errno));
        return fxq_stats_fail(why);
    }
    fclose(wf);
    const char *in[] = {cfg, weights, list};
    if (a->out && !fxq_cli_output_ok(a->out, in, 3, why, sizeof why)) return fxq_stats_fail(why);
    int n = 0;
    char **paths = fxq_list_read(list, a->n, &n, why, sizeof why);
    if (!paths) return fxq_stats_fail(why);

    fxq_stats *s = fxq_stats_calibrate(cfg, weights, paths, n, list, a->batch, a->threads, a->quiet, 1, "fxq stats: ",
                                    why, sizeof why);
    fxq_list_free(paths, n);
    if (!s) return fxq_stats_fail(why);
    const int rc = fxq_stats_emit(s, a);
    fxq_stats_free(s);
    return rc;
}

int fxq_cmd_stats(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(fxq_stats_usage, stdout);
            return 0;
        }
    if (argc < 2) {
        fputs(fxq_stats_usage, stderr);
        return 2;
    }
    fxq_stats_args a;
    int rc = fxq_stats_parse_args(argc, argv, &a);
    if (!rc) rc = a.merge ? fxq_stats_merge_files(&a) : a.show ? fxq_stats_show(&a) : fxq_stats_record(&a);
    free(a.files);
    return rc;
}
