/* The passes that choose formats: statistics, the budget and fracs (least
 * error or the paper's rule), zero-point windows, per-channel weight fracs,
 * refine. See fxq_pass.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_pass_impl.h"
#include "fxq_perchan.h"
#include "fxq_qwrite.h"
#include "fxq_refine.h"
#include "fxq_stats_net.h"

int fxq_pass_stats_from_file(const fxq_pass_ctx *c)
{
    return c->calib && fxq_pass_is_stats_file(c->calib) && (!c->weights || c->weights == c->weights0);
}

int fxq_pass_record_stats(fxq_pass_ctx *c, char *why, size_t why_len)
{
    fxq_stats_free(c->stats);
    c->stats = NULL;
    char inner[1024];
    const char *weights = c->weights ? c->weights : c->weights0;
    /* the cfg and weights are checked before the list is read */
    network *net0 = fxq_net_load_quiet(c->cfg, weights, 1, why, why_len);
    if (!net0) return 0;
    if (fxq_pass_stats_from_file(c)) {
        c->stats = fxq_stats_read(c->calib, why, why_len);
        if (c->stats && !fxq_stats_match(c->stats, net0, inner, sizeof inner)) {
            snprintf(why, why_len, "%s: does not match %s: %s", c->calib, c->cfg, inner);
            fxq_stats_free(c->stats);
            c->stats = NULL;
        }
        free_network(net0);
        return c->stats != NULL;
    }
    free_network(net0);
    const char *list = weights == c->weights0 && !fxq_pass_is_stats_file(c->calib) ? c->calib : c->images;
    int n = 0;
    char **paths = fxq_list_read(list, c->n, &n, why, why_len);
    if (!paths) return 0;
    c->stats = fxq_stats_calibrate(c->cfg, weights, paths, n, list, fxq_pass_batch(c), c->threads, c->quiet, 0,
                                   "fxq quantize: recording statistics of ", why, why_len);
    fxq_list_free(paths, n);
    return c->stats != NULL;
}

int fxq_pass_windows(fxq_pass_ctx *c, char *why, size_t why_len)
{
    (void)why, (void)why_len;
    c->o.q.windows = 1;
    return 1;
}

static int fxq_pass_plan(fxq_pass_ctx *c, fxq_formats policy, char *why, size_t why_len)
{
    if (c->plan) fxq_qplan_free(c->plan);
    c->plan = NULL;
    c->o.q.formats = policy;
    char inner[1024];
    if (!(c->plan = fxq_qplan_build(c->shapes, &c->o, inner, sizeof inner))) {
        snprintf(why, why_len, "%.900s: %s", c->cfg, inner);
        return 0;
    }
    return fxq_qplan_finish(c->plan, &c->o, c->stats, stderr, why, why_len);
}

int fxq_pass_formats(fxq_pass_ctx *c, char *why, size_t why_len)
{
    return fxq_pass_plan(c, FXQ_FORMATS_MSE, why, why_len);
}

int fxq_pass_paper(fxq_pass_ctx *c, char *why, size_t why_len)
{
    return fxq_pass_plan(c, FXQ_FORMATS_PAPER, why, why_len);
}

int fxq_pass_per_channel(fxq_pass_ctx *c, char *why, size_t why_len)
{
    return fxq_qplan_per_channel(c->plan, c->cfg, c->weights, why, why_len);
}

int fxq_pass_refine(fxq_pass_ctx *c, char *why, size_t why_len)
{
    char inner[1024];
    /* the layers must accept the starting formats before they are run */
    if (!fxq_qplan_check_layers(c->plan, inner, sizeof inner)) {
        snprintf(why, why_len, "%.900s: %s", c->cfg, inner);
        return 0;
    }
    c->o.q.formats = FXQ_FORMATS_REFINE; /* the cfg header names it */
    const fxq_refine_opts ro = {c->cfg, c->weights, c->held_out, 0, fxq_pass_batch(c), c->quiet, 0, c->stats,
                                &c->o.q};
    return fxq_refine(c->plan, c->text, &ro, why, why_len);
}
