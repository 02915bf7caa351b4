/* Every float a .weights file feeds the network must be a number: a NaN, an
 * Inf or a magnitude no trained network has (|x| > 1e15) would otherwise be
 * folded, quantized and run, and surface (if at all) as "28 NaN/Inf weights
 * after folding batch norm" with no file named. Checked once, before
 * Darknet's loader reads the file, naming the file and the layer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fxq_net.h"

#define FXQ_WEIGHT_ABSMAX 1e15

int fxq_weights_finite(FILE *f, const char *path, const size_t *layer_end, int n, size_t header, char *why,
                       size_t why_len)
{
    float buf[4096];
    size_t off = header; /* bytes consumed so far */
    if (fseek(f, (long)header, SEEK_SET)) {
        snprintf(why, why_len, "%s: cannot seek", path);
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        while (off < layer_end[i]) {
            size_t want = (layer_end[i] - off) / sizeof(float);
            if (want > sizeof buf / sizeof buf[0]) want = sizeof buf / sizeof buf[0];
            if (!want) break;
            if (fread(buf, sizeof(float), want, f) != want) {
                snprintf(why, why_len, "%s: read error in layer %d's record", path, i);
                return 0;
            }
            /* the block first, without a branch (vectorized: NaN fails <=);
             * the element only for the message */
            int bad = 0;
            for (size_t k = 0; k < want; ++k) bad |= !(fabsf(buf[k]) <= (float)FXQ_WEIGHT_ABSMAX);
            for (size_t k = 0; bad && k < want; ++k) {
                const float x = buf[k];
                if (!isfinite(x) || fabsf(x) > FXQ_WEIGHT_ABSMAX) {
                    snprintf(why, why_len, "%s: layer %d: %s value %g at byte %zu (not a trained network's number)",
                             path, i, isnan(x) ? "NaN" : isinf(x) ? "Inf" : "absurd magnitude", (double)x,
                             off + k * sizeof(float));
                    return 0;
                }
            }
            off += want * sizeof(float);
        }
    }
    return 1;
}
