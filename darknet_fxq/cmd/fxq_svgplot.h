/* A small, dependency-free SVG scatter/line plot: what `fxq sweep --plot`
 * draws (model size vs error, the paper's Figure 3). Standalone SVG 1.1 with
 * inline styles and fonts, so any browser renders it. */
#ifndef FXQ_SVGPLOT_H
#define FXQ_SVGPLOT_H

#include <stddef.h>

enum { FXQ_MARK_CIRCLE, FXQ_MARK_SQUARE, FXQ_MARK_TRIANGLE, FXQ_MARK_DIAMOND, FXQ_MARK_NONE };

typedef struct fxq_plot_series {
    const char *name;      /* legend text */
    const char *color;     /* CSS colour, e.g. "#1f77b4" */
    int marker;            /* FXQ_MARK_* */
    int line;              /* 1: join the points in the given order */
    int n;
    const double *x, *y;
    const char *const *labels; /* per point (may be NULL): small text beside it */
} fxq_plot_series;

typedef struct fxq_plot {
    const char *title, *xlabel, *ylabel;
    int log_y;             /* logarithmic y axis (values must be > 0) */
    double ymax;           /* top of the y axis; points above it are drawn
                            * hollow on the top edge with their value (NaN: auto) */
    double hline;          /* a dashed horizontal reference line; NaN for none */
    const char *hline_label;
    int nseries;
    const fxq_plot_series *series;
    int log_x;             /* logarithmic x axis (values must be > 0) */
} fxq_plot;

/* Writes the plot to `path` (temp file + rename). 0 + why on failure or when
 * there is no finite point to draw. */
int fxq_svgplot_write(const fxq_plot *p, const char *path, char *why, size_t why_len);

#endif
