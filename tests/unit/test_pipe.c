/* Codes between layers.
 *
 * Without arguments:
 *   - every kernel set's pooling row ukernels vs their scalar twins, bit for
 *     bit, on random rows (lengths 0..200, edge codes -32768/32767);
 *   - the maxpool driver on every set vs the plain reference on random
 *     Darknet geometries;
 *   - random small networks (fixed conv layers with random formats, small
 *     widths that saturate, unsigned codes, some float or emulate-mode
 *     layers mixed in, maxpool, avgpool, route, shortcut, upsample, reorg) parsed
 *     twice, int and FXQ_MODE=emulate: the network output is equal bit for
 *     bit, every layer equals its emulation with floats everywhere
 *     (fxq_pipe_set_all_float), and the integer hand-over is really used.
 * With arguments `net <cfg> <weights|-> [batch]`: the same network checks on
 * a given cfg (tests/test_pipe.sh: fmnist, fmnist-res, darknet.cfg,
 * yolov3-tiny). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darknet.h"
#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_pipe.h"
#include "fxq_pool.h"
#include "fxq_qconv.h"
#include "fxq_team.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"
#include "fxq_walk.h"

static int rint_in(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

static int16_t rcode(void)
{
    switch (rnd() % 8) {
    case 0: return INT16_MIN;
    case 1: return INT16_MAX;
    case 2: return (int16_t)rint_in(-3, 3);
    default: return (int16_t)(rnd() & 0xffff);
    }
}

static void check_ukernels(void)
{
    enum { N = 200, W = 2 * N + 8 };
    static int16_t r0[4 * W], got[N], want[N];
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        const fxq_kernel_set *ks = *k;
        char name[96];
        if (!fxq_kernel_set_supported(ks)) {
            snprintf(name, sizeof name, "pipe.ukernels.%s", ks->name);
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        int bad2 = 0, bad1 = 0, cases = 0;
        for (int t = 0; t < 400; ++t) {
            const size_t n = (size_t)rint_in(0, N);
            for (int i = 0; i < 4 * W; ++i) r0[i] = rcode();
            if (ks->maxpool_2x2) {
                ks->maxpool_2x2(n, r0, r0 + W, got);
                fxq_s16_maxpool_2x2_ukernel__scalar(n, r0, r0 + W, want);
                bad2 += memcmp(got, want, n * sizeof *got) != 0;
            }
            if (ks->maxpool_s1) {
                const int size = rint_in(1, 4), rows = rint_in(1, 4);
                ks->maxpool_s1(n, rows, size, r0, W, got);
                fxq_s16_maxpool_s1_ukernel__scalar(n, rows, size, r0, W, want);
                bad1 += memcmp(got, want, n * sizeof *got) != 0;
            }
            ++cases;
        }
        snprintf(name, sizeof name, "pipe.maxpool_2x2.%s.vs_scalar", ks->name);
        FXQ_CHECK(name, ks->maxpool_2x2 && bad2 == 0, "%d of %d rows differ (or no kernel)", bad2, cases);
        snprintf(name, sizeof name, "pipe.maxpool_s1.%s.vs_scalar", ks->name);
        FXQ_CHECK(name, ks->maxpool_s1 && bad1 == 0, "%d of %d rows differ (or no kernel)", bad1, cases);
    }
}

static void check_maxpool_driver(void)
{
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        char name[96];
        snprintf(name, sizeof name, "pipe.maxpool_driver.%s.vs_ref", (*k)->name);
        if (!fxq_qconv_force_isa((*k)->name)) {
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        int bad = 0, cases = 0, bad_rows = 0;
        for (int t = 0; t < 300; ++t) {
            fxq_maxpool_geom g;
            g.size = rint_in(1, 4), g.stride = rint_in(1, 3), g.pad = rint_in(0, g.size + 1);
            g.h = rint_in(1, 40), g.w = rint_in(1, 70);
            if (rnd() % 3 == 0) g.size = 2, g.stride = rnd() % 2 ? 2 : 1, g.pad = rnd() % 2 ? 1 : 0;
            g.out_h = (g.h + g.pad - g.size) / g.stride + 1, g.out_w = (g.w + g.pad - g.size) / g.stride + 1;
            if (!fxq_maxpool_ok(&g)) continue;
            const size_t nc = (size_t)rint_in(1, 5), nin = nc * g.h * g.w, nout = nc * g.out_h * g.out_w;
            int16_t *in = malloc(nin * sizeof *in), *a = malloc(nout * sizeof *a), *b = malloc(nout * sizeof *b);
            for (size_t i = 0; i < nin; ++i) in[i] = rcode();
            fxq_s16_maxpool(&g, nc, in, a);
            fxq_s16_maxpool_ref(&g, nc, in, b);
            bad += memcmp(a, b, nout * sizeof *a) != 0;
            ++cases;
            /* a team's row bands: each writes its rows of every plane, and only those */
            const int bands = 1 + t % 3;
            for (int k = 0; k < bands; ++k) {
                const int r0 = g.out_h * k / bands, r1 = g.out_h * (k + 1) / bands;
                memset(a, 0x7f, nout * sizeof *a);
                fxq_s16_maxpool_rows(&g, nc, in, a, r0, r1);
                for (size_t i = 0; i < nout; ++i) {
                    const int row = (int)(i / g.out_w % g.out_h);
                    if (row >= r0 && row < r1 ? a[i] != b[i] : a[i] != 0x7f7f) {
                        bad_rows++;
                        break;
                    }
                }
            }
            free(in), free(a), free(b);
        }
        FXQ_CHECK(name, bad == 0 && cases > 50, "%d of %d geometries differ", bad, cases);
        snprintf(name, sizeof name, "pipe.maxpool_driver.%s.row_bands_vs_ref", (*k)->name);
        FXQ_CHECK(name, bad_rows == 0, "%d row bands differ or write outside their rows", bad_rows);
    }
    fxq_qconv_force_isa(NULL);
}

