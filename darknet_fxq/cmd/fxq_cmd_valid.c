/* `darknet fxq valid`: the float network and any number of fixed-point cfgs
 * on the data file's `valid` list in one pass, side by side. Accuracy is
 * computed exactly as `darknet classifier valid` does (same image loading,
 * center crop, top_k and label rule), so its top-1/top-k equal that
 * command's for the same cfg; batching does not change any image's result
 * because every Darknet layer computes each batch item independently. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_eval.h"
#include "fxq_file.h"
#include "fxq_outfile.h"

static void fxq_valid_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq valid <data> <cfg> <weights> [<fx.cfg> ...] [options]\n"
               "  Evaluates <cfg> (the reference, normally float) and each fixed-point cfg with\n"
               "  <weights> (.weights or .fxw) on the data file's valid= list.\n"
               "  Columns: top-1, top-k (k = the data file's top=, default 5), agreement with the\n"
               "  reference's top-1, mean |logit - reference logit| (logits = input of the final\n"
               "  softmax), images/s (forward passes only).\n"
               "options:\n"
               "  --csv        CSV on stdout instead of the table\n"
               "  -n N         first N images only\n"
               "  --list FILE  image list instead of the data file's valid=\n"
               "  --batch B    images per forward pass (default 32)\n"
               "  --fx-weights FILE  the fixed-point cfgs load FILE instead of <weights> (the\n"
               "               reference keeps <weights>): the .weights fxq quantize wrote beside\n"
               "               its cfg; once per fixed-point cfg, in their order, when each has its\n"
               "               own (\"-\": <weights>)\n"
               "  --pred FILE  also write every image's top-1 class per cfg as CSV\n"
               "               (image,label,<cfg>,<fx.cfg>...; label -1 = none matched)\n"
               "  --logits FILE  also write every image's logits per cfg as CSV (image,cfg,\n"
               "               then the logits, %%.9g: exact floats, so two runs compare as text)\n"
               "  -q           no progress or layer table on stderr\n");
}

typedef struct {
    const fxq_evalset *set;
    long n;
    const char **cfgs;
    const fxq_eval_result *res;
    int nnet;
} fxq_pred_ctx;

static int fxq_emit_pred(FILE *f, void *ctx)
{
    const fxq_pred_ctx *c = ctx;
    fprintf(f, "image,label");
    for (int k = 0; k < c->nnet; ++k) fprintf(f, ",%s", c->cfgs[k]);
    fputc('\n', f);
    for (long i = 0; i < c->n; ++i) {
        fprintf(f, "%s,%d", c->set->paths[i], c->set->labels[i]);
        for (int k = 0; k < c->nnet; ++k) fprintf(f, ",%d", c->res[k].pred[i]);
        fputc('\n', f);
    }
    return !ferror(f);
}

/* Per-image top-1 of every network, whole or not at all (fxq_file.h). */
static int fxq_valid_write_pred(const char *path, const fxq_evalset *set, long n, const char **cfgs,
                                const fxq_eval_result *res, int nnet)
{
    fxq_pred_ctx c = {set, n, cfgs, res, nnet};
    char why[1024];
    if (fxq_file_write(path, fxq_emit_pred, &c, why, sizeof why)) return 1;
    fprintf(stderr, "darknet fxq valid: %s\n", why);
    return 0;
}

/* --pred must not replace any input: the data file and the lists it names,
 * every cfg, the weights and --list. */
static int fxq_valid_pred_ok(const char *pred, const char *data, const char **cfgs, int nnet, const char **wfile,
                             const char *list, char *why, size_t why_len)
{
    enum { MAXIN = 140 };
    static char named[8][FXQ_CLI_PATH];
    const char *in[MAXIN];
    int n = 0;
    in[n++] = data, in[n++] = list;
    for (int k = 0; k < nnet && n < MAXIN - 8; ++k) in[n++] = cfgs[k], in[n++] = wfile[k];
    const int nd = fxq_cli_data_inputs(data, named, 8);
    for (int k = 0; k < nd; ++k) in[n++] = named[k];
    return fxq_cli_output_ok(pred, in, n, why, why_len);
}

typedef struct {
    const fxq_evalset *set;
    long n;
    int nlog;
    const char **cfgs;
    const fxq_eval_result *res;
    int nnet;
} fxq_logits_ctx;

