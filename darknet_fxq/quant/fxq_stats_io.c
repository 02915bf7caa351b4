/* The calibration statistics file: versioned, line-oriented text, one record
 * per (layer, tensor), for the later steps and for people (docs/stats.md).
 *
 *   fxq-stats 1
 *   # comment lines start with '#'
 *   net_layers 8            layers in the cfg (all types), to detect mismatch
 *   images 1000             images the activations were recorded on
 *   records 7               recorded (convolutional/connected) layers
 *   bins 2048               histogram bins per tensor
 *   <layer> <type> <tensor> count=.. zeros=.. mean=.. sigma=.. min=.. max=..
 *       absmax=.. kurtosis=.. m2=.. m3=.. m4=.. range=.. hist=bin:count,...
 *
 * Every number needed to continue a merge is written with 17 significant
 * digits, so read(write(s)) == s bit for bit. sigma, absmax and kurtosis are
 * derived, for readers of the file; the parser ignores them (and any key it
 * does not know, so later versions may add keys). hist lists only non-empty
 * bins; bin b covers [-range + b*w, -range + (b+1)*w), w = 2*range/bins. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_stats.h"
#include "fxq_outfile.h"

#define FXQ_STATS_VERSION 1

static int fxq_write_record(FILE *f, const fxq_layer_stats *l, int t)
{
    const fxq_tensor_stats *s = &l->t[t];
    fprintf(f, "%d %s %s count=%llu zeros=%llu mean=%.17g sigma=%.9g min=%.17g max=%.17g absmax=%.9g kurtosis=%.9g",
            l->index, l->type, fxq_tensor_names[t], (unsigned long long)s->count, (unsigned long long)s->zeros,
            s->mean, fxq_ts_sigma(s), s->min, s->max, fxq_ts_absmax(s), fxq_ts_kurtosis(s));
    fprintf(f, " m2=%.17g m3=%.17g m4=%.17g range=%.17g hist=", s->m2, s->m3, s->m4, s->range);
    int first = 1;
    for (int b = 0; b < FXQ_HIST_BINS; ++b) {
        if (!s->hist[b]) continue;
        fprintf(f, "%s%d:%llu", first ? "" : ",", b, (unsigned long long)s->hist[b]);
        first = 0;
    }
    return fputc('\n', f) != EOF;
}

static int fxq_write_all(const fxq_stats *s, FILE *f)
{
    fprintf(f, "fxq-stats %d\n", FXQ_STATS_VERSION);
    fprintf(f, "# darknet-fxq calibration statistics (format: docs/stats.md)\n");
    fprintf(f, "net_layers %d\nimages %llu\nrecords %d\nbins %d\n", s->net_layers, (unsigned long long)s->images,
            s->n, FXQ_HIST_BINS);
    fprintf(f, "# layer type tensor count zeros mean sigma min max absmax kurtosis m2 m3 m4 range hist\n");
    for (int i = 0; i < s->n; ++i)
        for (int t = 0; t < FXQ_T_COUNT; ++t)
            if (!fxq_write_record(f, &s->layers[i], t)) return 0;
    return !ferror(f);
}

int fxq_stats_write(const fxq_stats *s, const char *path, char *why, size_t why_len)
{
    /* temp file + rename for a regular file, direct for "-" and devices */
    fxq_outfile o;
    if (!fxq_out_open(&o, path, why, why_len)) return 0;
    if (!fxq_write_all(s, o.f)) {
        snprintf(why, why_len, "%s: write failed: %s", strcmp(path, "-") ? path : "stdout", strerror(errno));
        fxq_out_abort(&o);
        return 0;
    }
    return fxq_out_commit(&o, why, why_len);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct fxq_reader {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    long lineno;
    char *why;
    size_t why_len;
} fxq_reader;

static int fxq_rd_fail(fxq_reader *r, const char *what)
{
    snprintf(r->why, r->why_len, "%s:%ld: %s", r->path, r->lineno, what);
    return 0;
}

/* Next line that is neither blank nor a comment; 0 at end of file. */
static int fxq_rd_line(fxq_reader *r)
{
    ssize_t n;
    while ((n = getline(&r->line, &r->cap, r->f)) >= 0) {
        ++r->lineno;
        while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r' || r->line[n - 1] == ' ')) r->line[--n] = 0;
        const char *p = r->line;
        while (*p == ' ' || *p == '\t') ++p;
        if (*p && *p != '#') return 1;
    }
    return 0;
}

