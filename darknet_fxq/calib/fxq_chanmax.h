/* The largest |value| of every channel of every layer's output, over
 * calibration images through the float network: what --act-channels
 * compares channels by (fxq_actscale_net.h). The maximum does not depend on
 * the order of the images, so the result is the same for any batch. */
#ifndef FXQ_CHANMAX_H
#define FXQ_CHANMAX_H

#include <stddef.h>

#include "darknet.h"

/* A layer's output as channels x positions: [connected] has `outputs`
 * channels of one position. 0 when outputs is not channels x positions. */
int fxq_chanmax_shape(const layer *l, int *channels, int *positions);

/* Runs net (loaded with its batch) on paths[0..n-1]; mx[i] (fxq_chanmax_shape's
 * channels of layer i, zeroed by the caller) receives each channel's max
 * |x| (NaN counts as nothing). 0 + why (naming the image) on failure. */
int fxq_chanmax(network *net, char **paths, int n, float **mx, char *why, size_t why_len);

#endif
