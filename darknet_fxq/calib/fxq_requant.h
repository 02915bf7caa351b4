/* `fxq finetune --requantize`: fresh fractional bits for a fine-tuned network.
 * Training moves weights and activations; the paper's §3.3 rule applied to
 * statistics of the trained network may pick other fractional bits. The bit
 * widths stay; every format's frac is recomputed from new statistics. */
#ifndef FXQ_REQUANT_H
#define FXQ_REQUANT_H

#include <stddef.h>

/* out.weights -> out.cfg (the extension replaced, or ".cfg" appended). */
int fxq_requant_cfg_path(const char *weights_out, char *cfg_out, size_t len, char *why, size_t why_len);

/* Statistics of `fxcfg`'s float twin with `weights` over the image list,
 * fracs from them (fxq_choose_format, xi = 3 sigma, Gaussian: as `fxq
 * quantize` by default; b_frac lowered to w_frac + in_frac), written as a copy
 * of fxcfg with only the *_frac values changed (temp + rename). Each changed
 * format is listed on stderr unless quiet. 0 + why. */
int fxq_requant_write(const char *fxcfg, const char *weights, const char *list, const char *cfg_out, int quiet,
                      char *why, size_t why_len);

#endif