static int fxq_parse_u64(const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*v == '-') return 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end) return 0;
    *out = x;
    return 1;
}

static int fxq_parse_f64(const char *v, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    /* underflow to subnormal is fine; NaN/Inf never come from a recording and
     * would silently steer the allocation */
    if (end == v || *end || (errno && fabs(x) > 1) || !isfinite(x)) return 0;
    *out = x;
    return 1;
}

/* "key value" header line. */
static int fxq_rd_header(fxq_reader *r, const char *key, uint64_t *out)
{
    char msg[96];
    if (!fxq_rd_line(r)) {
        snprintf(msg, sizeof msg, "ends before '%s'", key);
        return fxq_rd_fail(r, msg);
    }
    size_t k = strlen(key);
    if (strncmp(r->line, key, k) || r->line[k] != ' ' || !fxq_parse_u64(r->line + k + 1, out)) {
        snprintf(msg, sizeof msg, "expected '%s <number>'", key);
        return fxq_rd_fail(r, msg);
    }
    return 1;
}

static int fxq_rd_hist(fxq_reader *r, char *v, fxq_tensor_stats *s)
{
    if (!*v) return 1;
    char *save = NULL;
    for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        uint64_t b, c;
        if (!colon) return fxq_rd_fail(r, "hist entry is not bin:count");
        *colon = 0;
        if (!fxq_parse_u64(tok, &b) || !fxq_parse_u64(colon + 1, &c) || b >= FXQ_HIST_BINS)
            return fxq_rd_fail(r, "bad hist entry");
        s->hist[b] += c;
    }
    return 1;
}

static int fxq_rd_record(fxq_reader *r, fxq_stats *st, int *rec, int *tensor_next)
{
    char *save = NULL;
    char *f_index = strtok_r(r->line, " \t", &save);
    char *f_type = strtok_r(NULL, " \t", &save);
    char *f_tensor = strtok_r(NULL, " \t", &save);
    uint64_t index;
    if (!f_index || !f_type || !f_tensor || !fxq_parse_u64(f_index, &index) || index > 1000000)
        return fxq_rd_fail(r, "expected '<layer> <type> <tensor> key=value ...'");
    int t = fxq_tensor_parse(f_tensor);
    if (t < 0) return fxq_rd_fail(r, "unknown tensor name");
    if (strcmp(f_type, "convolutional") && strcmp(f_type, "connected"))
        return fxq_rd_fail(r, "layer type is not convolutional/connected");
    if (t != *tensor_next) return fxq_rd_fail(r, "tensors of a layer must come in the order weights biases input preact output");
    if (t == FXQ_T_WEIGHTS) {
        if (*rec >= st->n) return fxq_rd_fail(r, "more layers than 'records' says");
        if (*rec > 0 && (int)index <= st->layers[*rec - 1].index) return fxq_rd_fail(r, "layer indices must increase");
        if ((int)index >= st->net_layers) return fxq_rd_fail(r, "layer index beyond net_layers");
        st->layers[*rec].index = (int)index;
        snprintf(st->layers[*rec].type, sizeof st->layers[*rec].type, "%s", f_type);
    } else if ((int)index != st->layers[*rec].index || strcmp(f_type, st->layers[*rec].type)) {
        return fxq_rd_fail(r, "record belongs to another layer than the one before it");
    }
    fxq_tensor_stats *s = &st->layers[*rec].t[t];
    int have = 0; /* bit per required key */
    static const char *const req[] = {"count", "zeros", "mean", "min", "max", "m2", "m3", "m4", "range", "hist"};
    const int nreq = (int)(sizeof req / sizeof req[0]);
    for (char *kv = strtok_r(NULL, " \t", &save); kv; kv = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) return fxq_rd_fail(r, "expected key=value");
        *eq = 0;
        const char *v = eq + 1;
        int k = -1;
        for (int i = 0; i < nreq; ++i)
            if (!strcmp(kv, req[i])) k = i;
        if (k < 0) continue; /* derived or unknown key */
        int ok = 1;
        switch (k) {
        case 0: ok = fxq_parse_u64(v, &s->count); break;
        case 1: ok = fxq_parse_u64(v, &s->zeros); break;
        case 2: ok = fxq_parse_f64(v, &s->mean); break;
        case 3: ok = fxq_parse_f64(v, &s->min); break;
        case 4: ok = fxq_parse_f64(v, &s->max); break;
        case 5: ok = fxq_parse_f64(v, &s->m2); break;
        case 6: ok = fxq_parse_f64(v, &s->m3); break;
        case 7: ok = fxq_parse_f64(v, &s->m4); break;
        case 8: ok = fxq_parse_f64(v, &s->range); break;
        case 9: ok = fxq_rd_hist(r, (char *)v, s); if (!ok) return 0; break;
        }
        if (!ok) {
            char msg[96];
            snprintf(msg, sizeof msg, "bad value for '%s': '%.24s' (a finite number expected)", kv, v);
            return fxq_rd_fail(r, msg);
        }
        have |= 1 << k;
    }
    for (int i = 0; i < nreq; ++i)
        if (!(have & (1 << i))) {
            char msg[96];
            snprintf(msg, sizeof msg, "missing key '%s'", req[i]);
            return fxq_rd_fail(r, msg);
        }
    /* consistency: what a hand-edited or truncated file would break */
    uint64_t sum = 0;
    for (int b = 0; b < FXQ_HIST_BINS; ++b) sum += s->hist[b];
    if (sum != s->count) return fxq_rd_fail(r, "histogram total differs from count");
    if (s->zeros > s->count) return fxq_rd_fail(r, "zeros > count");
    if (s->count) {
        int e;
        if (!(s->range >= FXQ_HIST_MIN_RANGE) || !isfinite(s->range) || frexp(s->range, &e) != 0.5)
            return fxq_rd_fail(r, "range is not a power of two");
        if (!(s->min <= s->max) || !(fmax(fabs(s->min), fabs(s->max)) < s->range) || !(s->m2 >= 0) || !isfinite(s->m4))
            return fxq_rd_fail(r, "inconsistent min/max/range/moments");
    } else if (s->range != 0) {
        return fxq_rd_fail(r, "empty tensor with a histogram range");
    }
    if (t == FXQ_T_COUNT - 1) ++*rec;
    *tensor_next = (t + 1) % FXQ_T_COUNT;
    return 1;
}

