/* The network pass that decides where codes flow (fxq_pipe.h), and the
 * output formats of the non-fixed code layers:
 *   maxpool, upsample,  the input's format (max and copies never round);
 *   reorg
 *   avgpool             the input's format (a mean stays inside the range:
 *                       rounding only, half away from zero);
 *   route               the inputs' format when they all agree; else the
 *                       common format below (unsigned iff every input is);
 *   shortcut            the common format of its two inputs with one more
 *                       bit for the sum's carry, signed; its activation
 *                       (linear, relu, leaky) acts on the code as a fixed
 *                       layer's does.
 * Common format: the finest input frac at which every input's range still
 * fits in 16 bits (15 unsigned), bits for the widest input there. Inputs
 * then convert exactly when their fracs are at most 16 - bits apart
 * (always, for equal widths up to 8 bits); beyond that the finer ones are
 * rounded (half away from zero) rather than the coarser ones saturated.
 * Anything else (a maxpool window wholly in the padding, upsample with
 * scale != 1 or reverse, shortcut with different shapes, alpha/beta != 1,
 * another activation or input fracs more than 32 apart, reorg with
 * flatten/extra or channels not a multiple of stride^2) stays float. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_env.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_layer_kind.h"

static void *fxq_pipe_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "darknet fxq: out of memory\n");
        exit(1);
    }
    return p;
}

int16_t *fxq_pipe_reserve(int16_t **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        free(*buf);
        *buf = fxq_pipe_alloc(n * sizeof **buf);
        *cap = n;
    }
    return *buf;
}

/* Layers whose l.output layer i reads (besides the network input: -1). */
static int fxq_sources(const network *net, int i, int *src, int max)
{
    const layer *l = &net->layers[i];
    if (l->type == ROUTE) {
        if (l->n > max) return -1; /* too many to track: see fxq_network_parsed */
        for (int j = 0; j < l->n; ++j) src[j] = l->input_layers[j];
        return l->n;
    }
    src[0] = i - 1;
    if (l->type == SHORTCUT && max > 1) {
        src[1] = l->index;
        return 2;
    }
    return 1;
}

static int fxq_act_of(ACTIVATION a)
{
    return a == LINEAR ? FXQ_ACT_LINEAR : a == RELU ? FXQ_ACT_RELU : a == LEAKY ? FXQ_ACT_LEAKY : -1;
}

static int fxq_imin(int a, int b) { return a < b ? a : b; }
static int fxq_imax(int a, int b) { return a > b ? a : b; }

/* See the top of the file. `carry`: extra bits for a sum. */
static fxq_cfmt fxq_common_format(const fxq_cfmt *f, int n, int carry, int uns)
{
    const int cap = uns ? 15 : 16;
    int frac = INT_MIN, fit = INT_MAX, bits = 2;
    for (int j = 0; j < n; ++j) {
        /* unsigned codes or a window in a signed format need a sign bit */
        const int bj = f[j].bits + (fxq_cfmt_asym(f[j]) && !uns);
        frac = fxq_imax(frac, f[j].frac);
        fit = fxq_imin(fit, f[j].frac + cap - carry - bj);
    }
    frac = fxq_imin(frac, fit);
    for (int j = 0; j < n; ++j)
        bits = fxq_imax(bits, f[j].bits + (fxq_cfmt_asym(f[j]) && !uns) + frac - f[j].frac + carry);
    return (fxq_cfmt){fxq_imin(bits, cap), frac, uns, 0};
}

/* The output format of non-fixed layer l over producer formats f[0..n-1],
 * or 0 when l stays float. */
