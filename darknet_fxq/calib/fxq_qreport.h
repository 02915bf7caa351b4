/* What `darknet fxq quantize` prints and writes for a plan (fxq_qplan.h):
 * the allocation table, the CSV, the list of layers that rounding or
 * clamping moved off the exact solution, and the text added to the cfg. */
#ifndef FXQ_QREPORT_H
#define FXQ_QREPORT_H

#include <stdio.h>

#include "fxq_qplan.h"

/* "--beta0 16 (Eq. 15/16)" etc. */
void fxq_qreport_budget(char *buf, size_t len, const fxq_qplan_opts *o);
/* "size (rho = weights per layer)" / "ops (rho = multiply-accumulates per layer)". */
const char *fxq_qreport_objective(const fxq_qplan_opts *o);
/* "3 dB/bit" / "measured per step (...)". */
void fxq_qreport_kappa(char *buf, size_t len, const fxq_qplan *p, const fxq_qplan_opts *o);

void fxq_qreport_table(FILE *f, const fxq_qplan *p);
/* Header row, one row per quantized layer, then the totals rows
 * (convolutional, connected, all). 0 on a write error. */
int fxq_qreport_csv(FILE *f, const fxq_qplan *p);
/* Steps whose integer bits differ from the exact solution, why, and what it
 * costs in predicted output SQNR; nothing when none moved. */
void fxq_qreport_moves(FILE *f, const fxq_qplan *p, const fxq_qplan_opts *o);

/* The comment block that opens the rewritten cfg (malloc'd): the command
 * that wrote it (argv, shell-quoted) and, for one point of a sweep, which;
 * weights_out: the .weights the cfg goes with when --bias-correct/--round-opt
 * wrote one (NULL: the original). */
char *fxq_qreport_cfg_header(const fxq_qplan *p, const fxq_qplan_opts *o, int argc, char **argv, const char *point,
                             const char *cfg, const char *stats_source, const char *weights_out);
/* The keys appended to quantized layer l's section (malloc'd). */
char *fxq_qreport_cfg_keys(const fxq_qplan *p, int l);

#endif
