/* Every file an fxq verb or tool writes goes through here, so that:
 *  - an output that is the same file as an input is refused before any work
 *    (fxq-pack w.weights -o w.weights used to destroy the float weights);
 *  - a regular file is written to a temp file next to it and renamed over it
 *    only once complete (no half-written output, ever);
 *  - a non-regular target (/dev/null, /dev/stdout, a FIFO, "-") is written
 *    directly: renaming over /dev/null as root would replace the device node;
 *  - a temp file never survives: it is removed on every error path, at exit()
 *    and on SIGINT/SIGTERM/SIGHUP.
 * No darknet.h: quant/ writers use it too. */
#ifndef FXQ_OUTFILE_H
#define FXQ_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* 0 + why ("OUT: is the same file as the input IN") when `out` names the same
 * file (same device and inode, through links) as one of the n `inputs`
 * (NULL entries skipped), or is a directory. "-" always passes. */
int fxq_out_distinct(const char *out, const char *const *inputs, int n, char *why, size_t why_len);

typedef struct {
    FILE *f;    /* write here */
    char *path; /* the target */
    char *tmp;  /* NULL when written directly */
} fxq_outfile;

/* Opens `path` for writing ("-" = stdout). 0 + why on failure. */
int fxq_out_open(fxq_outfile *o, const char *path, char *why, size_t why_len);
/* Flushes, closes and (for a temp file) renames it over the target. Any
 * failure (including an earlier write error on o->f) removes the temp file
 * and returns 0 + why. */
int fxq_out_commit(fxq_outfile *o, char *why, size_t why_len);
/* Closes and removes the temp file: the target is left as it was. */
void fxq_out_abort(fxq_outfile *o);

/* The whole buffer to `path` through the above. */
int fxq_out_write_all(const char *path, const void *data, size_t len, char *why, size_t why_len);

#endif
