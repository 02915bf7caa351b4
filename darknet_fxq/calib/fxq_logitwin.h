/* `fxq quantize --logit-window`: the format of the logits (beyond the paper).
 *
 * A classifier's last quantized layer writes the logits, which only a final
 * [softmax] reads (through a global [avgpool] in an all-convolutional head).
 * The squared-error window spends its codes on every logit alike, but the
 * softmax barely sees a logit far below the largest: clipping those costs
 * nothing, while a finer step keeps the near-tied top logits apart. So the
 * frac and window are chosen by what the softmax makes of them: the mean
 * KL divergence of the quantized softmax from the float one, over the
 * calibration images' float head outputs (each position rounded and clipped
 * as the layer does, then averaged as the pool does; the pool's own
 * rounding, 2^-(frac + log2 hw), is left out). Without a pool every value of
 * the output is a logit, as the softmax reads it.
 *
 * The search is exhaustive over frac = the squared-error frac - 1 ..
 * + FXQ_LOGITWIN_FINER and every window of 2^bits codes that holds 0. Per
 * frac each (image, logit) sorts its codes once, so a window's clipped sum
 * is two binary searches: about 1 s for 1000 images of 10 logits x 49
 * positions. Deterministic: images in list order, sums in double. */
#ifndef FXQ_LOGITWIN_H
#define FXQ_LOGITWIN_H

#include <stddef.h>

#include "fxq_qplan.h"

#define FXQ_LOGITWIN_FINER 6          /* fracs tried above the squared-error one */
#define FXQ_LOGITWIN_MAX_VALUES (1 << 22) /* head values kept: images beyond are not used */

/* The head's float outputs: n images x c logits x hw positions (hw = 1
 * without a pool); the softmax divides by temperature. */
typedef struct fxq_logitwin_set {
    int n, c, hw;
    const float *x;
    double temperature;
} fxq_logitwin_set;

/* Mean KL divergence (nats) of the softmax of the quantized logits from the
 * float one: codes round(x 2^frac) half away from zero, clipped to lo .. lo +
 * 2^bits - 1, averaged over the hw positions. The reference the search is
 * tested against: it computes each candidate directly. */
double fxq_logitwin_kl(const fxq_logitwin_set *s, int bits, int frac, int lo);

/* The least fxq_logitwin_kl over frac_lo..frac_hi and every lo in
 * -(2^bits - 1) .. 0 (first found on ties: frac ascending, lo from 0 down).
 * 0 + why when out of memory or bits is outside 2..10. */
int fxq_logitwin_search(const fxq_logitwin_set *s, int bits, int frac_lo, int frac_hi, int *frac, int *lo, double *kl,
                        char *why, size_t why_len);

/* Where plan p has a head the softmax reads (linear activation, output of
 * at most 10 bits, then only a global [avgpool], the last [softmax] with
 * groups=1 and [cost] layers), runs the float network (cfg + weights) on the
 * first n images of list (0: all) and sets that layer's output frac and
 * window. Heads that do not qualify keep their format; each decision is one
 * line on stderr unless quiet. 0 + why (naming the file) on failure. */
int fxq_logit_window(fxq_qplan *p, const char *cfg, const char *weights, const char *list, int n, int batch,
                     int quiet, char *why, size_t why_len);

#endif