fxq_stats *fxq_stats_read(const char *path, char *why, size_t why_len)
{
    fxq_reader r = {.path = path, .why = why, .why_len = why_len};
    fxq_stats *st = NULL;
    if (!(r.f = fopen(path, "r"))) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!fxq_rd_line(&r) || strncmp(r.line, "fxq-stats ", 10)) {
        fxq_rd_fail(&r, "not a darknet-fxq stats file (no 'fxq-stats <version>' line)");
        goto close_file;
    }
    uint64_t version, net_layers, images, records, bins;
    if (!fxq_parse_u64(r.line + 10, &version) || version != FXQ_STATS_VERSION) {
        char msg[96];
        snprintf(msg, sizeof msg, "format version '%s' not supported (this build reads %d)", r.line + 10,
                 FXQ_STATS_VERSION);
        fxq_rd_fail(&r, msg);
        goto close_file;
    }
    if (!fxq_rd_header(&r, "net_layers", &net_layers) || !fxq_rd_header(&r, "images", &images) ||
        !fxq_rd_header(&r, "records", &records) || !fxq_rd_header(&r, "bins", &bins))
        goto close_file;
    if (bins != FXQ_HIST_BINS) {
        fxq_rd_fail(&r, "histograms have a bin count this build does not use");
        goto close_file;
    }
    if (net_layers < 1 || net_layers > 1000000 || records > net_layers) {
        fxq_rd_fail(&r, "implausible net_layers/records");
        goto close_file;
    }
    if (!(st = fxq_stats_alloc((int)records, (int)net_layers))) {
        fxq_rd_fail(&r, "out of memory");
        goto close_file;
    }
    st->images = images;
    int rec = 0, tensor_next = 0;
    while (fxq_rd_line(&r))
        if (!fxq_rd_record(&r, st, &rec, &tensor_next)) goto free_stats;
    if (ferror(r.f)) {
        snprintf(why, why_len, "%s: read error: %s", path, strerror(errno));
        goto free_stats;
    }
    if (rec != st->n || tensor_next != 0) {
        fxq_rd_fail(&r, "file ends before all records ('records' says more; truncated?)");
        goto free_stats;
    }
    free(r.line);
    fclose(r.f);
    return st;

free_stats:
    fxq_stats_free(st);
    st = NULL;
close_file:
    free(r.line);
    fclose(r.f);
    return NULL;
}
