/* The passes' entry points, for the pass table (fxq_pass_table.c) only:
 * everyone else runs them through fxq_pipeline_run. */
#ifndef FXQ_PASS_IMPL_H
#define FXQ_PASS_IMPL_H

#include <stddef.h>

#include "fxq_pass.h"

/* fxq_pass_formats.c */
int fxq_pass_windows(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_formats(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_paper(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_per_channel(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_refine(fxq_pass_ctx *c, char *why, size_t why_len);
/* 1 while the statistics come from the .stats file (the user's network). */
int fxq_pass_stats_from_file(const fxq_pass_ctx *c);

/* fxq_pass_weights.c */
int fxq_pass_act_channels(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_act_scales(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_round_opt(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_bias_correct(fxq_pass_ctx *c, char *why, size_t why_len);
int fxq_pass_logit_window(fxq_pass_ctx *c, char *why, size_t why_len);
const char *fxq_pass_logit_window_skip(const fxq_pass_ctx *c);

#endif
