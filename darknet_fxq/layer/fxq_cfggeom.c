/* Shapes through the network, as parse_network_cfg computes them: every
 * layer's output must be positive and small enough that Darknet's int sizes
 * and its callocs hold; route/shortcut indices must name earlier layers; the
 * detection layers' assert(outputs == inputs) must hold. */
#include <stdlib.h>
#include <string.h>

#include "fxq_cfgkeys.h"
#include "fxq_fixed_rule.h"

#define MAXE FXQ_CFG_MAX_ELEMS

static int64_t fxq_mul(int64_t a, int64_t b) /* saturating: sizes here are >= 0 */
{
    if (a <= 0 || b <= 0) return a < 0 || b < 0 ? -1 : 0;
    return a > MAXE * 4 / b ? MAXE * 4 : a * b;
}

/* Darknet's parse_* functions that need an image input error() otherwise. */
static int fxq_need_image(fxq_ck *k, const fxq_sec *s, int index, const fxq_shape *in)
{
    if (in->h > 0 && in->w > 0 && in->c > 0) return 1;
    return fxq_cfg_fail(k, s->line, "[%s] (layer %d) needs an image input, but its input is %lldx%lldx%lld",
                        s->spec->name, index, (long long)in->h, (long long)in->w, (long long)in->c);
}

static int fxq_too_big(fxq_ck *k, const fxq_sec *s, int index, const char *what, int64_t n)
{
    if (n <= MAXE) return 0;
    fxq_cfg_fail(k, s->line, "[%s] (layer %d): %s is too large (%lld elements, limit %lld)", s->spec->name, index,
                 what, (long long)n, (long long)MAXE);
    return 1;
}

/* out = (in + pad_total - size) / stride + 1 >= 1 */
static int fxq_window(fxq_ck *k, const fxq_sec *s, int index, int64_t in, int64_t pad_total, long size, long stride,
                      int64_t *out)
{
    if (in + pad_total < size)
        return fxq_cfg_fail(k, s->line,
                            "[%s] (layer %d): size=%ld is larger than its input %lld plus padding %lld: no output",
                            s->spec->name, index, size, (long long)in, (long long)pad_total);
    *out = (in + pad_total - size) / stride + 1;
    return 1;
}

static int fxq_conv(fxq_ck *k, const fxq_sec *s, int index, fxq_shape *io)
{
    if (!fxq_need_image(k, s, index, io)) return 0;
    const long n = fxq_cfg_get_int(s, "filters", 1), size = fxq_cfg_get_int(s, "size", 1);
    const long stride = fxq_cfg_get_int(s, "stride", 1), groups = fxq_cfg_get_int(s, "groups", 1);
    const long pad = fxq_cfg_get_int(s, "pad", 0) ? size / 2 : fxq_cfg_get_int(s, "padding", 0);
    const int deconv = s->spec->kind == FXQ_SEC_DECONV, local = s->spec->kind == FXQ_SEC_LOCAL;
    if (io->c % groups || n % groups)
        return fxq_cfg_fail(k, s->line, "[%s] (layer %d): groups=%ld must divide channels %lld and filters=%ld",
                            s->spec->name, index, groups, (long long)io->c, n);
    if (fxq_cfg_get_int(s, "numload", 0) > n)
        return fxq_cfg_fail(k, s->line, "[%s] (layer %d): numload=%ld exceeds filters=%ld", s->spec->name, index,
                            fxq_cfg_get_int(s, "numload", 0), n);
    int64_t oh = 0, ow = 0;
    if (deconv) {
        oh = (io->h - 1) * stride + size - 2 * pad;
        ow = (io->w - 1) * stride + size - 2 * pad;
        if (oh < 1 || ow < 1)
            return fxq_cfg_fail(k, s->line, "[%s] (layer %d): padding %ld leaves no output", s->spec->name, index, pad);
    } else if (local) {
        const int p = fxq_cfg_get_int(s, "pad", 0) != 0;
        if (!p && (io->h < size || io->w < size))
            return fxq_cfg_fail(k, s->line, "[%s] (layer %d): size=%ld is larger than its input %lldx%lld",
                                s->spec->name, index, size, (long long)io->h, (long long)io->w);
        oh = (p ? io->h - 1 : io->h - size) / stride + 1;
        ow = (p ? io->w - 1 : io->w - size) / stride + 1;
    } else if (!fxq_window(k, s, index, io->h, 2 * pad, size, stride, &oh) ||
               !fxq_window(k, s, index, io->w, 2 * pad, size, stride, &ow)) {
        return 0;
    }
    const int64_t kk = fxq_mul(fxq_mul(io->c / groups, size), size);
    const int64_t weights = fxq_mul(fxq_mul(kk, n), local ? fxq_mul(oh, ow) : 1);
    if (fxq_too_big(k, s, index, "the weight count", weights) ||
        fxq_too_big(k, s, index, "the im2col workspace", fxq_mul(fxq_mul(oh, ow), kk)))
        return 0;
    io->h = oh;
    io->w = ow;
    io->c = n;
    io->outputs = fxq_mul(fxq_mul(oh, ow), n);
    return 1;
}

