/* Inputs of the fxq verbs that run images: the list file and one image
 * decoded and preprocessed exactly as Darknet's classifier validation does
 * (stb decode, /255, center_crop_image to the network's size), but failing
 * with a reason instead of exit(0). */
#ifndef FXQ_INPUT_H
#define FXQ_INPUT_H

#include <stddef.h>

#include "darknet.h"

/* Non-blank lines of `path` (surrounding blanks and CR stripped), at most
 * `max` of them when max > 0. NULL + why when unreadable or empty. */
char **fxq_list_read(const char *path, int max, int *n, char *why, size_t why_len);
void fxq_list_free(char **paths, int n);

/* Decodes `path` into dst (c x h x w floats, channel-major like Darknet's
 * image). 0 + why (naming the image) when it cannot be decoded. Thread-safe. */
int fxq_input_load(const char *path, int w, int h, int c, float *dst, char *why, size_t why_len);

/* Decodes `path` at its own size with c channels, as Darknet's load_image
 * does (no resize): *out is the caller's to free_image. 0 + why. */
int fxq_input_decode(const char *path, int c, image *out, char *why, size_t why_len);

#endif
