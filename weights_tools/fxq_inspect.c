/* fxq-inspect <file>: what a .fxw holds, layer by layer: formats, bytes, the
 * range of codes actually used, how many codes sit at the limits of their
 * format (saturated or exactly at the edge), and a histogram of the codes.
 * An upstream .weights file gets its header and size. */
#include <stdlib.h>
#include <string.h>

#include "fxq_fxw.h"
#include "fxq_fxw_net.h"

#define MAX_BINS 16

static void usage(FILE *f)
{
    fprintf(f, "usage: fxq-inspect <model.fxw | file.weights> [--bins N]\n"
               "  N: histogram bins per layer (1..%d, default %d) over the weight codes in use.\n",
            MAX_BINS, MAX_BINS);
}

typedef struct code_stats {
    long long min, max, at_lo, at_hi;
    long long hist[MAX_BINS];
    int bins;
} code_stats;

/* Range, limit counts, and a histogram over the range actually used. */
static void codes_stats(const int16_t *c16, const int64_t *c64, size_t n, int bits, int bins, code_stats *s)
{
    const long long lo = fxq_code_min(bits), hi = fxq_code_max(bits);
    memset(s, 0, sizeof *s);
    s->min = hi, s->max = lo;
    for (size_t i = 0; i < n; ++i) {
        const long long v = c16 ? c16[i] : c64[i];
        if (v < s->min) s->min = v;
        if (v > s->max) s->max = v;
        s->at_lo += v == lo;
        s->at_hi += v == hi;
    }
    const double span = (double)s->max - s->min + 1;
    s->bins = span < bins ? (int)span : bins;
    for (size_t i = 0; i < n; ++i) {
        const long long v = c16 ? c16[i] : c64[i];
        int b = (int)(((double)v - s->min) * s->bins / span);
        s->hist[b < 0 ? 0 : b >= s->bins ? s->bins - 1 : b]++;
    }
}

static void print_hist(const char *what, const code_stats *s)
{
    printf("    %s codes, %d bins over %lld..%lld:", what, s->bins, s->min, s->max);
    for (int b = 0; b < s->bins; ++b) printf(" %lld", s->hist[b]);
    printf("\n");
}

