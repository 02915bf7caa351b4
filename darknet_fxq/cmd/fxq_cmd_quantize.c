/* `darknet fxq quantize`: the command around the pass pipeline
 * (pass/fxq_pass.h): arguments, the checks that come before any work, the
 * report, and the outputs.
 *
 *   quantize <cfg> [<weights> <calib.list|file.stats>] -o <out.cfg> <budget> [options]
 *
 * Every bad input ends in one line "darknet fxq quantize: <reason>", exit
 * status 1 (2 for a usage error), and nothing written: the cfg, its .weights
 * and the CSV are all written to temp files first and renamed only when all
 * three are complete. docs/quantize.md is the user's documentation. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_biascorr.h"
#include "fxq_cfgcheck.h"
#include "fxq_cfgtext.h"
#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_cmd_quantize_args.h"
#include "fxq_eval.h"
#include "fxq_net.h"
#include "fxq_outfile.h"
#include "fxq_pass.h"
#include "fxq_qreport.h"
#include "fxq_qwrite.h"

/* The passes the arguments ask for: --passes, --preset, or the default
 * (accurate with images, fast with a .stats file alone). 0 + why. */
static int fxq_quantize_set(const fxq_quantize_args *a, unsigned *set, const char **name, char *why, size_t why_len)
{
    *name = NULL;
    if (a->npos < 3) {
        *set = 0;
        return 1;
    }
    if (a->passes) return fxq_passes_parse(a->passes, set, why, why_len);
    const char *p = a->preset;
    if (!p) p = fxq_pass_is_stats_file(a->pos[2]) && !a->images ? "fast" : "accurate";
    *name = p;
    *set = fxq_preset_find(p)->passes;
    return 1;
}

/* out.cfg -> out.weights (a name without .cfg gets .weights appended); a
 * device (/dev/null) takes both. */
static char *fxq_weights_beside(const char *out)
{
    struct stat st;
    if (stat(out, &st) == 0 && !S_ISREG(st.st_mode)) return strdup(out);
    const size_t n = strlen(out);
    const size_t stem = n > 4 && !strcmp(out + n - 4, ".cfg") ? n - 4 : n;
    char *w = malloc(stem + 9);
    if (w) {
        memcpy(w, out, stem);
        strcpy(w + stem, ".weights");
    }
    return w;
}

/* The .data file beside the cfg (cfg/x.cfg -> cfg/x.data), else one in the
 * cfg's folder whose train= or valid= list lives in a folder that holds the
 * calibration list or its first image; NULL when none is found. */
static char *fxq_guess_data(const char *cfg, const char *calib)
{
    char buf[4096], first[2048] = "";
    const size_t n = strlen(cfg);
    if (n > 4 && n < sizeof buf - 8 && !strcmp(cfg + n - 4, ".cfg")) {
        snprintf(buf, sizeof buf, "%.*s.data", (int)(n - 4), cfg);
        if (access(buf, R_OK) == 0) return strdup(buf);
    }
    FILE *cl = fopen(calib, "r");
    if (cl) {
        if (!fgets(first, sizeof first, cl)) *first = 0;
        fclose(cl);
    }
    const char *slash = strrchr(cfg, '/');
    char dir[2048];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - cfg) : 1, slash ? cfg : ".");
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        const size_t m = strlen(e->d_name);
        if (m < 6 || strcmp(e->d_name + m - 5, ".data")) continue;
        snprintf(buf, sizeof buf, "%s/%s", dir, e->d_name);
        FILE *f = fopen(buf, "r");
        if (!f) continue;
        char line[1024];
        while (!found && fgets(line, sizeof line, f)) {
            if (strncmp(line, "valid", 5) && strncmp(line, "train", 5)) continue;
            const char *v = strchr(line, '=');
            if (!v) continue;
            while (*++v == ' ') {}
            const char *vs = strrchr(v, '/');
            if (!vs) continue;
            const size_t k = (size_t)(vs - v) + 1; /* the list's folder, with its slash */
            if (!strncmp(v, calib, k) || !strncmp(v, first, k)) found = strdup(buf);
        }
        fclose(f);
    }
    closedir(d);
    return found;
}

static void fxq_print_next(FILE *f, const fxq_quantize_args *a, int detector, const char *wout)
{
    char *data = fxq_guess_data(a->pos[0], a->pos[2]);
    fprintf(f, "next: ./darknet fxq %s %s %s %s %s", detector ? "map" : "valid", data ? data : "<data>", a->pos[0],
            a->pos[1], a->out);
    if (wout) fprintf(f, " --fx-weights %s", wout);
    fputc('\n', f);
    free(data);
}

