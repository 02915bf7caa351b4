/* Darknet cfg validation (see fxq_cfgcheck.h for why). Two passes: the text
 * is split into sections of key=value lines exactly as read_cfg splits it;
 * then every section is checked in order, carrying the shape parse_network_cfg
 * would carry (params.h/w/c/inputs) so route/shortcut indices and every
 * layer's output size are known before Darknet allocates anything. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cfgcheck.h"
#include "fxq_cfgkeys.h"

#define FXQ_CFG_MAX_BYTES (16 << 20)


void fxq_cfg_clean_line(char *line)
{
    const unsigned char *u = (const unsigned char *)line;
    char *d = line, *s = line;
    if (u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) s += 3;
    for (; *s; ++s)
        if (*s != '\r') *d++ = *s;
    *d = 0;
}

/* --- values ------------------------------------------------------------- */


static int fxq_parse_float(const char *v, double *out)
{
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x) || (errno && fabs(x) > 1)) return 0;
    *out = x;
    return 1;
}

/* One comma-separated element list: every element parses and is in range. */
static int fxq_check_list(fxq_ck *k, const fxq_kv *p, const fxq_keyspec *ks, const char *sec)
{
    const char *s = p->val;
    for (;;) {
        const char *comma = strchr(s, ',');
        const size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char el[64];
        double x;
        long i;
        if (!len || len >= sizeof el)
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: empty or overlong element in '%s'", ks->key, sec, p->val);
        memcpy(el, s, len);
        el[len] = 0;
        const int ok = ks->kind == FXQ_V_INTLIST ? fxq_cfg_parse_int(el, &i) && (x = (double)i, 1)
                                                 : fxq_parse_float(el, &x);
        if (!ok) return fxq_cfg_fail(k, p->line, "'%s' in [%s]: '%s' is not a number", ks->key, sec, el);
        if (x < ks->lo || x > ks->hi)
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: %s is outside %g..%g", ks->key, sec, el, ks->lo, ks->hi);
        if (!comma) return 1;
        s = comma + 1;
    }
}

static int fxq_check_value(fxq_ck *k, const fxq_kv *p, const fxq_keyspec *ks, const char *sec)
{
    long i;
    double x;
    if (!p->val[0]) return fxq_cfg_fail(k, p->line, "'%s' in [%s] has no value", p->key, sec);
    switch (ks->kind) {
    case FXQ_V_INT:
        if (!fxq_cfg_parse_int(p->val, &i))
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: '%s' is not an integer", p->key, sec, p->val);
        if (i < ks->lo || i > ks->hi)
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: %ld is outside %.0f..%.0f", p->key, sec, i, ks->lo, ks->hi);
        return 1;
    case FXQ_V_FLOAT:
        if (!fxq_parse_float(p->val, &x))
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: '%s' is not a finite number", p->key, sec, p->val);
        if (x < ks->lo || x > ks->hi)
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: %s is outside %g..%g", p->key, sec, p->val, ks->lo, ks->hi);
        return 1;
    case FXQ_V_INTLIST:
    case FXQ_V_FLOATLIST: return fxq_check_list(k, p, ks, sec);
    case FXQ_V_STR:
        /* files the parser itself opens (read_tree, read_map): upstream's
         * read_tree reads through a NULL FILE * when the file is missing,
         * so say it here, with the line, instead of crashing in the parser */
        if ((!strcmp(ks->key, "tree") || !strcmp(ks->key, "map")) && access(p->val, R_OK) != 0)
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: %s: %s", p->key, sec, p->val, strerror(errno));
        return 1;
    default:
        if (!fxq_cfg_name_ok(ks->kind, p->val))
            return fxq_cfg_fail(k, p->line, "'%s' in [%s]: unknown value '%s'", p->key, sec, p->val);
        return 1;
    }
}

/* --- pass 1: split into sections ----------------------------------------- */