static int inspect_weights(const char *path, FILE *fp)
{
    int v[3];
    long size = -1;
    if (fread(v, sizeof(int), 3, fp) != 3) {
        fprintf(stderr, "fxq-inspect: %s: neither .fxw nor Darknet .weights (too short)\n", path);
        return 1;
    }
    const int wide = ((long long)v[0] * 10 + v[1]) >= 2 && v[0] < 1000 && v[1] < 1000; /* no int overflow */
    if (!fseek(fp, 0, SEEK_END)) size = ftell(fp);
    const long header = wide ? 20 : 16;
    if (v[0] < 0 || v[0] > 1000000 || v[1] < 0 || size < header) {
        fprintf(stderr, "fxq-inspect: %s: neither .fxw nor Darknet .weights\n", path);
        return 1;
    }
    printf("%s: Darknet .weights, version %d.%d.%d, %ld bytes, %ld float32 values after the %ld-byte header\n", path,
           v[0], v[1], v[2], size, (size - header) / 4, header);
    printf("  (per-layer detail needs the cfg: pack it with fxq-pack <fx.cfg> %s -o x.fxw)\n", path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int bins = MAX_BINS;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--bins") && i + 1 < argc) {
            char *end;
            long b = strtol(argv[++i], &end, 10);
            if (*end || b < 1 || b > MAX_BINS) {
                fprintf(stderr, "fxq-inspect: --bins must be 1..%d\n", MAX_BINS);
                return 2;
            }
            bins = (int)b;
        } else if (!strcmp(argv[i], "--bins")) {
            fprintf(stderr, "fxq-inspect: --bins needs a value (see fxq-inspect --help)\n");
            return 2;
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "fxq-inspect: unexpected argument '%s' (see fxq-inspect --help)\n", argv[i]);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        if (argc == 1) usage(stderr);
        else fprintf(stderr, "fxq-inspect: needs <model.fxw | file.weights> (see fxq-inspect --help)\n");
        return 2;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "fxq-inspect: %s: cannot open\n", path);
        return 1;
    }
    if (!fxq_is_fxw(fp)) {
        const int rc = inspect_weights(path, fp);
        fclose(fp);
        return rc;
    }
    char why[1024];
    fxq_fxw *f = fxq_fxw_read_fp(fp, path, why, sizeof why);
    fclose(fp);
    if (!f) {
        fprintf(stderr, "fxq-inspect: %s\n", why);
        return 1;
    }
    fxq_fxw_sizes sz;
    fxq_fxw_measure(f, &sz);
    const double ideal = (sz.weight_bits + sz.bias_bits) / 8.0 + sz.float_bytes;
    printf("%s: .fxw version %d, cfg of %d layers, %d records, seen %llu, checksum ok\n", path, f->version,
           f->net_layers, f->n, (unsigned long long)f->seen);
    printf("size: %llu bytes = sum(params * bits)/8 %.0f + overhead %.0f; weights %.4f Mbit, biases %.4f Mbit,"
           " float records %llu bytes\n",
           (unsigned long long)sz.file_bytes, ideal, sz.file_bytes - ideal, sz.weight_bits / 1e6, sz.bias_bits / 1e6,
           (unsigned long long)sz.float_bytes);
    printf("%-5s %-15s %-5s %-11s %-6s %-6s %-6s %-6s %9s %13s %9s %13s %5s\n", "layer", "type", "kind", "units x in",
           "w", "b", "in", "out", "bytes", "w min..max", "w at lim", "b min..max", "b lim");
    for (int i = 0; i < f->n; ++i) {
        const fxq_fxw_record *r = &f->rec[i];
        if (r->kind == FXQ_FXW_FLOAT) {
            float mn = 0, mx = 0;
            for (size_t k = 0; k < r->nfloats; ++k) {
                if (!k || r->floats[k] < mn) mn = r->floats[k];
                if (!k || r->floats[k] > mx) mx = r->floats[k];
            }
            printf("%-5d %-15s %-5s %-11zu %-6s %-6s %-6s %-6s %9zu  float32 values in %g..%g\n", r->layer,
                   fxq_fxw_type_name(r->type), "float", r->nfloats, "-", "-", "-", "-", 4 * r->nfloats, mn, mx);
            continue;
        }
        code_stats ws, bs;
        const size_t nw = (size_t)r->units * r->fan_in;
        codes_stats(r->w_codes, NULL, nw, r->w.bits, bins, &ws);
        codes_stats(NULL, r->b_codes, (size_t)r->units, r->b.bits, bins, &bs);
        char shape[32], fw[24], fb[16], fi[16], fo[16], wr[32], br[40];
        snprintf(shape, sizeof shape, "%dx%d", r->units, r->fan_in);
        if (r->w_fracs) {
            int hi = r->w_fracs[0];
            for (int u = 1; u < r->units; ++u)
                if (r->w_fracs[u] > hi) hi = r->w_fracs[u];
            snprintf(fw, sizeof fw, "%d.%d-%d", r->w.bits, r->w.frac, hi);
        } else {
            snprintf(fw, sizeof fw, "%d.%d", r->w.bits, r->w.frac);
        }
        snprintf(fb, sizeof fb, "%d.%d", r->b.bits, r->b.frac);
        snprintf(fi, sizeof fi, "%d.%d", r->in.bits, r->in.frac);
        snprintf(fo, sizeof fo, "%d.%d", r->out.bits, r->out.frac);
        snprintf(wr, sizeof wr, "%lld..%lld", ws.min, ws.max);
        snprintf(br, sizeof br, "%lld..%lld", bs.min, bs.max);
        const size_t bytes = fxq_fxw_code_bytes(nw, r->w.bits) + fxq_fxw_code_bytes((size_t)r->units, r->b.bits);
        printf("%-5d %-15s %-5s %-11s %-6s %-6s %-6s %-6s %9zu %13s %9lld %13s %5lld\n", r->layer,
               fxq_fxw_type_name(r->type), "fixed", shape, fw, fb, fi, fo, bytes, wr, ws.at_lo + ws.at_hi, br,
               bs.at_lo + bs.at_hi);
        print_hist("w", &ws);
        if (r->w_fracs) {
            printf("    per-channel w_frac:");
            for (int u = 0; u < r->units; ++u) printf("%s%d", u ? "," : " ", r->w_fracs[u]);
            printf("\n");
        }
    }
    printf("formats are bits.frac (value = code * 2^-frac; w bits.lo-hi: per-channel fracs lo..hi); 'at lim'\n"
           "counts codes equal to the format's minimum or maximum (saturated values land there).\n");
    fxq_fxw_free(f);
    return 0;
}