/* The fixed-point cfg's text. NULL + why. */
static char *fxq_cfg_render(const fxq_cfgtext *text, const fxq_qplan *p, const char *header, const char *cfg,
                            size_t *len, char *why, size_t why_len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    if (!m) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    const int ok = fxq_qplan_print_cfg(m, text, p, header, cfg, why, why_len);
    fclose(m);
    if (!ok) free(buf), buf = NULL;
    return buf;
}

/* The cfg, its .weights (wout, may be NULL) and the CSV (may be NULL or
 * "-"), all or nothing (fxq_out_txn_*): each to a temp file (a device gets
 * its bytes copied, every write checked), then all put in place; on any
 * failure none of them is left and an existing file at their paths is kept. */
static int fxq_write_outputs(const fxq_pass_ctx *c, const fxq_quantize_args *a, const char *header, const char *wout,
                             char *why, size_t why_len)
{
    size_t cfg_len = 0, csv_len = 0;
    char *cfg_buf = fxq_cfg_render(c->text, c->plan, header, a->pos[0], &cfg_len, why, why_len), *csv_buf = NULL;
    if (!cfg_buf) return 0;
    const int csv_file = a->csv && strcmp(a->csv, "-");
    if (csv_file) {
        FILE *m = open_memstream(&csv_buf, &csv_len);
        if (!m) {
            free(cfg_buf);
            snprintf(why, why_len, "out of memory");
            return 0;
        }
        fxq_qreport_csv(m, c->plan);
        fclose(m);
    }
    fxq_out_txn_begin();
    int ok = 1;
    if (wout) { /* save_weights opens the file by name: the temp one */
        fxq_outfile w;
        ok = fxq_out_open_named(&w, wout, why, why_len);
        if (ok && !fxq_bias_save_weights(c->plan, a->pos[0], c->weights, w.tmp, why, why_len)) {
            fxq_out_abort(&w);
            ok = 0;
        }
        ok = ok && fxq_out_commit(&w, why, why_len);
    }
    ok = ok && fxq_out_write_all(a->out, cfg_buf, cfg_len, why, why_len);
    ok = ok && (!csv_file || fxq_out_write_all(a->csv, csv_buf, csv_len, why, why_len));
    if (!fxq_out_txn_end(ok, why, why_len)) ok = 0;
    free(cfg_buf);
    free(csv_buf);
    return ok;
}

/* Every output differs from every input and from the other outputs, in the
 * words every other writer uses (fxq_out_distinct), checked before any work.
 * Names are compared too: an output that does not exist yet may still be an
 * input the run would read (--images) or another output of this run. */
