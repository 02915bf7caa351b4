/* Q-format selection (paper §3.3): n = -ceil(log2(xi * Stepsize(beta))),
 * xi = K sigma (K = 3 by default), plus the SQNR a format achieves on recorded
 * data and the measured quantization efficiency kappa (dB/bit, Eq. 2). */
#ifndef FXQ_QFORMAT_H
#define FXQ_QFORMAT_H

#include "fxq_format.h"
#include "fxq_policy.h"
#include "fxq_stats.h"
#include "fxq_stepsize.h"

typedef struct fxq_qopts {
    double xi_sigmas;  /* K in xi = K*sigma; default 3 */
    fxq_dist dist;     /* default FXQ_DIST_GAUSSIAN */
    fxq_formats formats; /* paper (default): the rule above; mse/refine: fxq_mse_frac */
    int unsigned_in;   /* mse/refine: inputs recorded >= 0 get unsigned codes
                        * (fxq_qplan_formats; fxq quantize's default) */
    int windows;       /* mse/refine with unsigned_in: activations <= 10 bits get
                        * zero-point windows (fxq_mse_window) */
} fxq_qopts;

#define FXQ_QOPTS_DEFAULT ((fxq_qopts){3.0, FXQ_DIST_GAUSSIAN, FXQ_FORMATS_PAPER, 0, 0})

/* With o->formats mse or refine: fxq_mse_frac over every frac the layers
 * accept (xi and dist unused). Otherwise the paper's rule for an ideal
 * distribution; for FXQ_DIST_EMPIRICAL the frac
 * whose format minimises squared error on the histogram. An empty or all-zero
 * tensor gets frac = bits - 1. */
fxq_format fxq_choose_format(const fxq_tensor_stats *s, int bits, const fxq_qopts *o);

/* n = -ceil(log2(xi * step)) for a given xi and unit-variance step. */
int fxq_frac_from_step(double xi, double unit_step);

/* SQNR in dB of quantizing the recorded tensor to f, estimated from the
 * histogram (signal power from the moments). */
double fxq_sqnr_db(const fxq_tensor_stats *s, fxq_format f);

/* Measured kappa around `bits`: slope of SQNR(beta) with formats chosen by
 * the same rule, central difference (one-sided at the ends of 2..16). */
double fxq_kappa_measured(const fxq_tensor_stats *s, int bits, const fxq_qopts *o);

/* Eq. 2 read literally, gamma_dB = kappa * beta through the origin:
 * SQNR(bits) / bits with the rule's format. This is the sense in which the
 * paper reports 5 dB/bit for a Gaussian and 2-4 dB/bit on real data; the
 * local slope above is the marginal gain of one more bit (about 6 dB/bit
 * once granular noise dominates). 0 for an all-zero tensor. */
double fxq_kappa_ratio(const fxq_tensor_stats *s, int bits, const fxq_qopts *o);

#endif
