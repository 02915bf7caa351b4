/* `fxq quantize --bias-correct OUT.weights`: bias correction (beyond the
 * paper). Rounding weights and activations shifts the mean of a layer's
 * output by a small amount per channel that is not zero; through later
 * layers the shifts add up. Layer by layer in cfg order, the fixed-point
 * network (with every earlier correction applied) and the float network run
 * on calibration images; each output channel's mean difference before the
 * activation is subtracted from its bias. The corrected biases are written
 * as a float .weights file that the fixed-point cfg (and the float cfg)
 * load; the formats do not change.
 *
 * Cost: 2 x (quantized layers) passes of each network over the images.
 * Deterministic: integer layers are exact, float layers compute each image
 * independently of batch and threads, sums run in image order (double). */
#ifndef FXQ_BIASCORR_H
#define FXQ_BIASCORR_H

#include <stddef.h>

#include "fxq_calpair.h"
#include "fxq_cfgtext.h"
#include "fxq_qplan.h"

/* Measures the corrections of plan p (formats final) and fills p->layers[k]
 * .b_shift (owned by the plan; units values, what was subtracted from the
 * float bias). 0 + why on failure. */
int fxq_bias_correct(fxq_qplan *p, const fxq_cfgtext *text, const fxq_calpair_src *o, char *why, size_t why_len);

/* `weights` with every layer's b_shift subtracted from its biases (and the
 * rows --round-opt chose) straight into `file`: the caller's temp file from
 * fxq_out_open_named, so the output rule applies. 0 + why. */
int fxq_bias_save_weights(const fxq_qplan *p, const char *cfg, const char *weights, const char *file, char *why,
                          size_t why_len);

#endif
