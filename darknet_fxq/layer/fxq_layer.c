/* Parsing of the fixed-point layer sections (the hook in parser.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_layer_kind.h"
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

/* w_frac: one integer, or a comma list of exactly `units` (per channel). */
static void fxq_key_w_frac(list *options, struct fxq_layer_state *s, const char *cfg, int index, LAYER_TYPE type)
{
    char *v = option_find(options, "w_frac");
    if (!v) fxq_die(cfg, index, type, "missing key 'w_frac'");
    if (!strchr(v, ',')) {
        fxq_key_int(options, "w_frac", 0, 0, &s->w.frac, cfg, index, type);
        return;
    }
    char msg[200];
    int n = 1;
    for (const char *c = v; *c; ++c) n += *c == ',';
    if (n != s->units) {
        snprintf(msg, sizeof msg, "key 'w_frac' lists %d values, the layer has %d %s", n, s->units,
                 type == FXCONNECTED ? "outputs" : "filters");
        fxq_die(cfg, index, type, msg);
    }
    if (!(s->w_fracs = malloc((size_t)n * sizeof *s->w_fracs)) ||
        !(s->row_shift = malloc((size_t)n * sizeof *s->row_shift)))
        fxq_die(cfg, index, type, "out of memory");
    const char *c = v;
    for (int i = 0; i < n; ++i) {
        char *end;
        errno = 0;
        long x = strtol(c, &end, 10);
        while (*end == ' ' || *end == '\t') ++end;
        if (errno || end == c || (*end && *end != ',') || x < -1000 || x > 1000) {
            snprintf(msg, sizeof msg, "key 'w_frac': value %d of the list is not an integer", i + 1);
            fxq_die(cfg, index, type, msg);
        }
        s->w_fracs[i] = (int)x;
        if (i == 0 || x < s->w.frac) s->w.frac = (int)x;
        c = *end ? end + 1 : end;
    }
}

/* in_zero / out_zero: the unsigned code of the value 0 (TFLite's zero
 * point), 0 .. 2^bits - 1, i.e. the window of codes -Z .. 2^bits - 1 - Z.
 * Returns 1 with the window's lowest code in *lo when the key is there. */
static int fxq_key_zero(list *options, const char *key, fxq_format f, int *lo, const char *cfg, int index,
                        LAYER_TYPE type)
{
    const char *v = option_find(options, (char *)key);
    char msg[200];
    if (!v) return 0;
    char *end;
    errno = 0;
    const long x = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t') ++end;
    if (errno || end == v || *end) {
        snprintf(msg, sizeof msg, "key '%s': '%s' is not an integer", key, v);
        fxq_die(cfg, index, type, msg);
    }
    if (f.bits < 2 || f.bits > 15) {
        snprintf(msg, sizeof msg, "%s needs %s_bits 2..15 (got %d): the kernels hold a window in 16-bit codes", key,
                 key[0] == 'i' ? "in" : "out", f.bits);
        fxq_die(cfg, index, type, msg);
    }
    if (x < 0 || x > (1L << f.bits) - 1) {
        snprintf(msg, sizeof msg, "%s=%ld: the window of %d-bit codes must hold 0 (0 .. %ld)", key, x, f.bits,
                 (1L << f.bits) - 1);
        fxq_die(cfg, index, type, msg);
    }
    *lo = -(int)x;
    return 1;
}