static int fxq_add_kv(fxq_ck *k, fxq_sec *s, char *line, int lineno)
{
    char *eq = strchr(line, '=');
    if (!eq) return fxq_cfg_fail(k, lineno, "expected key=value in [%s], got '%.60s'", s->spec->name, line);
    *eq = 0;
    if (!line[0]) return fxq_cfg_fail(k, lineno, "missing key before '=' in [%s]", s->spec->name);
    const fxq_keyspec *ks = fxq_cfg_key(s->spec, line);
    if (!ks) {
        const char *dym = fxq_cfg_suggest(s->spec, line);
        if (dym)
            return fxq_cfg_fail(k, lineno, "unknown key '%.60s' in [%s] (did you mean '%s'?)", line, s->spec->name, dym);
        return fxq_cfg_fail(k, lineno, "unknown key '%.60s' in [%s]", line, s->spec->name);
    }
    /* Darknet takes the first; a repeat is harmless only if it agrees
     * (upstream's own yolo9000.cfg repeats batch=1). In [net] a differing
     * repeat is a left-over testing/training toggle (upstream's
     * yolov3-openimages.cfg has " batch=1" then "batch=64"): Darknet runs it
     * with the first, so we say so and accept it. In a layer it changes the
     * model, so it is refused. */
    for (int i = 0; i < s->n; ++i)
        if (!strcmp(s->kv[i].key, line)) {
            if (!strcmp(s->kv[i].val, eq + 1)) return 1;
            if (!strcmp(s->spec->name, "net")) {
                /* the check runs again when the same file is parsed: warn once */
                static char warned[600];
                char at[600];
                snprintf(at, sizeof at, "%s:%d", k->name, lineno);
                if (strcmp(at, warned)) {
                    snprintf(warned, sizeof warned, "%s", at);
                    fprintf(stderr, "%s: warning: '%s' given twice in [net]; Darknet uses the first, %s (line %d)\n", at,
                            line, s->kv[i].val, s->kv[i].line);
                }
                return 1;
            }
            return fxq_cfg_fail(k, lineno, "'%s' given twice in [%s] with different values (first on line %d)", line,
                                s->spec->name, s->kv[i].line);
        }
    if (s->n == s->cap) {
        const int cap = s->cap ? 2 * s->cap : 8;
        fxq_kv *kv = realloc(s->kv, (size_t)cap * sizeof *kv);
        if (!kv) return fxq_cfg_fail(k, lineno, "out of memory");
        s->kv = kv;
        s->cap = cap;
    }
    s->kv[s->n++] = (fxq_kv){line, eq + 1, lineno};
    return fxq_check_value(k, &s->kv[s->n - 1], ks, s->spec->name);
}

static int fxq_split(fxq_ck *k, char *text, size_t len)
{
    int lineno = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        ++lineno;
        /* strip as read_cfg does (strip() + the CR/BOM hook), refusing bytes
         * Darknet would misread: NUL ends its line early */
        char *d = p;
        for (char *s = p; s < stop; ++s) {
            const unsigned char c = (unsigned char)*s;
            if (lineno == 1 && s == p && stop - s >= 3 && c == 0xEF && (unsigned char)s[1] == 0xBB &&
                (unsigned char)s[2] == 0xBF) {
                s += 2;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') continue;
            if (c < 0x20 || c == 0x7F) return fxq_cfg_fail(k, lineno, "control character 0x%02x", c);
            *d++ = (char)c;
        }
        *d = 0;
        char *line = p;
        p = nl ? nl + 1 : end;
        if (!line[0] || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            const fxq_secspec *spec = fxq_cfg_section(line);
            if (!spec) return fxq_cfg_fail(k, lineno, "unknown section type %.60s", line);
            if (k->nsec == 0 && spec->kind != FXQ_SEC_NET)
                return fxq_cfg_fail(k, lineno, "first section must be [net] or [network], not %.60s", line);
            if (k->nsec > 0 && spec->kind == FXQ_SEC_NET) return fxq_cfg_fail(k, lineno, "a second [net] section");
            if (k->nsec == k->cap) {
                const int cap = k->cap ? 2 * k->cap : 16;
                fxq_sec *sec = realloc(k->sec, (size_t)cap * sizeof *sec);
                if (!sec) return fxq_cfg_fail(k, lineno, "out of memory");
                k->sec = sec;
                k->cap = cap;
            }
            k->sec[k->nsec++] = (fxq_sec){spec, lineno, NULL, 0, 0};
            continue;
        }
        if (!k->nsec) return fxq_cfg_fail(k, lineno, "option outside any section: '%.60s' (a cfg starts with [net])", line);
        if (!fxq_add_kv(k, &k->sec[k->nsec - 1], line, lineno)) return 0;
    }
    if (!k->nsec) return fxq_cfg_fail(k, 0, "no sections (need [net] and at least one layer)");
    if (k->nsec < 2) return fxq_cfg_fail(k, k->sec[0].line, "no layers after [net]");
    return 1;
}

