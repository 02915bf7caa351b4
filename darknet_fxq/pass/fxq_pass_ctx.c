/* The context the passes share: its temporary weights, the batch its
 * network runs at, what kind of network it is. See fxq_pass.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_pass.h"

int fxq_pass_is_stats_file(const char *path)
{
    const size_t n = strlen(path);
    return n > 6 && !strcmp(path + n - 6, ".stats");
}

int fxq_pass_is_detector(const fxq_cfgtext *text)
{
    for (int s = 1; s < text->nsec; ++s) {
        const char *t = text->sec[s].type;
        if (!strcmp(t, "[yolo]") || !strcmp(t, "[region]") || !strcmp(t, "[detection]")) return 1;
    }
    return 0;
}

int fxq_pass_batch(const fxq_pass_ctx *c)
{
    if (c->batch > 0) return c->batch;
    long long bytes = 0; /* per image: each layer's output and, with batch norm, its two copies */
    for (int i = 0; c->shapes && i < c->shapes->n; ++i)
        bytes += c->shapes->layers[i].outputs * (long long)sizeof(float) * (c->shapes->layers[i].batch_normalize ? 3 : 1);
    if (bytes <= 0) return 32;
    const long long b = FXQ_PASS_BATCH_BYTES / bytes;
    return b < 1 ? 1 : b > 32 ? 32 : (int)b;
}

int fxq_pass_images(const fxq_pass_ctx *c)
{
    double macs = 0;
    for (int i = 0; c->shapes && i < c->shapes->n; ++i) macs += (double)c->shapes->layers[i].macs;
    if (macs <= 0) return c->n;
    double cap = FXQ_PASS_MACS / macs;
    if (cap < FXQ_PASS_MIN_IMAGES) cap = FXQ_PASS_MIN_IMAGES;
    if (cap >= 1e9) return c->n;
    return c->n > 0 && c->n < cap ? c->n : (int)cap;
}

const char *fxq_pass_tmp_weights(fxq_pass_ctx *c, char *why, size_t why_len)
{
    if (!*c->tmpdir) {
        const char *tmp = getenv("TMPDIR");
        snprintf(c->tmpdir, sizeof c->tmpdir, "%s/fxq-pass.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(c->tmpdir)) {
            snprintf(why, why_len, "%s: cannot create a temporary directory", c->tmpdir);
            *c->tmpdir = 0;
            return NULL;
        }
    }
    char *p = c->tmp_w[c->tmp_next];
    c->tmp_next ^= 1;
    snprintf(p, sizeof c->tmp_w[0], "%s/net%d.weights", c->tmpdir, c->tmp_next);
    return p;
}

void fxq_pass_ctx_free(fxq_pass_ctx *c)
{
    if (c->plan) fxq_qplan_free(c->plan);
    fxq_stats_free(c->stats);
    for (int i = 0; i < 2; ++i)
        if (*c->tmp_w[i]) unlink(c->tmp_w[i]);
    if (*c->tmpdir) rmdir(c->tmpdir);
    c->plan = NULL;
    c->stats = NULL;
    *c->tmpdir = 0;
}
