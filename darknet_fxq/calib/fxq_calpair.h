/* What bias correction and rounding optimization both start from: the plan
 * written to a temporary fixed-point cfg, that network and the float one
 * loaded with the same weights, and the calibration images decoded once. */
#ifndef FXQ_CALPAIR_H
#define FXQ_CALPAIR_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

typedef struct fxq_calpair {
    network *fx, *flt;
    float *x;            /* n images x flt->inputs */
    int n;
    char **paths;
    char dir[256], path[300]; /* the temporary cfg */
} fxq_calpair;

/* 0 + why on failure (everything already released). */
int fxq_calpair_open(fxq_calpair *c, const fxq_qplan *p, const fxq_cfgtext *text, const char *cfg,
                     const char *weights, const char *list, int n, int batch, char *why, size_t why_len);
void fxq_calpair_close(fxq_calpair *c);

#endif
