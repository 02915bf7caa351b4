/* One batch of list images through a float network: what the float passes
 * of --act-channels (fxq_chanmax) and --logit-window (fxq_logitwin) share,
 * each reading the layer outputs it needs afterwards. */
#ifndef FXQ_PREDICT_H
#define FXQ_PREDICT_H

#include <stddef.h>

#include "darknet.h"

/* Decodes paths[0..m-1] into buf (m x net->inputs floats) and runs net on
 * them, its batch set to m (at most the batch it was loaded with). 0 + why
 * (naming the image) when one cannot be decoded. */
int fxq_predict_images(network *net, char **paths, int m, float *buf, char *why, size_t why_len);

#endif
