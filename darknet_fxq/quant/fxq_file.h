/* Writing an output file whole or not at all, through fxq_outfile.h (temp file
 * and rename for regular files, devices and FIFOs written in place). */
#ifndef FXQ_FILE_H
#define FXQ_FILE_H

#include <stddef.h>
#include <stdio.h>

/* emit(f, ctx) writes the contents and returns 0 if it could not. 0 + why
 * ("<path>: cannot write: <reason>") on failure, the temp file removed. */
int fxq_file_write(const char *path, int (*emit)(FILE *f, void *ctx), void *ctx, char *why, size_t why_len);

#endif
