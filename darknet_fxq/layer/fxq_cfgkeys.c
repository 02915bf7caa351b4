/* Key tables for fxq_cfgcheck, transcribed from upstream parser.c: each
 * parse_* function's option_find* calls, plus the keys parse_network_cfg
 * reads for every layer. Ranges are what the parser and make_* functions
 * survive; geometry (sizes vs. the input) is checked in fxq_cfgcheck.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cfgkeys.h"

#define I(k, lo, hi) {k, FXQ_V_INT, lo, hi}
#define F(k, lo, hi) {k, FXQ_V_FLOAT, lo, hi}
#define B(k) {k, FXQ_V_INT, 0, 1}
#define S(k) {k, FXQ_V_STR, 0, 0}
#define A(k) {k, FXQ_V_ACT, 0, 0}
#define BIG 1e9
#define DIM 65536

/* parse_network_cfg, for every layer section */
static const fxq_keyspec k_common[] = {
    I("truth", 0, DIM), B("onlyforward"), B("stopbackward"), B("dontsave"), B("dontload"),
    I("numload", 0, DIM), B("dontloadscales"), F("learning_rate", -BIG, BIG), F("smooth", 0, 1), {0}};

static const fxq_keyspec k_net[] = {
    I("batch", 1, DIM), F("learning_rate", 0, BIG), F("momentum", -BIG, BIG), F("decay", -BIG, BIG),
    I("subdivisions", 1, DIM), I("time_steps", 1, DIM), B("notruth"), I("random", 0, 1), B("adam"),
    F("B1", 0, 1), F("B2", 0, 1), F("eps", 0, 1), I("height", 0, DIM), I("width", 0, DIM),
    I("channels", 0, DIM), I("inputs", 0, 1 << 30), I("max_crop", 0, DIM), I("min_crop", 0, DIM),
    F("max_ratio", 0, BIG), F("min_ratio", 0, BIG), B("center"), F("clip", -BIG, BIG), F("angle", -360, 360),
    F("aspect", 0, BIG), F("saturation", 0, BIG), F("exposure", 0, BIG), F("hue", -1, 1),
    {"policy", FXQ_V_POLICY, 0, 0}, I("burn_in", 0, 1 << 30), F("power", -BIG, BIG), I("step", 1, 1 << 30),
    F("scale", -BIG, BIG), {"steps", FXQ_V_INTLIST, -1, 1 << 30}, {"scales", FXQ_V_FLOATLIST, -BIG, BIG},
    F("gamma", -BIG, BIG), I("max_batches", 0, 1 << 30),
    S("seen"), /* upstream's writing.cfg carries it; the parser ignores it */
    {0}};

static const fxq_keyspec k_conv[] = {
    I("filters", 1, DIM), I("size", 1, 4096), I("stride", 1, 4096), B("pad"), I("padding", 0, 4096),
    I("groups", 1, DIM), A("activation"), B("batch_normalize"), B("binary"), B("xnor"), B("flipped"),
    F("dot", -BIG, BIG), {0}};

/* fxq_attach_layer (fxq_layer.c); bits checked against FXQ_MIN/MAX_BITS */
static const fxq_keyspec k_fx[] = {
    /* bits 0 = a float part (fine-tuning, fxq_layer_train.h); the layer
     * itself refuses 1. w_frac: one value, or one per filter (per channel) */
    I("w_bits", 0, 16), {"w_frac", FXQ_V_INTLIST, -32, 48}, I("in_bits", 0, 16), I("in_frac", -32, 48),
    I("out_bits", 0, 16), I("out_frac", -32, 48), I("b_bits", 2, 32), I("b_frac", -32, 48), B("in_unsigned"),
    B("out_unsigned"), I("in_zero", 0, 32767), I("out_zero", 0, 32767), {"fxq_mode", FXQ_V_MODE, 0, 0}, {0}};

static const fxq_keyspec k_conn[] = {I("output", 1, 1 << 24), A("activation"), B("batch_normalize"), {0}};

static const fxq_keyspec k_deconv[] = {
    I("filters", 1, DIM), I("size", 1, 4096), I("stride", 1, 4096), A("activation"), B("batch_normalize"),
    B("pad"), I("padding", 0, 4096), {0}};

