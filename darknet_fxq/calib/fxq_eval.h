/* Classifier evaluation shared by `fxq valid`, `fxq sweep` and `fxq sqnr`:
 * a labelled image set read the way `darknet classifier valid` reads it, safe
 * loading of networks (fxq_net.h; .fxw too), and one pass that runs several
 * networks on the same batches so every network sees identical inputs and
 * images decode once (fxq_input.h: classifier valid's preprocessing). */
#ifndef FXQ_EVAL_H
#define FXQ_EVAL_H

#include <stddef.h>

#include "darknet.h"

typedef struct fxq_evalset {
    char **paths;  /* n image paths */
    int *labels;   /* class of each path, -1 when no label matches */
    int n;
    int classes;   /* data cfg `classes` */
    int topk;      /* data cfg `top` (default 5), clipped to classes */
    int unlabelled;
} fxq_evalset;

/* Reads `datacfg` (keys labels, classes, top, and `valid` unless list_path is
 * given) and the image list. Labels follow classifier valid: the first label
 * that is a substring of the path. 0 + why on failure. */
int fxq_evalset_open(const char *datacfg, const char *list_path, fxq_evalset *set, char *why, size_t why_len);
/* Same for a bare list with no labels (labels all -1, classes 0). */
int fxq_evalset_list(const char *list_path, fxq_evalset *set, char *why, size_t why_len);
void fxq_evalset_free(fxq_evalset *set);

/* fxq_net_load (checked cfg and float weights, buffers sized for `batch`),
 * also for a .fxw file. NULL + why on failure. quiet (a command's -q):
 * without Darknet's layer table, so a failure is the one line of `why`. */
network *fxq_eval_load_net(const char *cfg, const char *weights, int batch, int quiet, char *why, size_t why_len);

/* Index of the layer whose output is the logits: the one feeding a final
 * [softmax], else the last layer. */
int fxq_eval_logit_layer(const network *net);

typedef struct fxq_eval_result {
    long images;
    long top1, topk;        /* correct counts */
    long agree;             /* top-1 equal to nets[0]'s */
    double abs_dlogit_sum;  /* sum over images and classes of |logit - nets[0] logit| */
    long logits;            /* number of terms in that sum */
    double seconds;         /* forward passes only */
    int *pred;              /* set by the caller, or NULL: receives each image's top-1 class */
    float *logit_out;       /* set by the caller, or NULL: receives each image's logits, the
                             * logit layer's outputs (fxq_eval_logit_layer) in image order */
} fxq_eval_result;

/* Runs nets[0..nnet-1] (same input size and class count) over the first
 * `limit` images of `set` (all when limit <= 0) in batches of the smallest
 * of their batch sizes (all are set to it), filling res[0..nnet-1]. nets[0] is the reference for
 * agreement and |dlogit|. Progress on stderr unless quiet. 0 + why on a bad
 * image or mismatched networks (named by cfgs[k], or "network k" when cfgs
 * is NULL). */
int fxq_eval_run(network **nets, const char *const *cfgs, int nnet, const fxq_evalset *set, int limit, int quiet, fxq_eval_result *res,
                 char *why, size_t why_len);

/* Checked path helpers used by the verbs. */
int fxq_file_readable(const char *path, char *why, size_t why_len);

#endif
