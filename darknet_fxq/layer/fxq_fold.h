/* Batch-norm folding (paper §4.1.5): the folded layer is what is quantized.
 * Darknet's inference batch norm (conv and connected alike) is
 *   y = scale * (x - mean) / (sqrt(var) + 1e-6) + bias      (normalize_cpu in blas.c)
 * so w' = w * scale / (sqrt(var) + 1e-6), b' = bias - scale * mean / (sqrt(var) + 1e-6). */
#ifndef FXQ_FOLD_H
#define FXQ_FOLD_H

#include "darknet.h"

/* Number of output units (filters or outputs) and weights per unit. */
int fxq_fold_units(const layer *l);
int fxq_fold_fan_in(const layer *l);

/* Writes the folded weights (units x fan_in, Darknet order) and biases
 * (units) of a convolutional/connected layer (or their fx variants) whose
 * float weights are loaded. Layers without batch norm are copied as is. */
void fxq_fold_bn(const layer *l, float *w_out, float *b_out);

#endif
