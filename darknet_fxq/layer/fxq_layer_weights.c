/* Weights of the fixed-point layers: reading Darknet's float records
 * (drop-in .weights), folding + quantizing, and writing them back. */
#include <stdlib.h>
#include <string.h>

#include "fxq_env.h"
#include "fxq_fold.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"
#include "utils.h"

void transpose_matrix(float *a, int rows, int cols); /* parser.c, not in a header */

static void fxq_read(float *dst, size_t n, FILE *fp, const char *file, int index, const char *what)
{
    if (n && fread(dst, sizeof(float), n, fp) != n) {
        fprintf(stderr, "%s: truncated: layer %d needs %zu more %s values than the file holds\n", file, index, n,
                what);
        exit(1);
    }
}

static void fxq_prepare(layer *l, int in_place);

void fxq_load_weights(layer *l, FILE *fp, const char *weightfile, int index, int transpose)
{
    const int units = l->fxq->units, fan_in = l->fxq->fan_in;
    const int bn = l->batch_normalize && !l->dontloadscales;
    fxq_read(l->biases, units, fp, weightfile, index, "bias");
    if (l->type == FXCONVOLUTIONAL && bn) {
        fxq_read(l->scales, units, fp, weightfile, index, "scale");
        fxq_read(l->rolling_mean, units, fp, weightfile, index, "rolling mean");
        fxq_read(l->rolling_variance, units, fp, weightfile, index, "rolling variance");
    }
    fxq_read(l->weights, (size_t)units * fan_in, fp, weightfile, index, "weight");
    if (l->type == FXCONNECTED && transpose) transpose_matrix(l->weights, l->inputs, l->outputs);
    if (l->type == FXCONVOLUTIONAL && l->flipped) transpose_matrix(l->weights, fan_in, units);
    if (l->type == FXCONNECTED && bn) {
        fxq_read(l->scales, units, fp, weightfile, index, "scale");
        fxq_read(l->rolling_mean, units, fp, weightfile, index, "rolling mean");
        fxq_read(l->rolling_variance, units, fp, weightfile, index, "rolling variance");
    }
    l->fxq->prepared = 0;
    fxq_prepare(l, !l->fxq->train); /* the float weights are dropped below unless kept */
    if (l->fxq->train) {
        l->fxq->train->folded = 0; /* fresh float records */
        fxq_layer_train_begin(l);
    } else if (!l->fxq->keep_float) {
        fxq_layer_drop_float(l);
    }
    /* the kernel plan now, for the one-image forward: the first image then
     * costs about what the next ones do (FXQ_EAGER=0: built by the first
     * forward, as before) */
    static int eager = -1;
    if (!l->fxq->train && l->fxq->mode != FXQ_MODE_EMULATE && !fxq_has_float(l->fxq) && fxq_env_switch("FXQ_EAGER", 1, &eager))
        fxq_layer_plan_ready(l, 1);
}

static int fxq_keep_float_flag;

void fxq_layer_set_keep_float(int on) { fxq_keep_float_flag = on != 0; }
int fxq_layer_keep_float_default(void) { return fxq_keep_float_flag; }

int fxq_layer_install_codes(struct fxq_layer_state *s, const int16_t *w_codes, const int64_t *b_codes)
{
    const size_t nw = (size_t)s->units * s->fan_in, nu = (size_t)s->units;
    if (!s->w_codes) s->w_codes = malloc(nw * sizeof *s->w_codes);
    if (!s->b_codes) s->b_codes = malloc(nu * sizeof *s->b_codes);
    if (!s->bias_acc) s->bias_acc = malloc(nu * sizeof *s->bias_acc);
    if (!s->w_codes || !s->b_codes || !s->bias_acc) return 0;
    if (s->w_codes != w_codes) memcpy(s->w_codes, w_codes, nw * sizeof *s->w_codes);
    if (s->b_codes != b_codes) memcpy(s->b_codes, b_codes, nu * sizeof *s->b_codes);
    for (size_t u = 0; u < nu; ++u)
        s->bias_acc[u] = fxq_align_frac(s->b_codes[u], s->b.frac, fxq_row_acc_frac(s, (int)u));
    fxq_layer_codes_changed(s);
    return 1;
}

/* fxq_quantize_ref of every weight in its row's format, by the kernel
 * set's quantizer (its exact twin, and ~30x faster: the load of a network
 * quantizes millions), a row or a whole layer per call; the reference
 * where the frac is outside the kernels' range. */
static void fxq_quantize_weights(const struct fxq_layer_state *s, const float *w, int16_t *wc)
{
    const int lo = (int)fxq_code_min(s->w.bits), hi = (int)fxq_code_max(s->w.bits);
    const size_t fan = (size_t)s->fan_in, rows = s->w_fracs ? (size_t)s->units : 1, n = s->w_fracs ? fan : fan * s->units;
    for (size_t u = 0; u < rows; ++u) {
        const int frac = fxq_row_w_frac(s, (int)u);
        if (fxq_qconv_quantize_lohi(w + u * n, n, frac, lo, hi, wc + u * n)) continue;
        for (size_t i = 0; i < n; ++i) wc[u * n + i] = (int16_t)fxq_quantize_ref(w[u * n + i], (fxq_format){s->w.bits, frac});
    }
}

