/* A human-readable table of a statistics file (`fxq stats --summary`). */
#ifndef FXQ_STATS_SUMMARY_H
#define FXQ_STATS_SUMMARY_H

#include <stdio.h>

#include "fxq_qformat.h"

/* Table of every record: moments, the format chosen at `bits`, its SQNR and
 * the measured kappa. */
void fxq_stats_print_summary(FILE *f, const fxq_stats *s, int bits, const fxq_qopts *o);

#endif
