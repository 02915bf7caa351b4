/* Which layers have a fixed-point version, and why not: the one rule, on
 * plain values so that both the parsed layer (fxq_layer_fixed_ok) and the cfg
 * validator (fxq_cfggeom.c, which runs before Darknet's parser) ask it and
 * give the same reason. No darknet.h: the validator's fuzzer links it alone. */
#ifndef FXQ_FIXED_RULE_H
#define FXQ_FIXED_RULE_H

#include <stddef.h>

/* act: the activation's cfg name; conv: a convolution (else connected).
 * 1, or 0 + the reason in why. */
int fxq_fixed_rule(const char *act, int conv, long groups, int binary, int xnor, long size, long stride, char *why,
                   size_t why_len);

#endif
