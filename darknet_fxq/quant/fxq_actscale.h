/* Real-valued activation steps from power-of-two formats (fxq quantize
 * --act-scales): a tensor y that its producer computes as y / c (c > 0) and
 * its consumers fold back (c times their weight columns) has power-of-two
 * codes that are codes of y at the real step c * 2^-frac. This is the
 * search for c, on recorded histograms; applying it to a network is
 * calib/fxq_actscale_net.h. No Darknet header. */
#ifndef FXQ_ACTSCALE_H
#define FXQ_ACTSCALE_H

#include "fxq_stats.h"

/* How a tensor's codes are chosen, as fxq_qplan_formats does:
 *   WINDOW    every zero-point window (--windows), the error of act(x)
 *   SIGNED    codes -2^(bits-1) .. 2^(bits-1)-1 before the activation; the
 *             negative side's error scaled by neg_gain^2 (fxq_mse_frac_act)
 *   UNSIGNED  codes 0 .. 2^bits - 1 of act(x) (relu outputs, inputs >= 0) */
typedef enum fxq_ap_mode { FXQ_AP_WINDOW, FXQ_AP_SIGNED, FXQ_AP_UNSIGNED } fxq_ap_mode;

/* One place where a tensor is quantized: a layer's output or input. */
typedef struct fxq_act_point {
    const fxq_tensor_stats *s;
    int bits;           /* 2..15 */
    double neg_gain;    /* the activation's negative slope (1 for an input) */
    fxq_ap_mode mode;
} fxq_act_point;

/* The least squared error of p over fracs frac_lo..frac_hi (and, for
 * WINDOW, every window) at the step unit * 2^-frac, in the tensor's units;
 * *frac (may be NULL) receives the frac. 0 for an empty or all-zero tensor. */
double fxq_act_point_err(const fxq_act_point *p, double unit, int frac_lo, int frac_hi, int *frac);

/* The scale shared by n points (one group: tensors that must carry the same
 * c, e.g. the inputs and output of a [shortcut]): c = 2^(k / per_octave),
 * k = 0 .. per_octave - 1, with the least summed error. Each point searches
 * fracs within +-2 of its own best at c = 1 (over frac_lo..frac_hi), which
 * covers every step from a quarter to 8 times that best one. Ties: the
 * smallest k (c = 1 when nothing is gained). *err1 / *errc (may be NULL):
 * the summed error at c = 1 and at the chosen c. Returns k. */
int fxq_act_scale_choose(const fxq_act_point *pts, int n, int per_octave, int frac_lo, int frac_hi, double *err1,
                         double *errc);

/* The weight side: a layer whose rows are scaled by 1/u (u = c_out / c_in)
 * before they are quantized has, in the original units, the error of w
 * quantized at the step u * 2^-frac. tab[j] (j = 0 .. per_octave - 1)
 * receives that squared error per row (summed over the row, averaged over
 * the rows) at u = 2^(j / per_octave), each row at its best frac (per_row;
 * else one frac for all), searched within +-2 of its best at u = 1 over
 * frac_lo..frac_hi; codes -2^(bits-1) .. 2^(bits-1)-1, round half away
 * from zero. Returns 1. */
int fxq_w_unit_table(const float *w, int rows, int fan_in, int bits, int per_row, int per_octave, int frac_lo,
                     int frac_hi, double *tab);

/* The least error of p at every unit 2^(k / per_octave): tab[k], with the
 * frac window of fxq_act_scale_choose. */
void fxq_act_point_table(const fxq_act_point *p, int per_octave, int frac_lo, int frac_hi, double *tab);

#endif