static const fxq_keyspec k_local[] = {
    I("filters", 1, DIM), I("size", 1, 4096), I("stride", 1, 4096), B("pad"), A("activation"), {0}};

static const fxq_keyspec k_maxpool[] = {I("stride", 1, 4096), I("size", 1, 4096), I("padding", 0, 4096), {0}};
static const fxq_keyspec k_none[] = {{0}};
static const fxq_keyspec k_dropout[] = {F("probability", 0, 0.999999), {0}};
static const fxq_keyspec k_softmax[] = {
    I("groups", 1, 1 << 24), F("temperature", 1e-6, BIG), S("tree"), F("spatial", 0, 1), B("noloss"), {0}};
static const fxq_keyspec k_cost[] = {
    {"type", FXQ_V_COST, 0, 0}, F("scale", -BIG, BIG), F("ratio", 0, 1), F("noobj", -BIG, BIG),
    F("thresh", -BIG, BIG), {0}};
static const fxq_keyspec k_route[] = {{"layers", FXQ_V_INTLIST, -DIM, DIM}, {0}};
static const fxq_keyspec k_shortcut[] = {
    I("from", -DIM, DIM), A("activation"), F("alpha", -BIG, BIG), F("beta", -BIG, BIG), {0}};
static const fxq_keyspec k_activation[] = {A("activation"), {0}};
static const fxq_keyspec k_norm[] = {
    F("alpha", -BIG, BIG), F("beta", -BIG, BIG), F("kappa", -BIG, BIG), I("size", 1, 4096), {0}};
static const fxq_keyspec k_crop[] = {
    I("crop_height", 1, DIM), I("crop_width", 1, DIM), B("flip"), F("angle", -360, 360), F("saturation", 0, BIG),
    F("exposure", 0, BIG), B("noadjust"), F("shift", -BIG, BIG), {0}};
static const fxq_keyspec k_upsample[] = {I("stride", -64, 64), F("scale", -BIG, BIG), {0}};
static const fxq_keyspec k_reorg[] = {I("stride", 1, 64), B("reverse"), B("flatten"), I("extra", 0, 1 << 20), {0}};
static const fxq_keyspec k_region[] = {
    I("coords", 1, 64), I("classes", 1, DIM), I("num", 1, 1024), B("log"), B("sqrt"), B("softmax"),
    B("background"), I("max", 1, DIM), F("jitter", 0, 1), B("rescore"), F("thresh", 0, 1), B("classfix"),
    B("absolute"), I("random", 0, 1), F("coord_scale", -BIG, BIG), F("object_scale", -BIG, BIG),
    F("noobject_scale", -BIG, BIG), F("mask_scale", -BIG, BIG), F("class_scale", -BIG, BIG), B("bias_match"),
    S("tree"), S("map"), {"anchors", FXQ_V_FLOATLIST, -BIG, BIG}, {0}};
static const fxq_keyspec k_yolo[] = {
    I("classes", 1, DIM), I("num", 1, 1024), {"mask", FXQ_V_INTLIST, 0, 1023}, I("max", 1, DIM),
    F("jitter", 0, 1), F("ignore_thresh", 0, 1), F("truth_thresh", 0, BIG), I("random", 0, 1), S("map"),
    {"anchors", FXQ_V_FLOATLIST, -BIG, BIG}, {0}};
static const fxq_keyspec k_detection[] = {
    I("coords", 1, 64), I("classes", 1, DIM), B("rescore"), I("num", 1, 1024), I("side", 1, DIM), B("softmax"),
    B("sqrt"), I("max", 1, DIM), F("coord_scale", -BIG, BIG), B("forced"), F("object_scale", -BIG, BIG),
    F("noobject_scale", -BIG, BIG), F("class_scale", -BIG, BIG), F("jitter", 0, 1), I("random", 0, 1),
    B("reorg"), {0}};
static const fxq_keyspec k_iseg[] = {I("classes", 1, DIM), I("ids", 1, DIM), {0}};
static const fxq_keyspec k_rnn[] = {
    I("output", 1, 1 << 20), A("activation"), B("batch_normalize"), B("shortcut"),
    I("hidden", 1, 1 << 20), /* in upstream's rnn.cfg; the parser ignores it */
    {0}};
