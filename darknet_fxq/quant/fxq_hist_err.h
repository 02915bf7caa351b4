/* Quantization error estimated from a recorded histogram, and the step that
 * minimises it (the empirical distribution of fxq_qformat.h). */
#ifndef FXQ_HIST_ERR_H
#define FXQ_HIST_ERR_H

#include "fxq_stats.h"

/* Mean squared error of quantizing the recorded tensor to multiples of
 * `step` with codes in [-2^(bits-1), 2^(bits-1)-1] (round to nearest,
 * saturate), estimated from the histogram: values uniform within a bin,
 * exact zeros error-free. */
double fxq_hist_mse(const fxq_tensor_stats *s, double step, int bits);

/* The same error for codes lo .. hi (a zero-point window, lo <= 0 <= hi) of
 * what an activation makes of the recorded values: negative values scaled
 * by neg_gain first (1: the values themselves; leaky 0.1; relu 0: exact 0),
 * i.e. the error of clamp(round(act(x) / step), lo, hi) * step against
 * act(x). With neg_gain 1 and the signed range it is fxq_hist_mse, bit for
 * bit (same bins, same order). */
double fxq_hist_mse_window(const fxq_tensor_stats *s, double step, double lo, double hi, double neg_gain);

/* E[x^2] from the moments: the signal power of the SQNR. */
double fxq_ts_power(const fxq_tensor_stats *s);

/* The empirical step: the (real, not power-of-two) step minimising
 * fxq_hist_mse at `bits`, in the tensor's units (divide by sigma to compare
 * with fxq_optimal_step). 0 for an empty or all-zero tensor. */
double fxq_empirical_step(const fxq_tensor_stats *s, int bits);

#endif
