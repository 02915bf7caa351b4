/* Training with the integer path's other code ranges (fxq_layer_train.h):
 * unsigned input codes (in_unsigned), a ReLU output requantized to one more
 * signed bit (out_unsigned) and one weight frac per output (a w_frac list).
 * On a tiny [fxconnected] layer the straight-through gradients equal finite
 * differences of the fake-quantized forward at and beyond every edge of
 * those ranges; training keeps each row's codes in its own format; save ->
 * load runs the integer kernel (unsigned codes, row shifts) to the same
 * outputs bit for bit. */
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
#define NOUT 5

/* in u4.2: [0, 3.75]; w 4-bit with fracs 2, 3, 1, 2, 2: [-2, 1.75],
 * [-1, 0.875], [-4, 3.5]; out u8.5 after relu: pre-activation 9-bit signed,
 * [-8, 7.96875]; bias 32 bits at frac 1 + 2 = 3. Products of these grids
 * sum exactly on the 1/32 output grid, so differences are exact. */
static const char *cfg_text = "[net]\nbatch=1\nheight=1\nwidth=1\nchannels=6\nmomentum=0.9\ndecay=0\n"
                              "learning_rate=0.1\n\n[fxconnected]\noutput=5\nactivation=relu\n"
                              "w_bits=4\nw_frac=2,3,1,2,2\nin_bits=4\nin_frac=2\nin_unsigned=1\n"
                              "out_bits=8\nout_frac=5\nout_unsigned=1\n";

static const int row_frac[NOUT] = {2, 3, 1, 2, 2};

/* inside, below 0 (signed-only), at 0, above the signed max, at the max, beyond */
static float x[NIN] = {1.0f, -0.5f, 0.0f, 3.25f, 3.75f, 4.25f};
static const float g[NOUT] = {1.0f, -0.5f, 0.75f, 1.0f, 1.0f}; /* dE/dy */

