/* See fxq_calpair.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_calpair.h"
#include "fxq_eval.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "fxq_refine.h"

int fxq_calpair_open(fxq_calpair *c, const fxq_qplan *p, const fxq_cfgtext *text, const char *cfg,
                     const char *weights, const char *list, int n, int batch, char *why, size_t why_len)
{
    memset(c, 0, sizeof *c);
    if (!(c->paths = fxq_list_read(list, n, &c->n, why, why_len))) return 0;
    if (!fxq_refine_write_cfg(p, text, c->dir, c->path, sizeof c->path, why, why_len)) goto fail;
    if (!(c->fx = fxq_refine_load_fx(c->path, weights, batch, why, why_len))) goto fail;
    if (!(c->flt = fxq_net_load_quiet(cfg, weights, batch, why, why_len))) goto fail;
    const int in = c->flt->inputs;
    if (!(c->x = malloc((size_t)c->n * in * sizeof *c->x))) {
        snprintf(why, why_len, "out of memory for %d calibration images", c->n);
        goto fail;
    }
    for (int i = 0; i < c->n; ++i)
        if (!fxq_input_load(c->paths[i], c->flt->w, c->flt->h, 3, c->x + (size_t)i * in, why, why_len)) goto fail;
    return 1;
fail:
    fxq_calpair_close(c);
    return 0;
}

void fxq_calpair_close(fxq_calpair *c)
{
    if (c->fx) free_network(c->fx);
    if (c->flt) free_network(c->flt);
    free(c->x);
    if (c->paths) fxq_list_free(c->paths, c->n);
    if (*c->dir) {
        unlink(c->path);
        rmdir(c->dir);
    }
    memset(c, 0, sizeof *c);
}
