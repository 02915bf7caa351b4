/* --per-channel: one weight frac per output channel (filter / output), the
 * least exact squared error over that row's batch-norm-folded float weights
 * (fxq_mse_frac_values). Bit-widths stay per layer. */
#ifndef FXQ_PERCHAN_H
#define FXQ_PERCHAN_H

#include <stddef.h>

#include "fxq_qplan.h"

/* Sets every layer's w_fracs (and w.frac = their minimum, the bias frac
 * lowered to w.frac + in.frac so it converts exactly into every row's
 * accumulator). Needs the plan's formats. 0 + why naming the layer when a
 * row needs a frac outside what the fixed-point layers accept. */
int fxq_qplan_per_channel(fxq_qplan *p, const char *cfg, const char *weights, char *why, size_t why_len);

#endif
