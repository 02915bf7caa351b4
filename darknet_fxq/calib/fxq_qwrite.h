/* The steps of `fxq quantize` after the plan is built, shared by quantize
 * and sweep: run the budget and choose the formats, then write the
 * fixed-point cfg (the source cfg's text with each quantized section's keys
 * added, fxq_cfgtext.h). */
#ifndef FXQ_QWRITE_H
#define FXQ_QWRITE_H

#include <stddef.h>
#include <stdio.h>

#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

/* fxq_qplan_allocate, then fxq_qplan_formats when st is not NULL. Warnings
 * to `warn` (may be NULL). 0 + why on failure. */
int fxq_qplan_finish(fxq_qplan *p, const fxq_qplan_opts *o, const fxq_stats *st, FILE *warn, char *why, size_t why_len);

/* 0 + why ("<cfg>:<line>: layer L already has a 'K' key") when a quantized
 * section already holds a key the cfg would add: Darknet reads the first. */
int fxq_qplan_cfg_conflict(const fxq_cfgtext *text, const fxq_qplan *p, const char *cfg, char *why, size_t why_len);

/* Writes the fixed-point cfg of an allocated, formatted plan to `path`
 * (temp file + rename) with `header` (fxq_qreport_cfg_header) on top.
 * 0 + why on failure. */
int fxq_qplan_write_cfg(const fxq_cfgtext *text, const fxq_qplan *p, const char *header, const char *cfg,
                        const char *path, char *why, size_t why_len);

/* The same cfg text to f (a memory stream: the caller writes it out). */
int fxq_qplan_print_cfg(FILE *f, const fxq_cfgtext *text, const fxq_qplan *p, const char *header, const char *cfg,
                        char *why, size_t why_len);

#endif