/* fxq_codes_convert == dequantize then fxq_quantize64_ref (round half away
 * from zero, saturate) for every 7th code and the extremes, frac shifts
 * -20..20, widths 2..16, signed, unsigned and zero-point window targets. */
static void check_convert(void)
{
    enum { N = 65536 / 7 + 8 };
    static int16_t src[N], dst[N];
    int n = 0;
    for (int c = -32768; c <= 32767; c += 7) src[n++] = (int16_t)c;
    src[n++] = INT16_MIN, src[n++] = INT16_MAX, src[n++] = -1, src[n++] = 1;
    long bad = 0, cases = 0;
    for (int d = -20; d <= 20; ++d)
        for (int bits = 2; bits <= 16; ++bits)
            for (int uns = 0; uns <= (bits <= 15) + 3 * (bits <= 15); ++uns) {
                /* 2..4: windows (zero points 1, 2^bits - 1, random) */
                const int z = uns == 2 ? 1 : uns == 3 ? (1 << bits) - 1 : rint_in(1, (1 << bits) - 1);
                const fxq_cfmt to = uns <= 1 ? (fxq_cfmt){bits, 3, uns, 0} : fxq_cfmt_window(bits, 3, -z);
                fxq_codes_convert(src, (size_t)n, 3 - d, to, dst);
                for (int i = 0; i < n; ++i, ++cases) {
                    const int64_t want = fxq_quantize64_ref(ldexp(src[i], d - 3), 3, fxq_cfmt_lo(to), fxq_cfmt_hi(to));
                    bad += want != dst[i];
                }
            }
    FXQ_CHECK("pipe.convert.equals_dequantize_quantize", bad == 0 && cases > 1000000, "%ld of %ld codes differ", bad,
              cases);
}

/* ---- whole networks: int vs emulate ---- */

static network *load(const char *cfg, const char *weights, int batch, const char *mode)
{
    char why[512];
    setenv("FXQ_MODE", mode, 1);
    srand(12345); /* the same random init for both twins */
    network *net = fxq_net_load(cfg, weights, batch, why, sizeof why);
    unsetenv("FXQ_MODE");
    if (!net) printf("FAIL pipe.load: %s\n", why);
    return net;
}

/* Darknet's rand_normal keeps a spare value between calls, so two parses
 * after the same srand need not draw the same random weights: copy them
 * (before the first forward turns them into codes). */
static void copy_params(network *dst, const network *src)
{
    for (int i = 0; i < src->n; ++i) {
        const layer *a = &src->layers[i];
        layer *b = &dst->layers[i];
        const int conv = a->type == CONVOLUTIONAL || a->type == FXCONVOLUTIONAL;
        if (!(conv || a->type == CONNECTED || a->type == FXCONNECTED) || !a->weights || !b->weights) continue;
        const size_t nw = conv ? (size_t)a->nweights : (size_t)a->inputs * a->outputs;
        const size_t nb = conv ? (size_t)a->n : (size_t)a->outputs;
        memcpy(b->weights, a->weights, nw * sizeof(float));
        memcpy(b->biases, a->biases, nb * sizeof(float));
        if (a->batch_normalize && a->scales && b->scales) {
            memcpy(b->scales, a->scales, nb * sizeof(float));
            memcpy(b->rolling_mean, a->rolling_mean, nb * sizeof(float));
            memcpy(b->rolling_variance, a->rolling_variance, nb * sizeof(float));
        }
    }
}

