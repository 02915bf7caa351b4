/* fxq quantize's logit-window pass: the logits' frac and window by the
 * softmax's KL divergence.
 *   search.*  fxq_logitwin_search against a brute force written here (its
 *             own rounding, clipping, pooling and softmax, every candidate):
 *             random sets with and without pooling, temperatures, widths
 *             2..10, values on the rounding boundaries and far outliers; the
 *             search's KL must be the brute-force minimum and its window
 *             must reach it.
 *   kl.*      fxq_logitwin_kl against the brute force at random windows.
 *   net.*     in process on fmnist-res (conv -> [avgpool] -> [softmax]) and
 *             fmnist ([connected] -> [softmax]), 64 images: the written cfg's
 *             head format is the brute-force optimum over the head's float
 *             outputs, measured here with Darknet, around the frac the run
 *             without the logit-window pass wrote; nothing else in the cfg moves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cmd.h"
#include "fxq_input.h"
#include "fxq_logitwin.h"
#include "fxq_net.h"
#include "fxq_test.h"
#include "fxq_test_cmd.h"
#include "fxq_test_rng.h"

static double urand(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

/* round half away from zero, in long double so x 2^f is exact for floats */
static long long code(float x, int f)
{
    const long double v = ldexpl((long double)x, f);
    const long double r = floorl(fabsl(v) + 0.5L);
    const long double c = r > 1e15L ? 1e15L : r;
    return (long long)(v < 0 ? -c : c);
}

static double brute_kl(const fxq_logitwin_set *s, int bits, int f, int lo)
{
    const long long hi = lo + (1LL << bits) - 1;
    double total = 0;
    double *t = malloc((size_t)s->c * sizeof *t), *q = malloc((size_t)s->c * sizeof *q);
    for (int b = 0; b < s->n; ++b) {
        double mt = -INFINITY, mq = -INFINITY, st = 0, sq = 0;
        for (int k = 0; k < s->c; ++k) {
            const float *v = s->x + ((size_t)b * s->c + k) * s->hw;
            double a = 0;
            long long sum = 0;
            for (int j = 0; j < s->hw; ++j) {
                const long long c = code(v[j], f);
                a += v[j];
                sum += c < lo ? lo : c > hi ? hi : c;
            }
            t[k] = a / s->hw / s->temperature;
            q[k] = ldexp((double)sum, -f) / s->hw / s->temperature;
            mt = fmax(mt, t[k]), mq = fmax(mq, q[k]);
        }
        for (int k = 0; k < s->c; ++k) st += exp(t[k] - mt), sq += exp(q[k] - mq);
        for (int k = 0; k < s->c; ++k) {
            const double lp = t[k] - mt - log(st), lq = q[k] - mq - log(sq);
            total += exp(lp) * (lp - lq);
        }
    }
    free(t), free(q);
    return total / s->n;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * fmax(fabs(b), 1e-12) + 1e-15; }

static float *random_set(fxq_logitwin_set *s, int n, int c, int hw)
{
    float *x = malloc((size_t)n * c * hw * sizeof *x);
    const double scale = ldexp(1.0, (int)(rnd() % 7) - 2);
    for (size_t i = 0; i < (size_t)n * c * hw; ++i) {
        const int kind = (int)(rnd() % 16);
        double v = (urand() + urand() + urand() - 1.5) * 4 * scale; /* roughly normal */
        if (kind == 0) v = ldexp(floor(v * 16) + 0.5, -4);   /* exactly between two codes at frac 4 */
        if (kind == 1) v *= 40;                               /* outliers that every window clips */
        if (kind == 2) v = ldexp((double)(rnd() % 2001) - 1000, -3); /* on the frac-3 grid */
        x[i] = (float)v;
    }
    *s = (fxq_logitwin_set){n, c, hw, x, (const double[]){1.0, 0.5, 2.0}[rnd() % 3]};
    return x;
}

