/* What bias correction and rounding optimization both start from: the plan
 * written to a temporary fixed-point cfg, that network and the float one
 * loaded with the same weights, and the calibration images decoded once. */
#ifndef FXQ_CALPAIR_H
#define FXQ_CALPAIR_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

/* Where the pair comes from (the options bias correction and rounding
 * optimization share). */
typedef struct fxq_calpair_src {
    const char *cfg, *weights; /* the float network */
    const char *list;          /* calibration images */
    int n;                     /* first n of them (0: all) */
    int batch;                 /* <= 0: 32 */
    int quiet;
} fxq_calpair_src;

/* Decoded images kept in memory up to this; beyond, each batch decodes again. */
#define FXQ_CALPAIR_KEEP_BYTES (256.0 * (1 << 20))

typedef struct fxq_calpair {
    network *fx, *flt;
    float *x;            /* n images x flt->inputs, or NULL: decoded per batch */
    float *buf;          /* batch x flt->inputs: one batch's input */
    int n, batch;
    char **paths;
    char dir[256], path[300]; /* the temporary cfg */
} fxq_calpair;

/* 0 + why on failure (everything already released). */
int fxq_calpair_open(fxq_calpair *c, const fxq_qplan *p, const fxq_cfgtext *text, const fxq_calpair_src *src,
                     char *why, size_t why_len);
/* Copies images start .. start + m - 1 into c->buf, zeroing the rest of the
 * batch; returns m (the images of this batch). */
int fxq_calpair_fill(fxq_calpair *c, int start);
void fxq_calpair_close(fxq_calpair *c);

#endif
