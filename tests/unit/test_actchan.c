/* fxq quantize's act-channels pass (with act-scales, which it needs): run in
 * process on fmnist-res, then both float networks are measured channel by
 * channel: each channel k of a group must have been divided by c_g d_k, one
 * c_g in [1, 2) for the whole group and d_k = max(r_k, 0.5), r_k the
 * largest over the group's tensors of (channel k's max|x|) / (that tensor's
 * largest channel). The groups are written out here from the cfg's wiring
 * (a [shortcut] ties its inputs and its output), not taken from the code
 * under test. Also: the maxima do not depend on the batch, and the logits
 * (layer 9, read by [avgpool] -> [softmax]) and the image keep factor 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_chanmax.h"
#include "fxq_cmd.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_test.h"
#include "fxq_test_cmd.h"

#define CFG "cfg/fmnist-res.cfg"
#define WEIGHTS "weights/fmnist-res.weights"
#define NIMG 48

static float **maxima(const char *weights, int batch, char **paths, char *why)
{
    network *net = fxq_net_load_quiet(CFG, weights, batch, why, 512);
    if (!net) return NULL;
    float **mx = calloc((size_t)net->n, sizeof *mx);
    for (int i = 0; i < net->n; ++i) {
        int c, hw;
        if (fxq_chanmax_shape(&net->layers[i], &c, &hw)) mx[i] = calloc((size_t)c, sizeof **mx);
    }
    if (!fxq_chanmax(net, paths, NIMG, mx, why, 512)) mx = NULL; /* leaks on failure: the test stops */
    free_network(net);
    return mx;
}

/* act-channels runs before act-scales (the pass table's order): every
 * channel is divided by its factor, then each group by its real c in [1, 2);
 * the weights land beside cfg_out */
static int quantize(const char *list, const char *cfg_out)
{
    char *argv[] = {"quantize", CFG, WEIGHTS, (char *)list, "-o", (char *)cfg_out, "--wbits", "8", "--abits", "8",
                    "--passes", "act-scales,act-channels", "-q"};
    return fxq_test_run_quiet(fxq_cmd_quantize, (int)(sizeof argv / sizeof *argv), argv);
}

/* fmnist-res's output channels per layer (11: [softmax], not recorded) */
static const int nch[12] = {16, 48, 24, 48, 48, 64, 32, 64, 64, 10, 10, 0};
/* fmnist-res's groups: layers whose outputs share channel factors */
static const int groups[5][3] = {{0, -1, -1}, {1, 3, 4}, {2, -1, -1}, {5, 7, 8}, {6, -1, -1}};

static int check_floor(char **paths, const char *list, double floor, float **m0)
{
    char dir[] = "/tmp/fxq-actchan.XXXXXX", cfg[300], w[300], why[512];
    if (!mkdtemp(dir)) return 0;
    snprintf(cfg, sizeof cfg, "%s/q.cfg", dir);
    snprintf(w, sizeof w, "%s/q.weights", dir);
    char name[96];
    snprintf(name, sizeof name, "actchan.floor_%g.quantize", floor);
    FXQ_CHECK(name, quantize(list, cfg) == 0, "fxq quantize failed");
    float **m1 = maxima(w, 16, paths, why);
    snprintf(name, sizeof name, "actchan.floor_%g.scaled_maxima", floor);
    FXQ_CHECK(name, m1 != NULL, "%s", why);
    unlink(cfg), unlink(w), rmdir(dir);
    if (!m1) return 0;
    int bad = 0, below = 0, checked = 0;
    char first[160] = "";
    for (int gi = 0; gi < 5; ++gi) {
        const int C = nch[groups[gi][0]];
        double cg = 0; /* the group's c: its first channel's ratio, the same for all */
        for (int k = 0; k < C; ++k) {
            double r = 0;
            for (int j = 0; j < 3 && groups[gi][j] >= 0; ++j) {
                const int t = groups[gi][j];
                float top = 0;
                for (int q = 0; q < C; ++q) top = m0[t][q] > top ? m0[t][q] : top;
                r = m0[t][k] / top > r ? m0[t][k] / top : r;
            }
            const double d = r < floor ? floor : r;
            below += r < floor;
            for (int j = 0; j < 3 && groups[gi][j] >= 0; ++j) {
                const int t = groups[gi][j];
                if (cg == 0 && m1[t][k] > 0) cg = m0[t][k] / d / m1[t][k];
                const double want = m0[t][k] / d / cg, got = m1[t][k];
                ++checked;
                if (!(cg >= 1 - 1e-6 && cg < 2 + 1e-6) || fabs(got - want) > 1e-4 * (fabs(want) + 1e-3)) {
                    if (!bad++)
                        snprintf(first, sizeof first, "layer %d channel %d: max %.6g, want %.6g (r %.4f, d %.4f, c %.4f)",
                                 t, k, got, want, r, d, cg);
                }
            }
        }
    }
    snprintf(name, sizeof name, "actchan.floor_%g.each_channel_divided_by_its_factor", floor);
    FXQ_CHECK(name, bad == 0 && checked == 16 + 3 * 48 + 24 + 3 * 64 + 32, "%d of %d differ, first %s", bad, checked,
              first);
    snprintf(name, sizeof name, "actchan.floor_%g.some_channels_at_the_floor", floor);
    FXQ_CHECK(name, below > 0, "no channel below the floor: the floor is not exercised");
    int same = 1;
    for (int k = 0; k < 10; ++k) same &= fabsf(m1[9][k] - m0[9][k]) <= 1e-5f * (fabsf(m0[9][k]) + 1e-3f);
    snprintf(name, sizeof name, "actchan.floor_%g.logits_unscaled", floor);
    FXQ_CHECK(name, same, "layer 9's channel maxima moved");
    for (int i = 0; i < 12; ++i) free(m1[i]);
    free(m1);
    return 1;
}

int main(void)
{
    char why[512];
    int n = 0;
    char **all = fxq_list_read("data/fmnist/calib1k.list", NIMG, &n, why, sizeof why);
    FXQ_CHECK("actchan.list", all && n == NIMG, "%s", all ? "short list" : why);
    if (!all || n != NIMG) FXQ_TEST_END();
    char list[] = "/tmp/fxq-actchan-list.XXXXXX";
    FILE *f = fdopen(mkstemp(list), "w");
    for (int i = 0; i < n; ++i) fprintf(f, "%s\n", all[i]);
    fclose(f);

    float **m0 = maxima(WEIGHTS, 16, all, why), **m7 = maxima(WEIGHTS, 7, all, why);
    FXQ_CHECK("actchan.maxima", m0 && m7, "%s", why);
    if (!m0 || !m7) FXQ_TEST_END();
    int same = 1, positive = 1;
    for (int i = 0; i < 12; ++i)
        for (int k = 0; m0[i] && k < nch[i]; ++k) same &= m0[i][k] == m7[i][k], positive &= m0[i][k] > 0;
    FXQ_CHECK("actchan.maxima_batch_independent", same, "batch 16 and 7 differ");
    FXQ_CHECK("actchan.maxima_positive", positive, "a channel's max is 0");

    check_floor(all, list, 0.5, m0); /* the pass's floor */
    unlink(list);
    for (int i = 0; i < 12; ++i) free(m0[i]), free(m7[i]);
    free(m0), free(m7);
    fxq_list_free(all, n);
    FXQ_TEST_END();
}