static int fxq_fx_keys(fxq_ck *k, const fxq_sec *s, int index)
{
    static const char *const need[] = {"w_bits", "w_frac", "in_bits", "in_frac", "out_bits", "out_frac"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; ++i)
        if (!fxq_cfg_get(s, need[i]))
            return fxq_cfg_fail(k, s->line, "[%s] (layer %d): missing key '%s'", s->spec->name, index, need[i]);
    /* the same rule and words as the parsed layer (fxq_layer_fixed_ok) */
    const char *act = fxq_cfg_get(s, "activation");
    char why[256];
    if (!fxq_fixed_rule(act ? act : "logistic", s->spec->kind == FXQ_SEC_FXCONV, fxq_cfg_get_int(s, "groups", 1),
                        fxq_cfg_get_int(s, "binary", 0) != 0, fxq_cfg_get_int(s, "xnor", 0) != 0,
                        fxq_cfg_get_int(s, "size", 1), fxq_cfg_get_int(s, "stride", 1), why, sizeof why))
        return fxq_cfg_fail(k, s->line, "layer %d [%s]: %s", index, s->spec->name, why);
    return 1;
}

/* An index as parse_route/parse_shortcut resolve it: negative = relative. */
static int fxq_index(fxq_ck *k, const fxq_sec *s, int index, const char *key, long v, int *out)
{
    const long r = v < 0 ? index + v : v;
    if (r < 0 || r >= index)
        return fxq_cfg_fail(k, s->line, "[%s] (layer %d): %s=%ld names layer %ld; only layers 0..%d come before it",
                            s->spec->name, index, key, v, r, index - 1);
    *out = (int)r;
    return 1;
}

static int fxq_route(fxq_ck *k, const fxq_sec *s, int index, fxq_shape *io)
{
    const char *v = fxq_cfg_get(s, "layers");
    if (!v) return fxq_cfg_fail(k, s->line, "[route] (layer %d): missing key 'layers'", index);
    fxq_shape r = {0, 0, 0, 0};
    for (int first = 1;; first = 0) {
        long x = strtol(v, NULL, 10); /* the list was validated */
        int j = 0;
        if (!fxq_index(k, s, index, "layers", x, &j)) return 0;
        const fxq_shape *o = &k->out[j];
        if (first) r = *o;
        else if (o->w == r.w && o->h == r.h) r.c += o->c;
        else r.h = r.w = r.c = 0;
        r.outputs += o->outputs;
        if (!(v = strchr(v, ','))) break;
        ++v;
    }
    *io = r;
    return 1;
}

static int fxq_shortcut(fxq_ck *k, const fxq_sec *s, int index, fxq_shape *io)
{
    const char *v = fxq_cfg_get(s, "from");
    int j = 0;
    if (!v) return fxq_cfg_fail(k, s->line, "[shortcut] (layer %d): missing key 'from'", index);
    if (!fxq_index(k, s, index, "from", strtol(v, NULL, 10), &j)) return 0;
    const fxq_shape *f = &k->out[j];
    /* shortcut_cpu divides by both widths and asserts the ratios agree */
    if (f->w < 1 || f->h < 1 || f->c < 1 || io->w < 1 || io->h < 1 || io->c < 1 || f->w / io->w != f->h / io->h ||
        io->w / f->w != io->h / f->h)
        return fxq_cfg_fail(k, s->line, "[shortcut] (layer %d): from=%s (%lldx%lldx%lld) cannot be added to its "
                            "input %lldx%lldx%lld", index, v, (long long)f->w, (long long)f->h, (long long)f->c,
                            (long long)io->w, (long long)io->h, (long long)io->c);
    return 1;
}

