/* Fresh fractional bits after fine-tuning (fxq_requant.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_finetune.h"
#include "fxq_fold.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_policy.h"
#include "fxq_qformat.h"
#include "fxq_requant.h"
#include "fxq_stats.h"
#include "fxq_stats_net.h"
#include "list.h"

int fxq_requant_cfg_path(const char *weights_out, char *cfg_out, size_t len, char *why, size_t why_len)
{
    const char *slash = strrchr(weights_out, '/'), *dot = strrchr(weights_out, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - weights_out) : strlen(weights_out);
    if ((size_t)snprintf(cfg_out, len, "%.*s.cfg", (int)stem, weights_out) >= len) {
        snprintf(why, why_len, "%s: path too long", weights_out);
        return 0;
    }
    return 1;
}

/* unsigned codes of `bits` span the positive half of a bits + 1 signed
 * format: the same rule, one more bit */
static fxq_format fxq_rq_pick(const fxq_stats *st, int index, int tensor, int bits, int is_unsigned,
                              const fxq_qopts *q, fxq_format old)
{
    const fxq_tensor_stats *t = fxq_stats_get(st, index, tensor);
    if (!t || !t->count || !bits) return old; /* bits 0: float stays */
    fxq_format f = fxq_choose_format(t, bits + (is_unsigned != 0), q);
    f.bits = bits;
    return f;
}

/* mse: an output before relu / leaky by the error the next layer sees
 * (fxq_qplan_formats' rule); otherwise as any tensor. */
static fxq_format fxq_rq_pick_out(const fxq_stats *st, int index, const struct fxq_layer_state *s,
                                  const fxq_qopts *q)
{
    const fxq_tensor_stats *t = fxq_stats_get(st, index, FXQ_T_PREACT);
    if (q->formats == FXQ_FORMATS_PAPER || s->act == FXQ_ACT_LINEAR || !t || !t->count || !s->out.bits)
        return fxq_rq_pick(st, index, FXQ_T_PREACT, s->out.bits, s->out_unsigned, q, s->out);
    const double g = s->act == FXQ_ACT_RELU ? 0 : 0.1;
    return (fxq_format){s->out.bits, fxq_mse_frac_act(t, s->out.bits + s->out_unsigned, g, FXQ_LAYER_FRAC_MIN,
                                                      FXQ_LAYER_FRAC_MAX)};
}

typedef struct fxq_rq_layer {
    fxq_format f[4]; /* w (the coarsest row's with per-channel), in, out, b */
    int *rows;       /* per-channel: each row's new w_frac, else NULL */
    int nrows;
} fxq_rq_layer;

/* Per-channel: each row's frac by least squared error on the trained
 * (folded) masters, as `fxq quantize --per-channel` chooses them. */
static int *fxq_rq_rows(const layer *fl, int bits)
{
    const int units = fxq_fold_units(fl), fan_in = fxq_fold_fan_in(fl);
    float *w = malloc((size_t)units * fan_in * sizeof *w), *b = malloc((size_t)units * sizeof *b);
    int *rows = malloc((size_t)units * sizeof *rows);
    if (!w || !b || !rows) {
        free(w), free(b), free(rows);
        return NULL;
    }
    fxq_fold_bn(fl, w, b);
    for (int u = 0; u < units; ++u)
        rows[u] = fxq_mse_frac_values(w + (size_t)u * fan_in, (size_t)fan_in, bits, FXQ_LAYER_FRAC_MIN,
                                      FXQ_LAYER_FRAC_MAX);
    free(w), free(b);
    return rows;
}

static void fxq_rq_free(fxq_rq_layer *nf, int n)
{
    for (int i = 0; nf && i < n; ++i) free(nf[i].rows);
    free(nf);
}

