/* A Darknet cfg as text: every line kept byte for byte, so a rewrite changes
 * only what it means to (quantized section headers and their Q-format keys)
 * and copies [net], comments and every other section unchanged.
 *
 * Lines are classified the way Darknet's read_cfg sees them: after removing
 * spaces, tabs and line endings (CR LF as well as LF; also a UTF-8 BOM
 * opening the file), '[' starts a section, '#' or ';' is a comment, empty is
 * blank, anything else is key=value. The one cfg line reader of the plugin. */
#ifndef FXQ_CFGTEXT_H
#define FXQ_CFGTEXT_H

#include <stddef.h>
#include <stdio.h>

typedef struct fxq_cfg_section {
    char *type;      /* stripped header, e.g. "[convolutional]" */
    int header;      /* line index of the header */
    int end;         /* one past its last line (next header or EOF) */
} fxq_cfg_section;

typedef struct fxq_cfgtext {
    int nlines;
    char **raw;      /* each line as read, line ending included */
    char **stripped; /* Darknet's view: no spaces, tabs or line ending */
    int nsec;
    fxq_cfg_section *sec; /* sec[0] is [net]; sec[i] is layer i-1 */
} fxq_cfgtext;

/* NULL + why (naming the file and line) when the file cannot be read or is
 * not something Darknet can parse safely: the first section must be [net] or
 * [network] and appear once, every other non-comment line must be key=value
 * with a value. Sections already converted ([fxconvolutional] ...) are
 * refused. Whether Darknet knows each section type is Darknet's to say: the
 * verbs read through fxq_cfg_read_text (layer/fxq_net.h), which adds that. */
fxq_cfgtext *fxq_cfgtext_read(const char *path, char *why, size_t why_len);

/* The lines and sections only: NULL + why when the file cannot be read, is
 * not a regular file or holds a NUL byte; no other check (for callers with
 * rules of their own, such as fxq_cfg_check). */
fxq_cfgtext *fxq_cfgtext_load(const char *path, char *why, size_t why_len);
void fxq_cfgtext_free(fxq_cfgtext *c);

/* 1 for [convolutional]/[conv] and [connected]/[conn]. */
int fxq_cfgtext_quantizable(const fxq_cfgtext *c, int sec);

/* Value of the first `key` in section `sec` (Darknet's option_find order), or NULL. */
const char *fxq_cfgtext_get(const fxq_cfgtext *c, int sec, const char *key);

/* Writes the cfg to `path`: `header` (comment lines, may be NULL) first, then
 * every line as read, except that each section with added[sec] != NULL is
 * renamed to its fixed-point type ([fxconvolutional] / [fxconnected]) and
 * gets added[sec] (complete lines) after its last key. Written to a temp file
 * in the same directory, then renamed over `path`: readers never see a
 * partial file, and a failure leaves nothing behind. */
int fxq_cfgtext_write(const fxq_cfgtext *c, const char *path, const char *header, char *const *added,
                      char *why, size_t why_len);
/* The same text to f; 0 when a write fails (errno set). */
int fxq_cfgtext_print(const fxq_cfgtext *c, FILE *f, const char *header, char *const *added);

#endif
