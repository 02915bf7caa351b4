/* .fxw <-> Darknet networks: packing a loaded network, loading a .fxw into
 * any cfg (the hook in load_weights_upto), and upstream .weights output. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_fold.h"
#include "fxq_fxw.h"
#include "fxq_fxw_net.h"
#include "fxq_outfile.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_net.h"
#include "fxq_walk.h"
#include "network.h"

/* parser.c's record readers (not in a header) */
void load_convolutional_weights(layer l, FILE *fp);
void load_connected_weights(layer l, FILE *fp, int transpose);
void load_batchnorm_weights(layer l, FILE *fp);

/* fxq_save_weights's identity batch norm, so unpacked files equal what
 * `save_weights` of the fixed-point network writes */
#define FXQ_FXW_VAR_ONE ((1.f - .000001f) * (1.f - .000001f)) /* Darknet: sqrt(var) + 1e-6 = 1 */

const char *fxq_fxw_type_name(int type)
{
    switch (type) {
    case FXQ_FXW_T_CONV: return "convolutional";
    case FXQ_FXW_T_CONNECTED: return "connected";
    case FXQ_FXW_T_DECONV: return "deconvolutional";
    case FXQ_FXW_T_BATCHNORM: return "batchnorm";
    default: return "?";
    }
}

size_t fxq_fxw_fixed_floats(const fxq_fxw_record *r, int bn, float **out)
{
    const size_t units = (size_t)r->units, nw = units * r->fan_in, n = units * (bn ? 4 : 1) + nw;
    float *f = malloc(n * sizeof *f);
    *out = f;
    if (!f) return 0;
    float *b = f, *bnp = f + units, *w = f + units * (bn ? 4 : 1);
    if (r->type == FXQ_FXW_T_CONNECTED) w = f + units, bnp = f + units + nw;
    /* the bias code's value: quantizing it again gives the same code (when
     * it fits float's 24-bit mantissa), so pack -> unpack -> pack is exact */
    for (size_t u = 0; u < units; ++u) b[u] = fxq_dequantize(r->b_codes[u], r->b.frac);
    for (size_t i = 0; i < nw; ++i) w[i] = fxq_dequantize(r->w_codes[i], fxq_fxw_row_frac(r, (int)(i / r->fan_in)));
    for (size_t u = 0; bn && u < units; ++u) {
        bnp[u] = 1.f;
        bnp[units + u] = 0.f;
        bnp[2 * units + u] = FXQ_FXW_VAR_ONE;
    }
    return n;
}

/* --- packing ------------------------------------------------------------- */

/* Bias codes of a fixed-point layer in its b format: kept by the layer
 * beside the accumulator copy; checked against bias_acc all the same. */
static const char *fxq_bias_codes(layer *l, int64_t *codes)
{
    const struct fxq_layer_state *s = l->fxq;
    if (!s->b_codes) return "layer has no bias codes";
    memcpy(codes, s->b_codes, (size_t)s->units * sizeof *codes);
    for (int u = 0; u < s->units; ++u)
        if (fxq_fxw_bias_acc(codes[u], s->b, fxq_row_acc_frac(s, u)) != s->bias_acc[u])
            return "bias codes do not reproduce the layer's accumulator biases";
    return NULL;
}

/* Copies `n` floats from each of up to 5 arrays (NULL ends) into r->floats. */
static int fxq_float_record(fxq_fxw_record *r, const float *a[], const size_t n[], int parts)
{
    size_t total = 0;
    for (int i = 0; i < parts; ++i) total += n[i];
    r->floats = malloc(total ? total * sizeof(float) : 1);
    if (!r->floats) return 0;
    r->nfloats = total;
    size_t at = 0;
    for (int i = 0; i < parts; ++i) {
        memcpy(r->floats + at, a[i], n[i] * sizeof(float));
        at += n[i];
    }
    return 1;
}

