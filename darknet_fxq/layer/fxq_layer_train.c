/* Fake-quantized forward, straight-through backward and master-weight
 * update of the fixed-point layers (fxq_layer_train.h). */
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "blas.h"
#include "col2im.h"
#include "convolutional_layer.h"
#include "fxq_fold.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"
#include "gemm.h"
#include "im2col.h"

static int fxq_training_on;

void fxq_set_training(int on) { fxq_training_on = on != 0; }
int fxq_training(void) { return fxq_training_on; }

static void *fxq_train_alloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "darknet fxq: out of memory for fixed-point training buffers\n");
        exit(1);
    }
    return p;
}

void fxq_train_in_range(const struct fxq_layer_state *s, int64_t *lo, int64_t *hi)
{
    const fxq_cfmt f = fxq_layer_in_cfmt(s); /* signed, unsigned or a window */
    *lo = fxq_cfmt_lo(f);
    *hi = fxq_cfmt_hi(f);
}

void fxq_train_out_range(const struct fxq_layer_state *s, int64_t *lo, int64_t *hi)
{
    if (s->out_win) { /* clamped after the activation: before it at its floor */
        *lo = fxq_act_floor(s->out_lo, s->act);
        *hi = (int64_t)s->out_lo + ((int64_t)1 << s->out.bits) - 1;
        return;
    }
    const int ob = s->out.bits + (s->out_unsigned != 0);
    *lo = fxq_code_min(ob);
    *hi = fxq_code_max(ob);
}

void fxq_layer_train_attach(layer *l)
{
    struct fxq_layer_state *s = l->fxq;
    struct fxq_train *t = fxq_train_alloc(1, sizeof *t);
    const size_t nw = (size_t)s->units * s->fan_in;
    t->wq = fxq_train_alloc(nw, sizeof *t->wq);
    t->bq = fxq_train_alloc(s->units, sizeof *t->bq);
    t->w_pass = fxq_train_alloc(nw, 1);
    t->b_pass = fxq_train_alloc(s->units, 1);
    t->grad_w = fxq_train_alloc(nw, sizeof *t->grad_w);
    t->grad_b = fxq_train_alloc(s->units, sizeof *t->grad_b);
    t->dirty = 1;
    s->train = t;
    s->keep_float = 1; /* the masters are Darknet's float buffers: never dropped */
    l->backward = backward_fxq_layer;
    l->update = update_fxq_layer;
}

/* Buffers that depend on the batch Darknet runs the layer with now. */
static void fxq_train_batch(const layer *l, struct fxq_train *t)
{
    if (t->batch == l->batch) return;
    free(t->xq);
    free(t->in_pass);
    free(t->out_pass);
    free(t->dx);
    const size_t nin = (size_t)l->inputs * l->batch;
    t->xq = fxq_train_alloc(nin, sizeof *t->xq);
    t->dx = fxq_train_alloc(nin, sizeof *t->dx);
    t->in_pass = fxq_train_alloc(nin, 1);
    t->out_pass = fxq_train_alloc((size_t)l->outputs * l->batch, 1);
    t->batch = l->batch;
}