static int fxq_check_outputs(const fxq_quantize_args *a, const char *wout, char *why, size_t why_len)
{
    const char *in[5] = {a->pos[0], a->pos[1], a->pos[2], a->images, a->held_out};
    const char *out[3] = {a->dry_run ? NULL : a->out, a->csv && strcmp(a->csv, "-") ? a->csv : NULL,
                          a->dry_run ? NULL : wout};
    static const char *const what[3] = {"-o", "--csv", "the .weights beside -o"};
    static const char *const noun[3] = {"the output", "the output", "the .weights beside -o"};
    static const char *const other[3] = {"path", "path", "-o"};
    for (int i = 0; i < 3; ++i) {
        if (!out[i]) continue;
        for (int k = 0; k < 5; ++k)
            if (in[k] && strcmp(in[k], "-") && fxq_out_same(out[i], in[k])) {
                struct stat st;
                if (stat(out[i], &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) continue; /* a device */
                snprintf(why, why_len, "%s: is the input %s: %s would overwrite an input; choose another %s", out[i],
                         in[k], noun[i], other[i]);
                return 0;
            }
        if (!fxq_cli_output_ok(out[i], in, 5, why, why_len)) return 0;
        struct stat st; /* a device takes every output written to it (-o /dev/null) */
        const int device = stat(out[i], &st) == 0 && !S_ISREG(st.st_mode);
        for (int j = 0; j < i && !device; ++j)
            if (out[j] && fxq_out_same(out[i], out[j])) {
                snprintf(why, why_len, "%s: %s and %s name the same file", out[i], what[j], what[i]);
                return 0;
            }
    }
    return 1;
}

static void fxq_report(FILE *info, const fxq_quantize_args *a, const fxq_pass_ctx *c, int csv_stdout)
{
    char tmp[256];
    const fxq_qplan *p = c->plan;
    fprintf(info, "fxq quantize %s\n", a->pos[0]);
    fprintf(info, "  objective: %s\n", fxq_qreport_objective(&c->o));
    fxq_qreport_kappa(tmp, sizeof tmp, p, &c->o);
    fprintf(info, "  kappa: %s\n", tmp);
    fxq_qreport_budget(tmp, sizeof tmp, &c->o);
    fprintf(info, "  budget: %s\n", tmp);
    if (c->o.alloc_acts) fprintf(info, "  activations: allocated\n");
    else if (c->o.head_bits && c->o.head_bits != c->o.abits)
        fprintf(info, "  activations: %d bits, head outputs %d bits\n", c->o.abits, c->o.head_bits);
    else fprintf(info, "  activations: %d bits\n", c->o.abits);
    if (!csv_stdout) fxq_qreport_table(stdout, p);
    fxq_qreport_moves(info, p, &c->o);
    if (!p->has_formats)
        fprintf(info, a->npos == 3 ? "(fractional bits: the passes choose them; --dry-run runs none)\n"
                                   : "(fractional bits need <weights> <calib.list|file.stats>)\n");
}

/* The cfg header, with the passes that made it (paper's header is the one
 * the section 3.3 rule always wrote). */
static char *fxq_header(const fxq_pass_ctx *c, int argc, char **argv, const fxq_quantize_args *a, const char *wout)
{
    char *h = fxq_qreport_cfg_header(c->plan, &c->o, argc, argv, NULL, a->pos[0], a->pos[2], wout);
    if (!h || (c->set & FXQ_PASS_BIT(FXQ_PASS_PAPER))) return h;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        free(h);
        return NULL;
    }
    /* inside the header: its blank line ends it, and the original cfg's
     * lines follow unchanged */
    size_t hl = strlen(h);
    if (hl >= 2 && h[hl - 1] == '\n' && h[hl - 2] == '\n') --hl;
    fwrite(h, 1, hl, m);
    fputs("# passes:", m);
    int order[FXQ_PASS_COUNT * 3];
    const int n = fxq_pipeline_expand(c->set, order, FXQ_PASS_COUNT * 3);
    for (int k = 0; k < n; ++k) {
        const fxq_pass *p = &fxq_passes[order[k]];
        const char *skip = p->skip ? p->skip(c) : NULL;
        fprintf(m, " %s%s", p->name, skip ? " (skipped)" : "");
    }
    fputs(hl < strlen(h) ? "\n\n" : "\n", m);
    fclose(m);
    free(h);
    return buf;
}