void fxq_attach_layer(layer *l, LAYER_TYPE type, list *options, const char *cfgfile, int index)
{
    struct fxq_layer_state *s = calloc(1, sizeof *s);
    if (!s || !(s->cfg = strdup(cfgfile ? cfgfile : "(cfg)"))) fxq_die(cfgfile, index, type, "out of memory");
    s->index = index;
    const char *trainer = fxq_untrainable_command();
    if (trainer) {
        char msg[256];
        snprintf(msg, sizeof msg, "`%s` cannot train a fixed-point layer: use `darknet classifier train` or "
                                  "`darknet fxq finetune`, or train the float cfg", trainer);
        fxq_die(cfgfile, index, type, msg);
    }

    fxq_key_int(options, "w_bits", 0, 0, &s->w.bits, cfgfile, index, type);
    s->units = type == FXCONNECTED ? l->outputs : l->n;
    s->fan_in = type == FXCONNECTED ? l->inputs : l->c * l->size * l->size;
    fxq_key_w_frac(options, s, cfgfile, index, type);
    fxq_key_int(options, "in_bits", 0, 0, &s->in.bits, cfgfile, index, type);
    fxq_key_int(options, "in_frac", 0, 0, &s->in.frac, cfgfile, index, type);
    fxq_key_int(options, "out_bits", 0, 0, &s->out.bits, cfgfile, index, type);
    fxq_key_int(options, "out_frac", 0, 0, &s->out.frac, cfgfile, index, type);
    /* bits 0 = float (not quantized): fxq_layer_train.h, fake quantization only */
    if (s->w.bits) fxq_check_format(s->w, "w", FXQ_MAX_BITS, cfgfile, index, type);
    for (int u = 0; s->w.bits && s->w_fracs && u < s->units; ++u)
        fxq_check_format((fxq_format){s->w.bits, s->w_fracs[u]}, "w", FXQ_MAX_BITS, cfgfile, index, type);
    if (s->in.bits) fxq_check_format(s->in, "in", FXQ_MAX_BITS, cfgfile, index, type);
    if (s->out.bits) fxq_check_format(s->out, "out", FXQ_MAX_BITS, cfgfile, index, type);
    fxq_key_int(options, "b_bits", 1, 32, &s->b.bits, cfgfile, index, type);
    fxq_key_int(options, "b_frac", 1, s->w.frac + s->in.frac, &s->b.frac, cfgfile, index, type);
    fxq_check_format(s->b, "b", 32, cfgfile, index, type);
    fxq_key_int(options, "in_unsigned", 1, 0, &s->in_unsigned, cfgfile, index, type);
    if (s->in_unsigned != 0 && s->in_unsigned != 1) fxq_die(cfgfile, index, type, "in_unsigned must be 0 or 1");
    if (s->in_unsigned && s->in.bits > 15) fxq_die(cfgfile, index, type, "in_unsigned=1 needs in_bits <= 15");
    fxq_key_int(options, "out_unsigned", 1, 0, &s->out_unsigned, cfgfile, index, type);
    if (s->out_unsigned != 0 && s->out_unsigned != 1) fxq_die(cfgfile, index, type, "out_unsigned must be 0 or 1");
    if (s->out_unsigned && s->out.bits > 15) fxq_die(cfgfile, index, type, "out_unsigned=1 needs out_bits <= 15");

    int lo = 0, zero_keys = 0;
    if (fxq_key_zero(options, "in_zero", s->in, &lo, cfgfile, index, type)) {
        ++zero_keys;
        /* the input codes are a range only: 0 is unsigned, 2^(bits-1) signed */
        if (s->in_unsigned) fxq_die(cfgfile, index, type, "in_zero and in_unsigned=1 both given (in_unsigned is in_zero=0)");
        if (lo == 0) s->in_unsigned = 1;
        else if (lo != fxq_code_min(s->in.bits)) s->in_win = 1, s->in_lo = lo;
    }
    if (fxq_key_zero(options, "out_zero", s->out, &lo, cfgfile, index, type)) {
        ++zero_keys;
        if (s->out_unsigned)
            fxq_die(cfgfile, index, type, "out_zero and out_unsigned=1 both given (out_unsigned is out_zero=0)");
        s->out_win = 1, s->out_lo = lo;
    }

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
    if (s->out_unsigned && s->act != FXQ_ACT_RELU) fxq_die(cfgfile, index, type, "out_unsigned=1 needs activation=relu");
    /* out_zero with relu at 0 is out_unsigned=1, with linear at 2^(bits-1)
     * the plain signed output (the same codes either way) */
    if (s->out_win && ((s->act == FXQ_ACT_RELU && s->out_lo == 0) ||
                       (s->act == FXQ_ACT_LINEAR && s->out_lo == fxq_code_min(s->out.bits))))
        s->out_unsigned = s->act == FXQ_ACT_RELU, s->out_win = 0, s->out_lo = 0;
    if (zero_keys && fxq_has_float(s))
        fxq_die(cfgfile, index, type, "zero points (in_zero/out_zero windows) need integer formats: w_bits, in_bits "
                                      "and out_bits above 0");
    s->keep_float = fxq_layer_keep_float_default();

    l->type = type;
    l->fxq = s;
    l->forward = forward_fxq_layer;
    l->backward = 0;
    l->update = 0;
    if (fxq_training() || fxq_has_float(s)) fxq_layer_train_attach(l);
    char iz[24] = "", oz[24] = "";
    if (s->in_win) snprintf(iz, sizeof iz, " z%d", -s->in_lo);
    if (s->out_win) snprintf(oz, sizeof oz, " z%d", -s->out_lo);
    fprintf(stderr, "      fixed point: w %d.%d%s  in %s%d.%d%s  out %s%d.%d%s  b %d.%d  (%s%s)\n", s->w.bits, s->w.frac,
            s->w_fracs ? "+ per channel" : "", s->in_unsigned ? "u" : "", s->in.bits, s->in.frac, iz,
            s->out_unsigned ? "u" : "", s->out.bits, s->out.frac, oz, s->b.bits, s->b.frac,
            fxq_has_float(s) ? "float parts: emulate" : s->mode == FXQ_MODE_INT ? "int" : "emulate",
            s->train ? ", trainable" : "");
}
