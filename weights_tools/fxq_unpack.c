/* fxq-unpack model.fxw -o out.weights: an upstream Darknet .weights file with
 * the dequantized values (batch norm folded, stored as identity), the bytes
 * `save_weights` writes for the fixed-point network. Needs no cfg. */
#include <string.h>

#include "fxq_cli.h"
#include "fxq_fxw.h"
#include "fxq_fxw_net.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: fxq-unpack <model.fxw> -o <out.weights>\n");
}

int main(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "-o")) {
            fprintf(stderr, "fxq-unpack: -o needs a value (see fxq-unpack --help)\n");
            return 2;
        } else if (argv[i][0] == '-' || in) {
            fprintf(stderr, "fxq-unpack: unexpected argument '%s' (see fxq-unpack --help)\n", argv[i]);
            return 2;
        } else {
            in = argv[i];
        }
    }
    if (!in || !out) {
        if (argc == 1) usage(stderr);
        else fprintf(stderr, "fxq-unpack: needs <model.fxw> -o <out.weights> (see fxq-unpack --help)\n");
        return 2;
    }
    char why[1024];
    if (!fxq_cli_output_ok(out, &in, 1, why, sizeof why)) {
        fprintf(stderr, "fxq-unpack: %s\n", why);
        return 1;
    }
    fxq_fxw *f = fxq_fxw_read(in, why, sizeof why);
    if (!f) {
        fprintf(stderr, "fxq-unpack: %s\n", why);
        return 1;
    }
    const int ok = fxq_fxw_write_weights(f, out, why, sizeof why);
    if (!ok) fprintf(stderr, "fxq-unpack: %s\n", why);
    fxq_fxw_free(f);
    return ok ? 0 : 1;
}