/* [region]/[yolo]/[detection]/[iseg] assert their size equals their input. */
static int fxq_detect(fxq_ck *k, const fxq_sec *s, int index, fxq_shape *io)
{
    const long classes = fxq_cfg_get_int(s, "classes", 20), num = fxq_cfg_get_int(s, "num", 1);
    int64_t want;
    switch (s->spec->kind) {
    case FXQ_SEC_REGION: want = io->h * io->w * num * (classes + fxq_cfg_get_int(s, "coords", 4) + 1); break;
    case FXQ_SEC_YOLO: {
        const char *mask = fxq_cfg_get(s, "mask"), *a = fxq_cfg_get(s, "anchors");
        long n = num;
        if (mask) {
            n = 1;
            for (const char *p = mask; *p; ++p) n += *p == ',';
            for (const char *p = mask; p; p = strchr(p, ','), p = p ? p + 1 : p)
                if (strtol(p, NULL, 10) >= num)
                    return fxq_cfg_fail(k, s->line, "[yolo] (layer %d): mask entry %ld is not below num=%ld", index,
                                        strtol(p, NULL, 10), num);
        }
        long na = 1;
        for (const char *p = a; p && *p; ++p) na += *p == ',';
        if (a && na < 2 * num)
            return fxq_cfg_fail(k, s->line, "[yolo] (layer %d): anchors has %ld numbers, num=%ld needs %ld", index,
                                na, num, 2 * num);
        want = io->h * io->w * n * (classes + 4 + 1);
        break;
    }
    case FXQ_SEC_DETECTION: {
        const long side = fxq_cfg_get_int(s, "side", 7);
        want = (int64_t)side * side * ((1 + fxq_cfg_get_int(s, "coords", 1)) * num + classes);
        break;
    }
    default: want = io->h * io->w * (classes + fxq_cfg_get_int(s, "ids", 32)); break;
    }
    if (want != io->outputs)
        return fxq_cfg_fail(k, s->line, "[%s] (layer %d): its keys give %lld outputs but its input has %lld",
                            s->spec->name, index, (long long)want, (long long)io->outputs);
    return 1;
}