/* New formats per layer index (f[0].bits 0 for float layers). */
static fxq_rq_layer *fxq_rq_formats(const network *x, const network *fnet, const fxq_stats *st, fxq_formats formats,
                                    int quiet)
{
    fxq_qopts q = FXQ_QOPTS_DEFAULT;
    q.formats = formats;
    fxq_rq_layer *nf = calloc((size_t)x->n, sizeof *nf);
    if (!nf) return NULL;
    static const char *names[4] = {"w", "in", "out", "b"};
    for (int i = 0; i < x->n; ++i) {
        const struct fxq_layer_state *s = x->layers[i].fxq;
        if (!s) continue;
        fxq_format old[4] = {s->w, s->in, s->out, s->b}, *f = nf[i].f;
        f[0] = fxq_rq_pick(st, i, FXQ_T_WEIGHTS, s->w.bits, 0, &q, s->w);
        if (s->w_fracs && s->w.bits) {
            if (!(nf[i].rows = fxq_rq_rows(&fnet->layers[i], s->w.bits))) {
                fxq_rq_free(nf, x->n);
                return NULL;
            }
            nf[i].nrows = s->units;
            f[0].frac = nf[i].rows[0];
            for (int u = 0; u < s->units; ++u) {
                if (nf[i].rows[u] < f[0].frac) f[0].frac = nf[i].rows[u];
                if (!quiet && nf[i].rows[u] != s->w_fracs[u])
                    fprintf(stderr, "requantize: layer %d w row %d %d.%d -> %d.%d\n", i, u, s->w.bits, s->w_fracs[u],
                            s->w.bits, nf[i].rows[u]);
            }
        }
        f[1] = fxq_rq_pick(st, i, FXQ_T_INPUT, s->in.bits, s->in_unsigned, &q, s->in);
        f[2] = fxq_rq_pick_out(st, i, s, &q);
        const int acc = f[0].frac + f[1].frac;
        f[3] = s->b.bits >= 32 || fxq_has_float(s) ? (fxq_format){s->b.bits, acc}
                                                    : fxq_rq_pick(st, i, FXQ_T_BIASES, s->b.bits, 0, &q, s->b);
        if (f[3].frac > acc) f[3].frac = acc;
        for (int k = 0; k < 4; ++k)
            if (!quiet && f[k].frac != old[k].frac && !(k == 0 && s->w_fracs) &&
                (k < 3 || s->b.bits < 32)) /* 32: follows acc */
                fprintf(stderr, "requantize: layer %d %s %d.%d -> %d.%d\n", i, names[k], old[k].bits, old[k].frac,
                        f[k].bits, f[k].frac);
    }
    return nf;
}

static void fxq_rq_strip(const char *in, char *out, size_t len)
{
    size_t j = 0;
    for (; *in && j + 1 < len; ++in)
        if (*in != ' ' && *in != '\t' && *in != '\n' && *in != '\r') out[j++] = *in;
    out[j] = 0;
}

/* fxcfg with only the frac values of fx sections replaced, into o (its
 * caller commits it). */
static int fxq_rq_rewrite(const char *fxcfg, fxq_outfile *dst, const fxq_rq_layer *nf, int nlayers, char *why,
                          size_t why_len)
{
    static const char *keys[4] = {"w_frac=", "in_frac=", "out_frac=", "b_frac="};
    FILE *o = dst->f, *in = fopen(fxcfg, "r");
    if (!in) {
        snprintf(why, why_len, "%s: %s", fxcfg, strerror(errno));
        return 0;
    }
    char line[4096], s[4096];
    int layer = -2; /* [net] is -1 */
    while (fgets(line, sizeof line, in)) {
        fxq_rq_strip(line, s, sizeof s);
        int done = 0;
        if (s[0] == '[') ++layer;
        else if (layer >= 0 && layer < nlayers && nf[layer].f[0].bits)
            for (int k = 0; k < 4 && !done; ++k)
                if (!strncmp(s, keys[k], strlen(keys[k]))) {
                    fputs(keys[k], o);
                    if (k == 0 && nf[layer].rows)
                        for (int u = 0; u < nf[layer].nrows; ++u) fprintf(o, "%s%d", u ? "," : "", nf[layer].rows[u]);
                    else
                        fprintf(o, "%d", nf[layer].f[k].frac);
                    fputc('\n', o);
                    done = 1;
                }
        if (!done) fputs(line, o);
    }
    fclose(in);
    if (ferror(o)) {
        snprintf(why, why_len, "%s: cannot write: %s", dst->path ? dst->path : "stdout", strerror(errno));
        return 0;
    }
    return 1;
}

int fxq_requant_write(const char *fxcfg, const char *weights, const char *image_list, fxq_outfile *cfg_out,
                      fxq_formats formats, int quiet, char *why, size_t why_len)
{
    char floatcfg[PATH_MAX];
    if (!fxq_finetune_float_cfg(fxcfg, floatcfg, sizeof floatcfg, why, why_len)) return 0;
    network *f = fxq_net_load_quiet(floatcfg, weights, 32, why, why_len);
    fxq_finetune_float_cfg_remove(floatcfg);
    network *x = f ? fxq_net_load_quiet(fxcfg, weights, 1, why, why_len) : NULL;
    int ok = 0;
    list *plist = NULL;
    fxq_stats *st = NULL;
    fxq_rq_layer *nf = NULL;
    if (!x) goto out;
    plist = get_paths((char *)image_list);
    if (plist->size < 1) {
        snprintf(why, why_len, "%s: empty image list", image_list);
        goto out;
    }
    char **paths = (char **)list_to_array(plist);
    st = fxq_stats_collect(f, paths, plist->size, 1, why, why_len);
    free(paths);
    if (!st) goto out;
    if (!(nf = fxq_rq_formats(x, f, st, formats, quiet))) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    ok = fxq_rq_rewrite(fxcfg, cfg_out, nf, x->n, why, why_len);
    if (ok && !quiet) fprintf(stderr, "requantize: %s (statistics of %d images)\n", cfg_out->path, plist->size);
out:
    if (x) fxq_rq_free(nf, x->n);
    if (st) fxq_stats_free(st);
    if (plist) {
        free_list_contents(plist);
        free_list(plist);
    }
    if (x) free_network(x);
    if (f) free_network(f);
    return ok;
}