static int g_team_runs, g_team_bad; /* networks run as one team; team != loop */

static int same_floats(const float *a, const float *b, size_t n) { return !memcmp(a, b, n * sizeof *a); }

/* every yolo layer's output equal to the saved ones, in layer order */
static int same_yolo(const network *net, const float *saved)
{
    size_t at = 0;
    for (int i = 0; i < net->n; ++i)
        if (net->layers[i].type == YOLO) {
            const size_t n = (size_t)net->layers[i].outputs * net->batch;
            if (!same_floats(saved + at, net->layers[i].output, n)) return 0;
            at += n;
        }
    return 1;
}

/* Returns 1 when the checks ran; stats: int layers reading codes. */
static int compare_nets(const char *tag, const char *cfg, const char *weights, int batch, int quiet)
{
    network *ni = load(cfg, weights, batch, "int"), *ne = load(cfg, weights, batch, "emulate");
    if (!ni || !ne) return 0;
    if (!weights) copy_params(ne, ni);
    const size_t nin = (size_t)ni->inputs * ni->batch;
    float *x = malloc(nin * sizeof *x);
    for (size_t i = 0; i < nin; ++i) x[i] = (float)(rnd() % 20001) / 10000.f - (rnd() % 4 ? 0.f : 1.f);
    float *oi = network_predict(ni, x);
    const size_t nout = (size_t)ni->outputs * ni->batch;
    float *keep = malloc(nout * sizeof *keep);
    memcpy(keep, oi, nout * sizeof *keep);
    /* the whole-network team (fxq_team.h; network_predict above used it when
     * it could) against the layer-by-layer loop, and run again */
    const network orig = *ni; /* as network_predict: its own input, restored after */
    /* every yolo layer's output too (a detector reads them all; the team
     * looks their logistic up by code, the loop runs upstream's layer) */
    size_t nyolo = 0;
    for (int i = 0; i < ni->n; ++i)
        if (ni->layers[i].type == YOLO) nyolo += (size_t)ni->layers[i].outputs * ni->batch;
    float *ykeep = malloc((nyolo + 1) * sizeof *ykeep);
    for (int i = 0, at = 0; i < ni->n; ++i)
        if (ni->layers[i].type == YOLO) {
            const size_t n = (size_t)ni->layers[i].outputs * ni->batch;
            memcpy(ykeep + at, ni->layers[i].output, n * sizeof *ykeep);
            at += (int)n;
        }
    ni->input = x, ni->train = 0, ni->truth = 0, ni->delta = 0;
    fxq_net_forward_codes(ni, NULL, NULL);
    int team_ok = same_floats(keep, ni->output, nout) && same_yolo(ni, ykeep);
    const int team = fxq_net_forward_team(ni, NULL);
    team_ok &= same_floats(keep, ni->output, nout) && same_yolo(ni, ykeep);
    free(ykeep);
    *ni = orig;
    g_team_runs += team, g_team_bad += !team_ok;
    network_predict(ne, x);
    int codes = 0, skipped = 0;
    for (int i = 0; i < ni->n; ++i) {
        const struct fxq_pipe *p = ni->layers[i].fxq_pipe;
        codes += p && p->codes_in;
        skipped += p && p->mode == FXQ_PIPE_INT && !p->need_float;
    }
    const int out_ok = same_floats(keep, ne->output, nout);
    char name[160];
    if (!quiet) {
        /* resize_network to the size it has: patch 0010's hook keeps the
         * plans and codes as they are (any other size is refused) */
        const int r = resize_network(ni, ni->w, ni->h);
        const float *again = network_predict(ni, x);
        snprintf(name, sizeof name, "pipe.%s.resize_same_size_keeps_output", tag);
        FXQ_CHECK(name, r == 0 && same_floats(keep, again, nout), "%s: resize_network(w, h) returned %d or changed the output", cfg, r);
    }
    /* floats everywhere: every layer equals its emulation, and the output is
     * the hand-over's */
    fxq_pipe_set_all_float(ni, 1);
    network_predict(ni, x);
    int bad_layer = -1;
    for (int i = 0; i < ni->n && bad_layer < 0; ++i)
        if (!same_floats(ni->layers[i].output, ne->layers[i].output, (size_t)ni->layers[i].outputs * ni->batch))
            bad_layer = i;
    if (bad_layer >= 0 && getenv("FXQ_TEST_DEBUG")) {
        const layer *a = &ni->layers[bad_layer], *b = &ne->layers[bad_layer];
        for (size_t k = 0, shown = 0; k < (size_t)a->outputs * ni->batch && shown < 5; ++k)
            if (a->output[k] != b->output[k]) {
                printf("# layer %d [%zu]: int %.9g emulate %.9g\n", bad_layer, k, a->output[k], b->output[k]);
                ++shown;
            }
    }
    const int same_as_floats = same_floats(keep, ni->output, nout);
    fxq_pipe_set_all_float(ni, 0);
    if (!quiet || !out_ok) {
        snprintf(name, sizeof name, "pipe.%s.output_int_equals_emulate", tag);
        FXQ_CHECK(name, out_ok, "%s: outputs differ", cfg);
    }
    if (!quiet || bad_layer >= 0) {
        snprintf(name, sizeof name, "pipe.%s.every_layer_equals_emulate", tag);
        FXQ_CHECK(name, bad_layer < 0, "%s: layer %d differs", cfg, bad_layer);
    }
    if (!quiet || !same_as_floats) {
        snprintf(name, sizeof name, "pipe.%s.handover_equals_float_handover", tag);
        FXQ_CHECK(name, same_as_floats, "%s: codes hand-over differs from the float one", cfg);
    }
    if (!quiet || !team_ok) {
        snprintf(name, sizeof name, "pipe.%s.team_equals_layer_loop", tag);
        FXQ_CHECK(name, team_ok, "%s: one team for the network (ran: %d) differs from the layer loop", cfg, team);
    }
    if (!quiet && batch == 1 && omp_get_max_threads() > 1) {
        snprintf(name, sizeof name, "pipe.%s.team_used", tag);
        FXQ_CHECK(name, team, "%s: batch 1 on %d threads did not run as one team", cfg, omp_get_max_threads());
    }
    if (!quiet) {
        snprintf(name, sizeof name, "pipe.%s.codes_used", tag);
        FXQ_CHECK(name, codes > 0, "%s: no layer reads its producer's codes", cfg);
        printf("# %s: %d layers read codes, %d skip their float output\n", tag, codes, skipped);
    }
    free(x), free(keep);
    free_network(ni), free_network(ne);
    return (out_ok && bad_layer < 0 && same_as_floats && team_ok) ? 1 + codes : -1;
}