static int fxq_pipe_format(const layer *l, const fxq_cfmt *f, int n, fxq_cfmt *out, int *act)
{
    *act = FXQ_ACT_LINEAR;
    switch (l->type) {
    case MAXPOOL: {
        const fxq_maxpool_geom g = {l->h, l->w, l->size, l->stride, l->pad, l->out_h, l->out_w};
        if (!fxq_maxpool_ok(&g)) return 0;
        *out = f[0];
        return 1;
    }
    case AVGPOOL: {
        if (l->h * l->w < 1) return 0;
        /* The mean keeps its input's range but not its grid: rounded back to
         * the input's frac it lost up to half a code (fmnist-res 8/8: mean
         * |dlogit| 0.150 -> 0.194 against floats between layers). log2(hw)
         * more fractional bits, as far as 16-bit codes allow, keep it. */
        int up = 0;
        while (up < 15 && (1L << up) < (long)l->h * l->w) ++up;
        up = fxq_imax(0, fxq_imin(up, (fxq_cfmt_asym(f[0]) ? 15 : 16) - f[0].bits));
        /* a window scales with the grid: its zero point too */
        *out = (fxq_cfmt){f[0].bits + up, f[0].frac + up, f[0].uns, f[0].zero * (1 << up)};
        return 1;
    }
    case UPSAMPLE:
        if (l->reverse || l->scale != 1.f || l->stride < 1) return 0;
        *out = f[0];
        return 1;
    case REORG:
        if (l->flatten || l->extra || l->stride < 1 || l->c % (l->stride * l->stride)) return 0;
        *out = f[0];
        return 1;
    case ROUTE: {
        int same = 1, uns = 1;
        for (int j = 0; j < n; ++j) same &= fxq_cfmt_eq(f[j], f[0]), uns &= f[j].uns;
        *out = same ? f[0] : fxq_common_format(f, n, 0, uns);
        return 1;
    }
    case SHORTCUT:
        if (l->w != l->out_w || l->h != l->out_h || l->c != l->out_c || l->alpha != 1.f || l->beta != 1.f) return 0;
        if ((*act = fxq_act_of(l->activation)) < 0 || abs(f[0].frac - f[1].frac) > 32) return 0;
        *out = fxq_common_format(f, 2, 1, 0);
        return 1;
    default:
        return 0;
    }
}

enum { FXQ_MAX_SRC = 64 };

void fxq_network_parsed(network *net)
{
    /* FXQ_PIPE=0: floats between all layers, as before codes were handed
     * over (for comparisons) */
    if (!fxq_env_switch("FXQ_PIPE", 1, NULL)) return;
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (fxq_layer_is_fixed(l) && l->fxq && l->fxq->train) return; /* training: floats everywhere */
    }
    struct fxq_pipe_net *pn = NULL;
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        int src[FXQ_MAX_SRC];
        const int nsrc = fxq_sources(net, i, src, FXQ_MAX_SRC);
        fxq_cfmt fmt = {0, 0, 0, 0}, in[FXQ_MAX_SRC];
        int mode = 0, act = FXQ_ACT_LINEAR;
        if (fxq_layer_is_fixed(l)) {
            const struct fxq_layer_state *s = l->fxq;
            if (!s || fxq_has_float(s)) continue;
            fmt = fxq_layer_out_cfmt(s);
            mode = s->mode == FXQ_MODE_INT ? FXQ_PIPE_INT : FXQ_PIPE_EMU;
        } else {
            int ok = nsrc > 0, all_int = 1; /* nsrc < 0: a route too wide to track stays float */
            for (int j = 0; ok && j < nsrc; ++j) {
                const struct fxq_pipe *p = src[j] >= 0 && src[j] < i ? net->layers[src[j]].fxq_pipe : NULL;
                if (!p) ok = 0;
                else in[j] = p->fmt, all_int &= p->mode == FXQ_PIPE_INT;
            }
            if (!ok || !fxq_pipe_format(l, in, nsrc, &fmt, &act)) continue;
            mode = all_int ? FXQ_PIPE_INT : FXQ_PIPE_EMU;
        }
        if (!pn) pn = fxq_pipe_alloc(sizeof *pn);
        struct fxq_pipe *p = fxq_pipe_alloc(sizeof *p);
        p->net = pn, p->mode = mode, p->fmt = fmt, p->act = act, p->nsrc = nsrc;
        p->src = fxq_pipe_alloc(sizeof *p->src * (size_t)nsrc);
        memcpy(p->src, src, sizeof *src * (size_t)nsrc);
        p->codes_in = mode == FXQ_PIPE_INT;
        for (int j = 0; j < nsrc; ++j) {
            const struct fxq_pipe *q = src[j] >= 0 ? net->layers[src[j]].fxq_pipe : NULL;
            p->codes_in &= q && q->mode == FXQ_PIPE_INT;
        }
        p->need_float = mode != FXQ_PIPE_INT;
        l->fxq_pipe = p;
        /* l.delta only serves backward, which a network with codes never
         * runs (trainable networks get no pass), yet upstream's
         * forward_network clears it for every layer and image: megabytes on
         * the first layers of darknet.cfg or yolov3-tiny. Without it the
         * clear is skipped (`if (l.delta)`). */
        free(l->delta);
        l->delta = NULL;
        if (!fxq_layer_is_fixed(l)) {
            p->upstream = l->forward;
            l->forward = fxq_pipe_forward;
        }
    }
    if (!pn) return;
    /* who reads floats: every consumer that does not take codes */
    for (int i = 0; i < net->n; ++i) {
        int src[FXQ_MAX_SRC];
        const int nsrc = fxq_sources(net, i, src, FXQ_MAX_SRC);
        const struct fxq_pipe *c = net->layers[i].fxq_pipe;
        if (nsrc < 0) /* reads floats of layers we did not list: all earlier ones write them */
            for (int j = 0; j < i; ++j)
                if (net->layers[j].fxq_pipe) net->layers[j].fxq_pipe->need_float = 1;
        for (int j = 0; j < nsrc; ++j) {
            struct fxq_pipe *p = src[j] >= 0 && src[j] < net->n ? net->layers[src[j]].fxq_pipe : NULL;
            if (p && !(c && c->codes_in)) p->need_float = 1;
        }
        if (net->layers[i].truth && net->layers[i].fxq_pipe) net->layers[i].fxq_pipe->need_float = 1;
    }
    if (net->layers[net->n - 1].fxq_pipe) net->layers[net->n - 1].fxq_pipe->need_float = 1;
    for (int i = 0; i < net->n; ++i)
        if (net->layers[i].output == net->output && net->layers[i].fxq_pipe) net->layers[i].fxq_pipe->need_float = 1;
}

