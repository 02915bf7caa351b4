/* A Darknet cfg as text, read and rewritten line for line: see fxq_cfgtext.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxq_cfgtext.h"
#include "fxq_outfile.h"

static int is_net(const char *t) { return !strcmp(t, "[net]") || !strcmp(t, "[network]"); }
static int is_fx(const char *t) { return !strncmp(t, "[fxconv", 7) || !strncmp(t, "[fxconn", 7); }
static int is_conv(const char *t) { return !strcmp(t, "[conv]") || !strcmp(t, "[convolutional]"); }
static int is_conn(const char *t) { return !strcmp(t, "[conn]") || !strcmp(t, "[connected]"); }

/* Darknet's strip() (drop ' ', '\t', '\n' anywhere), and also '\r' and a
 * UTF-8 byte-order mark opening the file: a cfg saved on Windows means the
 * same as one saved on Unix, wherever it is read. */
static char *strip_copy(const char *s, int first_line)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) return NULL;
    if (first_line && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3;
    for (; *s; ++s)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') *o++ = *s;
    *o = 0;
    return out;
}

void fxq_cfgtext_free(fxq_cfgtext *c)
{
    if (!c) return;
    for (int i = 0; i < c->nlines; ++i) free(c->raw[i]), free(c->stripped[i]);
    free(c->raw);
    free(c->stripped);
    free(c->sec);
    free(c);
}

static int push_line(fxq_cfgtext *c, int *cap, char *raw)
{
    if (c->nlines == *cap) {
        const int ncap = *cap ? 2 * *cap : 64;
        char **r = realloc(c->raw, sizeof *r * (size_t)ncap);
        if (!r) return 0;
        c->raw = r;
        char **s = realloc(c->stripped, sizeof *s * (size_t)ncap);
        if (!s) return 0;
        c->stripped = s;
        *cap = ncap;
    }
    char *st = strip_copy(raw, c->nlines == 0);
    if (!st) return 0;
    c->raw[c->nlines] = raw;
    c->stripped[c->nlines] = st;
    c->nlines++;
    return 1;
}

static int check_line(const fxq_cfgtext *c, int i, const char *path, char *why, size_t why_len)
{
    const char *s = c->stripped[i];
    if (!s[0] || s[0] == '#' || s[0] == ';' || s[0] == '[') return 1;
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || !eq[1]) {
        snprintf(why, why_len, "%s:%d: expected key=value, got '%s'", path, i + 1, s);
        return 0;
    }
    return 1;
}

/* Where each section starts and ends; lines before the first header go
 * with sec[0] when written. */
static int index_sections(fxq_cfgtext *c, const char *path, char *why, size_t why_len)
{
    int n = 0;
    for (int i = 0; i < c->nlines; ++i) n += c->stripped[i][0] == '[';
    c->sec = calloc((size_t)n + 1, sizeof *c->sec);
    if (!c->sec) {
        snprintf(why, why_len, "%s: out of memory", path);
        return 0;
    }
    for (int i = 0; i < c->nlines; ++i) {
        if (c->stripped[i][0] != '[') continue;
        if (c->nsec > 0) c->sec[c->nsec - 1].end = i;
        fxq_cfg_section *sec = &c->sec[c->nsec++];
        sec->type = c->stripped[i];
        sec->header = i;
        sec->end = c->nlines;
    }
    return 1;
}

static int check_sections(const fxq_cfgtext *c, const char *path, char *why, size_t why_len)
{
    int nsec = 0;
    for (int i = 0; i < c->nlines; ++i) {
        if (!check_line(c, i, path, why, why_len)) return 0;
        const char *s = c->stripped[i];
        if (s[0] != '[') {
            if (nsec == 0 && s[0] && s[0] != '#' && s[0] != ';') {
                snprintf(why, why_len, "%s:%d: '%s' before the first section", path, i + 1, s);
                return 0;
            }
            continue;
        }
        ++nsec;
        if (nsec == 1 && !is_net(s)) {
            snprintf(why, why_len, "%s:%d: the first section must be [net] or [network], not %s", path, i + 1, s);
            return 0;
        }
        if (nsec > 1 && is_net(s)) {
            snprintf(why, why_len, "%s:%d: %s may only be the first section", path, i + 1, s);
            return 0;
        }
        if (is_fx(s)) {
            snprintf(why, why_len, "%s:%d: %s: this cfg is already quantized; pass the floating-point cfg", path, i + 1, s);
            return 0;
        }
    }
    if (nsec == 0) {
        snprintf(why, why_len, "%s: no sections (not a Darknet cfg)", path);
        return 0;
    }
    return 1;
}