static const char *acts[] = {"linear", "relu", "leaky"};
static int g_windows; /* in_zero / out_zero keys written */

/* A fixed (or sometimes float / emulate-mode) conv section with random
 * formats; small widths saturate. */
static void fx_conv(FILE *f, int filters, int size, int stride, int *unsigned_out)
{
    const int fl = rnd() % 9 == 0, emu = !fl && rnd() % 9 == 0;
    const int act = rint_in(0, 2);
    fprintf(f, "[%s]\nfilters=%d\nsize=%d\nstride=%d\npad=1\nactivation=%s\n", fl ? "convolutional" : "fxconvolutional",
            filters, size, stride, acts[act]);
    if (rnd() % 3 == 0) fprintf(f, "batch_normalize=1\n");
    *unsigned_out = 0;
    if (fl) return;
    /* widths that keep every float32 partial sum of the emulation exact
     * (|w| < 2^7, |a| < 2^10, K <= 81: below 2^24) */
    const int wb = rint_in(3, 8), ab = rint_in(3, 10), ob = rint_in(3, 10);
    fprintf(f, "w_bits=%d\nw_frac=%d\nin_bits=%d\nin_frac=%d\nout_bits=%d\nout_frac=%d\n", wb, wb + rint_in(-2, 2), ab,
            ab - rint_in(1, 5), ob, ob - rint_in(1, 6));
    const int r = (int)(rnd() % 8);
    if (r < 2) fprintf(f, "in_unsigned=1\n");
    else if (r < 5) fprintf(f, "in_zero=%d\n", rnd() % 3 ? rint_in(0, (1 << ab) - 1) : (1 << ab) - 1), g_windows++;
    if (act == 1 && rnd() % 3 == 0) {
        fprintf(f, "out_unsigned=1\n");
        *unsigned_out = 1;
    } else if (rnd() % 2) { /* a zero point: saturated after the activation */
        fprintf(f, "out_zero=%d\n", rnd() % 4 ? rint_in(0, (1 << ob) - 1) : rnd() % 2 ? 0 : (1 << ob) - 1);
        g_windows++;
    }
    if (emu) fprintf(f, "fxq_mode=emulate\n");
}

