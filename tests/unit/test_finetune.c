/* Training inside the formats (fxq_layer_train.h) on a tiny [fxconnected]
 * layer: the straight-through estimator's gradients (weights, biases, input)
 * equal finite differences of the fake-quantized forward wherever it is
 * differentiable, at and around the saturation edges of every quantizer;
 * codes stay inside their formats while the masters train past them; save
 * -> load gives the same codes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darknet.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"
#include "fxq_test.h"
#include "fxq_train_fd.h"

#define NIN 6
#define NOUT 3

/* in 4.2: [-2, 1.75]; w 4.2: [-2, 1.75]; out 8.4: [-8, 7.9375]. Products of
 * 1/4-grid values sum exactly on the 1/16 grid, so differences are exact. */
static const char *cfg_text = "[net]\nbatch=1\nheight=1\nwidth=1\nchannels=6\nmomentum=0.9\ndecay=0\n"
                              "learning_rate=0.1\n\n[fxconnected]\noutput=3\nactivation=linear\n"
                              "w_bits=4\nw_frac=2\nin_bits=4\nin_frac=2\nout_bits=8\nout_frac=4\n";

static float x[NIN] = {0.5f, -1.0f, 1.75f, 2.0f, -2.0f, -3.0f}; /* in, in, max, max+1, min, below */
static const float g[NOUT] = {1.0f, -0.5f, 0.75f};                /* dE/dy */

int main(void)
{
    fd_x = x, fd_g = g, fd_nout = NOUT;
    char path[] = "/tmp/fxq-ft-XXXXXX";
    int fd = mkstemp(path);
    FXQ_CHECK("finetune.tmp", fd >= 0 && write(fd, cfg_text, strlen(cfg_text)) == (ssize_t)strlen(cfg_text),
              "cannot write %s", path);
    close(fd);
    network *net = tiny(path, 1);
    layer *l = &net->layers[0];
    FXQ_CHECK("finetune.trainable", l->fxq && l->fxq->train && l->backward && l->update, "layer not trainable");

    /* weights: inside, at the edges, beyond them; unit 2's bias saturates its output */
    static const float w0[NOUT][NIN] = {{0.25f, -0.5f, 1.75f, 2.25f, -2.0f, 0.5f},
                                        {1.0f, 0.75f, -2.5f, 0.25f, 0.5f, -0.25f},
                                        {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}};
    static const float b0[NOUT] = {-3.9375f, -0.5f, 20.0f};
    memcpy(l->weights, w0, sizeof w0);
    memcpy(l->biases, b0, sizeof b0);
    l->fxq->train->folded = 1; /* no batch norm: the masters are what we set */

    /* STE gradient: forward, delta = g, backward into zeroed buffers */
    float dx[NIN];
    const network tmp = ste_grads(net, dx, NIN);
    const double lsb[NOUT] = {0.25, 0.25, 0.25};
    char what[256] = "";
    FXQ_CHECK("finetune.ste_input_equals_fd", !fd_bad_input(net, dx, NIN, 0.5, -2.0, 1.75, what, sizeof what), "%s",
              what);
    FXQ_CHECK("finetune.ste_input_edges", dx[2] != 0 && dx[3] == 0 && dx[4] != 0 && dx[5] == 0,
              "at max %g, max+1 %g, min %g, below %g", dx[2], dx[3], dx[4], dx[5]);

    FXQ_CHECK("finetune.ste_weights_equal_fd", !fd_bad_weights(net, NIN, lsb, what, sizeof what), "%s", what);
    FXQ_CHECK("finetune.ste_weight_edges",
              l->weight_updates[2] != 0 && l->weight_updates[3] == 0 && l->weight_updates[4] != 0 &&
                  l->weight_updates[NIN + 2] == 0,
              "w at max %g, beyond max %g, at min %g, below min %g", l->weight_updates[2], l->weight_updates[3],
              l->weight_updates[4], l->weight_updates[NIN + 2]);

    FXQ_CHECK("finetune.ste_bias_equals_fd", !fd_bad_biases(net, 1.0 / 16, what, sizeof what), "%s", what);
    FXQ_CHECK("finetune.ste_output_saturated", l->bias_updates[2] == 0 && l->weight_updates[2 * NIN] == 0 &&
                                                   l->bias_updates[0] != 0,
              "saturated unit: bias grad %g, weight grad %g", l->bias_updates[2], l->weight_updates[2 * NIN]);

    /* Train hard towards large outputs: masters leave the format, codes stay in it */
    train_up(net, tmp);
    int outside = 0, codes_ok = 1;
    for (int k = 0; k < NIN * NOUT; ++k) {
        outside += l->weights[k] > 1.75f || l->weights[k] < -2.0f;
        const int c = l->fxq->w_codes[k];
        codes_ok &= c >= -8 && c <= 7 && l->fxq->train->wq[k] == c * 0.25f;
    }
    FXQ_CHECK("finetune.codes_inside_formats", outside > 0 && codes_ok, "%d masters outside, codes ok %d", outside,
              codes_ok);
    for (int j = 0; j < NOUT; ++j)
        codes_ok &= l->output[j] >= -8 && l->output[j] <= 7.9375;
    FXQ_CHECK("finetune.outputs_inside_format", codes_ok, "outputs %g %g %g", l->output[0], l->output[1],
              l->output[2]);

    /* save -> load (inference mode, integer kernel) gives the same codes and outputs */
    char wpath[] = "/tmp/fxq-ftw-XXXXXX";
    close(mkstemp(wpath));
    int codes = 0;
    /* inputs over the format and past both of its edges, several rounds */
    const int same = same_forward(net, path, wpath, NIN, 8, 19, 2.5f, &codes, what, sizeof what);
    FXQ_CHECK("finetune.save_load_same_codes", codes, "codes differ after save -> load");
    FXQ_CHECK("finetune.save_load_same_output", same, "%s", what);

    free_network(net);
    unlink(path);
    unlink(wpath);
    FXQ_TEST_END();
}