int fxq_cmd_quantize(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "--help-all")) {
            fxq_quantize_usage(stdout, !strcmp(argv[i], "--help-all"));
            return 0;
        }
        if (!strcmp(argv[i], "--help-markdown")) {
            fxq_quantize_markdown(stdout);
            return 0;
        }
    }
    fxq_quantize_args a;
    int rc = fxq_quantize_parse_args(argc, argv, &a);
    if (rc) return rc;
    char why[2048];
    unsigned set = 0;
    const char *preset = NULL;
    if (!fxq_quantize_set(&a, &set, &preset, why, sizeof why)) return fxq_quantize_usage_error(why, NULL);

    const int writes_weights = !!(set & (FXQ_PASS_BIT(FXQ_PASS_ACT_CHANNELS) | FXQ_PASS_BIT(FXQ_PASS_ACT_SCALES) |
                                         FXQ_PASS_BIT(FXQ_PASS_ROUND_OPT) | FXQ_PASS_BIT(FXQ_PASS_BIAS_CORRECT)));
    char *wout = writes_weights && a.out ? fxq_weights_beside(a.out) : NULL;
    if (!fxq_check_outputs(&a, wout, why, sizeof why)) {
        free(wout);
        return fxq_quantize_fail(why);
    }
    const char *lists[2] = {a.images, a.held_out};
    for (int i = 0; i < 2; ++i)
        if (lists[i] && !fxq_file_readable(lists[i], why, sizeof why)) {
            free(wout);
            return fxq_quantize_fail(why);
        }
    if (!fxq_cfgcheck_file(a.pos[0], why, sizeof why)) { /* its own errors first */
        free(wout);
        return fxq_quantize_fail(why);
    }
    fxq_cfgtext *text = fxq_cfg_read_text(a.pos[0], why, sizeof why);
    if (!text) {
        free(wout);
        return fxq_quantize_fail(why);
    }
    fxq_pass_ctx c = {.cfg = a.pos[0], .weights0 = a.pos[1], .calib = a.pos[2], .held_out = a.held_out, .n = a.n,
                      .batch = a.batch, .threads = a.threads, .quiet = a.quiet, .o = a.o, .text = text};
    c.images = a.images ? a.images : a.npos == 3 && !fxq_pass_is_stats_file(a.pos[2]) ? a.pos[2] : NULL;
    c.detector = fxq_pass_is_detector(text);
    /* a detector's heads (the linear convs before [yolo]) are read by float
     * box decoding: 16-bit outputs keep their error out of the boxes */
    if (c.detector && !a.head_bits_given && !(set & FXQ_PASS_BIT(FXQ_PASS_PAPER)) && !c.o.alloc_acts &&
        c.o.abits < 16 && c.o.hi >= 16)
        c.o.head_bits = 16;
    char *header = NULL;
    fxq_netshape *ns = fxq_netshape_probe(a.pos[0], why, sizeof why);
    c.shapes = ns;
    if (!ns) {
        rc = fxq_quantize_fail(why);
        goto done;
    }
    if (ns->n != text->nsec - 1) {
        snprintf(why, sizeof why, "%s: Darknet built %d layers from %d sections", a.pos[0], ns->n, text->nsec - 1);
        rc = fxq_quantize_fail(why);
        goto done;
    }
    if (set && !fxq_passes_check(set, &c, why, sizeof why)) {
        rc = fxq_quantize_usage_error(why, NULL);
        goto done;
    }
    const int csv_stdout = a.csv && !strcmp(a.csv, "-");
    FILE *info = csv_stdout ? stderr : stdout;
    int ok;
    if (a.dry_run) { /* the allocation, and the formats when statistics are at hand */
        const int stats_now = a.npos == 3 && fxq_pass_is_stats_file(a.pos[2]);
        c.weights = c.weights0;
        if (set & FXQ_PASS_BIT(FXQ_PASS_WINDOWS)) c.o.q.windows = 1;
        ok = (!stats_now || fxq_pass_record_stats(&c, why, sizeof why)) &&
             (set & FXQ_PASS_BIT(FXQ_PASS_PAPER) ? fxq_passes[FXQ_PASS_PAPER].run(&c, why, sizeof why)
                                                  : fxq_passes[FXQ_PASS_FORMATS].run(&c, why, sizeof why));
        char inner[1024];
        if (ok && !fxq_qplan_check_layers(c.plan, inner, sizeof inner)) fprintf(stderr, "warning: %s\n", inner);
    } else {
        ok = fxq_pipeline_run(&c, set, why, sizeof why);
        char inner[1024];
        /* a cfg the fixed-point layers would refuse is not worth writing */
        if (ok && !fxq_qplan_check_layers(c.plan, inner, sizeof inner)) {
            snprintf(why, sizeof why, "%.900s: %s", a.pos[0], inner);
            ok = 0;
        }
        ok = ok && fxq_qplan_cfg_conflict(text, c.plan, a.pos[0], why, sizeof why);
        if (ok && !(header = fxq_header(&c, argc, argv, &a, wout))) {
            snprintf(why, sizeof why, "out of memory");
            ok = 0;
        }
    }
    if (!ok) {
        rc = fxq_quantize_fail(why);
        goto done;
    }
    fxq_report(info, &a, &c, csv_stdout);
    if (set) {
        fprintf(info, "passes%s%s%s:\n", preset ? " (preset " : "", preset ? preset : "", preset ? ")" : "");
        fxq_pipeline_print(info, set, &c);
    }
    if (!a.dry_run) {
        if (!fxq_write_outputs(&c, &a, header, wout, why, sizeof why)) {
            rc = fxq_quantize_fail(why);
            goto done;
        }
        fprintf(info, "wrote %s\n", a.out);
        if (wout) fprintf(info, "wrote %s (the float weights the passes changed; use it with %s)\n", wout, a.out);
    }
    if (a.csv && csv_stdout) {
        fxq_qreport_csv(stdout, c.plan);
    } else if (a.csv && a.dry_run) { /* the report without the cfg */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        ok = m != NULL;
        if (m) fxq_qreport_csv(m, c.plan), fclose(m);
        ok = ok && fxq_out_write_all(a.csv, buf, len, why, sizeof why);
        free(buf);
        if (!ok) {
            rc = fxq_quantize_fail(m ? why : "out of memory");
            goto done;
        }
        fprintf(info, "wrote %s\n", a.csv);
    } else if (a.csv) {
        fprintf(info, "wrote %s\n", a.csv);
    }
    if (!a.dry_run) fxq_print_next(info, &a, c.detector, wout);
done:
    free(header);
    free(wout);
    fxq_pass_ctx_free(&c);
    fxq_netshape_free(ns);
    fxq_cfgtext_free(text);
    return rc;
}
