/* The results of `fxq sweep` (fxq_sweep_csv.c). */
#ifndef FXQ_SWEEP_CSV_H
#define FXQ_SWEEP_CSV_H

#include <stddef.h>

#include "fxq_eval.h"
#include "fxq_sweep.h"

#define FXQ_SWEEP_MAX_POINTS 512

/* One row per point plus the float row; temp file + rename. 0 + why. */
int fxq_sweep_write_csv(const char *path, const fxq_sweep_point *pts, int np, const fxq_eval_result *fr,
                        double float_mbits, int topk, char *why, size_t why_len);
/* Prints the size reduction at equal error; se/ee/so/eo: scratch of
 * FXQ_SWEEP_MAX_POINTS each. */
void fxq_sweep_summary(const fxq_sweep_point *pts, int np, const fxq_eval_result *fr, double *se, double *ee,
                       double *so, double *eo);
/* Model size vs top-1 error, both series, as SVG. 0 + why. */
int fxq_sweep_plot(const char *path, const fxq_sweep_point *pts, int np, const fxq_eval_result *fr,
                   const char *cfg, char *why, size_t why_len);
/* Points back from a CSV fxq_sweep_write_csv wrote (for --from-csv). 0 + why. */
int fxq_sweep_read_csv(const char *path, fxq_sweep_point *pts, int *np, fxq_eval_result *fr, char *why,
                       size_t why_len);

#endif
