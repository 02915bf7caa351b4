/* A lower bound of a window's histogram error (fxq_hist_mse_window) that
 * costs O(log bins) instead of O(bins), so the exhaustive window searches
 * (fxq_mse_window_unit) can skip windows that cannot win.
 *
 * The bins wholly below the window's lowest cell, or wholly above its
 * highest, saturate to one code: their exact error is
 * count * ((midpoint - code)^2 + width^2 / 12), a quadratic in the code whose
 * sums over any run of bins come from prefix sums of count, count * mid and
 * count * mid^2. Every other bin adds an error >= 0, so that sum is a lower
 * bound. A search skips a window only when the bound exceeds the best error
 * so far; the exact error would then not have won either (ties go to the
 * first found, so equal errors never replace it), and the search returns
 * exactly what the exhaustive one does. The bound is lowered by a margin far
 * above the rounding error of the expanded quadratic, so floating point
 * cannot make it exceed the exact error. */
#ifndef FXQ_CLIP_BOUND_H
#define FXQ_CLIP_BOUND_H

#include "fxq_stats.h"

typedef struct fxq_clip_bound fxq_clip_bound;

/* The bins of s as fxq_hist_mse_window(s, ., ., ., neg_gain) sees them.
 * NULL when out of memory or s is empty: search without a bound then. */
fxq_clip_bound *fxq_clip_bound_new(const fxq_tensor_stats *s, double neg_gain);
void fxq_clip_bound_free(fxq_clip_bound *b);

/* <= fxq_hist_mse_window(s, step, lo, hi, neg_gain) for lo <= 0 <= hi. */
double fxq_clip_bound_at(const fxq_clip_bound *b, double step, double lo, double hi);

/* 1 when the window holds every bin with a code to spare at both ends: no
 * bin saturates and no rounded code is clamped, so fxq_hist_mse_window
 * computes the same error, bit for bit, for every such window at this step
 * (a search evaluates the first and skips the rest). */
int fxq_clip_bound_interior(const fxq_clip_bound *b, double step, double lo, double hi);

#endif