void fxq_layer_train_begin(layer *l)
{
    struct fxq_layer_state *s = l->fxq;
    struct fxq_train *t = s->train;
    if (!l->weights) {
        fprintf(stderr, "darknet fxq: a trainable fixed-point layer has no float master weights "
                        "(a .fxw file holds codes only: train from a .weights file)\n");
        exit(1);
    }
    if (!t->folded) {
        const size_t nw = (size_t)s->units * s->fan_in;
        float *w = fxq_train_alloc(nw, sizeof *w), *b = fxq_train_alloc(s->units, sizeof *b);
        fxq_fold_bn(l, w, b);
        memcpy(l->weights, w, nw * sizeof *w);
        memcpy(l->biases, b, (size_t)s->units * sizeof *b);
        free(w);
        free(b);
        if (l->batch_normalize) {
            /* Darknet's identity: scale / (sqrt(var) + 1e-6) == 1 exactly in float */
            const float sd = 1.f - .000001f;
            for (int u = 0; u < s->units; ++u) {
                l->scales[u] = 1.f;
                l->rolling_mean[u] = 0.f;
                l->rolling_variance[u] = sd * sd;
            }
        }
        t->folded = 1;
        t->dirty = 1;
    }
    if (!t->dirty && s->prepared) return;
    s->prepared = 0;
    fxq_layer_prepare(l); /* codes from the masters (identity fold) */
    const size_t nw = (size_t)s->units * s->fan_in;
    const int wf = fxq_fmt_float(s->w), bf = wf || fxq_fmt_float(s->in);
    for (size_t i = 0; i < nw; ++i) {
        const fxq_format f = {s->w.bits, fxq_row_w_frac(s, (int)(i / s->fan_in))};
        t->wq[i] = wf ? l->weights[i] : fxq_dequantize(s->w_codes[i], f.frac);
        t->w_pass[i] = (uint8_t)(wf || fxq_ste_pass(l->weights[i], f));
    }
    /* the bias is quantized in its own format, then aligned to its row's
     * accumulator (what the kernels add) */
    for (int u = 0; u < s->units; ++u) {
        t->bq[u] = bf ? l->biases[u] : (float)ldexp((double)s->bias_acc[u], -fxq_row_acc_frac(s, u));
        t->b_pass[u] = (uint8_t)(bf || fxq_ste_pass(l->biases[u], s->b));
    }
    t->dirty = 0;
}

void fxq_layer_train_save(const layer *l, FILE *fp)
{
    const struct fxq_layer_state *s = l->fxq;
    const int units = s->units;
    const size_t nw = (size_t)units * s->fan_in;
    const int bn = l->batch_normalize;
    fwrite(l->biases, sizeof(float), units, fp);
    if (l->type == FXCONVOLUTIONAL && bn) {
        fwrite(l->scales, sizeof(float), units, fp);
        fwrite(l->rolling_mean, sizeof(float), units, fp);
        fwrite(l->rolling_variance, sizeof(float), units, fp);
    }
    fwrite(l->weights, sizeof(float), nw, fp);
    if (l->type == FXCONNECTED && bn) {
        fwrite(l->scales, sizeof(float), units, fp);
        fwrite(l->rolling_mean, sizeof(float), units, fp);
        fwrite(l->rolling_variance, sizeof(float), units, fp);
    }
}

void forward_fxq_train(layer l, network net)
{
    struct fxq_layer_state *s = l.fxq;
    struct fxq_train *t = s->train;
    fxq_layer_train_begin(&l);
    fxq_train_batch(&l, t);

    const size_t nin = (size_t)l.inputs * l.batch;
    if (fxq_fmt_float(s->in)) {
        memcpy(t->xq, net.input, nin * sizeof *t->xq);
        memset(t->in_pass, 1, nin);
    } else {
        int64_t lo, hi;
        fxq_train_in_range(s, &lo, &hi);
        for (size_t i = 0; i < nin; ++i) {
            t->xq[i] = (float)ldexp((double)fxq_quantize64_ref((double)net.input[i], s->in.frac, lo, hi), -s->in.frac);
            t->in_pass[i] = (uint8_t)fxq_ste_pass_range(net.input[i], s->in.frac, lo, hi);
        }
    }
    fill_cpu(l.outputs * l.batch, 0, l.output, 1);
    if (l.type == FXCONNECTED) {
        gemm(0, 1, l.batch, l.outputs, l.inputs, 1, t->xq, l.inputs, t->wq, l.inputs, 1, l.output, l.outputs);
        add_bias(l.output, t->bq, l.batch, l.outputs, 1);
    } else {
        const int m = l.n, k = l.size * l.size * l.c, n = l.out_w * l.out_h;
        for (int i = 0; i < l.batch; ++i) {
            float *im = t->xq + (size_t)i * l.c * l.h * l.w, *b = net.workspace;
            if (l.size == 1) b = im;
            else im2col_cpu(im, l.c, l.h, l.w, l.size, l.stride, l.pad, b);
            gemm(0, 0, m, n, k, 1, t->wq, k, b, n, 1, l.output + (size_t)i * n * m, n);
        }
        add_bias(l.output, t->bq, l.batch, l.n, l.out_h * l.out_w);
    }
    const size_t n = (size_t)l.outputs * l.batch;
    if (fxq_fmt_float(s->out)) {
        memset(t->out_pass, 1, n);
        activate_array(l.output, (int)n, l.activation);
        return;
    }
    int64_t lo, hi;
    fxq_train_out_range(s, &lo, &hi);
    for (size_t i = 0; i < n; ++i) {
        t->out_pass[i] = (uint8_t)fxq_ste_pass_range(l.output[i], s->out.frac, lo, hi);
        const int64_t q = fxq_quantize64_ref((double)l.output[i], s->out.frac, lo, hi);
        l.output[i] = fxq_dequantize(fxq_act_ref(q, s->act), s->out.frac);
    }
}

