/* Darknet detection label files, strictly. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_detlabel.h"

/* Next whitespace-separated token of a line: [*s, end), NULL at the end. */
static const char *fxq_detlabel_token(const char **s, const char *eol, const char **end)
{
    const char *p = *s;
    while (p < eol && isspace((unsigned char)*p)) ++p;
    if (p >= eol) return NULL;
    const char *q = p;
    while (q < eol && !isspace((unsigned char)*q)) ++q;
    *s = q;
    *end = q;
    return p;
}

static void fxq_detlabel_quote(char *dst, size_t len, const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    if (n > 40) n = 40;
    snprintf(dst, len, "%.*s%s", (int)n, p, (size_t)(e - p) > n ? "..." : "");
    for (char *c = dst; *c; ++c)
        if (!isprint((unsigned char)*c)) *c = '?';
}

static int fxq_detlabel_line(const char *line, const char *eol, const char *name, long lineno, int classes,
                             fxq_detlabel *out, int *empty, char *why, size_t why_len)
{
    static const char *const field[5] = {"class", "cx", "cy", "w", "h"};
    const char *tok[6], *tend[6], *s = line;
    int nt = 0;
    while (nt < 6 && (tok[nt] = fxq_detlabel_token(&s, eol, &tend[nt]))) ++nt;
    *empty = nt == 0;
    if (nt == 0) return 1;
    if (nt != 5) {
        snprintf(why, why_len, "%s:%ld: %s fields, want 5 ('class cx cy w h')", name, lineno,
                 nt > 5 ? "more than 5" : nt == 1 ? "1" : nt == 2 ? "2" : nt == 3 ? "3" : "4");
        return 0;
    }
    char q[64], buf[64];
    double v[5];
    for (int k = 0; k < 5; ++k) {
        const size_t len = (size_t)(tend[k] - tok[k]);
        fxq_detlabel_quote(q, sizeof q, tok[k], tend[k]);
        if (len >= sizeof buf) {
            snprintf(why, why_len, "%s:%ld: %s '%s' is not a number", name, lineno, field[k], q);
            return 0;
        }
        memcpy(buf, tok[k], len);
        buf[len] = 0;
        char *end = NULL;
        errno = 0;
        if (k == 0) {
            const long c = strtol(buf, &end, 10);
            if (end == buf || *end || errno) {
                snprintf(why, why_len, "%s:%ld: class '%s' is not an integer", name, lineno, q);
                return 0;
            }
            if (c < 0 || c >= classes) {
                snprintf(why, why_len, "%s:%ld: class %s outside 0..%d (the data file's classes=%d)", name, lineno, q,
                         classes - 1, classes);
                return 0;
            }
            v[0] = (double)c;
            continue;
        }
        v[k] = strtod(buf, &end);
        if (end == buf || *end || !isfinite(v[k])) {
            snprintf(why, why_len, "%s:%ld: %s '%s' is not a number", name, lineno, field[k], q);
            return 0;
        }
        if (v[k] < 0 || v[k] > 1) {
            snprintf(why, why_len, "%s:%ld: %s %s outside [0, 1] (coordinates are normalized to the image)", name,
                     lineno, field[k], q);
            return 0;
        }
        if (k >= 3 && v[k] == 0) {
            snprintf(why, why_len, "%s:%ld: %s is 0 (an empty box)", name, lineno, field[k]);
            return 0;
        }
    }
    out->cls = (int)v[0];
    out->cx = v[1], out->cy = v[2], out->w = v[3], out->h = v[4];
    return 1;
}

int fxq_detlabel_parse(const char *text, const char *name, int classes, fxq_detlabel **boxes, int *n, char *why,
                       size_t why_len)
{
    *boxes = NULL;
    *n = 0;
    int cap = 0;
    long lineno = 0;
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol) eol = line + strlen(line);
        ++lineno;
        fxq_detlabel b;
        int empty;
        if (!fxq_detlabel_line(line, eol, name, lineno, classes, &b, &empty, why, why_len)) goto fail;
        if (!empty) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 8;
                fxq_detlabel *nb = realloc(*boxes, (size_t)cap * sizeof *nb);
                if (!nb) {
                    snprintf(why, why_len, "%s: out of memory", name);
                    goto fail;
                }
                *boxes = nb;
            }
            (*boxes)[(*n)++] = b;
        }
        line = *eol ? eol + 1 : eol;
    }
    return 1;
fail:
    free(*boxes);
    *boxes = NULL;
    *n = 0;
    return 0;
}

int fxq_detlabel_read(const char *path, int classes, fxq_detlabel **boxes, int *n, char *why, size_t why_len)
{
    *boxes = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open label file: %s", path, strerror(errno));
        return 0;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    for (;;) {
        if (!text) break;
        if (len + 1 >= cap) {
            char *t = cap < (64u << 20) ? realloc(text, cap * 2) : NULL;
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t, cap *= 2;
        }
        const size_t got = fread(text + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) break;
    }
    const int err = ferror(f);
    fclose(f);
    if (!text || err) {
        snprintf(why, why_len, "%s: %s", path, err ? "read error" : "too large or out of memory");
        free(text);
        return 0;
    }
    text[len] = 0;
    if (strlen(text) != len) {
        free(text);
        snprintf(why, why_len, "%s: not a text label file (contains NUL bytes)", path);
        return 0;
    }
    const int ok = fxq_detlabel_parse(text, path, classes, boxes, n, why, why_len);
    free(text);
    return ok;
}

fxq_ap_box fxq_detlabel_box(const fxq_detlabel *b, int im_w, int im_h)
{
    fxq_ap_box r;
    r.x0 = (b->cx - b->w / 2) * im_w + 1;
    r.x1 = (b->cx + b->w / 2) * im_w + 1;
    r.y0 = (b->cy - b->h / 2) * im_h + 1;
    r.y1 = (b->cy + b->h / 2) * im_h + 1;
    if (r.x0 < 1) r.x0 = 1;
    if (r.y0 < 1) r.y0 = 1;
    if (r.x1 > im_w) r.x1 = im_w;
    if (r.y1 > im_h) r.y1 = im_h;
    return r;
}

/* One find_replace step of Darknet (first occurrence only). */
static int fxq_detlabel_replace(char *s, size_t len, const char *orig, const char *rep)
{
    char *p = strstr(s, orig);
    if (!p) return 1;
    const size_t head = (size_t)(p - s), ol = strlen(orig), rl = strlen(rep), tail = strlen(p + ol);
    if (head + rl + tail + 1 > len) return 0;
    memmove(s + head + rl, p + ol, tail + 1);
    memcpy(s + head, rep, rl);
    return 1;
}

int fxq_detlabel_path(const char *image_path, char *out, size_t len)
{
    static const char *const rule[][2] = {{"images", "labels"}, {"JPEGImages", "labels"}, {".jpg", ".txt"},
                                          {".png", ".txt"},     {".JPG", ".txt"},        {".JPEG", ".txt"}};
    if (strlen(image_path) + 1 > len) return 0;
    strcpy(out, image_path);
    for (size_t i = 0; i < sizeof rule / sizeof rule[0]; ++i)
        if (!fxq_detlabel_replace(out, len, rule[i][0], rule[i][1])) return 0;
    return 1;
}
