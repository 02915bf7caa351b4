/* `darknet fxq stepsizes`: the paper's Table 1, computed (fxq_stepsize.c)
 * for every bit-width, with the SQNR each optimal quantizer reaches. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cmd.h"
#include "fxq_stepsize.h"

static const char fxq_stepsizes_usage[] =
    "usage: darknet fxq stepsizes [--max-bits B] [--sqnr]\n"
    "\n"
    "Step sizes of the MSE-optimal symmetric uniform quantizer with 2^beta levels\n"
    "(overload included) for zero-mean unit-variance uniform, Gaussian, Laplacian and\n"
    "gamma densities (paper Table 1, Shi & Sun 2008), computed numerically.\n"
    "The 'uniform' column follows Table 1: uniform on [-1,1] (2/2^beta); the\n"
    "unit-variance uniform step used by the Q-format rule is sqrt(3) times it.\n"
    "  --max-bits B  last row (1..16, default 16)\n"
    "  --sqnr        also print the optimal SQNR in dB, -10 log10(mse), per density\n";

int fxq_cmd_stepsizes(int argc, char **argv)
{
    int max_bits = 16, sqnr = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(fxq_stepsizes_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--max-bits") && i + 1 < argc) {
            char *end;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno || *end || end == argv[i] || v < 1 || v > 16) {
                fprintf(stderr, "darknet fxq stepsizes: --max-bits wants 1..16, not '%s'\n", argv[i]);
                return 2;
            }
            max_bits = (int)v;
        } else if (!strcmp(argv[i], "--sqnr")) {
            sqnr = 1;
        } else {
            fprintf(stderr, "darknet fxq stepsizes: unknown argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    static const fxq_dist cols[] = {FXQ_DIST_UNIFORM, FXQ_DIST_GAUSSIAN, FXQ_DIST_LAPLACIAN, FXQ_DIST_GAMMA};
    printf("# optimal uniform quantizer step sizes (paper Table 1); uniform = U[-1,1], others unit variance\n");
    printf("%4s %10s %10s %10s %10s", "beta", "uniform", "gaussian", "laplacian", "gamma");
    if (sqnr) printf("   %8s %8s %8s %8s", "dB_unif", "dB_gauss", "dB_lapl", "dB_gamma");
    printf("\n");
    for (int b = 1; b <= max_bits; ++b) {
        printf("%4d", b);
        for (int c = 0; c < 4; ++c) printf(" %10.6f", fxq_table1_step(cols[c], b));
        if (sqnr) {
            printf("  ");
            for (int c = 0; c < 4; ++c) printf(" %8.3f", -10 * log10(fxq_optimal_mse(cols[c], b)));
        }
        printf("\n");
    }
    return 0;
}