fxq_fxw *fxq_fxw_from_network(network *net, char *why, size_t why_len)
{
    fxq_fxw *f = calloc(1, sizeof *f);
    if (!f || !(f->rec = calloc((size_t)net->n + 1, sizeof *f->rec))) {
        free(f);
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    f->net_layers = net->n;
    f->seen = net->seen ? (uint64_t)*net->seen : 0;
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        if (l->dontsave) continue;
        fxq_fxw_record *r = &f->rec[f->n];
        const char *bad = NULL;
        r->layer = i;
        r->bn = l->batch_normalize != 0;
        if (fxq_layer_is_fixed(l)) {
            struct fxq_layer_state *s = l->fxq;
            if (!s->prepared) fxq_layer_prepare(l);
            r->kind = FXQ_FXW_FIXED;
            r->type = l->type == FXCONVOLUTIONAL ? FXQ_FXW_T_CONV : FXQ_FXW_T_CONNECTED;
            r->units = s->units, r->fan_in = s->fan_in;
            r->w = s->w, r->b = s->b, r->in = s->in, r->out = s->out;
            const size_t nw = (size_t)s->units * s->fan_in;
            r->w_codes = malloc(nw * sizeof *r->w_codes);
            r->b_codes = malloc((size_t)s->units * sizeof *r->b_codes);
            if (s->w_fracs && (r->w_fracs = malloc((size_t)s->units * sizeof *r->w_fracs)))
                for (int u = 0; u < s->units; ++u) r->w_fracs[u] = (int16_t)s->w_fracs[u];
            if (!r->w_codes || !r->b_codes || (s->w_fracs && !r->w_fracs)) bad = "out of memory";
            else {
                memcpy(r->w_codes, s->w_codes, nw * sizeof *r->w_codes);
                bad = fxq_bias_codes(l, r->b_codes);
            }
        } else if (l->type == CONVOLUTIONAL || l->type == DECONVOLUTIONAL) {
            /* what save_convolutional_weights writes */
            const float *a[5] = {l->biases, l->scales, l->rolling_mean, l->rolling_variance, l->weights};
            const size_t n[5] = {(size_t)l->n, (size_t)l->n, (size_t)l->n, (size_t)l->n, (size_t)l->nweights};
            const float *a2[2] = {l->biases, l->weights};
            const size_t n2[2] = {(size_t)l->n, (size_t)l->nweights};
            r->kind = FXQ_FXW_FLOAT;
            r->type = l->type == CONVOLUTIONAL ? FXQ_FXW_T_CONV : FXQ_FXW_T_DECONV;
            if (!(r->bn ? fxq_float_record(r, a, n, 5) : fxq_float_record(r, a2, n2, 2))) bad = "out of memory";
        } else if (l->type == CONNECTED) {
            const size_t o = (size_t)l->outputs;
            const float *a[5] = {l->biases, l->weights, l->scales, l->rolling_mean, l->rolling_variance};
            const size_t n[5] = {o, o * l->inputs, o, o, o};
            r->kind = FXQ_FXW_FLOAT;
            r->type = FXQ_FXW_T_CONNECTED;
            if (!fxq_float_record(r, a, n, r->bn ? 5 : 2)) bad = "out of memory";
        } else if (l->type == BATCHNORM) {
            const float *a[3] = {l->scales, l->rolling_mean, l->rolling_variance};
            const size_t n[3] = {(size_t)l->c, (size_t)l->c, (size_t)l->c};
            r->kind = FXQ_FXW_FLOAT;
            r->type = FXQ_FXW_T_BATCHNORM;
            r->bn = 0;
            if (!fxq_float_record(r, a, n, 3)) bad = "out of memory";
        } else if (l->type == CRNN || l->type == RNN || l->type == LSTM || l->type == GRU || l->type == LOCAL) {
            bad = "this layer type is not supported in .fxw files";
        } else {
            continue; /* no weights */
        }
        ++f->n;
        if (bad) {
            snprintf(why, why_len, "layer %d [%s]: %s", i, fxq_layer_type_name(l->type), bad);
            fxq_fxw_free(f);
            return NULL;
        }
    }
    f->version = fxq_fxw_needed_version(f);
    return f;
}

/* --- unpacking ----------------------------------------------------------- */

int fxq_fxw_write_weights(const fxq_fxw *f, const char *path, char *why, size_t why_len)
{
    fxq_outfile o;
    if (!fxq_out_open(&o, path, why, why_len)) return 0;
    FILE *fp = o.f;
    /* save_weights' header: version 0.2.0, then images seen as size_t */
    const int version[3] = {0, 2, 0};
    const size_t seen = (size_t)f->seen;
    int ok = fwrite(version, sizeof(int), 3, fp) == 3 && fwrite(&seen, sizeof seen, 1, fp) == 1;
    for (int i = 0; ok && i < f->n; ++i) {
        const fxq_fxw_record *r = &f->rec[i];
        float *buf = NULL;
        size_t n = r->nfloats;
        if (r->kind == FXQ_FXW_FIXED) {
            n = fxq_fxw_fixed_floats(r, r->bn, &buf);
            ok = buf != NULL;
        }
        if (ok && n) ok = fwrite(buf ? buf : r->floats, sizeof(float), n, fp) == n;
        free(buf);
    }
    if (!ok) {
        snprintf(why, why_len, "%s: cannot write: %s", path, strerror(errno));
        fxq_out_abort(&o);
        return 0;
    }
    return fxq_out_commit(&o, why, why_len);
}