static int fxq_shape_of(fxq_ck *k, const fxq_sec *s, int index, fxq_shape *io)
{
    long v;
    switch (s->spec->kind) {
    case FXQ_SEC_FXCONV:
        if (!fxq_fx_keys(k, s, index)) return 0;
        /* fall through */
    case FXQ_SEC_CONV:
    case FXQ_SEC_DECONV:
    case FXQ_SEC_LOCAL: return fxq_conv(k, s, index, io);
    case FXQ_SEC_FXCONN:
        if (!fxq_fx_keys(k, s, index)) return 0;
        /* fall through */
    case FXQ_SEC_CONN:
    case FXQ_SEC_RNN:
    case FXQ_SEC_GRU:
    case FXQ_SEC_LSTM:
        v = fxq_cfg_get_int(s, "output", 1);
        if (fxq_too_big(k, s, index, "inputs x output", fxq_mul(io->outputs, v))) return 0;
        *io = (fxq_shape){1, 1, v, v};
        return 1;
    case FXQ_SEC_CRNN:
        if (!fxq_need_image(k, s, index, io)) return 0;
        v = fxq_cfg_get_int(s, "output_filters", 1);
        io->c = v;
        io->outputs = fxq_mul(fxq_mul(io->h, io->w), v);
        return 1;
    case FXQ_SEC_MAXPOOL: {
        if (!fxq_need_image(k, s, index, io)) return 0;
        const long stride = fxq_cfg_get_int(s, "stride", 1), size = fxq_cfg_get_int(s, "size", stride);
        const long pad = fxq_cfg_get_int(s, "padding", size - 1);
        if (!fxq_window(k, s, index, io->h, pad, size, stride, &io->h) ||
            !fxq_window(k, s, index, io->w, pad, size, stride, &io->w))
            return 0;
        io->outputs = fxq_mul(fxq_mul(io->h, io->w), io->c);
        return 1;
    }
    case FXQ_SEC_AVGPOOL:
        if (!fxq_need_image(k, s, index, io)) return 0;
        *io = (fxq_shape){1, 1, io->c, io->c};
        return 1;
    case FXQ_SEC_SOFTMAX:
        v = fxq_cfg_get_int(s, "groups", 1);
        if (io->outputs % v)
            return fxq_cfg_fail(k, s->line, "[softmax] (layer %d): groups=%ld does not divide its %lld inputs", index,
                                v, (long long)io->outputs);
        return 1;
    case FXQ_SEC_COST: io->h = io->w = io->c = 0; return 1;
    case FXQ_SEC_ROUTE: return fxq_route(k, s, index, io);
    case FXQ_SEC_SHORTCUT: return fxq_shortcut(k, s, index, io);
    case FXQ_SEC_NORMALIZATION:
    case FXQ_SEC_BATCHNORM: return fxq_need_image(k, s, index, io);
    case FXQ_SEC_CROP: {
        if (!fxq_need_image(k, s, index, io)) return 0;
        const long ch = fxq_cfg_get_int(s, "crop_height", 1), cw = fxq_cfg_get_int(s, "crop_width", 1);
        if (ch > io->h || cw > io->w)
            return fxq_cfg_fail(k, s->line, "[crop] (layer %d): %ldx%ld crop of a %lldx%lld input", index, cw, ch,
                                (long long)io->w, (long long)io->h);
        io->h = ch;
        io->w = cw;
        io->outputs = fxq_mul(fxq_mul(ch, cw), io->c);
        return 1;
    }
    case FXQ_SEC_UPSAMPLE:
        v = fxq_cfg_get_int(s, "stride", 2);
        if (!v) return fxq_cfg_fail(k, s->line, "[upsample] (layer %d): stride=0", index);
        if (!fxq_need_image(k, s, index, io)) return 0;
        if (v > 0) io->h = fxq_mul(io->h, v), io->w = fxq_mul(io->w, v);
        else if (io->h % -v || io->w % -v)
            return fxq_cfg_fail(k, s->line, "[upsample] (layer %d): stride=%ld does not divide %lldx%lld", index, v,
                                (long long)io->w, (long long)io->h);
        else io->h /= -v, io->w /= -v;
        io->outputs = fxq_mul(fxq_mul(io->h, io->w), io->c);
        return 1;
    case FXQ_SEC_REORG:
        v = fxq_cfg_get_int(s, "stride", 1);
        if (!fxq_need_image(k, s, index, io)) return 0;
        if (fxq_cfg_get_int(s, "reverse", 0) ? io->c % (v * v) != 0 : io->h % v || io->w % v)
            return fxq_cfg_fail(k, s->line, "[reorg] (layer %d): stride=%ld does not divide its %lldx%lldx%lld input",
                                index, v, (long long)io->w, (long long)io->h, (long long)io->c);
        if (fxq_cfg_get_int(s, "extra", 0)) { /* make_reorg_layer: no image shape */
            *io = (fxq_shape){0, 0, 0, io->outputs + fxq_cfg_get_int(s, "extra", 0)};
            return 1;
        }
        if (fxq_cfg_get_int(s, "reverse", 0)) *io = (fxq_shape){io->h * v, io->w * v, io->c / (v * v), io->outputs};
        else *io = (fxq_shape){io->h / v, io->w / v, io->c * v * v, io->outputs};
        return 1;
    case FXQ_SEC_REGION:
    case FXQ_SEC_YOLO:
    case FXQ_SEC_DETECTION:
    case FXQ_SEC_ISEG: return fxq_detect(k, s, index, io);
    default: return 1; /* dropout, activation, l2norm, logistic: shape kept */
    }
}

int fxq_cfgcheck_layer(fxq_ck *k, int index, fxq_shape *io)
{
    const fxq_sec *s = &k->sec[index + 1];
    if (!fxq_shape_of(k, s, index, io)) return 0;
    if (io->outputs < 1)
        return fxq_cfg_fail(k, s->line, "[%s] (layer %d) has no outputs", s->spec->name, index);
    if (fxq_too_big(k, s, index, "the output (x batch)", fxq_mul(io->outputs, k->batch))) return 0;
    k->out[index] = *io;
    return 1;
}