int fxq_pipe_sole_reader(const network *net, int src, int reader)
{
    const struct fxq_pipe *p = net->layers[src].fxq_pipe;
    if (!p || p->need_float || src == net->n - 1) return 0;
    for (int i = 0; i < net->n; ++i) {
        int s[FXQ_MAX_SRC];
        const int n = i == reader ? 0 : fxq_sources(net, i, s, FXQ_MAX_SRC);
        if (n < 0) return 0;
        for (int j = 0; j < n; ++j)
            if (s[j] == src) return 0;
    }
    return 1;
}

void fxq_pipe_rebuild(network *net)
{
    const int all_float = fxq_pipe_set_all_float(net, 0);
    struct fxq_pipe_net *pn = NULL;
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        struct fxq_pipe *p = l->fxq_pipe;
        if (!p) continue;
        if (p->upstream) l->forward = p->upstream;
        pn = p->net;
        free(p->src), free(p->buf), free(p);
        l->fxq_pipe = NULL;
    }
    free(pn);
    fxq_network_parsed(net);
    fxq_pipe_set_all_float(net, all_float);
}

int fxq_pipe_set_all_float(network *net, int on)
{
    for (int i = 0; i < net->n; ++i)
        if (net->layers[i].fxq_pipe) {
            struct fxq_pipe_net *pn = net->layers[i].fxq_pipe->net;
            const int was = pn->all_float;
            pn->all_float = on;
            return was;
        }
    return 0;
}

const int16_t *fxq_pipe_source_codes(const network *net, int src, fxq_cfmt want, int16_t *scratch, size_t n)
{
    const struct fxq_pipe *p = net->layers[src].fxq_pipe;
    if (!p->codes) {
        fprintf(stderr, "darknet fxq: layer %d's codes read before it ran\n", src);
        exit(1);
    }
    if (fxq_cfmt_eq(p->fmt, want)) return p->codes;
    fxq_codes_convert(p->codes, n, p->fmt.frac, want, scratch);
    return scratch;
}