/* --- pass 2: ranges that depend on other keys, and shapes ----------------- */



static int fxq_check_net(fxq_ck *k, fxq_shape *in)
{
    const fxq_sec *s = &k->sec[0];
    const long batch = fxq_cfg_get_int(s, "batch", 1), sub = fxq_cfg_get_int(s, "subdivisions", 1);
    const long steps = fxq_cfg_get_int(s, "time_steps", 1);
    if (batch / sub < 1)
        return fxq_cfg_fail(k, s->line, "[net] subdivisions=%ld exceeds batch=%ld (batch per step would be 0)", sub, batch);
    k->batch = (int64_t)(batch / sub) * steps;
    in->h = fxq_cfg_get_int(s, "height", 0);
    in->w = fxq_cfg_get_int(s, "width", 0);
    in->c = fxq_cfg_get_int(s, "channels", 0);
    in->outputs = fxq_cfg_get_int(s, "inputs", (long)(in->h * in->w * in->c));
    if (in->h * in->w * in->c > FXQ_CFG_MAX_ELEMS || k->batch * in->outputs > FXQ_CFG_MAX_ELEMS)
        return fxq_cfg_fail(k, s->line, "[net] input %lldx%lldx%lld x batch %lld is too large", (long long)in->h,
                        (long long)in->w, (long long)in->c, (long long)k->batch);
    if (in->outputs < 1) return fxq_cfg_fail(k, s->line, "[net] has no input size (height, width, channels or inputs)");
    return 1;
}

int fxq_cfgcheck_text(const char *name, const char *text, size_t len, char *why, size_t why_len)
{
    fxq_ck k = {name, why, why_len, NULL, 0, 0, NULL, 1};
    char *buf = malloc(len + 1);
    int ok = 0;
    if (!buf) return fxq_cfg_fail(&k, 0, "out of memory");
    memcpy(buf, text, len);
    buf[len] = 0;
    if (fxq_split(&k, buf, len)) {
        fxq_shape cur;
        ok = fxq_check_net(&k, &cur);
        k.out = calloc((size_t)k.nsec, sizeof *k.out);
        if (ok && !k.out) ok = fxq_cfg_fail(&k, 0, "out of memory");
        for (int i = 1; ok && i < k.nsec; ++i) ok = fxq_cfgcheck_layer(&k, i - 1, &cur);
    }
    for (int i = 0; i < k.nsec; ++i) free(k.sec[i].kv);
    free(k.sec);
    free(k.out);
    free(buf);
    return ok;
}

static char fxq_alias_path[4096], fxq_alias_shown[4096];

void fxq_cfgcheck_alias(const char *path, const char *shown)
{
    snprintf(fxq_alias_path, sizeof fxq_alias_path, "%s", path && shown ? path : "");
    snprintf(fxq_alias_shown, sizeof fxq_alias_shown, "%s", path && shown ? shown : "");
}

int fxq_cfgcheck_file(const char *path, char *why, size_t why_len)
{
    const char *name = fxq_alias_path[0] && !strcmp(path, fxq_alias_path) ? fxq_alias_shown : path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: %s", name, strerror(errno));
        return 0;
    }
    char *buf = malloc(FXQ_CFG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, FXQ_CFG_MAX_BYTES + 1, f) : 0;
    int ok = 0;
    if (!buf) snprintf(why, why_len, "%s: out of memory", name);
    else if (ferror(f)) snprintf(why, why_len, "%s: read error: %s", name, strerror(errno));
    else if (n > FXQ_CFG_MAX_BYTES) snprintf(why, why_len, "%s: larger than 16 MiB: not a cfg", name);
    else ok = fxq_cfgcheck_text(name, buf, n, why, why_len);
    free(buf);
    fclose(f);
    return ok;
}
