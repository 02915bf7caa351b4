/* The fixed-point layers on the real reference model: integer forward vs the
 * fake-quant float emulation, layer by layer on the same inputs; drop-in
 * loading of the float .weights; save_weights round trip. */
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include "darknet.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_test.h"

#define WEIGHTS "weights/fmnist.weights"
#define CFG "cfg/fmnist.cfg"

/* cfg/fmnist.cfg with every conv/connected section made fixed point. */
static int write_fx_cfg(const char *path, int wb, int wf, int ab, int af, int ob, int of)
{
    FILE *in = fopen(CFG, "r"), *out = fopen(path, "w");
    if (!in || !out) return 0;
    char line[512];
    while (fgets(line, sizeof line, in)) {
        int conv = !strncmp(line, "[convolutional]", 15), conn = !strncmp(line, "[connected]", 11);
        if (conv || conn) {
            fprintf(out, "%s\nw_bits=%d\nw_frac=%d\nin_bits=%d\nin_frac=%d\nout_bits=%d\nout_frac=%d\n",
                    conv ? "[fxconvolutional]" : "[fxconnected]", wb, wf, ab, af, ob, of);
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    return fclose(out) == 0;
}

/* The same with unsigned inputs / relu outputs where the model allows them
 * (every input after the first layer is a ReLU output, the image is >= 0) and
 * a per-channel w_frac list cycling through wf-1, wf, wf+1. */
static int write_fx_cfg_ext(const char *path, int wb, int wf, int ab, int af, int ob, int of)
{
    FILE *in = fopen(CFG, "r"), *out = fopen(path, "w");
    if (!in || !out) return 0;
    char line[512];
    int filters = 0;
    while (fgets(line, sizeof line, in)) {
        int conv = !strncmp(line, "[convolutional]", 15), conn = !strncmp(line, "[connected]", 11);
        if (conv || conn) {
            fprintf(out, "%s\nw_bits=%d\nin_bits=%d\nin_frac=%d\nin_unsigned=1\nout_bits=%d\nout_frac=%d\n",
                    conv ? "[fxconvolutional]" : "[fxconnected]", wb, ab, af, ob, of);
            if (conv) fprintf(out, "out_unsigned=1\n");
            filters = 0;
        } else if (!strncmp(line, "filters=", 8) || !strncmp(line, "output=", 7)) {
            filters = atoi(strchr(line, '=') + 1);
            fputs(line, out);
            fprintf(out, "w_frac=");
            for (int u = 0; u < filters; ++u) fprintf(out, "%s%d", u ? "," : "", wf - 1 + u % 3);
            fprintf(out, "\n");
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    return fclose(out) == 0;
}

static network *load(const char *cfg, const char *weights, const char *mode)
{
    setenv("FXQ_MODE", mode, 1);
    network *net = load_network((char *)cfg, (char *)weights, 0);
    set_batch_network(net, 1);
    unsetenv("FXQ_MODE");
    fxq_pipe_set_all_float(net, 1); /* every layer's l.output is compared */
    return net;
}

static void load_input(network *net, const char *path)
{
    image im = load_image_color((char *)path, 0, 0);
    memcpy(net->input, im.data, sizeof(float) * net->inputs);
    free_image(im);
}

/* Runs every layer of `ni`, and each fixed-point layer of `ne` on the same
 * input as ni's; returns the worst |difference| in output LSBs over fx layers
 * and counts elements that differ. */
static double compare_layers(network *ni, network *ne, long *ndiff, long *nvals)
{
    double worst = 0;
    network_predict(ni, ni->input);
    for (int i = 0; i < ni->n; ++i) {
        layer li = ni->layers[i], le = ne->layers[i];
        if (li.type != FXCONVOLUTIONAL && li.type != FXCONNECTED) continue;
        network tmp = *ne;
        tmp.input = i ? ni->layers[i - 1].output : ni->input;
        tmp.index = i;
        tmp.train = 0;
        le.forward(le, tmp);
        const double lsb = ldexp(1.0, -li.fxq->out.frac);
        for (int k = 0; k < li.outputs; ++k) {
            double d = fabs((double)li.output[k] - le.output[k]) / lsb;
            if (d > 0) ++*ndiff;
            if (d > worst) worst = d;
            ++*nvals;
        }
    }
    return worst;
}

int main(void)
{
    FILE *w = fopen(WEIGHTS, "rb");
    FXQ_CHECK("fxlayer.weights_present", w != NULL, "%s missing", WEIGHTS);
    if (!w) FXQ_TEST_END();
    fclose(w);
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char cfg8[512], cfg16[512], saved[512];
    snprintf(cfg8, sizeof cfg8, "%s/fxq-test-fx8-%d.cfg", tmpdir, (int)getpid());
    snprintf(cfg16, sizeof cfg16, "%s/fxq-test-fx16-%d.cfg", tmpdir, (int)getpid());
    snprintf(saved, sizeof saved, "%s/fxq-test-saved-%d.weights", tmpdir, (int)getpid());
    FXQ_CHECK("fxlayer.write_cfg", write_fx_cfg(cfg8, 8, 6, 8, 4, 8, 3) && write_fx_cfg(cfg16, 16, 12, 16, 9, 16, 9),
              "cannot write temp cfgs");

    list *imgs = get_paths("data/fmnist/test1k.list");
    char **paths = (char **)list_to_array(imgs);
    const int nimg = 8;

    /* 8/8/8: every partial sum of this model stays far below 2^24 LSBs, so
     * the float emulation is exact and must match bit for bit. */
    network *ni = load(cfg8, WEIGHTS, "int"), *ne = load(cfg8, WEIGHTS, "emulate");
    long ndiff = 0, nvals = 0;
    double worst = 0;
    for (int i = 0; i < nimg; ++i) {
        load_input(ni, paths[i]);
        double d = compare_layers(ni, ne, &ndiff, &nvals);
        if (d > worst) worst = d;
    }
    FXQ_CHECK("fxlayer.int_equals_emulation_8bit", ndiff == 0 && nvals > 1000, "%ld of %ld outputs differ, worst %.3g LSB", ndiff,
              nvals, worst);
    FXQ_CHECK("fxlayer.weights_are_codes", ni->layers[0].weights == NULL && ni->layers[0].fxq->prepared,
              "float weights kept at run time");

    /* unsigned inputs, unsigned relu outputs, per-channel weight fracs: the
     * same exactness argument, so bit for bit too */
    char cfgx[512];
    snprintf(cfgx, sizeof cfgx, "%s/fxq-test-fxx-%d.cfg", tmpdir, (int)getpid());
    FXQ_CHECK("fxlayer.write_cfg_ext", write_fx_cfg_ext(cfgx, 8, 6, 8, 5, 8, 4), "cannot write %s", cfgx);
    network *nx = load(cfgx, WEIGHTS, "int"), *nxe = load(cfgx, WEIGHTS, "emulate");
    FXQ_CHECK("fxlayer.ext_formats_parsed", nx->layers[0].fxq->in_unsigned && nx->layers[0].fxq->out_unsigned &&
              nx->layers[0].fxq->w_fracs && nx->layers[0].fxq->w_fracs[1] == 6 && nx->layers[0].fxq->w.frac == 5,
              "in_unsigned/out_unsigned/w_frac list not parsed");
    ndiff = nvals = 0;
    worst = 0;
    long nonneg_codes = 0;
    for (int i = 0; i < nimg; ++i) {
        load_input(nx, paths[i]);
        double d = compare_layers(nx, nxe, &ndiff, &nvals);
        if (d > worst) worst = d;
        /* the unsigned range is used: some relu output above the signed max */
        const layer l0 = nx->layers[0];
        for (int k = 0; k < l0.outputs; ++k)
            nonneg_codes += l0.output[k] > ldexp(127.0, -l0.fxq->out.frac);
    }
    FXQ_CHECK("fxlayer.int_equals_emulation_unsigned_per_channel", ndiff == 0 && nvals > 1000,
              "%ld of %ld outputs differ, worst %.3g LSB", ndiff, nvals, worst);
    FXQ_CHECK("fxlayer.unsigned_output_range_used", nonneg_codes > 0, "no relu output above code 127");
    remove(cfgx);

    /* 16/16/16: products need up to 30 bits, float32 sums are not exact:
     * within one output LSB. */
    network *ni16 = load(cfg16, WEIGHTS, "int"), *ne16 = load(cfg16, WEIGHTS, "emulate");
    ndiff = nvals = 0;
    worst = 0;
    for (int i = 0; i < nimg; ++i) {
        load_input(ni16, paths[i]);
        double d = compare_layers(ni16, ne16, &ndiff, &nvals);
        if (d > worst) worst = d;
    }
    FXQ_CHECK("fxlayer.int_vs_emulation_16bit_within_1lsb", worst <= 1.0, "worst %.3g LSB (%ld/%ld differ)", worst,
              ndiff, nvals);

    /* 16-bit fixed point vs the float network: predictions agree. */
    network *nf = load(CFG, WEIGHTS, "int");
    int agree = 0;
    for (int i = 0; i < 50; ++i) {
        load_input(nf, paths[i]);
        float *pf = network_predict(nf, nf->input);
        int af = max_index(pf, 10);
        load_input(ni16, paths[i]);
        float *pi = network_predict(ni16, ni16->input);
        agree += af == max_index(pi, 10);
    }
    FXQ_CHECK("fxlayer.16bit_agrees_with_float", agree >= 49, "%d/50 top-1 agree", agree);

    /* save_weights writes an upstream file: the float cfg loads it and then
     * computes what the fixed-point network's weights are (BN folded). */
    save_weights(ni, saved);
    network *back = load(CFG, saved, "int");
    network *again = load(cfg8, saved, "int");
    int same_codes = 1;
    for (int i = 0; i < ni->n; ++i) {
        layer a = ni->layers[i], b = again->layers[i];
        if (a.type != FXCONVOLUTIONAL && a.type != FXCONNECTED) continue;
        size_t nw = (size_t)a.fxq->units * a.fxq->fan_in;
        if (memcmp(a.fxq->w_codes, b.fxq->w_codes, nw * sizeof(int16_t)) ||
            memcmp(a.fxq->bias_acc, b.fxq->bias_acc, a.fxq->units * sizeof(int64_t)))
            same_codes = 0;
    }
    FXQ_CHECK("fxlayer.save_load_same_codes", same_codes, "re-loading the saved file changed codes");
    load_input(back, paths[0]);
    float *pb = network_predict(back, back->input);
    load_input(ni, paths[0]);
    float *pq = network_predict(ni, ni->input);
    FXQ_CHECK("fxlayer.saved_file_loads_in_float_cfg", max_index(pb, 10) == max_index(pq, 10),
              "float cfg on saved weights predicts %d, fixed point %d", max_index(pb, 10), max_index(pq, 10));
    remove(cfg8);
    remove(cfg16);
    remove(saved);
    FXQ_TEST_END();
}
