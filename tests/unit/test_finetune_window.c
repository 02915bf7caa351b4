/* Training with zero-point windows (in_zero / out_zero, fxq_layer.h): on a
 * tiny [fxconnected] layer the straight-through gradients equal finite
 * differences of the fake-quantized forward at and beyond both edges of the
 * input window and the output window; training keeps codes in their formats
 * and outputs in their window; save -> load runs the integer kernel (windows
 * on both sides) to the same outputs bit for bit, with a linear and with a
 * leaky activation (whose window's lower edge the kernel applies before the
 * activation, at fxq_act_floor). */
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

/* in 4.2 with zero 3: codes -3 .. 12, [-0.75, 3]; w 4.2: [-2, 1.75];
 * out 8.4 with zero 40: codes -40 .. 215, [-2.5, 13.4375]. Products of
 * 1/4-grid values sum exactly on the 1/16 output grid, so differences are
 * exact. */
static const char *cfg_fmt = "[net]\nbatch=1\nheight=1\nwidth=1\nchannels=6\nmomentum=0.9\ndecay=0\n"
                             "learning_rate=0.1\n\n[fxconnected]\noutput=3\nactivation=%s\n"
                             "w_bits=4\nw_frac=2\nin_bits=4\nin_frac=2\nin_zero=3\n"
                             "out_bits=8\nout_frac=4\nout_zero=%d\n";

/* inside, at the minimum, below it, at the maximum, above it, inside */
static float x[NIN] = {1.0f, -0.75f, -1.0f, 3.0f, 3.25f, 0.5f};
static const float g[NOUT] = {1.0f, -0.5f, 0.75f}; /* dE/dy */

static void write_cfg(char *path, const char *act, int out_zero)
{
    int fd = mkstemp(path);
    char text[1024];
    const int n = snprintf(text, sizeof text, cfg_fmt, act, out_zero);
    FXQ_CHECK("finetune_w.tmp", fd >= 0 && write(fd, text, (size_t)n) == n, "cannot write %s", path);
    close(fd);
}

int main(void)
{
    fd_x = x, fd_g = g, fd_nout = NOUT;
    char path[] = "/tmp/fxq-ftw-XXXXXX", wpath[] = "/tmp/fxq-ftww-XXXXXX";
    write_cfg(path, "linear", 40);
    close(mkstemp(wpath));
    network *net = tiny(path, 1);
    layer *l = &net->layers[0];
    FXQ_CHECK("finetune_w.trainable", l->fxq && l->fxq->train && l->fxq->in_win && l->fxq->out_win,
              "windowed layer not trainable");

    /* row 0 inside its output window; row 1's bias saturates it below the
     * window, row 2's above it */
    static const float w0[NOUT][NIN] = {{0.5f, 0.25f, 0.5f, 0.25f, 0.25f, -0.5f},
                                        {1.0f, 0.75f, -0.5f, 0.25f, 0.5f, -0.25f},
                                        {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}};
    static const float b0[NOUT] = {0.5f, -20.0f, 20.0f};
    memcpy(l->weights, w0, sizeof w0);
    memcpy(l->biases, b0, sizeof b0);
    l->fxq->train->folded = 1;

    float dx[NIN];
    const network tmp = ste_grads(net, dx, NIN);
    FXQ_CHECK("finetune_w.forward_window", l->output[1] == -2.5f && l->output[2] == 13.4375f &&
                                               l->output[0] > -2.5f && l->output[0] < 13.4375f,
              "outputs %g %g %g", l->output[0], l->output[1], l->output[2]);
    char what[256] = "";
    FXQ_CHECK("finetune_w.ste_input_equals_fd", !fd_bad_input(net, dx, NIN, 0.5, -0.75, 3.0, what, sizeof what), "%s",
              what);
    FXQ_CHECK("finetune_w.ste_input_window_edges", dx[0] != 0 && dx[1] != 0 && dx[2] == 0 && dx[3] != 0 && dx[4] == 0,
              "inside %g, at min %g, below %g, at max %g, above %g", dx[0], dx[1], dx[2], dx[3], dx[4]);
    const double lsb[NOUT] = {0.25, 0.25, 0.25};
    FXQ_CHECK("finetune_w.ste_weights_equal_fd", !fd_bad_weights(net, NIN, lsb, what, sizeof what), "%s", what);
    FXQ_CHECK("finetune_w.ste_bias_equals_fd", !fd_bad_biases(net, 1.0 / 16, what, sizeof what), "%s", what);
    FXQ_CHECK("finetune_w.ste_output_window_edges",
              l->bias_updates[0] != 0 && l->bias_updates[1] == 0 && l->bias_updates[2] == 0,
              "inside %g, below the window %g, above it %g", l->bias_updates[0], l->bias_updates[1],
              l->bias_updates[2]);

    train_up(net, tmp);
    int codes_ok = 1;
    for (int k = 0; k < NIN * NOUT; ++k) codes_ok &= l->fxq->w_codes[k] >= -8 && l->fxq->w_codes[k] <= 7;
    for (int j = 0; j < NOUT; ++j) codes_ok &= l->output[j] >= -2.5f && l->output[j] <= 13.4375f;
    FXQ_CHECK("finetune_w.trained_inside_window", codes_ok, "outputs %g %g %g", l->output[0], l->output[1],
              l->output[2]);
    int codes = 0;
    int same = same_forward(net, path, wpath, NIN, 12, 23, 1.5f, &codes, what, sizeof what);
    FXQ_CHECK("finetune_w.save_load_same_codes", codes, "codes differ after save -> load");
    FXQ_CHECK("finetune_w.save_load_same_output_linear", same, "%s", what);
    free_network(net);
    unlink(path);

    /* leaky: the window's lower edge cuts into the negative side (out_zero 20:
     * [-1.25, 14.6875]); a large negative pre-activation saturates there */
    char lpath[] = "/tmp/fxq-ftwl-XXXXXX";
    write_cfg(lpath, "leaky", 20);
    net = tiny(lpath, 1);
    l = &net->layers[0];
    static const float bl[NOUT] = {-3.0f, -40.0f, 0.25f};
    memcpy(l->weights, w0, sizeof w0);
    memcpy(l->biases, bl, sizeof bl);
    l->fxq->train->folded = 1;
    for (int i = 0; i < NIN; ++i) x[i] = 0.5f;
    energy(net);
    FXQ_CHECK("finetune_w.leaky_saturates_at_window", l->output[1] == -1.25f && l->output[0] < 0 && l->output[0] > -1.25f,
              "outputs %g %g %g", l->output[0], l->output[1], l->output[2]);
    same = same_forward(net, lpath, wpath, NIN, 12, 23, 1.5f, &codes, what, sizeof what);
    FXQ_CHECK("finetune_w.save_load_same_output_leaky", codes && same, "%s", codes ? what : "codes differ");
    free_network(net);
    unlink(lpath);
    unlink(wpath);
    FXQ_TEST_END();
}