static void check_search(const char *name, const fxq_logitwin_set *s, int bits, int f0, int f1)
{
    int frac = 99, lo = 99;
    double kl = -1;
    char why[256] = "";
    const int ok = fxq_logitwin_search(s, bits, f0, f1, &frac, &lo, &kl, why, sizeof why);
    double best = INFINITY;
    for (int f = f0; f <= f1; ++f)
        for (int l = 0; l > -(1 << bits); --l) best = fmin(best, brute_kl(s, bits, f, l));
    const double at = ok ? brute_kl(s, bits, frac, lo) : NAN;
    FXQ_CHECK(name,
              ok && frac >= f0 && frac <= f1 && lo <= 0 && lo > -(1 << bits) && close_to(kl, best) &&
                  close_to(at, best) && kl == fxq_logitwin_kl(s, bits, frac, lo),
              "ok %d (%s) n %d c %d hw %d T %g bits %d fracs %d..%d: frac %d lo %d kl %.17g, brute force min %.17g, "
              "at the window %.17g",
              ok, why, s->n, s->c, s->hw, s->temperature, bits, f0, f1, frac, lo, kl, best, at);
}

/* The head layer's float outputs (the layer before [avgpool]/[softmax]) on paths. */
static float *head_outputs(const char *cfg, const char *weights, char **paths, int n, int *c, int *hw, double *temp)
{
    char why[512];
    network *net = fxq_net_load_quiet(cfg, weights, n, why, sizeof why);
    if (!net) return NULL;
    float *in = calloc((size_t)n * net->inputs, sizeof *in);
    for (int i = 0; i < n; ++i) fxq_input_load(paths[i], net->w, net->h, net->c, in + (size_t)i * net->inputs, why, 512);
    network_predict(net, in);
    const int sm = net->n - 1, pool = net->layers[sm - 1].type == AVGPOOL, h = sm - 1 - pool;
    const layer *l = &net->layers[h];
    *hw = pool ? l->out_h * l->out_w : 1;
    *c = l->outputs / *hw;
    *temp = net->layers[sm].temperature;
    float *x = malloc((size_t)n * l->outputs * sizeof *x);
    memcpy(x, l->output, (size_t)n * l->outputs * sizeof *x);
    free(in);
    free_network(net);
    return x;
}

static int quantize(const char *cfg, const char *weights, const char *list, const char *out, int logit)
{
    char *argv[] = {"quantize", (char *)cfg, (char *)weights, (char *)list, "-o", (char *)out, "--wbits", "8",
                    "--abits", "8", "-q", "--passes", logit ? "windows,logit-window" : "windows"};
    return fxq_test_run_quiet(fxq_cmd_quantize, (int)(sizeof argv / sizeof *argv), argv);
}

/* The head's out_frac / out_zero (the last section with an out_frac; no
 * out_zero: the signed window) and the cfg's text without comments and
 * without those two keys of that section, for comparing the rest. */
static char *head_format(const char *path, int *frac, int *lo)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char line[8192];
    int sec = 0, head_sec = -1;
    while (fgets(line, sizeof line, f)) { /* first pass: which section is the head */
        if (line[0] == '[') ++sec;
        if (!strncmp(line, "out_frac=", 9)) head_sec = sec;
    }
    rewind(f);
    char *rest = calloc(1, 1 << 20);
    size_t len = 0;
    int bits = 8, zero = -1;
    sec = 0;
    while (rest && fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        if (line[0] == '[') ++sec;
        if (sec == head_sec) {
            sscanf(line, "out_bits=%d", &bits);
            if (sscanf(line, "out_frac=%d", frac) == 1 || sscanf(line, "out_zero=%d", &zero) == 1) {
                *lo = zero >= 0 ? -zero : -(1 << (bits - 1));
                continue;
            }
        }
        len += (size_t)snprintf(rest + len, (1 << 20) - len, "%s", line);
    }
    fclose(f);
    return rest;
}

