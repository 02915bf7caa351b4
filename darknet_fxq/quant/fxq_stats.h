/* Calibration statistics (paper §3.3): per conv/connected layer, per tensor:
 * the plain data, its math and its file format, free of Darknet (the quant
 * tier; recording them from a Darknet network is fxq_stats_net.h).
 * Streaming (memory independent of the image count) and mergeable across
 * shards: merge(a, b) equals one run over the union (moments up to fp
 * rounding, histograms exactly). File format: see docs in fxq_stats_io.c and
 * the README. */
#ifndef FXQ_STATS_H
#define FXQ_STATS_H

#include <stddef.h>
#include <stdint.h>

enum fxq_tensor {
    FXQ_T_WEIGHTS,  /* after batch norm is folded in (fxq_fold.h) */
    FXQ_T_BIASES,   /* idem */
    FXQ_T_INPUT,    /* the layer's input activations */
    FXQ_T_PREACT,   /* outputs before the nonlinearity (paper Fig. 2) */
    FXQ_T_OUTPUT,   /* outputs after the nonlinearity */
    FXQ_T_COUNT
};

#define FXQ_HIST_BINS 2048 /* symmetric bins over [-range, +range] */

typedef struct fxq_tensor_stats {
    uint64_t count;
    double mean, m2, m3, m4;   /* central moment sums (Welford/Pébay), mergeable */
    double min, max;
    double range;              /* histogram half-width, a power of two; 0 = empty */
    uint64_t hist[FXQ_HIST_BINS];
    uint64_t zeros;            /* values exactly 0 (also in hist): ReLU outputs
                                * quantize without error, which the histogram's
                                * bin around 0 cannot tell */
} fxq_tensor_stats;

/* Smallest histogram half-width: all-zero tensors get this range. */
#define FXQ_HIST_MIN_RANGE 0x1p-64

double fxq_ts_sigma(const fxq_tensor_stats *s);     /* population std deviation */
double fxq_ts_kurtosis(const fxq_tensor_stats *s);  /* m4*n/m2^2 (3 for a Gaussian) */
double fxq_ts_absmax(const fxq_tensor_stats *s);
void fxq_ts_add(fxq_tensor_stats *s, const float *x, size_t n);
void fxq_ts_merge(fxq_tensor_stats *into, const fxq_tensor_stats *from);
/* fxq_ts_add skips NaN/Inf; this variant returns how many it skipped. */
size_t fxq_ts_add_checked(fxq_tensor_stats *s, const float *x, size_t n);
/* Exactly the same record (counts, extremes, histogram, mean and m2 bits). */
int fxq_ts_equal(const fxq_tensor_stats *a, const fxq_tensor_stats *b);
/* Histogram geometry: the range a tensor with this max|x| gets (smallest
 * power of two > absmax, at least FXQ_HIST_MIN_RANGE), and x's bin in it
 * (bin b covers [-range + b*w, -range + (b+1)*w), w = 2*range/BINS). */
double fxq_hist_range_for(double absmax);
int fxq_hist_bin(double x, double range);

/* "weights" "biases" "input" "preact" "output", indexed by enum fxq_tensor. */
extern const char *const fxq_tensor_names[FXQ_T_COUNT];
int fxq_tensor_parse(const char *name); /* -1 if unknown */

typedef struct fxq_layer_stats {
    int index;          /* layer index in the cfg (0 = first section after [net]) */
    char type[24];      /* "convolutional" or "connected" */
    fxq_tensor_stats t[FXQ_T_COUNT];
} fxq_layer_stats;

typedef struct fxq_stats {
    int n;                   /* layers recorded (conv/connected only) */
    fxq_layer_stats *layers;
    int net_layers;          /* total layers in the cfg, to detect mismatches */
    uint64_t images;
} fxq_stats;

/* n zeroed records (index/type unset); NULL when out of memory. */
fxq_stats *fxq_stats_alloc(int n, int net_layers);

/* Written to a temp file next to `path`, then renamed. 0 on failure + why. */
int fxq_stats_write(const fxq_stats *s, const char *path, char *why, size_t why_len);
fxq_stats *fxq_stats_read(const char *path, char *why, size_t why_len);
/* 0 + why when the two do not describe the same network. */
int fxq_stats_merge(fxq_stats *into, const fxq_stats *from, char *why, size_t why_len);
/* NULL when layer `index` has no record. */
const fxq_tensor_stats *fxq_stats_get(const fxq_stats *s, int index, int tensor);
void fxq_stats_free(fxq_stats *s);

#endif
