/* fxq-pack <fx.cfg> <weights> -o model.fxw: bit-packed fixed-point weights.
 * Loads the cfg with the weights exactly as Darknet would (so the codes are
 * those the fixed-point network computes with), then writes every
 * fixed-point layer's codes at its own bit-widths and every float layer's
 * upstream record (docs/fxw.md). */
#include <stdlib.h>
#include <string.h>

#include "fxq_cli.h"
#include "fxq_eval.h"
#include "fxq_fxw.h"
#include "fxq_fxw_net.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: fxq-pack <fx.cfg> <weights> -o <model.fxw> [-q]\n"
               "  Packs the weights (.weights or .fxw) as the cfg quantizes them: weights at w_bits,\n"
               "  biases at b_bits, float layers as float32. Prints the file size beside\n"
               "  sum(params * bits) / 8.\n");
}

int main(int argc, char **argv)
{
    const char *pos[2], *out = NULL;
    int npos = 0, quiet = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "-q")) {
            quiet = 1;
        } else if (!strcmp(argv[i], "-o")) {
            fprintf(stderr, "fxq-pack: -o needs a value (see fxq-pack --help)\n");
            return 2;
        } else if (argv[i][0] == '-' || npos == 2) {
            fprintf(stderr, "fxq-pack: unexpected argument '%s' (see fxq-pack --help)\n", argv[i]);
            return 2;
        } else {
            pos[npos++] = argv[i];
        }
    }
    if (npos != 2 || !out) {
        if (argc == 1) usage(stderr);
        else fprintf(stderr, "fxq-pack: needs <fx.cfg> <weights> -o <model.fxw> (see fxq-pack --help)\n");
        return 2;
    }
    /* the layers keep their bias codes: no float weights needed after loading */
    char why[1024];
    if (!fxq_cli_output_ok(out, pos, 2, why, sizeof why)) {
        fprintf(stderr, "fxq-pack: %s\n", why);
        return 1;
    }
    network *net = fxq_eval_load_net(pos[0], pos[1], 1, quiet, why, sizeof why);
    if (!net) {
        fprintf(stderr, "fxq-pack: %s\n", why);
        return 1;
    }
    fxq_fxw *f = fxq_fxw_from_network(net, why, sizeof why);
    if (!f) {
        fprintf(stderr, "fxq-pack: %s: %s\n", pos[0], why);
        free_network(net);
        return 1;
    }
    int rc = 0;
    if (!fxq_fxw_write(f, out, why, sizeof why)) {
        fprintf(stderr, "fxq-pack: %s\n", why);
        rc = 1;
    } else if (!quiet) {
        fxq_fxw_sizes s;
        fxq_fxw_measure(f, &s);
        const double ideal = (s.weight_bits + s.bias_bits) / 8.0 + s.float_bytes;
        printf("%s: %llu bytes = sum(params * bits)/8 %.0f bytes (weights %.0f, biases %.0f, float records %llu)"
               " + overhead %.0f bytes\n",
               out, (unsigned long long)s.file_bytes, ideal, s.weight_bits / 8.0, s.bias_bits / 8.0,
               (unsigned long long)s.float_bytes, (double)s.file_bytes - ideal);
        printf("%s: %llu fixed-point params in %d records, weights %.4f Mbit\n", out,
               (unsigned long long)s.fixed_params, f->n, s.weight_bits / 1e6);
    }
    fxq_fxw_free(f);
    free_network(net);
    return rc;
}
