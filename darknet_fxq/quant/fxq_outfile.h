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

/* 1 when two outputs of one run name the same file: through links when it
 * exists, and through "./", "..", symbolic folders when it does not yet (two
 * new names are compared by their folder's real path and their last
 * component). Two names of one device (/dev/null) are the same file too:
 * callers that let several outputs share a device check that first. */
int fxq_out_same(const char *a, const char *b);

typedef struct {
    FILE *f;    /* write here */
    char *path; /* the target */
    char *tmp;  /* NULL when written directly */
    int copy;   /* fxq_out_open_named on a non-regular target: commit copies tmp there */
} fxq_outfile;

/* Opens `path` for writing ("-" = stdout). 0 + why on failure. */
int fxq_out_open(fxq_outfile *o, const char *path, char *why, size_t why_len);
/* Flushes, closes and (for a temp file) renames it over the target. Any
 * failure (including an earlier write error on o->f) removes the temp file
 * and returns 0 + why. */
int fxq_out_commit(fxq_outfile *o, char *why, size_t why_len);
/* Closes and removes the temp file: the target is left as it was. */
void fxq_out_abort(fxq_outfile *o);

/* For writers that open their output by name (Darknet's save_weights): o->tmp
 * is always a new temp file to give them and o->f is NULL. A regular target
 * gets it next to it (commit renames it over); a device, FIFO or "-" gets
 * it in $TMPDIR, and commit copies it there checking every write (so
 * /dev/full fails and the device stays a device), then removes it. The
 * writer must be done with o->tmp before fxq_out_commit/fxq_out_abort. */
int fxq_out_open_named(fxq_outfile *o, const char *path, char *why, size_t why_len);

/* All or nothing across several outputs of one run: between begin and end,
 * fxq_out_commit (and so fxq_file_write, fxq_out_write_all) finishes each
 * temp file and returns 1 but leaves it there; fxq_out_txn_end(1) then puts
 * them all in place (device copies first: they are the ones that fail, as
 * /dev/full does, while nothing has been replaced yet), fxq_out_txn_end(0)
 * (or exit, or a signal) removes them all. Outputs written directly
 * (fxq_out_open on a device) are not held back. 0 + why from end(1) when one
 * could not be put in place: the rest are then removed. */
void fxq_out_txn_begin(void);
int fxq_out_txn_end(int commit, char *why, size_t why_len);

/* A temp file the caller created that is not an output (a derived cfg,
 * say), or a temp folder (removed once empty, after the files): removed at
 * exit() and on SIGINT/SIGTERM/SIGHUP unless fxq_temp_remove()d first, so an
 * upstream exit(1) deep in Darknet (a missing training image) leaves nothing
 * behind. 0 when out of slots. */
int fxq_temp_hold(const char *path);
/* Removes a held temp file (or empty folder) and forgets it. */
void fxq_temp_remove(const char *path);

/* The whole buffer to `path` through the above. */
int fxq_out_write_all(const char *path, const void *data, size_t len, char *why, size_t why_len);

#endif
