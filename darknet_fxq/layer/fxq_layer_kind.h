/* What a Darknet layer is, for the fixed-point code: its section name,
 * whether it is fixed point or could be, its multiply-accumulates. Plain
 * predicates with no walk, so the layer code, the pipe and the walker all
 * stand on them. */
#ifndef FXQ_LAYER_KIND_H
#define FXQ_LAYER_KIND_H

#include <stddef.h>

#include "darknet.h"

/* The cfg section name: upstream's get_layer_string, plus the fixed-point
 * layers ("fxconvolutional", "fxconnected"). */
const char *fxq_layer_type_name(LAYER_TYPE t);

/* [fxconvolutional] or [fxconnected]: the layer carries an fxq state. */
int fxq_layer_is_fixed(const layer *l);

/* A float layer that fxq quantize can turn into a fixed-point one:
 * [convolutional] or [connected]. */
int fxq_layer_quantizable(const layer *l);

/* Whether convolutional/connected layer l (float or fixed) can compute in
 * fixed point: 1, or 0 + why (e.g. "activation=logistic has no fixed-point
 * version (linear, relu, leaky)"), the same text for the cfg parser's hook and
 * for the quantization planner. */
int fxq_layer_fixed_ok(const layer *l, char *why, size_t why_len);

/* Multiply-accumulates per image of a (fixed or float) convolutional or
 * connected layer; 0 for other layers. */
double fxq_layer_macs(const layer *l);

#endif
