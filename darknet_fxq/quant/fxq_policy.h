/* Format policies of `fxq quantize --formats`: how a tensor's
 * fractional bits are chosen once its bit-width is known.
 *   paper   the §3.3 rule n = -ceil(log2(xi * Stepsize(beta))) (fxq_qformat.h)
 *   mse     the power-of-two step with the least squared error on the
 *           recorded histogram, clipping included: every frac the
 *           fixed-point layers accept is evaluated (fxq_mse_frac)
 *   refine  mse, then each tensor's frac moved by -1/0/+1 where that raises
 *           the network's measured output SQNR (calib/fxq_refine.h) */
#ifndef FXQ_POLICY_H
#define FXQ_POLICY_H

#include <stddef.h>

#include "fxq_stats.h"

typedef enum fxq_formats {
    FXQ_FORMATS_PAPER = 0, /* zero: the default of every fxq_qopts initialiser */
    FXQ_FORMATS_MSE,
    FXQ_FORMATS_REFINE
} fxq_formats;

/* The fractional bits the fixed-point layers accept (fxq_layer.c). */
#define FXQ_LAYER_FRAC_MIN (-32)
#define FXQ_LAYER_FRAC_MAX 48

/* "paper" | "mse" | "refine"; 0 on anything else. */
int fxq_formats_parse(const char *s, fxq_formats *out);
const char *fxq_formats_name(fxq_formats f);

/* The frac in [frac_lo, frac_hi] whose format (bits, frac) has the least
 * fxq_hist_mse on s; the first (coarsest) of equal errors. *err (may be
 * NULL) receives that error. An empty or all-zero tensor: bits - 1 clamped
 * into the range, error 0. */
int fxq_mse_frac(const fxq_tensor_stats *s, int bits, int frac_lo, int frac_hi, double *err);

/* fxq_mse_frac for an output before an activation whose negative side is
 * scaled by neg_gain (relu 0, leaky 0.1, linear 1): the error that reaches
 * the next layer, positive bins' error plus neg_gain^2 times the negative
 * bins' (act(q(x)) - act(x) = neg_gain (q(x) - x) for x < 0). */
int fxq_mse_frac_act(const fxq_tensor_stats *s, int bits, double neg_gain, int frac_lo, int frac_hi);

/* Zero points: the (frac, lo) in [frac_lo, frac_hi] x [-(2^bits - 1), 0]
 * with the least fxq_hist_mse_window(s, 2^-frac, lo, lo + 2^bits - 1,
 * neg_gain) -- every frac, and for each every window that can differ in
 * error (beyond the recorded range the error is flat). Ties: the first
 * frac (coarsest), and at one frac lo = 0 (unsigned), then the signed
 * window, then the highest lo. Returns frac, *lo the window's lowest code,
 * *err its error (may be NULL). bits 2..15. */
int fxq_mse_window(const fxq_tensor_stats *s, int bits, double neg_gain, int frac_lo, int frac_hi, int *lo,
                   double *err);
/* The same search with the step unit * 2^-frac (unit > 0, real): what a
 * tensor scaled by 1/unit gets from fxq_mse_window, in the tensor's own
 * units (--act-scales, fxq_actscale.h). unit 1 is fxq_mse_window exactly. */
int fxq_mse_window_unit(const fxq_tensor_stats *s, int bits, double neg_gain, double unit, int frac_lo, int frac_hi,
                        int *lo, double *err);

/* Per-output-channel weights (--per-channel): the frac in [frac_lo,
 * frac_hi] with the least exact squared error of x[0..n) quantized at (bits,
 * frac) -- the actual values, no histogram; the first (coarsest) of equal
 * errors. All zero: bits - 1 clamped into the range. */
int fxq_mse_frac_values(const float *x, size_t n, int bits, int frac_lo, int frac_hi);

#endif