/* --- loading (the load_weights_upto hook) -------------------------------- */

/* Floats load_weights_upto reads for a float layer; -1 for types a .fxw
 * cannot hold. */
static long fxq_float_count(const layer *l)
{
    switch (l->type) {
    case CONVOLUTIONAL:
    case DECONVOLUTIONAL:
    case CONNECTED:
    case BATCHNORM:
    case FXCONVOLUTIONAL:
    case FXCONNECTED: return (long)fxq_layer_weight_floats(l);
    default: return -1;
    }
}

static int fxq_has_weights(const layer *l) { return fxq_layer_weight_floats(l) > 0; }

static int fxq_type_matches(const layer *l, int t)
{
    switch (l->type) {
    case CONVOLUTIONAL:
    case FXCONVOLUTIONAL: return t == FXQ_FXW_T_CONV;
    case CONNECTED:
    case FXCONNECTED: return t == FXQ_FXW_T_CONNECTED;
    case DECONVOLUTIONAL: return t == FXQ_FXW_T_DECONV;
    case BATCHNORM: return t == FXQ_FXW_T_BATCHNORM;
    default: return 0;
    }
}

/* Hands an upstream float record to the layer's own reader. */
static const char *fxq_load_float_record(layer *l, float *floats, size_t n, const char *file, int index)
{
    if ((long)n != fxq_float_count(l)) return "record size does not match the cfg's layer";
    /* the same rule as fxq_weights_finite for .weights: refuse, don't run */
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(floats[i]) || fabsf(floats[i]) > 1e15f) return "NaN, Inf or |x| > 1e15 in a float record";
    FILE *mf = fmemopen(floats, n * sizeof(float), "rb");
    if (!mf) return "fmemopen failed";
    switch (l->type) {
    case CONVOLUTIONAL:
    case DECONVOLUTIONAL: load_convolutional_weights(*l, mf); break;
    case CONNECTED: load_connected_weights(*l, mf, 0); break;
    case BATCHNORM: load_batchnorm_weights(*l, mf); break;
    case FXCONVOLUTIONAL:
    case FXCONNECTED: fxq_load_weights(l, mf, file, index, 0); break;
    default: break;
    }
    fclose(mf);
    return NULL;
}

/* Installs the codes of a fixed record: what fxq_load_weights computes from
 * the float record, without the floats. */
static const char *fxq_load_fixed_record(layer *l, const fxq_fxw_record *r, char *msg, size_t msg_len)
{
    struct fxq_layer_state *s = l->fxq;
    if (r->units != s->units || r->fan_in != s->fan_in) {
        snprintf(msg, msg_len, "file has %d x %d weights, cfg's layer has %d x %d", r->units, r->fan_in, s->units,
                 s->fan_in);
        return msg;
    }
    if (!s->w_fracs != !r->w_fracs)
        return s->w_fracs ? "the cfg has per-channel weight formats (a w_frac list), the file one per layer: pack again "
                            "with this cfg"
                          : "the file has per-channel weight formats, the cfg one per layer: pack again with this cfg";
    for (int u = 0; s->w_fracs && u < s->units; ++u)
        if (r->w_fracs[u] != s->w_fracs[u]) {
            snprintf(msg, msg_len, "packed with w_frac %d for channel %d, cfg says %d: pack again with this cfg",
                     r->w_fracs[u], u, s->w_fracs[u]);
            return msg;
        }
    if (r->w.bits != s->w.bits || r->w.frac != s->w.frac || r->b.bits != s->b.bits || r->b.frac != s->b.frac) {
        snprintf(msg, msg_len, "packed with w %d.%d b %d.%d, cfg says w %d.%d b %d.%d: pack again with this cfg",
                 r->w.bits, r->w.frac, r->b.bits, r->b.frac, s->w.bits, s->w.frac, s->b.bits, s->b.frac);
        return msg;
    }
    const size_t nw = (size_t)s->units * s->fan_in;
    if (!fxq_layer_install_codes(s, r->w_codes, r->b_codes)) return "out of memory";
    if (!s->keep_float) {
        fxq_layer_drop_float(l);
    } else if (l->weights) {
        /* float buffers hold what the unpacked file would give them */
        float *f;
        const int bn = l->batch_normalize && !l->dontloadscales;
        const size_t n = fxq_fxw_fixed_floats(r, bn, &f);
        if (!f) return "out of memory";
        const size_t u = (size_t)s->units;
        const float *w = f + (r->type == FXQ_FXW_T_CONNECTED ? u : u * (bn ? 4 : 1));
        const float *bnp = r->type == FXQ_FXW_T_CONNECTED ? f + u + nw : f + u;
        memcpy(l->biases, f, u * sizeof *f);
        memcpy(l->weights, w, nw * sizeof *f);
        if (bn) {
            memcpy(l->scales, bnp, u * sizeof *f);
            memcpy(l->rolling_mean, bnp + u, u * sizeof *f);
            memcpy(l->rolling_variance, bnp + 2 * u, u * sizeof *f);
        }
        (void)n;
        free(f);
    }
    return NULL;
}

