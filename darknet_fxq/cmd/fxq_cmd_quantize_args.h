/* `darknet fxq quantize`'s command line: the one option table (the usage
 * text, --help-markdown's docs tables and the parser all read it), the
 * parsed arguments and every check that needs no file (fxq_cmd_quantize.c
 * runs the rest). */
#ifndef FXQ_CMD_QUANTIZE_ARGS_H
#define FXQ_CMD_QUANTIZE_ARGS_H

#include <stdio.h>

#include "fxq_qplan.h"

typedef struct fxq_quantize_args {
    const char *pos[3];
    int npos;
    const char *out, *csv;
    int dry_run, quiet, n, batch, threads;
    const char *budget_flag[4];
    int nbudget;
    int abits_given, head_bits_given;
    const char *preset;   /* --preset NAME (NULL: chosen by the arguments) */
    const char *passes;   /* --passes a,b,c */
    const char *images;   /* --images FILE */
    const char *held_out; /* --held-out FILE */
    fxq_qplan_opts o;
} fxq_quantize_args;

/* Fills a from argv (argv[0] is "quantize"). 0, or the exit status after a
 * one-line usage error on stderr. */
int fxq_quantize_parse_args(int argc, char **argv, fxq_quantize_args *a);

/* The usage text: all = every option (--help-all), else the main ones. */
void fxq_quantize_usage(FILE *f, int all);
/* The docs' tables (presets, passes, options) in Markdown. */
void fxq_quantize_markdown(FILE *f);

/* "darknet fxq quantize: why", exit status 1. */
int fxq_quantize_fail(const char *why);
/* A usage error naming `what` (and arg when not NULL), exit status 2. */
int fxq_quantize_usage_error(const char *what, const char *arg);

#endif
