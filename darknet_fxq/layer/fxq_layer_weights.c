/* Weights of the fixed-point layers: reading Darknet's float records
 * (drop-in .weights), folding + quantizing, and writing them back. */
#include <stdlib.h>
#include <string.h>

#include "fxq_fold.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
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
    fxq_layer_prepare(l);
    if (!getenv("FXQ_KEEP_FLOAT")) fxq_layer_drop_float(l);
}

/* Bias -> its own format, then into the accumulator's units. */
static int64_t fxq_bias_to_acc(float b, fxq_format bf, int acc_frac)
{
    const int64_t code = fxq_quantize64_ref((double)b, bf.frac, fxq_code_min(bf.bits), fxq_code_max(bf.bits));
    return fxq_align_frac(code, bf.frac, acc_frac);
}

void fxq_layer_prepare(layer *l)
{
    struct fxq_layer_state *s = l->fxq;
    if (s->prepared) return;
    const size_t nw = (size_t)s->units * s->fan_in;
    float *w = malloc(nw * sizeof *w), *b = malloc((size_t)s->units * sizeof *b);
    if (!s->w_codes) s->w_codes = malloc(nw * sizeof *s->w_codes);
    if (!s->bias_acc) s->bias_acc = malloc((size_t)s->units * sizeof *s->bias_acc);
    if (!w || !b || !s->w_codes || !s->bias_acc) {
        fprintf(stderr, "darknet fxq: out of memory preparing a fixed-point layer\n");
        exit(1);
    }
    if (!l->weights) {
        fprintf(stderr, "darknet fxq: fixed-point layer has no float weights to quantize\n");
        exit(1);
    }
    fxq_fold_bn(l, w, b);
    for (size_t i = 0; i < nw; ++i) s->w_codes[i] = (int16_t)fxq_quantize_ref(w[i], s->w);
    for (int u = 0; u < s->units; ++u) s->bias_acc[u] = fxq_bias_to_acc(b[u], s->b, fxq_acc_frac(s));
    free(w);
    free(b);
    fxq_layer_codes_changed(s);
}

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
    for (size_t i = 0; i < nw; ++i) w[i] = fxq_dequantize(s->w_codes[i], s->w.frac);
    for (int u = 0; u < units; ++u) {
        b[u] = (float)ldexp((double)s->bias_acc[u], -fxq_acc_frac(s));
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
