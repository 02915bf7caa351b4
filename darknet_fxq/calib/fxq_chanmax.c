/* Per-channel maxima of a float network's layer outputs: see fxq_chanmax.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fxq_chanmax.h"
#include "fxq_predict.h"

int fxq_chanmax_shape(const layer *l, int *channels, int *positions)
{
    const int c = l->type == CONNECTED ? l->outputs : l->out_c;
    const int hw = l->type == CONNECTED ? 1 : l->out_h * l->out_w;
    *channels = c, *positions = hw;
    return c > 0 && hw > 0 && (long)c * hw == l->outputs;
}

int fxq_chanmax(network *net, char **paths, int n, float **mx, char *why, size_t why_len)
{
    const int B = net->batch > 0 ? net->batch : 1;
    float *x = calloc((size_t)B * net->inputs, sizeof *x);
    if (!x) {
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    for (int first = 0; first < n; first += B) {
        const int m = n - first < B ? n - first : B;
        if (!fxq_predict_images(net, paths + first, m, x, why, why_len)) {
            free(x);
            return 0;
        }
        for (int i = 0; i < net->n; ++i) {
            const layer *l = &net->layers[i];
            int c, hw;
            if (!mx[i] || !l->output || !fxq_chanmax_shape(l, &c, &hw)) continue;
            for (int b = 0; b < m; ++b)
                for (int k = 0; k < c; ++k) {
                    const float *v = l->output + (size_t)b * l->outputs + (size_t)k * hw;
                    float best = mx[i][k];
                    for (int j = 0; j < hw; ++j) {
                        const float a = fabsf(v[j]);
                        if (a > best) best = a; /* NaN compares false */
                    }
                    mx[i][k] = best;
                }
        }
    }
    free(x);
    return 1;
}
