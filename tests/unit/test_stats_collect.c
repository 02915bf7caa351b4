/* Recording (fxq_stats_collect.c) and checked loading (fxq_net.c) on a cfg
 * that uses the other layer types a classifier may have: maxpool, shortcut,
 * route, batchnorm, dropout, avgpool, batch-normalized connected, softmax,
 * with leaky and logistic activations. Weights: Darknet's random init, saved
 * with its own save_weights. Images: the Fashion-MNIST calibration list. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_stats_net.h"
#include "fxq_test.h"

static const char zoo_cfg[] =
    "[net]\nbatch=64\nsubdivisions=2\nheight=28\nwidth=28\nchannels=3\n\n"
    "[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n\n" /* 0 */
    "[maxpool]\nsize=2\nstride=2\n\n"                                                            /* 1: 14x14x8 */
    "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=relu\n\n"                   /* 2 */
    "[shortcut]\nfrom=-2\nactivation=linear\n\n"                                                 /* 3: + layer 1 */
    "[route]\nlayers=-1,-3\n\n"                                                                  /* 4: 14x14x16 */
    "[batchnorm]\n\n"                                                                            /* 5 */
    "[dropout]\nprobability=.5\n\n"                                                              /* 6 */
    "[avgpool]\n\n"                                                                              /* 7: 16 */
    "[connected]\noutput=10\nbatch_normalize=1\nactivation=logistic\n\n"                         /* 8 */
    "[softmax]\ngroups=1\n";                                                                     /* 9 */

static int same_record(const fxq_tensor_stats *a, const fxq_tensor_stats *b)
{
    return fxq_ts_equal(a, b) && a->m3 == b->m3 && a->m4 == b->m4;
}

int main(void)
{
    char why[1024], cfg[] = "/tmp/fxq-zoo-cfg.XXXXXX", weights[] = "/tmp/fxq-zoo-w.XXXXXX";
    close(mkstemp(cfg));
    close(mkstemp(weights));
    FILE *f = fopen(cfg, "w");
    fputs(zoo_cfg, f);
    fclose(f);

    FXQ_CHECK("zoo.cfg_check", fxq_cfg_check(cfg, why, sizeof why), "%s", why);
    network *init = parse_network_cfg(cfg);
    /* random init leaves rolling variances at 0 (x1000 per batch norm); 1 keeps
     * the activations in a realistic range */
    for (int i = 0; i < init->n; ++i)
        if (init->layers[i].rolling_variance)
            for (int c = 0; c < init->layers[i].out_c; ++c) init->layers[i].rolling_variance[c] = 1;
    save_weights(init, weights);
    struct stat st;
    stat(weights, &st);
    /* our size model of a .weights file against what Darknet wrote */
    FXQ_CHECK("zoo.weights_bytes", fxq_weights_bytes(init, 0, 2, NULL) == (size_t)st.st_size, "model %zu, file %lld",
              fxq_weights_bytes(init, 0, 2, NULL), (long long)st.st_size);
    free_network(init);

    network *nets[2] = {fxq_net_load(cfg, weights, 6, why, sizeof why), fxq_net_load(cfg, weights, 6, why, sizeof why)};
    FXQ_CHECK("zoo.load", nets[0] && nets[1] && nets[0]->batch == 6 && nets[0]->layers[0].batch == 6, "%s", why);
    if (!nets[0] || !nets[1]) FXQ_TEST_END();

    int n = 0;
    char **paths = fxq_list_read("data/fmnist/calib1k.list", 20, &n, why, sizeof why);
    FXQ_CHECK("zoo.list", paths && n == 20, "%s", why);
    if (!paths) FXQ_TEST_END();

    fxq_stats *two = fxq_stats_collect_nets(nets, 2, paths, n, 1, why, sizeof why);
    fxq_stats *one = fxq_stats_collect(nets[0], paths, n, 1, why, sizeof why);
    FXQ_CHECK("zoo.collect", one && two, "%s", why);
    if (!one || !two) FXQ_TEST_END();

    FXQ_CHECK("zoo.records", one->n == 3 && one->net_layers == 10 && one->images == 20 && one->layers[0].index == 0 &&
                                 one->layers[1].index == 2 && one->layers[2].index == 8 &&
                                 !strcmp(one->layers[2].type, "connected"),
              "n %d layers %d", one->n, one->net_layers);
    FXQ_CHECK("zoo.match", fxq_stats_match(one, nets[0], why, sizeof why), "%s", why);
    int same = 1;
    for (int r = 0; r < one->n; ++r)
        for (int t = 0; t < FXQ_T_COUNT; ++t) same &= same_record(&one->layers[r].t[t], &two->layers[r].t[t]);
    FXQ_CHECK("zoo.threads_bit_identical", same, "1 and 2 replicas differ");

    const fxq_tensor_stats *in2 = fxq_stats_get(one, 2, FXQ_T_INPUT), *in8 = fxq_stats_get(one, 8, FXQ_T_INPUT);
    FXQ_CHECK("zoo.input_after_maxpool", in2->count == 20ull * 14 * 14 * 8, "%llu", (unsigned long long)in2->count);
    FXQ_CHECK("zoo.input_after_avgpool", in8->count == 20ull * 16, "%llu", (unsigned long long)in8->count);
    const fxq_tensor_stats *p0 = fxq_stats_get(one, 0, FXQ_T_PREACT), *o0 = fxq_stats_get(one, 0, FXQ_T_OUTPUT);
    FXQ_CHECK("zoo.leaky", p0->min < 0 && o0->min == (double)(float)(.1 * p0->min) /* Darknet's leaky: .1*x in double */ && o0->max == p0->max,
              "preact min %g output min %g", p0->min, o0->min);
    const fxq_tensor_stats *o8 = fxq_stats_get(one, 8, FXQ_T_OUTPUT), *p8 = fxq_stats_get(one, 8, FXQ_T_PREACT);
    FXQ_CHECK("zoo.logistic", o8->min > 0 && o8->max < 1 && fabs(o8->max - 1 / (1 + exp(-p8->max))) < 1e-6,
              "output [%g, %g]", o8->min, o8->max);
    const fxq_tensor_stats *w8 = fxq_stats_get(one, 8, FXQ_T_WEIGHTS), *b8 = fxq_stats_get(one, 8, FXQ_T_BIASES);
    FXQ_CHECK("zoo.connected_params", w8->count == 160 && b8->count == 10, "%llu %llu", (unsigned long long)w8->count,
              (unsigned long long)b8->count);

    /* a decode failure in the second batch stops the run and names the image */
    char *bad[8];
    for (int i = 0; i < 8; ++i) bad[i] = paths[i];
    bad[7] = "/nonexistent/x.png";
    fxq_stats *none = fxq_stats_collect_nets(nets, 2, bad, 8, 1, why, sizeof why);
    FXQ_CHECK("zoo.decode_failure", !none && strstr(why, "/nonexistent/x.png"), "%s", none ? "accepted" : why);

    /* short weights are refused before Darknet reads them */
    truncate(weights, st.st_size - 4);
    network *shorty = fxq_net_load(cfg, weights, 6, why, sizeof why);
    FXQ_CHECK("zoo.short_weights", !shorty && strstr(why, weights) && strstr(why, "layer 8"), "%s", why);

    fxq_stats_free(one);
    fxq_stats_free(two);
    fxq_list_free(paths, n);
    free_network(nets[0]);
    free_network(nets[1]);
    unlink(cfg);
    unlink(weights);
    FXQ_TEST_END();
}
