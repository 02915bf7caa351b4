/* Strict number parsing for the fxq verbs' options: the whole argument must
 * parse (atoi would take "8x" as 8) and lie in range. 1 on success. */
#ifndef FXQ_CLI_H
#define FXQ_CLI_H

int fxq_cli_int(const char *s, int lo, int hi, int *out);
/* Finite double (not NaN). */
int fxq_cli_double(const char *s, double *out);
/* 0 < v <= 1e6 */
int fxq_cli_pos_double(const char *s, double *out);

/* The directory of `path` must take a new file ("-" = stdout passes):
 * checked before a long run rather than discovered after it. 0 + why. */
int fxq_cli_output_writable(const char *path, char *why, size_t why_len);

/* "darknet fxq VERB: why" on stderr; returns 1 (the exit status of a failed
 * run). */
int fxq_cli_fail(const char *verb, const char *why);
/* "darknet fxq VERB: what[: arg] (see darknet fxq VERB --help)"; returns 2
 * (the exit status of a usage error). */
int fxq_cli_usage_error(const char *verb, const char *what, const char *arg);
/* fxq_cli_output_writable, and `out` is not the same file as any of the n
 * `inputs` (fxq_out_distinct): checked before the work starts. */
int fxq_cli_output_ok(const char *out, const char *const *inputs, int n, char *why, size_t why_len);

/* The files a Darknet data file names (train=, valid=, labels=, names=,
 * test=, eval= values, as read_data_cfg reads them: spaces dropped) into
 * out[0..max-1], each FXQ_CLI_PATH bytes: inputs an output must never
 * replace. Returns how many (0 when `data` cannot be read). */
#define FXQ_CLI_PATH 4096
int fxq_cli_data_inputs(const char *data, char (*out)[FXQ_CLI_PATH], int max);

/* "VERB: OPT needs a value" as one line on stderr; returns 2. */
int fxq_cli_needs_value(const char *verb, const char *opt);

/* The weights file of each of nnet networks (wfile[0] the reference's,
 * `weights`) from the nfxw --fx-weights values: none (all `weights`), one
 * for every fixed-point cfg, or one per fixed-point cfg in their order,
 * "-" standing for `weights`. Another count: a usage error of VERB, 2
 * returned; else 0. */
int fxq_cli_fx_weights(const char *verb, const char *weights, const char *const *fxw, int nfxw, int nnet,
                       const char **wfile);
/* "cfgs with weights W" lines for the fixed-point cfgs whose weights are
 * not the reference's, one line when they share one file. */
void fxq_cli_print_fx_weights(const char *const *cfgs, const char *const *wfile, int nnet);

#endif
