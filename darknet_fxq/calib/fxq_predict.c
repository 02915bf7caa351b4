/* One batch of images through a float network: see fxq_predict.h. */
#include "fxq_predict.h"
#include "fxq_input.h"

int fxq_predict_images(network *net, char **paths, int m, float *buf, char *why, size_t why_len)
{
    for (int i = 0; i < m; ++i)
        if (!fxq_input_load(paths[i], net->w, net->h, net->c, buf + (size_t)i * net->inputs, why, why_len)) return 0;
    if (net->batch != m) set_batch_network(net, m);
    network_predict(net, buf);
    return 1;
}
