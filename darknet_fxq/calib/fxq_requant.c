/* Fresh fractional bits after fine-tuning (fxq_requant.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_finetune.h"
#include "fxq_layer.h"
#include "fxq_net.h"
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

static fxq_format fxq_rq_pick(const fxq_stats *st, int index, int tensor, int bits, fxq_format old)
{
    const fxq_tensor_stats *t = fxq_stats_get(st, index, tensor);
    const fxq_qopts q = FXQ_QOPTS_DEFAULT;
    return t && t->count && bits ? fxq_choose_format(t, bits, &q) : old; /* bits 0: float stays */
}

/* New formats per layer index (NULL for float layers). */
static fxq_format (*fxq_rq_formats(const network *x, const fxq_stats *st, int quiet))[4]
{
    fxq_format (*nf)[4] = calloc((size_t)x->n, sizeof *nf);
    if (!nf) return NULL;
    static const char *names[4] = {"w", "in", "out", "b"};
    for (int i = 0; i < x->n; ++i) {
        const struct fxq_layer_state *s = x->layers[i].fxq;
        if (!s) continue;
        fxq_format old[4] = {s->w, s->in, s->out, s->b};
        nf[i][0] = fxq_rq_pick(st, i, FXQ_T_WEIGHTS, s->w.bits, s->w);
        nf[i][1] = fxq_rq_pick(st, i, FXQ_T_INPUT, s->in.bits, s->in);
        nf[i][2] = fxq_rq_pick(st, i, FXQ_T_PREACT, s->out.bits, s->out);
        const int acc = nf[i][0].frac + nf[i][1].frac;
        nf[i][3] = s->b.bits >= 32 || fxq_has_float(s) ? (fxq_format){s->b.bits, acc} : fxq_rq_pick(st, i, FXQ_T_BIASES, s->b.bits, s->b);
        if (nf[i][3].frac > acc) nf[i][3].frac = acc;
        for (int k = 0; k < 4; ++k)
            if (!quiet && nf[i][k].frac != old[k].frac && (k < 3 || s->b.bits < 32)) /* 32: follows acc */
                fprintf(stderr, "requantize: layer %d %s %d.%d -> %d.%d\n", i, names[k], old[k].bits, old[k].frac,
                        nf[i][k].bits, nf[i][k].frac);
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

/* fxcfg with only the frac values of fx sections replaced, temp + rename. */
static int fxq_rq_rewrite(const char *fxcfg, const char *out, fxq_format (*nf)[4], int nlayers, char *why,
                          size_t why_len)
{
    static const char *keys[4] = {"w_frac=", "in_frac=", "out_frac=", "b_frac="};
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", out);
    int fd = mkstemp(tmp);
    FILE *o = fd >= 0 ? fdopen(fd, "w") : NULL, *in = fopen(fxcfg, "r");
    if (!o || !in) {
        snprintf(why, why_len, "%s: %s", !in ? fxcfg : out, strerror(errno));
        if (o) fclose(o);
        else if (fd >= 0) close(fd);
        if (in) fclose(in);
        if (fd >= 0) unlink(tmp);
        return 0;
    }
    char line[4096], s[4096];
    int layer = -2; /* [net] is -1 */
    while (fgets(line, sizeof line, in)) {
        fxq_rq_strip(line, s, sizeof s);
        int done = 0;
        if (s[0] == '[') ++layer;
        else if (layer >= 0 && layer < nlayers && nf[layer][0].bits)
            for (int k = 0; k < 4 && !done; ++k)
                if (!strncmp(s, keys[k], strlen(keys[k]))) {
                    fprintf(o, "%s%d\n", keys[k], nf[layer][k].frac);
                    done = 1;
                }
        if (!done) fputs(line, o);
    }
    fclose(in);
    if (fclose(o) || rename(tmp, out)) {
        snprintf(why, why_len, "%s: cannot write: %s", out, strerror(errno));
        unlink(tmp);
        return 0;
    }
    return 1;
}

int fxq_requant_write(const char *fxcfg, const char *weights, const char *image_list, const char *cfg_out,
                      int quiet, char *why, size_t why_len)
{
    char floatcfg[PATH_MAX];
    if (!fxq_finetune_float_cfg(fxcfg, floatcfg, sizeof floatcfg, why, why_len)) return 0;
    network *f = fxq_net_load_quiet(floatcfg, weights, 32, why, why_len);
    unlink(floatcfg);
    network *x = f ? fxq_net_load_quiet(fxcfg, weights, 1, why, why_len) : NULL;
    int ok = 0;
    list *plist = NULL;
    fxq_stats *st = NULL;
    fxq_format (*nf)[4] = NULL;
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
    if (!(nf = fxq_rq_formats(x, st, quiet))) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    ok = fxq_rq_rewrite(fxcfg, cfg_out, nf, x->n, why, why_len);
    if (ok && !quiet) fprintf(stderr, "requantize: %s written (statistics of %d images)\n", cfg_out, plist->size);
out:
    free(nf);
    if (st) fxq_stats_free(st);
    if (plist) {
        free_list_contents(plist);
        free_list(plist);
    }
    if (x) free_network(x);
    if (f) free_network(f);
    return ok;
}