static const fxq_keyspec k_gru[] = {I("output", 1, 1 << 20), B("batch_normalize"), B("tanh"), {0}};
static const fxq_keyspec k_lstm[] = {I("output", 1, 1 << 20), B("batch_normalize"), {0}};
static const fxq_keyspec k_crnn[] = {
    I("output_filters", 1, DIM), I("hidden_filters", 1, DIM), A("activation"), B("batch_normalize"),
    B("shortcut"), {0}};

static const struct {
    const char *type;
    fxq_secspec spec;
} sections[] = {
    {"[net]", {FXQ_SEC_NET, "net", {k_net}}},
    {"[network]", {FXQ_SEC_NET, "net", {k_net}}},
    {"[conv]", {FXQ_SEC_CONV, "convolutional", {k_conv, k_common}}},
    {"[convolutional]", {FXQ_SEC_CONV, "convolutional", {k_conv, k_common}}},
    {"[fxconv]", {FXQ_SEC_FXCONV, "fxconvolutional", {k_conv, k_fx, k_common}}},
    {"[fxconvolutional]", {FXQ_SEC_FXCONV, "fxconvolutional", {k_conv, k_fx, k_common}}},
    {"[conn]", {FXQ_SEC_CONN, "connected", {k_conn, k_common}}},
    {"[connected]", {FXQ_SEC_CONN, "connected", {k_conn, k_common}}},
    {"[fxconn]", {FXQ_SEC_FXCONN, "fxconnected", {k_conn, k_fx, k_common}}},
    {"[fxconnected]", {FXQ_SEC_FXCONN, "fxconnected", {k_conn, k_fx, k_common}}},
    {"[deconv]", {FXQ_SEC_DECONV, "deconvolutional", {k_deconv, k_common}}},
    {"[deconvolutional]", {FXQ_SEC_DECONV, "deconvolutional", {k_deconv, k_common}}},
    {"[local]", {FXQ_SEC_LOCAL, "local", {k_local, k_common}}},
    {"[max]", {FXQ_SEC_MAXPOOL, "maxpool", {k_maxpool, k_common}}},
    {"[maxpool]", {FXQ_SEC_MAXPOOL, "maxpool", {k_maxpool, k_common}}},
    {"[avg]", {FXQ_SEC_AVGPOOL, "avgpool", {k_none, k_common}}},
    {"[avgpool]", {FXQ_SEC_AVGPOOL, "avgpool", {k_none, k_common}}},
    {"[dropout]", {FXQ_SEC_DROPOUT, "dropout", {k_dropout, k_common}}},
    {"[soft]", {FXQ_SEC_SOFTMAX, "softmax", {k_softmax, k_common}}},
    {"[softmax]", {FXQ_SEC_SOFTMAX, "softmax", {k_softmax, k_common}}},
    {"[cost]", {FXQ_SEC_COST, "cost", {k_cost, k_common}}},
    {"[route]", {FXQ_SEC_ROUTE, "route", {k_route, k_common}}},
    {"[shortcut]", {FXQ_SEC_SHORTCUT, "shortcut", {k_shortcut, k_common}}},
    {"[batchnorm]", {FXQ_SEC_BATCHNORM, "batchnorm", {k_none, k_common}}},
    {"[activation]", {FXQ_SEC_ACTIVATION, "activation", {k_activation, k_common}}},
    {"[lrn]", {FXQ_SEC_NORMALIZATION, "normalization", {k_norm, k_common}}},
    {"[normalization]", {FXQ_SEC_NORMALIZATION, "normalization", {k_norm, k_common}}},
    {"[crop]", {FXQ_SEC_CROP, "crop", {k_crop, k_common}}},
    {"[upsample]", {FXQ_SEC_UPSAMPLE, "upsample", {k_upsample, k_common}}},
    {"[reorg]", {FXQ_SEC_REORG, "reorg", {k_reorg, k_common}}},
    {"[l2norm]", {FXQ_SEC_L2NORM, "l2norm", {k_none, k_common}}},
    {"[logistic]", {FXQ_SEC_LOGISTIC, "logistic", {k_none, k_common}}},
    {"[region]", {FXQ_SEC_REGION, "region", {k_region, k_common}}},
    {"[yolo]", {FXQ_SEC_YOLO, "yolo", {k_yolo, k_common}}},
    {"[detection]", {FXQ_SEC_DETECTION, "detection", {k_detection, k_common}}},
    {"[iseg]", {FXQ_SEC_ISEG, "iseg", {k_iseg, k_common}}},
    {"[rnn]", {FXQ_SEC_RNN, "rnn", {k_rnn, k_common}}},
    {"[gru]", {FXQ_SEC_GRU, "gru", {k_gru, k_common}}},
    {"[lstm]", {FXQ_SEC_LSTM, "lstm", {k_lstm, k_common}}},
    {"[crnn]", {FXQ_SEC_CRNN, "crnn", {k_crnn, k_common}}},
};

