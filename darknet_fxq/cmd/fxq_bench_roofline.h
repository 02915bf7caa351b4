/* `darknet fxq bench --roofline` (fxq_bench_roofline.c): per-layer MACs,
 * bytes moved, time at the measured peak and bandwidth, the bound (the
 * larger) and the achieved fraction of it; a total line and
 * `roofline_fraction <model> <label> <f>`; the log-log roofline SVG. */
#ifndef FXQ_BENCH_ROOFLINE_H
#define FXQ_BENCH_ROOFLINE_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_machine.h"
#include "fxq_svgplot.h"

#define FXQ_ROOF_MAX_DOTS 512
#define FXQ_ROOF_MAX_CFG 8

typedef struct fxq_roof_dots { /* one cfg's layers: intensity, GMAC/s */
    int n;
    double x[FXQ_ROOF_MAX_DOTS], y[FXQ_ROOF_MAX_DOTS];
    char label[FXQ_ROOF_MAX_DOTS][12];
    const char *labels[FXQ_ROOF_MAX_DOTS];
} fxq_roof_dots;

/* Prints the table for one network (t: per-layer seconds, total: the
 * whole forward's); fills dots when non-NULL. Returns the sum of bounds (s). */
double fxq_bench_roofline(const char *model, const char *label, const network *net, const double *t, double total,
                          const fxq_machine *m, fxq_roof_dots *dots);
/* One series of dots per cfg plus the roofs. 0 + why on failure. */
int fxq_bench_roofline_svg(const char *path, const char *model, const fxq_machine *m, fxq_roof_dots *dots,
                           const char *const *labels, int ncfg, char *why, size_t why_len);

#endif