/* Upstream's backward_convolutional_layer / backward_connected_layer with the
 * quantized operands the forward used, and each quantizer's STE mask. */
void backward_fxq_layer(layer l, network net)
{
    struct fxq_layer_state *s = l.fxq;
    struct fxq_train *t = s->train;
    if (t->batch != l.batch) {
        fprintf(stderr, "darknet fxq: backward of a fixed-point layer without its training forward\n");
        exit(1);
    }
    const size_t nout = (size_t)l.outputs * l.batch, nin = (size_t)l.inputs * l.batch;
    const size_t nw = (size_t)s->units * s->fan_in;
    gradient_array(l.output, (int)nout, l.activation, l.delta);
    for (size_t i = 0; i < nout; ++i)
        if (!t->out_pass[i]) l.delta[i] = 0;

    memset(t->grad_b, 0, (size_t)s->units * sizeof *t->grad_b);
    memset(t->grad_w, 0, nw * sizeof *t->grad_w);
    if (net.delta) memset(t->dx, 0, nin * sizeof *t->dx);
    if (l.type == FXCONNECTED) {
        backward_bias(t->grad_b, l.delta, l.batch, l.outputs, 1);
        gemm(1, 0, l.outputs, l.inputs, l.batch, 1, l.delta, l.outputs, t->xq, l.inputs, 1, t->grad_w, l.inputs);
        if (net.delta)
            gemm(0, 0, l.batch, l.inputs, l.outputs, 1, l.delta, l.outputs, t->wq, l.inputs, 1, t->dx, l.inputs);
    } else {
        const int m = l.n, n = l.size * l.size * l.c, k = l.out_w * l.out_h;
        backward_bias(t->grad_b, l.delta, l.batch, l.n, k);
        for (int i = 0; i < l.batch; ++i) {
            float *a = l.delta + (size_t)i * m * k, *b = net.workspace;
            float *im = t->xq + (size_t)i * l.c * l.h * l.w;
            if (l.size == 1) b = im;
            else im2col_cpu(im, l.c, l.h, l.w, l.size, l.stride, l.pad, b);
            gemm(0, 1, m, n, k, 1, a, k, b, k, 1, t->grad_w, n);
            if (net.delta) {
                float *imd = t->dx + (size_t)i * l.c * l.h * l.w, *c = net.workspace;
                if (l.size == 1) c = imd;
                gemm(1, 0, n, k, m, 1, t->wq, n, a, k, 0, c, k);
                if (l.size != 1) col2im_cpu(net.workspace, l.c, l.h, l.w, l.size, l.stride, l.pad, imd);
            }
        }
    }
    for (int u = 0; u < s->units; ++u)
        if (t->b_pass[u]) l.bias_updates[u] += t->grad_b[u];
    for (size_t i = 0; i < nw; ++i)
        if (t->w_pass[i]) l.weight_updates[i] += t->grad_w[i];
    if (net.delta)
        for (size_t i = 0; i < nin; ++i)
            if (t->in_pass[i]) net.delta[i] += t->dx[i];
}

void update_fxq_layer(layer l, update_args a)
{
    struct fxq_layer_state *s = l.fxq;
    const float lr = a.learning_rate * l.learning_rate_scale;
    const int units = s->units, nw = s->units * s->fan_in;
    axpy_cpu(units, lr / a.batch, l.bias_updates, 1, l.biases, 1);
    scal_cpu(units, a.momentum, l.bias_updates, 1);
    axpy_cpu(nw, -a.decay * a.batch, l.weights, 1, l.weight_updates, 1);
    axpy_cpu(nw, lr / a.batch, l.weight_updates, 1, l.weights, 1);
    scal_cpu(nw, a.momentum, l.weight_updates, 1);
    s->train->dirty = 1;
    s->prepared = 0; /* the integer path rebuilds its codes too */
}
