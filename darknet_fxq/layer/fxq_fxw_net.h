/* .fxw files and Darknet networks (container format: fxq_fxw.h). */
#ifndef FXQ_FXW_NET_H
#define FXQ_FXW_NET_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_fxw.h"

/* One record per layer that save_weights would write (dontsave skipped):
 * fixed-point layers as codes at their bits, float conv/deconv/connected/
 * batchnorm layers as their upstream float record. Recurrent and local
 * layers are refused. NULL + why ("layer N [type]: ...") on failure. */
fxq_fxw *fxq_fxw_from_network(network *net, char *why, size_t why_len);

/* The upstream .weights file (header 0.2.0, records in layer order) holding
 * the dequantized values (weights code * 2^-w_frac, biases code * 2^-b_frac,
 * batch norm as identity). With the default bias format this is the byte
 * for byte what `save_weights` writes for the fixed-point network. Temp
 * file + rename. 0 + why on failure. */
int fxq_fxw_write_weights(const fxq_fxw *f, const char *path, char *why, size_t why_len);

/* Upstream float record of a fixed record (bias, [batch norm as identity],
 * weights in the layer type's order); bn selects the batch-norm part.
 * Returns the float count; *out is malloc'd (NULL on failure). */
size_t fxq_fxw_fixed_floats(const fxq_fxw_record *r, int bn, float **out);

const char *fxq_fxw_type_name(int type);

#endif
