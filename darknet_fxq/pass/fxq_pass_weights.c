/* The passes that change weights (activation factors and scales folded into
 * the float network, rounding optimization, bias correction) and the logit
 * window, which runs the network too. See fxq_pass.h. */
#include <stdio.h>
#include <stdlib.h>

#include "fxq_actscale_net.h"
#include "fxq_biascorr.h"
#include "fxq_input.h"
#include "fxq_logitwin.h"
#include "fxq_pass_impl.h"
#include "fxq_roundopt_net.h"

/* --act-channels' floor: 0.5 and 0.7 measured alike on fmnist-res
 * (docs/quantize.md), no floor (full equalization) worse */
#define FXQ_ACT_CHANNEL_FLOOR 0.5
#define FXQ_ACT_GRID 32 /* values of c per octave */

static fxq_actscale_opts fxq_pass_act_opts(const fxq_pass_ctx *c)
{
    return (fxq_actscale_opts){c->cfg, c->weights, FXQ_ACT_GRID, !!(c->set & FXQ_PASS_BIT(FXQ_PASS_PER_CHANNEL)), 0,
                               FXQ_ACT_CHANNEL_FLOOR, c->quiet, fxq_pass_batch(c)};
}

int fxq_pass_act_channels(fxq_pass_ctx *c, char *why, size_t why_len)
{
    const char *out = fxq_pass_tmp_weights(c, why, why_len);
    if (!out) return 0;
    int n = 0;
    char **paths = fxq_list_read(c->images, fxq_pass_images(c), &n, why, why_len);
    if (!paths) return 0;
    const fxq_actscale_opts ao = fxq_pass_act_opts(c);
    const int ok = fxq_act_channels(c->plan, &ao, paths, n, out, why, why_len);
    fxq_list_free(paths, n);
    if (ok) c->weights = out;
    return ok;
}

int fxq_pass_act_scales(fxq_pass_ctx *c, char *why, size_t why_len)
{
    const char *out = fxq_pass_tmp_weights(c, why, why_len);
    if (!out) return 0;
    const fxq_actscale_opts ao = fxq_pass_act_opts(c);
    if (!fxq_act_scales(c->plan, c->stats, &c->o.q, &ao, out, why, why_len)) return 0;
    c->weights = out;
    return 1;
}

int fxq_pass_round_opt(fxq_pass_ctx *c, char *why, size_t why_len)
{
    const fxq_roundopt_opts ro = {{c->cfg, c->weights, c->images, fxq_pass_images(c), fxq_pass_batch(c), c->quiet}, 0,
                                  FXQ_ROUNDOPT_DAMP_DEFAULT, FXQ_ROUNDOPT_SWEEPS_DEFAULT};
    return fxq_round_opt(c->plan, c->text, &ro, why, why_len);
}

int fxq_pass_bias_correct(fxq_pass_ctx *c, char *why, size_t why_len)
{
    const fxq_calpair_src bo = {c->cfg, c->weights, c->images, fxq_pass_images(c), fxq_pass_batch(c), c->quiet};
    return fxq_bias_correct(c->plan, c->text, &bo, why, why_len);
}

const char *fxq_pass_logit_window_skip(const fxq_pass_ctx *c)
{
    if (c->detector) return "a detector: no softmax reads its heads";
    const int bits = c->o.head_bits ? c->o.head_bits : c->o.abits;
    if (!c->o.alloc_acts && bits > 10) return "logits of more than 10 bits";
    return NULL;
}

int fxq_pass_logit_window(fxq_pass_ctx *c, char *why, size_t why_len)
{
    return fxq_logit_window(c->plan, c->cfg, c->weights, c->images, fxq_pass_images(c), fxq_pass_batch(c), c->quiet, why, why_len);
}
