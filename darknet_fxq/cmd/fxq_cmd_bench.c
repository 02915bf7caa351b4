/* `darknet fxq bench`: per-layer and whole-network forward time of a float
 * cfg and fixed-point cfgs of the same network, measured side by side in one
 * process (same inputs, same thread count), reported as ratios to the first. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_bench_cold.h"
#include "fxq_bench_roofline.h"
#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_eval.h"
#include "fxq_layer.h"
#include "fxq_team.h"
#include "fxq_walk.h"
#include "utils.h"

#define FXQ_BENCH_MAX 8

/* One forward pass, each layer's seconds into t[]. */
static int fxq_timed_layer(void *ctx, network *net, int i)
{
    double *t = ctx, s = omp_get_wtime();
    fxq_layer_run(net, i);
    t[i] = omp_get_wtime() - s;
    return 0;
}

/* as forward_network runs: codes between layers, one team when it can (fxq_team.h) */
static void fxq_timed_forward(network *net, double *t)
{
    if (!fxq_net_forward_team(net, t)) fxq_net_forward_codes(net, fxq_timed_layer, t);
}

static int fxq_bench_usage(void)
{
    fprintf(stderr, "usage: darknet fxq bench <float.cfg> [<fx.cfg> ...] [--weights W] [--runs R] [--name MODEL]\n"
                    "                         [--label NAME ...] [--per-layer] [--plans] [--warm-ms T]\n"
                    "                         [--roofline [--svg FILE]] [--cold] [--batch N]\n"
                    "  Times forward passes of every cfg on the same random input, layer by layer,\n"
                    "  and prints ratios to the first cfg plus lines 'ratio <model> <label> <x>'.\n"
                    "  --batch N (default 1): N images per forward, as a batch-N `fxq valid` or a\n"
                    "  batch-N data file runs them; times are per image (not with --roofline, --cold).\n"
                    "  Without --weights, layers keep Darknet's random initialisation. --plans lists\n"
                    "  each fixed-point layer's integer kernel plan (accumulator, kernel set, kernels).\n"
                    "  --warm-ms T (default 10): untimed forwards of the same cfg for T ms (at least\n"
                    "  one) right before each timed one, so every cfg is timed in its own steady state\n"
                    "  (0: none).\n"
                    "  --cold: the first cfg only, as a user running one image per process sees it:\n"
                    "  load time (load_network), the first forward and the median of --runs warm ones\n"
                    "  (one line 'cold <model> <label> load_s .. first_ms .. warm_ms .. first_over_warm .. faults_load ..').\n"
                    "  --roofline: for every fixed-point cfg, each layer's MACs, bytes moved, time at the\n"
                    "  int8/int16 peak and at the memory bandwidth (measured here before and after the\n"
                    "  runs, the better kept), the bound and the fraction of it achieved; a total line and\n"
                    "  'roofline_fraction <model> <label> <f>'. --svg FILE: the log-log roofline plot.\n");
    return 2;
}

