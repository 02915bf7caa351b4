/* MSE-optimal step sizes of symmetric uniform quantizers (paper §3.1, Table 1),
 * computed numerically for any bit-width instead of copied from the table. */
#ifndef FXQ_STEPSIZE_H
#define FXQ_STEPSIZE_H

typedef enum fxq_dist {
    FXQ_DIST_UNIFORM,
    FXQ_DIST_GAUSSIAN,
    FXQ_DIST_LAPLACIAN,
    FXQ_DIST_GAMMA,
    FXQ_DIST_EMPIRICAL /* step minimising the error on a recorded histogram */
} fxq_dist;

/* Optimal step for a zero-mean, unit-variance `d` at `bits` (1..16) bits:
 * 2^bits levels, symmetric midrise as in Table 1, overload error included.
 * Not defined for FXQ_DIST_EMPIRICAL (returns 0). Cached after first call. */
double fxq_optimal_step(fxq_dist d, int bits);

/* Expected squared error (unit variance) of that quantizer: SQNR = -10 log10(mse). */
double fxq_optimal_mse(fxq_dist d, int bits);

/* Table 1's convention: unit variance, except the uniform column, which the
 * paper gives for a uniform density on [-1, 1] (variance 1/3): 2 / 2^bits.
 * Only for printing/checking against the paper; the Q-format rule uses
 * fxq_optimal_step(). */
double fxq_table1_step(fxq_dist d, int bits);

/* Expected squared error of the 2^bits-level symmetric midrise quantizer with
 * an arbitrary `step` on the unit-variance density (0 for bad arguments). */
double fxq_unit_quant_mse(fxq_dist d, int bits, double step);

/* "uniform" | "gaussian" | "laplacian" | "gamma" | "empirical"; 0 on unknown. */
int fxq_dist_parse(const char *s, fxq_dist *out);
const char *fxq_dist_name(fxq_dist d);

#endif