const fxq_secspec *fxq_cfg_section(const char *type)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; ++i)
        if (!strcmp(type, sections[i].type)) return &sections[i].spec;
    return NULL;
}

const fxq_keyspec *fxq_cfg_key(const fxq_secspec *s, const char *key)
{
    for (int t = 0; t < 3 && s->keys[t]; ++t)
        for (const fxq_keyspec *k = s->keys[t]; k->key; ++k)
            if (!strcmp(k->key, key)) return k;
    return NULL;
}

/* Levenshtein distance, capped: keys are short, so a small row suffices. */
static int fxq_distance(const char *a, const char *b)
{
    const size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31) return 99;
    int row[32];
    for (size_t j = 0; j <= lb; ++j) row[j] = (int)j;
    for (size_t i = 1; i <= la; ++i) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; ++j) {
            const int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *fxq_cfg_suggest(const fxq_secspec *s, const char *key)
{
    const char *best = NULL;
    int bd = 3;
    for (int t = 0; t < 3 && s->keys[t]; ++t)
        for (const fxq_keyspec *k = s->keys[t]; k->key; ++k) {
            const int d = fxq_distance(key, k->key);
            if (d < bd && (size_t)d < strlen(k->key)) {
                bd = d;
                best = k->key;
            }
        }
    return best;
}

static int fxq_in(const char *v, const char *const *names)
{
    for (; *names; ++names)
        if (!strcmp(v, *names)) return 1;
    return 0;
}

int fxq_cfg_name_ok(fxq_val_kind kind, const char *v)
{
    static const char *const act[] = {"logistic", "loggy", "relu", "elu", "selu", "relie", "plse", "hardtan",
                                      "lhtan", "linear", "ramp", "leaky", "tanh", "stair", NULL};
    static const char *const policy[] = {"random", "poly", "constant", "step", "exp", "sigmoid", "steps", NULL};
    static const char *const cost[] = {"seg", "sse", "masked", "smooth", "wgan", NULL};
    static const char *const mode[] = {"int", "emulate", NULL};
    switch (kind) {
    case FXQ_V_ACT: return fxq_in(v, act);
    case FXQ_V_POLICY: return fxq_in(v, policy);
    case FXQ_V_COST: return fxq_in(v, cost);
    case FXQ_V_MODE: return fxq_in(v, mode);
    default: return 1;
    }
}

/* --- the sections' values and the failure message, for the checker and the
 * shape walk (fxq_cfggeom.c) alike --- */

int fxq_cfg_fail(fxq_ck *k, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0) snprintf(k->why, k->why_len, "%s:%d: %s", k->name, line, msg);
    else snprintf(k->why, k->why_len, "%s: %s", k->name, msg);
    return 0;
}

int fxq_cfg_parse_int(const char *v, long *out)
{
    char *end;
    errno = 0;
    const long x = strtol(v, &end, 10);
    if (errno || end == v || *end) return 0;
    *out = x;
    return 1;
}

const char *fxq_cfg_get(const fxq_sec *s, const char *key)
{
    for (int i = 0; i < s->n; ++i)
        if (!strcmp(s->kv[i].key, key)) return s->kv[i].val;
    return NULL;
}

long fxq_cfg_get_int(const fxq_sec *s, const char *key, long def)
{
    const char *v = fxq_cfg_get(s, key);
    long x = def;
    if (v) fxq_cfg_parse_int(v, &x); /* already validated */
    return x;
}
