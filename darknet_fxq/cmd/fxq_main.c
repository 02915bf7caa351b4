/* `./darknet fxq <verb>`: the verb table. Each verb lives in fxq_cmd_<verb>.c. */
#include <stdio.h>
#include <string.h>

#include "fxq_cmd.h"
#include "fxq_hooks.h"

static const struct fxq_verb {
    const char *name;
    int (*run)(int argc, char **argv);  /* argv[0] is the verb */
    const char *synopsis;
} fxq_verbs[] = {
    {"stats", fxq_cmd_stats, "<cfg> <weights> <calib.list> [-n N] [-o out.stats] | --merge a.stats ... -o out.stats"},
    {"stepsizes", fxq_cmd_stepsizes, "[--max-bits B]     optimal uniform-quantizer steps (paper Table 1)"},
    {"quantize", fxq_cmd_quantize, "<cfg> [<weights> <calib.list|file.stats>] -o <out.cfg> [budget] [options]"},
    {"valid", fxq_cmd_valid, "<data> <cfg> <weights> [<fx.cfg> ...] [--csv]"},
    {"map", fxq_cmd_map, "<data> <cfg> <weights> [<fx.cfg> ...] [--csv]   detectors: mAP side by side"},
    {"sqnr", fxq_cmd_sqnr, "<cfg> <fx.cfg> <weights> <list> [-n N]"},
    {"sweep", fxq_cmd_sweep, "<data> <cfg> <weights> <calib.list> -o sweep.csv [--plot sweep.svg]"},
    {"finetune", fxq_cmd_finetune, "<data> <fx.cfg> <weights> -o out.weights [--epochs E] [--lr LR]"},
    {"bench", fxq_cmd_bench, "<float.cfg> [<fx.cfg> ...] [--weights W]  side-by-side forward timing"},
    {"info", fxq_cmd_info, "           build and CPU kernels in use"},
};

static void fxq_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq <verb> [args]\n\n"
               "Fixed-point quantization of Darknet networks (Lin et al., ICML 2016).\n\nverbs:\n");
    for (size_t i = 0; i < sizeof fxq_verbs / sizeof fxq_verbs[0]; ++i)
        fprintf(f, "  %-10s %s\n", fxq_verbs[i].name, fxq_verbs[i].synopsis);
    fprintf(f, "\n`darknet fxq <verb> --help` describes one verb.\n");
}

int run_fxq(int argc, char **argv)
{
    if (argc < 3) {
        fxq_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help") || !strcmp(argv[2], "help")) {
        fxq_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof fxq_verbs / sizeof fxq_verbs[0]; ++i)
        if (!strcmp(argv[2], fxq_verbs[i].name)) return fxq_verbs[i].run(argc - 2, argv + 2);
    fprintf(stderr, "darknet fxq: unknown verb '%s' (run `darknet fxq` for the list)\n", argv[2]);
    return 2;
}
