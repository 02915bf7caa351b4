/* Per-layer shapes of a cfg (what the allocator's rho comes from), built by
 * Darknet's own parser (fxq_net_load, batch 1) in a child process: the checks
 * before it cannot foresee every cfg on which upstream's error() aborts, and a
 * forked child turns that crash into a one-line failure reason. */
#ifndef FXQ_NETSHAPE_H
#define FXQ_NETSHAPE_H

#include <stddef.h>

typedef struct fxq_layer_shape {
    int type;              /* Darknet LAYER_TYPE */
    int quantizable;       /* convolutional or connected */
    int batch_normalize;
    long long params;      /* weights only, no biases (as the paper's tables count) */
    long long macs;        /* multiply-accumulates per image */
    long long inputs;      /* input activations per image */
    long long outputs;     /* output activations per image */
    int out_h, out_w, out_c;
    char activation[16];   /* the cfg name (mse/refine choose output formats after it) */
    int head;              /* its output leaves the integer layers: read only by float layers
                            * (softmax, cost, yolo, ...) or the caller, through pools, route,
                            * shortcut, upsample, reorg at most; no quantized layer reads it */
    /* quantizable but without a fixed-point version: why (fxq_layer_fixed_ok) */
    char why_not[160];
} fxq_layer_shape;

typedef struct fxq_netshape {
    int n;
    fxq_layer_shape *layers;
} fxq_netshape;

/* NULL + why when Darknet cannot build the network (its own messages are
 * copied to stderr first). */
fxq_netshape *fxq_netshape_probe(const char *cfg, char *why, size_t why_len);
void fxq_netshape_free(fxq_netshape *ns);

#endif