fxq_cfgtext *fxq_cfgtext_load(const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    fxq_cfgtext *c = calloc(1, sizeof *c);
    int cap = 0;
    char *line = NULL;
    size_t len = 0;
    ssize_t r;
    if (!c) goto oom;
    while ((r = getline(&line, &len, f)) >= 0) {
        if (memchr(line, 0, (size_t)r)) {
            snprintf(why, why_len, "%s:%d: NUL byte: not a text cfg", path, c->nlines + 1);
            goto fail;
        }
        char *copy = strdup(line);
        if (!copy || !push_line(c, &cap, copy)) {
            free(copy);
            goto oom;
        }
    }
    if (ferror(f)) {
        snprintf(why, why_len, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    free(line);
    fclose(f);
    if (!index_sections(c, path, why, why_len)) {
        fxq_cfgtext_free(c);
        return NULL;
    }
    return c;
oom:
    snprintf(why, why_len, "%s: out of memory", path);
fail:
    free(line);
    fclose(f);
    fxq_cfgtext_free(c);
    return NULL;
}

fxq_cfgtext *fxq_cfgtext_read(const char *path, char *why, size_t why_len)
{
    fxq_cfgtext *c = fxq_cfgtext_load(path, why, why_len);
    if (c && !check_sections(c, path, why, why_len)) {
        fxq_cfgtext_free(c);
        return NULL;
    }
    return c;
}

int fxq_cfgtext_quantizable(const fxq_cfgtext *c, int sec)
{
    return sec > 0 && sec < c->nsec && (is_conv(c->sec[sec].type) || is_conn(c->sec[sec].type));
}

const char *fxq_cfgtext_get(const fxq_cfgtext *c, int sec, const char *key)
{
    if (sec < 0 || sec >= c->nsec) return NULL;
    const size_t klen = strlen(key);
    for (int i = c->sec[sec].header + 1; i < c->sec[sec].end; ++i) {
        const char *s = c->stripped[i];
        if (!strncmp(s, key, klen) && s[klen] == '=') return s + klen + 1;
    }
    return NULL;
}

/* Line index after which a section's added keys go: its last key=value line
 * (comments and blanks that follow stay with the next section). */
static int insert_after(const fxq_cfgtext *c, int sec)
{
    int at = c->sec[sec].header;
    for (int i = at + 1; i < c->sec[sec].end; ++i) {
        const char *s = c->stripped[i];
        if (s[0] && s[0] != '#' && s[0] != ';') at = i;
    }
    return at;
}

static int put_line(FILE *f, const char *raw)
{
    const size_t n = strlen(raw);
    if (fputs(raw, f) < 0) return 0;
    return n && raw[n - 1] == '\n' ? 1 : fputc('\n', f) != EOF; /* a last line without newline */
}

int fxq_cfgtext_print(const fxq_cfgtext *c, FILE *f, const char *header, char *const *added)
{
    int ok = 1;
    if (ok && header) ok = fputs(header, f) >= 0;
    for (int s = 0; s < c->nsec && ok; ++s) {
        const int after = added && added[s] ? insert_after(c, s) : -1;
        for (int i = s == 0 ? 0 : c->sec[s].header; i < c->sec[s].end && ok; ++i) {
            if (i == c->sec[s].header && after >= 0) {
                const char *fx = is_conv(c->sec[s].type) ? "[fxconvolutional]\n" : "[fxconnected]\n";
                ok = fputs(fx, f) >= 0;
            } else {
                ok = put_line(f, c->raw[i]);
            }
            if (ok && i == after) ok = fputs(added[s], f) >= 0;
        }
    }
    return ok;
}

int fxq_cfgtext_write(const fxq_cfgtext *c, const char *path, const char *header, char *const *added,
                      char *why, size_t why_len)
{
    fxq_outfile o;
    if (!fxq_out_open(&o, path, why, why_len)) return 0;
    if (!fxq_cfgtext_print(c, o.f, header, added)) {
        snprintf(why, why_len, "%s: write failed: %s", path, strerror(errno));
        fxq_out_abort(&o);
        return 0;
    }
    return fxq_out_commit(&o, why, why_len);
}
