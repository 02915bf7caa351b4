/* Size-error sweeps (the paper's §5.1, Table 6 networks, Figure 3): the
 * points `darknet fxq sweep` quantizes and evaluates, and the model-size
 * reduction of the optimized allocation over equal bit-widths at equal
 * error. */
#ifndef FXQ_SWEEP_H
#define FXQ_SWEEP_H

#include <stddef.h>

#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

typedef enum fxq_series { FXQ_SERIES_FLOAT, FXQ_SERIES_EQUAL, FXQ_SERIES_BETA0, FXQ_SERIES_SQNR } fxq_series;

typedef struct fxq_sweep_point {
    fxq_series series;
    double value;          /* bits, beta0 or dB; unused for float */
    char wbits[256];       /* weight bits per quantized layer, "8/5/5/..." */
    char key[512];         /* every step's bits: identical keys are one cfg */
    double weight_mbits;   /* all quantized layers' weights */
    double conv_mbits;
    double pred_db;        /* Eq. 9 at the output */
    int same_as;           /* index of an earlier point with this key, or -1 */
    char cfg[4096];        /* the written cfg */
    /* evaluation */
    long images, top1, topk, agree;
    double dlogit;
} fxq_sweep_point;

const char *fxq_series_name(fxq_series s);

/* Fills wbits, key, sizes and prediction from a plan. */
void fxq_sweep_describe(const fxq_qplan *p, fxq_sweep_point *pt);

/* Size reduction at equal error for an equal-bit-width point of size s_eq
 * and error e_eq against the optimized points (sizes s[], errors e[]):
 *   measured: the smallest optimized point with error <= e_eq;
 *   interpolated: where the optimized Pareto front (piecewise linear in
 *     size and error) reaches e_eq.
 * Each is the optimized size (NaN when no optimized point is that good). */
void fxq_sweep_match(const double *s, const double *e, int n, double e_eq, double *measured, double *interpolated);

#endif
