/* `fxq finetune --requantize`: fresh fractional bits for a fine-tuned network.
 * Training moves weights and activations; statistics of the trained network
 * may call for other fractional bits. The bit widths and the signedness of
 * every tensor stay; every format's frac is recomputed from new statistics
 * (per-channel weights: each row's). */
#ifndef FXQ_REQUANT_H
#define FXQ_REQUANT_H

#include <stddef.h>

#include "fxq_outfile.h"
#include "fxq_policy.h"

/* out.weights -> out.cfg (the extension replaced, or ".cfg" appended). */
int fxq_requant_cfg_path(const char *weights_out, char *cfg_out, size_t len, char *why, size_t why_len);

/* Statistics of `fxcfg`'s float twin with `weights` over the image list,
 * fracs from them by `formats` as `fxq quantize --formats` picks them (mse:
 * least squared error on the histogram, unsigned tensors over their unsigned
 * range, ReLU/leaky outputs by the error after the activation; paper: the
 * §3.3 rule, xi = 3 sigma, Gaussian), per-channel rows by least squared error
 * on the trained masters (`--per-channel`), b_frac lowered to w_frac +
 * in_frac; written as a copy of fxcfg with only the *_frac values changed
 * into cfg_out (opened by the caller, who commits it once every output of
 * the run is ready). Each changed format is listed on stderr unless quiet.
 * 0 + why. */
int fxq_requant_write(const char *fxcfg, const char *weights, const char *list, fxq_outfile *cfg_out,
                      fxq_formats formats, int quiet, char *why, size_t why_len);

#endif