/* in_place: fold into l->weights, which the caller frees right after
 * (a weights file loaded, no float master kept): no second copy of
 * every weight while loading. Codes are written where the layer keeps them. */
static void fxq_prepare(layer *l, int in_place)
{
    struct fxq_layer_state *s = l->fxq;
    if (s->prepared) return;
    const size_t nw = (size_t)s->units * s->fan_in;
    if (!l->weights) {
        fprintf(stderr, "darknet fxq: fixed-point layer has no float weights to quantize\n");
        exit(1);
    }
    in_place = in_place && !s->w_master && !s->keep_float;
    float *w = s->w_master ? s->w_master : in_place ? l->weights : malloc(nw * sizeof *w);
    float *b = s->b_master ? s->b_master : malloc((size_t)s->units * sizeof *b);
    if (!s->w_codes) s->w_codes = malloc(nw * sizeof *s->w_codes);
    int16_t *wc = s->w_codes;
    int64_t *bc = malloc((size_t)s->units * sizeof *bc);
    if (!w || !b || !wc || !bc) {
        fprintf(stderr, "darknet fxq: out of memory preparing a fixed-point layer\n");
        exit(1);
    }
    fxq_fold_bn(l, w, b);
    /* float parts (bits 0) run in fxq_layer_train.c from the masters: no codes */
    const int wfix = s->w.bits != 0, bfix = wfix && s->in.bits != 0;
    if (wfix) fxq_quantize_weights(s, w, wc);
    else memset(wc, 0, nw * sizeof *wc);
    /* the bias in its own format first; the accumulator copy derives from it */
    const int64_t blo = fxq_code_min(s->b.bits), bhi = fxq_code_max(s->b.bits);
    for (int u = 0; u < s->units; ++u) bc[u] = bfix ? fxq_quantize64_ref((double)b[u], s->b.frac, blo, bhi) : 0;
    if (!fxq_layer_install_codes(s, wc, bc)) {
        fprintf(stderr, "darknet fxq: out of memory preparing a fixed-point layer\n");
        exit(1);
    }
    free(bc);
    if (s->keep_float) {
        s->w_master = w, s->b_master = b;
    } else {
        if (w != l->weights) free(w);
        free(b);
    }
}

void fxq_layer_prepare(layer *l) { fxq_prepare(l, 0); }

/* Plans are rebuilt by the forward pass for the batch it sees. */
void fxq_layer_codes_changed(struct fxq_layer_state *s)
{
    if (s->plan) {
        fxq_qconv_plan_free(s->plan);
        s->plan = NULL;
    }
    free(s->w_deq);
    free(s->b_deq);
    s->w_deq = s->b_deq = NULL;
    s->prepared = 1;
}

void fxq_layer_drop_float(layer *l)
{
    free(l->weights);
    free(l->weight_updates);
    l->weights = l->weight_updates = NULL;
}

/* Upstream record of the folded, dequantized layer: batch norm becomes the
 * identity (scale 1, mean 0, sqrt(variance) = 1 - eps) so the file loads into the
 * original cfg and into this one with the same values. */
void fxq_save_weights(layer *l, FILE *fp)
{
    struct fxq_layer_state *s = l->fxq;
    if (s->train) {
        fxq_layer_train_begin(l);
        fxq_layer_train_save(l, fp);
        return;
    }
    if (!s->prepared) fxq_layer_prepare(l);
    const int units = s->units, fan_in = s->fan_in;
    const size_t nw = (size_t)units * fan_in;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)units * sizeof *b);
    float *ones = malloc((size_t)units * sizeof *ones), *zeros = calloc((size_t)units, sizeof *zeros);
    float *var = malloc((size_t)units * sizeof *var);
    if (!w || !b || !ones || !zeros || !var) {
        fprintf(stderr, "darknet fxq: out of memory saving weights\n");
        exit(1);
    }
    for (size_t i = 0; i < nw; ++i) w[i] = fxq_dequantize(s->w_codes[i], fxq_row_w_frac(s, (int)(i / fan_in)));
    for (int u = 0; u < units; ++u) {
        b[u] = (float)ldexp((double)s->bias_acc[u], -fxq_row_acc_frac(s, u));
        ones[u] = 1.f;
        var[u] = (1.f - .000001f) * (1.f - .000001f); /* sqrt(var) + 1e-6 = 1 */
    }
    const int bn = l->batch_normalize;
    fwrite(b, sizeof(float), units, fp);
    if (l->type == FXCONVOLUTIONAL && bn) {
        fwrite(ones, sizeof(float), units, fp);
        fwrite(zeros, sizeof(float), units, fp);
        fwrite(var, sizeof(float), units, fp);
    }
    fwrite(w, sizeof(float), nw, fp);
    if (l->type == FXCONNECTED && bn) {
        fwrite(ones, sizeof(float), units, fp);
        fwrite(zeros, sizeof(float), units, fp);
        fwrite(var, sizeof(float), units, fp);
    }
    free(w);
    free(b);
    free(ones);
    free(zeros);
    free(var);
}