static void check_net(const char *tag, const char *cfg, const char *weights, char **paths, int n, const char *list)
{
    char out0[256], out1[256], name[96];
    const char *tmp = getenv("TMPDIR");
    snprintf(out0, sizeof out0, "%s/lw-%s-mse.cfg", tmp ? tmp : "/tmp", tag);
    snprintf(out1, sizeof out1, "%s/lw-%s-kl.cfg", tmp ? tmp : "/tmp", tag);
    const int rc0 = quantize(cfg, weights, list, out0, 0), rc1 = quantize(cfg, weights, list, out1, 1);
    snprintf(name, sizeof name, "net.%s_exit", tag);
    FXQ_CHECK(name, rc0 == 0 && rc1 == 0, "exit %d / %d", rc0, rc1);
    int f0 = 99, lo0 = 99, f1 = 99, lo1 = 99;
    char *r0 = head_format(out0, &f0, &lo0), *r1 = head_format(out1, &f1, &lo1);
    snprintf(name, sizeof name, "net.%s_rest_unchanged", tag);
    FXQ_CHECK(name, r0 && r1 && !strcmp(r0, r1), "the cfgs differ beyond the head's out_frac/out_zero");
    int c = 0, hw = 0;
    double temp = 1;
    float *x = head_outputs(cfg, weights, paths, n, &c, &hw, &temp);
    const fxq_logitwin_set s = {n, c, hw, x, temp};
    double best = INFINITY;
    for (int f = f0 - 1; x && f <= f0 + FXQ_LOGITWIN_FINER; ++f)
        for (int l = 0; l > -256; --l) best = fmin(best, brute_kl(&s, 8, f, l));
    const double at = x ? brute_kl(&s, 8, f1, lo1) : NAN, was = x ? brute_kl(&s, 8, f0, lo0) : NAN;
    snprintf(name, sizeof name, "net.%s_head_is_the_optimum", tag);
    FXQ_CHECK(name, x && close_to(at, best), "written frac %d lo %d: KL %.9g; squared error's frac %d lo %d: %.9g; "
              "brute-force min %.9g", f1, lo1, at, f0, lo0, was, best);
    snprintf(name, sizeof name, "net.%s_finer_than_squared_error", tag);
    FXQ_CHECK(name, f1 > f0 && at < was, "frac %d vs %d, KL %.3g vs %.3g", f1, f0, at, was);
    free(x), free(r0), free(r1);
    unlink(out0), unlink(out1);
}

int main(void)
{
    /* search against the brute force: pooled (hw 49, 4, 3) and plain heads */
    const int shapes[][3] = {{24, 10, 49}, {40, 6, 1}, {7, 12, 4}, {1, 2, 3}, {30, 3, 1}};
    for (int t = 0; t < 5; ++t) {
        fxq_logitwin_set s;
        float *x = random_set(&s, shapes[t][0], shapes[t][1], shapes[t][2]);
        const int bits = t == 3 ? 2 : t == 4 ? 10 : (int)(rnd() % 6) + 3, f0 = (int)(rnd() % 5) - 1;
        char name[64];
        snprintf(name, sizeof name, "search.case%d_%dbit", t, bits);
        check_search(name, &s, bits, f0, f0 + (t == 4 ? 1 : 4));
        snprintf(name, sizeof name, "kl.case%d", t);
        int bad = 0;
        for (int r = 0; r < 6; ++r) {
            const int f = (int)(rnd() % 9) - 2, lo = -(int)(rnd() % (1u << bits));
            bad += !close_to(fxq_logitwin_kl(&s, bits, f, lo), brute_kl(&s, bits, f, lo));
        }
        FXQ_CHECK(name, bad == 0, "%d of 6 windows differ from the brute force", bad);
        free(x);
    }
    {
        fxq_logitwin_set s;
        float *x = random_set(&s, 4, 3, 1);
        int f, lo;
        double kl;
        char why[256] = "";
        FXQ_CHECK("search.refuses_11_bits", !fxq_logitwin_search(&s, 11, 0, 1, &f, &lo, &kl, why, sizeof why) &&
                  strstr(why, "11-bit"), "why: '%s'", why);
        free(x);
    }

    /* in process on the reference models */
    const char *list = "data/fmnist/test1k.list";
    int n = 0;
    char why[512];
    char **paths = fxq_list_read(list, 64, &n, why, sizeof why);
    FXQ_CHECK("net.images", paths && n == 64, "%s", why);
    if (paths) {
        char l64[256];
        const char *tmp = getenv("TMPDIR");
        snprintf(l64, sizeof l64, "%s/lw-64.list", tmp ? tmp : "/tmp");
        FILE *f = fopen(l64, "w");
        for (int i = 0; f && i < n; ++i) fprintf(f, "%s\n", paths[i]);
        if (f) fclose(f);
        check_net("fmnist_res", "cfg/fmnist-res.cfg", "weights/fmnist-res.weights", paths, n, l64);
        check_net("fmnist", "cfg/fmnist.cfg", "weights/fmnist.weights", paths, n, l64);
        fxq_list_free(paths, n);
        unlink(l64);
    }
    FXQ_TEST_END();
}
