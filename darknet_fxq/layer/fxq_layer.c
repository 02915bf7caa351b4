/* Parsing of the fixed-point layer sections (the hook in parser.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_walk.h"
#include "fxq_layer_train.h"
#include "option_list.h"

static void fxq_die(const char *cfg, int index, LAYER_TYPE type, const char *why)
{
    fprintf(stderr, "%s: layer %d [%s]: %s\n", cfg, index, fxq_layer_type_name(type), why);
    exit(1);
}

/* Strict integer: the whole value must parse (Darknet's atoi takes "8x"). */
static int fxq_key_int(list *options, const char *key, int have_default, int def, int *out,
                       const char *cfg, int index, LAYER_TYPE type)
{
    char *v = option_find(options, (char *)key);
    char msg[160];
    if (!v) {
        if (have_default) {
            *out = def;
            return 0;
        }
        snprintf(msg, sizeof msg, "missing key '%s'", key);
        fxq_die(cfg, index, type, msg);
    }
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t') ++end;
    if (errno || end == v || *end || x < -1000 || x > 1000) {
        snprintf(msg, sizeof msg, "key '%s': '%s' is not an integer", key, v);
        fxq_die(cfg, index, type, msg);
    }
    *out = (int)x;
    return 1;
}

static void fxq_check_format(fxq_format f, const char *name, int max_bits, const char *cfg, int index,
                             LAYER_TYPE type)
{
    char msg[160];
    if (f.bits < FXQ_MIN_BITS || f.bits > max_bits) {
        snprintf(msg, sizeof msg, "%s_bits=%d outside the supported %d..%d", name, f.bits, FXQ_MIN_BITS, max_bits);
        fxq_die(cfg, index, type, msg);
    }
    if (f.frac < -32 || f.frac > 48) {
        snprintf(msg, sizeof msg, "%s_frac=%d outside -32..48", name, f.frac);
        fxq_die(cfg, index, type, msg);
    }
}

void fxq_attach_layer(layer *l, LAYER_TYPE type, list *options, const char *cfgfile, int index)
{
    struct fxq_layer_state *s = calloc(1, sizeof *s);
    if (!s) fxq_die(cfgfile, index, type, "out of memory");

    fxq_key_int(options, "w_bits", 0, 0, &s->w.bits, cfgfile, index, type);
    fxq_key_int(options, "w_frac", 0, 0, &s->w.frac, cfgfile, index, type);
    fxq_key_int(options, "in_bits", 0, 0, &s->in.bits, cfgfile, index, type);
    fxq_key_int(options, "in_frac", 0, 0, &s->in.frac, cfgfile, index, type);
    fxq_key_int(options, "out_bits", 0, 0, &s->out.bits, cfgfile, index, type);
    fxq_key_int(options, "out_frac", 0, 0, &s->out.frac, cfgfile, index, type);
    /* bits 0 = float (not quantized): fxq_layer_train.h, fake quantization only */
    if (s->w.bits) fxq_check_format(s->w, "w", FXQ_MAX_BITS, cfgfile, index, type);
    if (s->in.bits) fxq_check_format(s->in, "in", FXQ_MAX_BITS, cfgfile, index, type);
    if (s->out.bits) fxq_check_format(s->out, "out", FXQ_MAX_BITS, cfgfile, index, type);
    fxq_key_int(options, "b_bits", 1, 32, &s->b.bits, cfgfile, index, type);
    fxq_key_int(options, "b_frac", 1, s->w.frac + s->in.frac, &s->b.frac, cfgfile, index, type);
    fxq_check_format(s->b, "b", 32, cfgfile, index, type);

    const char *mode = option_find(options, "fxq_mode");
    if (!mode) mode = "int";
    const char *env = getenv("FXQ_MODE");
    if (env && *env) mode = env;
    if (!strcmp(mode, "int")) s->mode = FXQ_MODE_INT;
    else if (!strcmp(mode, "emulate")) s->mode = FXQ_MODE_EMULATE;
    else fxq_die(cfgfile, index, type, "fxq_mode must be 'int' or 'emulate'");

    char why[160];
    if (!fxq_layer_fixed_ok(l, why, sizeof why)) fxq_die(cfgfile, index, type, why);
    s->act = l->activation == RELU ? FXQ_ACT_RELU : l->activation == LEAKY ? FXQ_ACT_LEAKY : FXQ_ACT_LINEAR;
    s->keep_float = fxq_layer_keep_float_default();
    s->units = type == FXCONNECTED ? l->outputs : l->n;
    s->fan_in = type == FXCONNECTED ? l->inputs : l->c * l->size * l->size;

    l->type = type;
    l->fxq = s;
    l->forward = forward_fxq_layer;
    l->backward = 0;
    l->update = 0;
    if (fxq_training() || fxq_has_float(s)) fxq_layer_train_attach(l);
    fprintf(stderr, "      fixed point: w %d.%d  in %d.%d  out %d.%d  b %d.%d  (%s%s)\n", s->w.bits, s->w.frac,
            s->in.bits, s->in.frac, s->out.bits, s->out.frac, s->b.bits, s->b.frac,
            fxq_has_float(s) ? "float parts: emulate" : s->mode == FXQ_MODE_INT ? "int" : "emulate",
            s->train ? ", trainable" : "");
}