int main(void)
{
    fd_x = x, fd_g = g, fd_nout = NOUT;
    char path[] = "/tmp/fxq-ftu-XXXXXX";
    int fd = mkstemp(path);
    FXQ_CHECK("finetune_u.tmp", fd >= 0 && write(fd, cfg_text, strlen(cfg_text)) == (ssize_t)strlen(cfg_text),
              "cannot write %s", path);
    close(fd);
    network *net = tiny(path, 1);
    layer *l = &net->layers[0];
    FXQ_CHECK("finetune_u.trainable", l->fxq && l->fxq->train && l->fxq->in_unsigned && l->fxq->out_unsigned &&
                                          l->fxq->w_fracs,
              "unsigned / per-channel layer not trainable");

    /* rows 0-2: each row's weight 0 at an edge of its own format (max, max,
     * min), weight 5 beyond one; row 3 saturates its output above, row 4 is
     * negative (the ReLU blocks it, the quantizer does not) */
    static const float w0[NOUT][NIN] = {{1.75f, 0.5f, 0.5f, 0.25f, -0.25f, 2.25f},
                                        {0.875f, -0.25f, -1.0f, 0.125f, 0.25f, -1.125f},
                                        {-4.0f, 0.5f, 1.0f, 0.5f, 1.0f, 4.0f},
                                        {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
                                        {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f}};
    static const float b0[NOUT] = {-3.0f, 3.5f, -10.0f, 20.0f, -5.0f};
    memcpy(l->weights, w0, sizeof w0);
    memcpy(l->biases, b0, sizeof b0);
    l->fxq->train->folded = 1;

    energy(net);
    /* row 0: 1.75 + .8125 - .9375 + 1.75*3.75 - 3 = 5.1875, above the signed
     * 8-bit maximum 3.96875: representable only with out_unsigned */
    FXQ_CHECK("finetune_u.forward_unsigned_range", l->output[0] == 5.1875f && l->output[3] == 7.96875f &&
                                                       l->output[4] == 0.0f,
              "outputs %g %g %g %g %g", l->output[0], l->output[1], l->output[2], l->output[3], l->output[4]);
    float dx[NIN];
    const network tmp = ste_grads(net, dx, NIN);
    char what[256] = "";
    FXQ_CHECK("finetune_u.ste_input_equals_fd", !fd_bad_input(net, dx, NIN, 0.5, 0.0, 3.75, what, sizeof what), "%s",
              what);
    FXQ_CHECK("finetune_u.ste_input_edges", dx[1] == 0 && dx[2] != 0 && dx[3] != 0 && dx[4] != 0 && dx[5] == 0,
              "below 0 %g, at 0 %g, above signed max %g, at max %g, beyond %g", dx[1], dx[2], dx[3], dx[4], dx[5]);

    double lsb[NOUT];
    for (int j = 0; j < NOUT; ++j) lsb[j] = ldexp(1, -row_frac[j]);
    FXQ_CHECK("finetune_u.ste_weights_equal_fd", !fd_bad_weights(net, NIN, lsb, what, sizeof what), "%s", what);
    const float *wu = l->weight_updates;
    FXQ_CHECK("finetune_u.ste_weight_row_edges",
              wu[0] != 0 && wu[5] == 0 && wu[NIN] != 0 && wu[NIN + 5] == 0 && wu[2 * NIN] != 0 &&
                  wu[2 * NIN + 5] == 0,
              "row 0 at max %g beyond %g; row 1 at max %g below %g; row 2 at min %g beyond %g", wu[0], wu[5], wu[NIN],
              wu[NIN + 5], wu[2 * NIN], wu[2 * NIN + 5]);

    FXQ_CHECK("finetune_u.ste_bias_equals_fd", !fd_bad_biases(net, 1.0 / 8, what, sizeof what), "%s", what);
    FXQ_CHECK("finetune_u.ste_output_edges",
              l->bias_updates[0] != 0 && l->bias_updates[3] == 0 && l->bias_updates[4] == 0 && wu[3 * NIN] == 0,
              "row 0 (5.19) %g, saturated row %g, relu-blocked row %g", l->bias_updates[0], l->bias_updates[3],
              l->bias_updates[4]);

    /* Train towards large outputs: masters leave their row's format, codes stay in it */
    train_up(net, tmp);
    int outside = 0, codes_ok = 1;
    for (int k = 0; k < NIN * NOUT; ++k) {
        const double lsb = ldexp(1, -row_frac[k / NIN]);
        outside += l->weights[k] > 7 * lsb || l->weights[k] < -8 * lsb;
        const int c = l->fxq->w_codes[k];
        codes_ok &= c >= -8 && c <= 7 && l->fxq->train->wq[k] == (float)(c * lsb);
    }
    FXQ_CHECK("finetune_u.codes_inside_row_formats", outside > 0 && codes_ok, "%d masters outside, codes ok %d",
              outside, codes_ok);
    for (int j = 0; j < NOUT; ++j) codes_ok &= l->output[j] >= 0 && l->output[j] <= 7.96875f;
    FXQ_CHECK("finetune_u.outputs_inside_format", codes_ok, "outputs %g %g %g %g %g", l->output[0], l->output[1],
              l->output[2], l->output[3], l->output[4]);

    /* save -> load (inference mode, integer kernel with unsigned codes and row shifts) */
    char wpath[] = "/tmp/fxq-ftuw-XXXXXX";
    close(mkstemp(wpath));
    int codes = 0;
    /* fresh inputs over the whole unsigned range and past it, several rounds */
    const int same = same_forward(net, path, wpath, NIN, 8, 19, .5f, &codes, what, sizeof what);
    FXQ_CHECK("finetune_u.save_load_same_codes", codes, "codes differ after save -> load");
    FXQ_CHECK("finetune_u.save_load_same_output", same, "%s", what);

    free_network(net);
    unlink(path);
    unlink(wpath);
    FXQ_TEST_END();
}