static const char *fxq_apply_record(layer *l, const fxq_fxw_record *r, const char *file, int index, char *msg,
                                    size_t msg_len)
{
    if (!fxq_has_weights(l)) {
        snprintf(msg, msg_len, "file has %s weights for it, cfg's layer is [%s]", fxq_fxw_type_name(r->type),
                 fxq_layer_type_name(l->type));
        return msg;
    }
    if (!r) return "the file has no weights for this layer";
    if (fxq_float_count(l) < 0) return "this layer type is not supported in .fxw files";
    if (!fxq_type_matches(l, r->type)) {
        snprintf(msg, msg_len, "file has %s weights, cfg's layer is [%s]", fxq_fxw_type_name(r->type),
                 fxq_layer_type_name(l->type));
        return msg;
    }
    if (r->kind == FXQ_FXW_FLOAT) return fxq_load_float_record(l, r->floats, r->nfloats, file, index);
    if (l->type == FXCONVOLUTIONAL || l->type == FXCONNECTED) return fxq_load_fixed_record(l, r, msg, msg_len);
    /* a float layer takes the dequantized values, as from the unpacked file */
    const int bn = l->batch_normalize && !l->dontloadscales;
    if (l->type == CONVOLUTIONAL && (l->n != r->units || l->groups != 1 || l->c * l->size * l->size != r->fan_in))
        return "fixed record does not match the cfg's layer shape";
    float *f;
    const size_t n = fxq_fxw_fixed_floats(r, bn, &f);
    if (!f) return "out of memory";
    const char *bad = fxq_load_float_record(l, f, n, file, index);
    free(f);
    return bad;
}

static void fxq_fxw_die(const char *file, int index, const layer *l, const char *why)
{
    if (index < 0) fprintf(stderr, "\n%s\n", why);
    else fprintf(stderr, "\n%s: layer %d [%s]: %s\n", file, index, fxq_layer_type_name(l->type), why);
    exit(1);
}

void fxq_load_fxw(network *net, FILE *fp, const char *filename, int start, int cutoff)
{
    char why[512], msg[256];
    fxq_fxw *f = fxq_fxw_read_fp(fp, filename, why, sizeof why);
    if (!f) fxq_fxw_die(filename, -1, NULL, why);
    if (f->net_layers != net->n) {
        snprintf(why, sizeof why, "%s: packed for a cfg with %d layers, this cfg has %d", filename, f->net_layers,
                 net->n);
        fxq_fxw_die(filename, -1, NULL, why);
    }
    if (net->seen) *net->seen = (size_t)f->seen;
    int k = 0;
    for (int i = 0; i < net->n; ++i) {
        layer *l = &net->layers[i];
        const fxq_fxw_record *r = k < f->n && f->rec[k].layer == i ? &f->rec[k++] : NULL;
        if (i < start || i >= cutoff || l->dontload) continue;
        if (!r && !fxq_has_weights(l)) continue;
        const char *bad = fxq_apply_record(l, r, filename, i, msg, sizeof msg);
        if (bad) fxq_fxw_die(filename, i, l, bad);
    }
    fxq_fxw_free(f);
}
