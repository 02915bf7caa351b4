/* resize_network's hook (patch 0010). A fixed-point layer's integer plan,
 * code buffers and the codes it passes on (fxq_pipe.h) are sized once, at
 * load; upstream would resize the float buffers around them and leave those
 * behind (or, for the fx types, assert). Changing the input size is refused;
 * asking for the size the network already has changes nothing. A trainer
 * resizes only for random=1 (`detector train`'s [yolo]/[region], `classifier
 * train`'s [net]), so a trainable network's refusal names that key. */
#include <stdio.h>
#include <stdlib.h>

#include "fxq_hooks.h"
#include "fxq_layer.h"
#include "fxq_layer_train.h"
#include "fxq_walk.h"

int fxq_network_resize(network *net, int w, int h)
{
    for (int i = 0; i < net->n; ++i) {
        const layer *l = net->layers + i;
        if (!l->fxq) continue;
        if (w == net->w && h == net->h) return 1;
        if (fxq_training()) { /* a trainer resizes only for random=1 */
            fprintf(stderr, "%s: layer %d [%s]: a fixed-point network trains at its cfg's input size (%dx%d, asked "
                            "%dx%d by random=1 in [net] or [yolo]/[region]): set random=0\n",
                    l->fxq->cfg, l->fxq->index, fxq_layer_type_name(l->type), net->w, net->h, w, h);
            exit(1);
        }
        fprintf(stderr, "%s: layer %d [%s]: a fixed-point network cannot change its input size (%dx%d -> %dx%d): "
                        "use images of the cfg's size, or the float cfg\n",
                l->fxq->cfg, l->fxq->index, fxq_layer_type_name(l->type), net->w, net->h, w, h);
        exit(1);
    }
    return 0;
}