int fxq_cmd_bench(int argc, char **argv)
{
    const char *cfgs[FXQ_BENCH_MAX], *labels[FXQ_BENCH_MAX] = {0};
    int ncfg = 0, nlabel = 0, runs = 20, per_layer = 0, plans = 0, warm_ms = 10, cold = 0, batch = 1;
    const char *weights = NULL, *model = NULL, *svg = NULL;
    int roofline = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fxq_bench_usage();
            return 0;
        } else if (!strcmp(argv[i], "--weights") && i + 1 < argc) weights = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            if (!fxq_cli_int(argv[++i], 1, 1000000, &runs))
                return fxq_cli_usage_error("bench", "--runs wants a count in 1..1000000", argv[i]);
        }
        else if (!strcmp(argv[i], "--warm-ms") && i + 1 < argc) {
            if (!fxq_cli_int(argv[++i], 0, 100000, &warm_ms))
                return fxq_cli_usage_error("bench", "--warm-ms wants milliseconds in 0..100000", argv[i]);
        }
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            if (!fxq_cli_int(argv[++i], 1, 1024, &batch))
                return fxq_cli_usage_error("bench", "--batch wants images in 1..1024", argv[i]);
        }
        else if (!strcmp(argv[i], "--name") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
            if (nlabel >= FXQ_BENCH_MAX) return fxq_cli_usage_error("bench", "too many --label options", argv[i + 1]);
            labels[nlabel++] = argv[++i];
        }
        else if (!strcmp(argv[i], "--per-layer")) per_layer = 1;
        else if (!strcmp(argv[i], "--plans")) plans = 1;
        else if (!strcmp(argv[i], "--cold")) cold = 1;
        else if (!strcmp(argv[i], "--roofline")) roofline = 1;
        else if (!strcmp(argv[i], "--svg") && i + 1 < argc) svg = argv[++i];
        else if (argv[i][0] == '-') return fxq_cli_usage_error("bench", "unknown option (or missing value)", argv[i]);
        else if (ncfg < FXQ_BENCH_MAX) cfgs[ncfg++] = argv[i];
        else return fxq_cli_usage_error("bench", "too many cfgs (at most 8)", argv[i]);
    }
    if (ncfg < 1) return fxq_cli_usage_error("bench", "no cfg given", NULL);
    for (int c = 0; c < ncfg; ++c) {
        FILE *f = fopen(cfgs[c], "r");
        if (!f) {
            fprintf(stderr, "darknet fxq bench: %s: cannot open\n", cfgs[c]);
            return 1;
        }
        fclose(f);
    }
    if (weights) {
        FILE *f = fopen(weights, "rb");
        if (!f) {
            fprintf(stderr, "darknet fxq bench: %s: cannot open\n", weights);
            return 1;
        }
        fclose(f);
    }
    if (!model) model = basecfg((char *)cfgs[0]);
    if (svg && !roofline) return fxq_cli_usage_error("bench", "--svg goes with --roofline", svg);
    /* the roofline's bounds and the cold first image are batch-1 figures */
    if (batch > 1 && (roofline || cold))
        return fxq_cli_usage_error("bench", "--batch goes without --roofline and --cold", roofline ? "--roofline" : "--cold");
    if (svg) { /* never one of the files it reads */
        char why[1024];
        const char *in[FXQ_BENCH_MAX + 1];
        for (int c = 0; c < ncfg; ++c) in[c] = cfgs[c];
        in[ncfg] = weights;
        if (!fxq_cli_output_ok(svg, in, ncfg + 1, why, sizeof why)) return fxq_cli_fail("bench", why);
    }
    if (cold) return fxq_bench_cold(cfgs[0], weights, labels[0] ? labels[0] : cfgs[0], model, runs);

    network *nets[FXQ_BENCH_MAX];
    for (int c = 0; c < ncfg; ++c) {
        char why[1024];
        /* the checked loader: a short or non-finite weights file is an error
         * here, not a benchmark of garbage */
        if (!(nets[c] = fxq_eval_load_net(cfgs[c], weights, batch, 0, why, sizeof why))) {
            fprintf(stderr, "darknet fxq bench: %s\n", why);
            return 1;
        }
        set_batch_network(nets[c], batch);
        if (nets[c]->n != nets[0]->n || nets[c]->inputs != nets[0]->inputs) {
            fprintf(stderr, "darknet fxq bench: %s: not the same network as %s\n", cfgs[c], cfgs[0]);
            return 1;
        }
    }
    const int n = nets[0]->n;
    const size_t nin = (size_t)nets[0]->inputs * batch; /* floats of one forward's input */
    float *input = malloc(sizeof(float) * nin);
    if (!input) return fxq_cli_fail("bench", "out of memory for the input");
    srand(1);
    for (size_t i = 0; i < nin; ++i) input[i] = rand() / (float)RAND_MAX;
    /* minima over the runs: other jobs on the machine only ever slow a run
     * down, so the least time is the best estimate of the code's own */
    double *t = malloc((size_t)ncfg * n * sizeof *t), *run = malloc((size_t)n * sizeof *run);
    double tot[FXQ_BENCH_MAX];
    for (size_t i = 0; i < (size_t)ncfg * n; ++i) t[i] = INFINITY;
    for (int c = 0; c < ncfg; ++c) tot[c] = INFINITY;
    for (int c = 0; c < ncfg; ++c) memcpy(nets[c]->input, input, sizeof(float) * nin);
    /* warm-up: builds kernel plans, faults pages in */
    for (int c = 0; c < ncfg; ++c) {
        double *junk = calloc(n, sizeof *junk);
        for (int r = 0; r < 2; ++r) fxq_timed_forward(nets[c], junk);
        free(junk);
    }
    /* the machine's limits right before and right after the runs, the
     * better of each kept: its speed drifts with other jobs */
    fxq_machine mach[2];
    if (roofline && !fxq_machine_measure(&mach[0], omp_get_max_threads(), 1.0))
        return fxq_cli_fail("bench", "out of memory measuring the machine");
    /* interleave the configurations so drift in machine load hits all alike;
     * `warm` untimed forwards of the same cfg right before each timed one:
     * otherwise every cfg after the float one starts with caches (and on
     * a VM the core's clock) left by a 10-200x longer float forward, which
     * costs the small networks up to a quarter of their time. */
    for (int r = 0; r < runs; ++r)
        for (int c = 0; c < ncfg; ++c) {
            for (const double w0 = omp_get_wtime(); warm_ms > 0 && omp_get_wtime() - w0 < warm_ms * 1e-3;) {
                memcpy(nets[c]->input, input, sizeof(float) * nin);
                fxq_timed_forward(nets[c], run);
            }
            memcpy(nets[c]->input, input, sizeof(float) * nin);
            const double s = omp_get_wtime();
            fxq_timed_forward(nets[c], run);
            tot[c] = fmin(tot[c], (omp_get_wtime() - s) / batch);
            for (int i = 0; i < n; ++i) t[(size_t)c * n + i] = fmin(t[(size_t)c * n + i], run[i] / batch);
        }

    double total_macs = 0;
    for (int i = 0; i < n; ++i) total_macs += fxq_layer_macs(&nets[0]->layers[i]);
    printf("# %s: batch %d, %d threads, %d runs (minima of interleaved runs, %d ms of untimed warm-up before each), "
           "%.3f GMAC per image%s\n", model, batch, omp_get_max_threads(), runs, warm_ms, total_macs / 1e9,
           batch > 1 ? ", times per image" : "");
    if (per_layer) {
        printf("%-5s %-15s %10s", "layer", "type", "MMAC");
        for (int c = 0; c < ncfg; ++c) printf(" %10s", labels[c] ? labels[c] : (c ? "fx" : "float"));
        printf("   (ms; xN = speed-up over the first)\n");
        for (int i = 0; i < n; ++i) {
            printf("%-5d %-15s %10.2f", i, fxq_layer_type_name(nets[ncfg - 1]->layers[i].type),
                   fxq_layer_macs(&nets[0]->layers[i]) / 1e6);
            for (int c = 0; c < ncfg; ++c) {
                double ms = t[(size_t)c * n + i] * 1e3;
                if (c == 0) printf(" %10.3f", ms);
                /* under a microsecond a speed-up is noise, and a maxpool
                 * folded into the fxconvolutional before it takes no time */
                else if (ms < 1e-3) printf(" %6.3f %-5s", ms, "-");
                else printf(" %6.3f x%-4.1f", ms, t[i] / t[(size_t)c * n + i]);
            }
            printf("\n");
        }
    }
    for (int c = 0; c < ncfg; ++c) {
        const char *lab = labels[c] ? labels[c] : cfgs[c];
        printf("%-24s %9.3f ms/image %8.2f GMAC/s  x%.2f\n", lab, tot[c] * 1e3, total_macs / tot[c] / 1e9,
               tot[0] / tot[c]);
    }
    for (int c = 1; c < ncfg; ++c)
        printf("ratio %s %s %.2f\n", model, labels[c] ? labels[c] : cfgs[c], tot[0] / tot[c]);
    if (roofline) {
        if (!fxq_machine_measure(&mach[1], omp_get_max_threads(), 1.0))
            return fxq_cli_fail("bench", "out of memory measuring the machine");
        fxq_machine *m = &mach[0];
        m->int8 = fmax(m->int8, mach[1].int8), m->int16 = fmax(m->int16, mach[1].int16);
        for (int v = 0; v < FXQ_MEM_LEVELS; ++v) m->bw[v] = fmax(m->bw[v], mach[1].bw[v]);
        fxq_roof_dots *dots = calloc(FXQ_ROOF_MAX_CFG, sizeof *dots);
        const char *dl[FXQ_ROOF_MAX_CFG];
        int nd = 0;
        for (int c = 0; c < ncfg && dots; ++c) {
            int fixed = 0;
            for (int i = 0; i < n; ++i) fixed |= nets[c]->layers[i].fxq != NULL;
            if (!fixed) continue;
            dl[nd] = labels[c] ? labels[c] : cfgs[c];
            fxq_bench_roofline(model, dl[nd], nets[c], t + (size_t)c * n, tot[c], m, nd < FXQ_ROOF_MAX_CFG ? &dots[nd] : NULL);
            if (nd < FXQ_ROOF_MAX_CFG) ++nd;
        }
        char why[512];
        if (svg && dots && !fxq_bench_roofline_svg(svg, model, m, dots, dl, nd, why, sizeof why)) {
            free(dots);
            return fxq_cli_fail("bench", why);
        }
        free(dots);
    }
    for (int c = 0; c < ncfg && plans; ++c)
        for (int i = 0; i < n; ++i) {
            const struct fxq_layer_state *s = nets[c]->layers[i].fxq;
            if (s && s->plan)
                printf("# plan %s layer %d: %s\n", labels[c] ? labels[c] : cfgs[c], i, fxq_qconv_plan_describe(s->plan));
        }
    free(t);
    free(run);
    free(input);
    for (int c = 0; c < ncfg; ++c) free_network(nets[c]);
    return 0;
}