/* A random network mixing every code layer type (shapes fixed by the
 * template, sizes and formats random). */
static int write_random_net(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    const int h = rint_in(5, 24), w = rint_in(5, 24), c = rint_in(1, 4);
    const int f1 = rint_in(1, 9), f2 = rnd() % 2 ? 4 * rint_in(1, 2) : rint_in(1, 9), f3 = rint_in(1, 9);
    int u;
    fprintf(f, "[net]\nbatch=1\nheight=%d\nwidth=%d\nchannels=%d\n\n", h, w, c);
    fx_conv(f, f1, 3, 1, &u);                                                          /* 0 */
    const int ms = rint_in(1, 3), mst = rint_in(1, 2);
    fprintf(f, "[maxpool]\nsize=%d\nstride=%d\n", ms, mst);                            /* 1 */
    if (rnd() % 2) fprintf(f, "padding=%d\n", rint_in(0, ms));
    fx_conv(f, f2, 1, 1, &u);                                                          /* 2 */
    fx_conv(f, f2, 3, 1, &u);                                                          /* 3 */
    fprintf(f, "[shortcut]\nfrom=-2\nactivation=%s\n", acts[rint_in(0, 2)]);           /* 4 */
    const int up = rint_in(1, 3);
    fprintf(f, "[upsample]\nstride=%d\n", up);                                         /* 5 */
    if (up == 2 && f2 % 4 == 0) fprintf(f, "[reorg]\nstride=2\n%s", rnd() % 2 ? "reverse=1\n" : ""); /* 5b */
    fx_conv(f, f3, 3, 1, &u);                                                          /* 6 */
    fprintf(f, "[route]\nlayers=-1,-2\n");                                             /* 7 */
    fprintf(f, "[maxpool]\nsize=2\nstride=2\n");                                       /* 8 */
    fprintf(f, "[route]\nlayers=-1\n");                                                /* 9 */
    fx_conv(f, rint_in(2, 10), 1, 1, &u);                                              /* 10 */
    fprintf(f, "[avgpool]\n");                                                         /* 11 */
    if (rnd() % 2) fprintf(f, "[softmax]\n");                                          /* 12 */
    return fclose(f) == 0;
}

static int net_main(int argc, char **argv)
{
    const char *cfg = argv[2], *weights = strcmp(argv[3], "-") ? argv[3] : NULL;
    const int batch = argc > 4 ? atoi(argv[4]) : 1;
    const char *tag = strrchr(cfg, '/') ? strrchr(cfg, '/') + 1 : cfg;
    fxq_team_set_min_macs(0); /* fmnist too on the whole team (its tail on thread 0, no barriers) */
    compare_nets(tag, cfg, weights, batch, 0);
    FXQ_TEST_END();
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "net")) return net_main(argc, argv);
    check_ukernels();
    check_maxpool_driver();
    check_convert();
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/fxq-test-pipe-%d.cfg", tmpdir, (int)getpid());
    int nets = 0, bad = 0, with_codes = 0;
    fxq_team_set_min_macs(0); /* small as they are, on the whole team */
    for (int t = 0; t < 60; ++t) {
        if (!write_random_net(path)) break;
        const int r = compare_nets("random", path, NULL, rint_in(1, 2), 1);
        if (r < 0) {
            bad++;
            char keep[600];
            snprintf(keep, sizeof keep, "%s.fail%d", path, bad);
            rename(path, keep);
            printf("# kept the failing cfg as %s\n", keep);
        }
        nets += r != 0;
        with_codes += r > 1;
    }
    unlink(path);
    FXQ_CHECK("pipe.random_nets.int_equals_emulate", nets == 60 && bad == 0, "%d of %d networks differ", bad, nets);
    FXQ_CHECK("pipe.random_nets.codes_used", with_codes > 40, "only %d of %d networks hand codes over", with_codes, nets);
    FXQ_CHECK("pipe.random_nets.windows", g_windows > 60, "only %d zero points in %d networks", g_windows, nets);
    printf("# %d of %d random networks ran as one team\n", g_team_runs, nets);
    FXQ_CHECK("pipe.random_nets.team_equals_layer_loop", g_team_bad == 0, "%d networks differ", g_team_bad);
    FXQ_CHECK("pipe.random_nets.team_used", omp_get_max_threads() < 2 || g_team_runs > 5,
              "only %d of %d networks ran as one team", g_team_runs, nets);
    FXQ_TEST_END();
}