static int fxq_emit_logits(FILE *f, void *ctx)
{
    const fxq_logits_ctx *c = ctx;
    for (long i = 0; i < c->n; ++i)
        for (int k = 0; k < c->nnet; ++k) {
            fprintf(f, "%s,%s", c->set->paths[i], c->cfgs[k]);
            for (int j = 0; j < c->nlog; ++j) fprintf(f, ",%.9g", (double)c->res[k].logit_out[(size_t)i * c->nlog + j]);
            fputc('\n', f);
        }
    return !ferror(f);
}

/* Per-image logits of every network (nlog each), whole or not at all. */
static int fxq_valid_write_logits(const char *path, const fxq_evalset *set, long n, int nlog, const char **cfgs,
                                  const fxq_eval_result *res, int nnet)
{
    fxq_logits_ctx c = {set, n, nlog, cfgs, res, nnet};
    char why[1024];
    if (fxq_file_write(path, fxq_emit_logits, &c, why, sizeof why)) return 1;
    fprintf(stderr, "darknet fxq valid: %s\n", why);
    return 0;
}

int fxq_cmd_valid(int argc, char **argv)
{
    const char *pos[64], *list = NULL, *pred = NULL, *logits = NULL, *fxw[64];
    int npos = 0, nfxw = 0, csv = 0, limit = 0, batch = 32, quiet = 0, rc = 1;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fxq_valid_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--csv")) {
            csv = 1;
        } else if (!strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--batch") || !strcmp(a, "--list") || !strcmp(a, "--pred") ||
                   !strcmp(a, "--logits") || !strcmp(a, "--fx-weights")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "darknet fxq valid: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--list")) list = v;
            else if (!strcmp(a, "--fx-weights") && nfxw < (int)(sizeof fxw / sizeof fxw[0])) fxw[nfxw++] = v;
            else if (!strcmp(a, "--fx-weights")) return fxq_cli_usage_error("valid", "too many --fx-weights", v);
            else if (!strcmp(a, "--pred")) pred = v;
            else if (!strcmp(a, "--logits")) logits = v;
            else if (!fxq_cli_int(v, 1, !strcmp(a, "-n") ? 100000000 : 4096, !strcmp(a, "-n") ? &limit : &batch)) {
                fprintf(stderr, "darknet fxq valid: %s '%s' is not a positive integer in range\n", a, v);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "darknet fxq valid: unknown option '%s'\n", a);
            return 2;
        } else if (npos < (int)(sizeof pos / sizeof pos[0])) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "darknet fxq valid: too many cfgs (at most %d)\n", (int)(sizeof pos / sizeof pos[0]) - 2);
            return 2;
        }
    }
    if (npos < 3) {
        fxq_valid_usage(stderr);
        return 2;
    }
    const char *data = pos[0], *weights = pos[2];
    const int nnet = npos - 2;
    const char **cfgs = malloc((size_t)nnet * sizeof *cfgs), **wfile = malloc((size_t)nnet * sizeof *wfile);
    network **nets = calloc((size_t)nnet, sizeof *nets);
    fxq_eval_result *res = calloc((size_t)nnet, sizeof *res);
    fxq_evalset set;
    char why[1024];
    memset(&set, 0, sizeof set);
    if (!cfgs || !wfile || !nets || !res) {
        fprintf(stderr, "darknet fxq valid: out of memory\n");
        goto free_all;
    }
    cfgs[0] = pos[1];
    for (int k = 1; k < nnet; ++k) cfgs[k] = pos[k + 2];
    if (fxq_cli_fx_weights("valid", weights, fxw, nfxw, nnet, wfile)) {
        rc = 2;
        goto free_all;
    }
    if ((pred && !fxq_valid_pred_ok(pred, data, cfgs, nnet, wfile, list, why, sizeof why)) ||
        (logits && !fxq_valid_pred_ok(logits, data, cfgs, nnet, wfile, list, why, sizeof why))) {
        fprintf(stderr, "darknet fxq valid: %s\n", why);
        goto free_all;
    }
    if (pred && logits && fxq_out_same(logits, pred)) {
        struct stat st; /* a device takes both (/dev/null) */
        if (stat(logits, &st) || S_ISREG(st.st_mode)) {
            fprintf(stderr, "darknet fxq valid: %s: --pred and --logits name the same file\n", logits);
            goto free_all;
        }
    }
    if (!fxq_evalset_open(data, list, &set, why, sizeof why)) {
        fprintf(stderr, "darknet fxq valid: %s\n", why);
        goto free_all;
    }
    for (int k = 0; k < nnet; ++k) {
        if (!(nets[k] = fxq_eval_load_net(cfgs[k], wfile[k], batch, quiet, why, sizeof why))) {
            fprintf(stderr, "darknet fxq valid: %s\n", why);
            goto free_all;
        }
    }
    if (!quiet && set.unlabelled)
        fprintf(stderr, "darknet fxq valid: warning: %d images match no label (counted as wrong, as classifier valid does)\n",
                set.unlabelled);
    for (int k = 0; pred && k < nnet; ++k) {
        if (!(res[k].pred = malloc((size_t)set.n * sizeof *res[k].pred))) {
            fprintf(stderr, "darknet fxq valid: out of memory\n");
            goto free_all;
        }
    }
    const int nlog = nets[0]->layers[fxq_eval_logit_layer(nets[0])].outputs;
    for (int k = 0; logits && k < nnet; ++k) {
        if (!(res[k].logit_out = malloc((size_t)set.n * nlog * sizeof *res[k].logit_out))) {
            fprintf(stderr, "darknet fxq valid: out of memory\n");
            goto free_all;
        }
    }
    if (!fxq_eval_run(nets, cfgs, nnet, &set, limit, quiet, res, why, sizeof why)) {
        fprintf(stderr, "darknet fxq valid: %s\n", why);
        goto free_all;
    }
    if (pred || logits) { /* both files or neither */
        fxq_out_txn_begin();
        const int put = (!pred || fxq_valid_write_pred(pred, &set, res[0].images, cfgs, res, nnet)) &&
                        (!logits || fxq_valid_write_logits(logits, &set, res[0].images, nlog, cfgs, res, nnet));
        const int placed = fxq_out_txn_end(put, why, sizeof why);
        if (put && !placed) fprintf(stderr, "darknet fxq valid: %s\n", why);
        if (!put || !placed) goto free_all;
    }
    const int k = set.topk;
    if (csv) {
        printf("cfg,weights,images,top1,top%d,agree_top1,mean_abs_dlogit,images_per_s\n", k);
        for (int i = 0; i < nnet; ++i) {
            const fxq_eval_result *r = &res[i];
            printf("%s,%s,%ld,%.6f,%.6f,%.6f,%.6g,%.1f\n", cfgs[i], wfile[i], r->images, (double)r->top1 / r->images,
                   (double)r->topk / r->images, (double)r->agree / r->images,
                   r->logits ? r->abs_dlogit_sum / r->logits : 0.0, r->seconds > 0 ? r->images / r->seconds : 0.0);
        }
    } else {
        size_t wcol = 8;
        for (int i = 0; i < nnet; ++i)
            if (strlen(cfgs[i]) > wcol) wcol = strlen(cfgs[i]);
        printf("%ld images, weights %s, reference %s\n", res[0].images, weights, cfgs[0]);
        fxq_cli_print_fx_weights(cfgs, wfile, nnet);
        char topk_name[16];
        snprintf(topk_name, sizeof topk_name, "top-%d", k);
        printf("%-*s  %7s  %7s  %7s  %9s  %9s\n", (int)wcol, "cfg", "top-1", topk_name, "agree", "|dlogit|", "img/s");
        for (int i = 0; i < nnet; ++i) {
            const fxq_eval_result *r = &res[i];
            printf("%-*s  %7.4f  %7.4f  %7.4f  %9.4g  %9.1f\n", (int)wcol, cfgs[i], (double)r->top1 / r->images,
                   (double)r->topk / r->images, (double)r->agree / r->images,
                   r->logits ? r->abs_dlogit_sum / r->logits : 0.0, r->seconds > 0 ? r->images / r->seconds : 0.0);
        }
    }
    rc = 0;
free_all:
    for (int i = 0; nets && i < nnet; ++i)
        if (nets[i]) free_network(nets[i]);
    fxq_evalset_free(&set);
    for (int i = 0; res && i < nnet; ++i) free(res[i].pred), free(res[i].logit_out);
    free(cfgs);
    free(wfile);
    free(nets);
    free(res);
    return rc;
}
