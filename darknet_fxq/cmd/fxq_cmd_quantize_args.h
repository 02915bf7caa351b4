/* `darknet fxq quantize`'s command line: the usage text, the parsed
 * arguments and every check that needs no file (fxq_cmd_quantize.c runs the
 * rest). */
#ifndef FXQ_CMD_QUANTIZE_ARGS_H
#define FXQ_CMD_QUANTIZE_ARGS_H

#include "fxq_qplan.h"

#define FXQ_QUANTIZE_BATCH 32 /* images per forward pass when recording statistics */
/* --accurate's --act-channels floor: 0.5 and 0.7 measured alike on fmnist-res
 * (docs/quantize.md), no floor (full equalization) worse */
#define FXQ_ACCURATE_ACT_FLOOR 0.5
/* --accurate's --head-bits: on fmnist the factors help only with 16-bit logits */
#define FXQ_ACCURATE_HEAD_BITS 16

extern const char fxq_quantize_usage[];

typedef struct fxq_quantize_args {
    const char *pos[3];
    int npos;
    const char *out, *csv;
    int dry_run, quiet, n, batch, threads;
    const char *budget_flag[4];
    int nbudget;
    int abits_given;
    int per_channel;
    const char *bias_out, *bias_list;
    const char *round_out, *round_list;
    int round_target_fixed, round_sweeps, round_given; /* round_given: a --round-* option besides --round-opt */
    double round_damp;
    int refine_objective; /* --refine-objective given */
    const char *act_out, *act_list;
    int act_grid, act_given; /* act_given: --act-list, --act-grid, --act-objective or --act-channels */
    int act_all; /* --act-objective all */
    double act_floor; /* --act-channels F (0: off) */
    const char *accurate; /* --accurate W: the options it stands for are set as well */
    int logit_window;           /* --logit-window */
    const char *logit_list;     /* --logit-list F */
    fxq_qplan_opts o;
} fxq_quantize_args;

/* Fills a from argv (argv[0] is "quantize"). 0, or the exit status after a
 * one-line usage error on stderr. */
int fxq_quantize_parse_args(int argc, char **argv, fxq_quantize_args *a);

/* "darknet fxq quantize: why", exit status 1. */
int fxq_quantize_fail(const char *why);
/* A usage error naming `what` (and arg when not NULL), exit status 2. */
int fxq_quantize_usage_error(const char *what, const char *arg);

/* The third positional argument names a .stats file (else an image list). */
int fxq_is_stats_file(const char *path);

#endif
