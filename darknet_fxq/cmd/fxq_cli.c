#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cli.h"
#include "fxq_outfile.h"

int fxq_cli_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}

int fxq_cli_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v != v) return 0;
    *out = v;
    return 1;
}

int fxq_cli_pos_double(const char *s, double *out)
{
    double v;
    if (!fxq_cli_double(s, &v) || !(v > 0) || v > 1e6) return 0;
    *out = v;
    return 1;
}

int fxq_cli_output_writable(const char *path, char *why, size_t why_len)
{
    if (!strcmp(path, "-")) return 1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    if (access(dir, W_OK | X_OK)) {
        snprintf(why, why_len, "%s: its directory is not writable: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

int fxq_cli_fail(const char *verb, const char *why)
{
    fprintf(stderr, "darknet fxq %s: %s\n", verb, why);
    return 1;
}

int fxq_cli_usage_error(const char *verb, const char *what, const char *arg)
{
    fprintf(stderr, "darknet fxq %s: %s%s%s (see darknet fxq %s --help)\n", verb, what, arg ? ": " : "",
            arg ? arg : "", verb);
    return 2;
}

int fxq_cli_output_ok(const char *out, const char *const *inputs, int n, char *why, size_t why_len)
{
    return fxq_out_distinct(out, inputs, n, why, why_len) && fxq_cli_output_writable(out, why, why_len);
}

int fxq_cli_data_inputs(const char *data, char (*out)[FXQ_CLI_PATH], int max)
{
    static const char *keys[] = {"train", "valid", "labels", "names", "test", "eval"};
    FILE *f = fopen(data, "r");
    if (!f) return 0;
    char line[FXQ_CLI_PATH + 64];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char *q = line;
        for (char *p = line; *p; ++p)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') *q++ = *p;
        *q = 0;
        char *eq = strchr(line, '=');
        if (!eq || !eq[1]) continue;
        *eq = 0;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k)
            if (!strcmp(line, keys[k])) {
                snprintf(out[n++], FXQ_CLI_PATH, "%s", eq + 1);
                break;
            }
    }
    fclose(f);
    return n;
}

int fxq_cli_needs_value(const char *verb, const char *opt)
{
    fprintf(stderr, "darknet fxq %s: %s needs a value\n", verb, opt);
    return 2;
}

int fxq_cli_fx_weights(const char *verb, const char *weights, const char *const *fxw, int nfxw, int nnet,
                       const char **wfile)
{
    if (nfxw && nnet < 2) return fxq_cli_usage_error(verb, "--fx-weights without a fixed-point cfg", fxw[0]);
    if (nfxw > 1 && nfxw != nnet - 1) {
        char what[96];
        snprintf(what, sizeof what, "%d --fx-weights for %d fixed-point cfgs: give one for all, or one per cfg", nfxw,
                 nnet - 1);
        return fxq_cli_usage_error(verb, what, NULL);
    }
    for (int k = 0; k < nnet; ++k) {
        const char *w = k && nfxw ? fxw[nfxw == 1 ? 0 : k - 1] : weights;
        wfile[k] = strcmp(w, "-") ? w : weights;
    }
    return 0;
}

void fxq_cli_print_fx_weights(const char *const *cfgs, const char *const *wfile, int nnet)
{
    int one = 1; /* every fixed-point cfg with the same weights */
    for (int i = 2; i < nnet; ++i) one &= !strcmp(wfile[i], wfile[1]);
    if (nnet > 1 && one && strcmp(wfile[1], wfile[0])) printf("fixed-point cfgs with weights %s\n", wfile[1]);
    for (int i = 1; i < nnet && !one; ++i)
        if (strcmp(wfile[i], wfile[0])) printf("%s with weights %s\n", cfgs[i], wfile[i]);
}
