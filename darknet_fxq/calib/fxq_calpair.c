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

int fxq_calpair_open(fxq_calpair *c, const fxq_qplan *p, const fxq_cfgtext *text, const fxq_calpair_src *src,
                     char *why, size_t why_len)
{
    memset(c, 0, sizeof *c);
    c->batch = src->batch > 0 ? src->batch : 32;
    if (!(c->paths = fxq_list_read(src->list, src->n, &c->n, why, why_len))) return 0;
    if (!fxq_refine_write_cfg(p, text, c->dir, c->path, sizeof c->path, why, why_len)) goto fail;
    if (!(c->fx = fxq_refine_load_fx(c->path, src->weights, c->batch, why, why_len))) goto fail;
    if (!(c->flt = fxq_net_load_quiet(src->cfg, src->weights, c->batch, why, why_len))) goto fail;
    const size_t in = (size_t)c->flt->inputs;
    /* decoded once and kept while they fit; beyond (a detector's large
     * inputs: 1000 images at 416x416 are 2 GB) each batch decodes again */
    const int keep = (double)c->n * in * sizeof(float) <= FXQ_CALPAIR_KEEP_BYTES;
    if ((keep && !(c->x = malloc((size_t)c->n * in * sizeof *c->x))) ||
        !(c->buf = malloc((size_t)c->batch * in * sizeof *c->buf))) {
        snprintf(why, why_len, "out of memory for %d calibration images", c->n);
        goto fail;
    }
    for (int i = 0; i < c->n; ++i) /* every image decodes: checked before any work */
        if (!fxq_input_load(c->paths[i], c->flt->w, c->flt->h, 3, keep ? c->x + (size_t)i * in : c->buf, why,
                            why_len))
            goto fail;
    return 1;
fail:
    fxq_calpair_close(c);
    return 0;
}

int fxq_calpair_fill(fxq_calpair *c, int start)
{
    const size_t in = (size_t)c->flt->inputs;
    const int m = c->n - start < c->batch ? c->n - start : c->batch;
    if (c->x) {
        memcpy(c->buf, c->x + (size_t)start * in, (size_t)m * in * sizeof *c->buf);
    } else {
        char why[512];
        for (int i = 0; i < m; ++i)
            if (!fxq_input_load(c->paths[start + i], c->flt->w, c->flt->h, 3, c->buf + (size_t)i * in, why,
                                sizeof why)) { /* it decoded at open: changed since */
                fprintf(stderr, "warning: %s (its input taken as zeros)\n", why);
                memset(c->buf + (size_t)i * in, 0, in * sizeof *c->buf);
            }
    }
    memset(c->buf + (size_t)m * in, 0, (size_t)(c->batch - m) * in * sizeof *c->buf);
    return m;
}

void fxq_calpair_close(fxq_calpair *c)
{
    if (c->fx) free_network(c->fx);
    if (c->flt) free_network(c->flt);
    free(c->x);
    free(c->buf);
    if (c->paths) fxq_list_free(c->paths, c->n);
    fxq_refine_remove_cfg(c->dir, c->path);
    memset(c, 0, sizeof *c);
}
