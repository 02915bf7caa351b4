/* Tables for fxq_cfgcheck: every section Darknet's parser knows and every key
 * its parse_* function reads, with the value's type and accepted range. */
#ifndef FXQ_CFGKEYS_H
#define FXQ_CFGKEYS_H

typedef enum {
    FXQ_SEC_NET, FXQ_SEC_CONV, FXQ_SEC_FXCONV, FXQ_SEC_CONN, FXQ_SEC_FXCONN, FXQ_SEC_DECONV, FXQ_SEC_LOCAL,
    FXQ_SEC_MAXPOOL, FXQ_SEC_AVGPOOL, FXQ_SEC_DROPOUT, FXQ_SEC_SOFTMAX, FXQ_SEC_COST, FXQ_SEC_ROUTE,
    FXQ_SEC_SHORTCUT, FXQ_SEC_BATCHNORM, FXQ_SEC_ACTIVATION, FXQ_SEC_NORMALIZATION, FXQ_SEC_CROP,
    FXQ_SEC_UPSAMPLE, FXQ_SEC_REORG, FXQ_SEC_L2NORM, FXQ_SEC_LOGISTIC, FXQ_SEC_REGION, FXQ_SEC_YOLO,
    FXQ_SEC_DETECTION, FXQ_SEC_ISEG, FXQ_SEC_RNN, FXQ_SEC_GRU, FXQ_SEC_LSTM, FXQ_SEC_CRNN
} fxq_sec_kind;

typedef enum {
    FXQ_V_INT,       /* strict integer in [lo, hi] */
    FXQ_V_FLOAT,     /* finite number in [lo, hi] */
    FXQ_V_STR,       /* any non-empty text */
    FXQ_V_ACT,       /* an activation name get_activation knows */
    FXQ_V_INTLIST,   /* comma-separated integers in [lo, hi] */
    FXQ_V_FLOATLIST, /* comma-separated finite numbers in [lo, hi] */
    FXQ_V_POLICY,    /* a learning-rate policy get_policy knows */
    FXQ_V_COST,      /* a cost type get_cost_type knows */
    FXQ_V_MODE       /* fxq_mode: int or emulate */
} fxq_val_kind;

typedef struct {
    const char *key;
    fxq_val_kind kind;
    double lo, hi;
} fxq_keyspec;

typedef struct {
    fxq_sec_kind kind;
    const char *name; /* canonical, for messages: "convolutional" */
    const fxq_keyspec *keys[3]; /* up to three key tables, NULL-terminated each */
} fxq_secspec;

/* The section `type` ("[conv]", as written after stripping) or NULL. */
const fxq_secspec *fxq_cfg_section(const char *type);
/* The spec of `key` in `s` or NULL. */
const fxq_keyspec *fxq_cfg_key(const fxq_secspec *s, const char *key);
/* The known key of `s` closest to `key` (edit distance <= 2) or NULL. */
const char *fxq_cfg_suggest(const fxq_secspec *s, const char *key);
/* 1 if `v` names something of kind ACT/POLICY/COST/MODE. */
int fxq_cfg_name_ok(fxq_val_kind kind, const char *v);

/* --- shared by fxq_cfgcheck.c (text, values) and fxq_cfggeom.c (shapes) --- */

#include <stddef.h>
#include <stdint.h>

/* Element counts past this are a typo, not a network: Darknet would try to
 * calloc gigabytes (and its int sizes overflow a little further on). */
#define FXQ_CFG_MAX_ELEMS ((int64_t)1 << 28)

typedef struct {
    const char *key, *val;
    int line;
} fxq_kv;

typedef struct {
    const fxq_secspec *spec;
    int line;
    fxq_kv *kv;
    int n, cap;
} fxq_sec;

typedef struct {
    int64_t h, w, c, outputs;
} fxq_shape;

typedef struct {
    const char *name;
    char *why;
    size_t why_len;
    fxq_sec *sec;
    int nsec, cap;
    fxq_shape *out; /* per layer, as parse_network_cfg leaves it */
    int64_t batch;
} fxq_ck;

int fxq_cfg_fail(fxq_ck *k, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *fxq_cfg_get(const fxq_sec *s, const char *key);
long fxq_cfg_get_int(const fxq_sec *s, const char *key, long def);
int fxq_cfg_parse_int(const char *v, long *out);
/* Section `index + 1` (layer `index`) with input shape *in; *in becomes its output. */
int fxq_cfgcheck_layer(fxq_ck *k, int index, fxq_shape *in);

#endif
