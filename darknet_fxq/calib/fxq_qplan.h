/* A quantization plan for one network: its quantization steps in Eq. 9 order,
 * the bit-width allocation (fxq_alloc.h) under one budget, and, given
 * calibration statistics, every layer's Q-formats (paper §3.3).
 *
 * The network is read as a chain in cfg order: a(0) is the input of the first
 * quantized layer, then each quantized layer contributes w(l) and a(l), its
 * output before the activation function. The next quantized layer's input is
 * quantized at a(l)'s bit-width (Eq. 9 counts that step once). */
#ifndef FXQ_QPLAN_H
#define FXQ_QPLAN_H

#include <stddef.h>
#include <stdio.h>

#include "fxq_alloc.h"
#include "fxq_format.h"
#include "fxq_netshape.h"
#include "fxq_qformat.h"
#include "fxq_stats.h"

typedef enum fxq_budget {
    FXQ_BUDGET_NONE,
    FXQ_BUDGET_BETA0,  /* --beta0 B */
    FXQ_BUDGET_SQNR,   /* --sqnr DB */
    FXQ_BUDGET_SIZE,   /* --size-mbits M */
    FXQ_BUDGET_WBITS   /* --wbits B */
} fxq_budget;

typedef struct fxq_qplan_opts {
    int objective_ops;    /* rho = MACs (1) or parameters (0) */
    double kappa;         /* dB/bit; with kappa_measured, the fallback */
    int kappa_measured;   /* per step, from the statistics */
    fxq_budget budget;
    double budget_value;  /* B, dB or Mbits */
    int abits;            /* activation bits when not allocated */
    int alloc_acts;       /* activations take part in the allocation */
    int fc_bits;          /* > 0: connected layers' weights fixed at this, outside the allocation */
    int head_bits;        /* > 0: the outputs of head layers (fxq_layer_shape.head) at this
                           * many bits instead of abits; not with alloc_acts */
    int bbits;            /* bias bits */
    int lo, hi;           /* supported bit-widths */
    long node_limit;      /* --size-mbits search; <= 0: automatic */
    fxq_qopts q;          /* the §3.3 rule; q.formats: the format policy */
    const char *refine_list; /* --formats refine: held-out images */
    int refine_n;         /* first N of them (0: all) */
    int refine_agree;     /* refine's objective: top-1 agreement with float first, then logit error */
} fxq_qplan_opts;

typedef struct fxq_qlayer {
    int index;            /* cfg layer index */
    const fxq_layer_shape *shape;
    int w_step, in_step, out_step;
    int b_bits;
    fxq_format w, b, in, out; /* fracs valid when the plan has_formats */
    int b_frac_clamped;   /* bias frac lowered to w.frac + in.frac */
    int out_unsigned;     /* relu output codes 0 .. 2^out.bits - 1 */
    int in_unsigned;      /* input codes 0 .. 2^in.bits - 1 (in.frac chosen for that range) */
    int in_win, in_lo;    /* zero point: input codes in_lo .. in_lo + 2^in.bits - 1 (in_zero = -in_lo) */
    int out_win, out_lo;  /* zero point: output codes after the activation, out_lo .. (out_zero) */
    int *w_fracs;         /* --per-channel: one frac per unit (owned), w.frac = their minimum */
    int units;            /* length of w_fracs */
    float *b_shift;       /* --bias-correct: units values subtracted from the float biases (owned) */
    float *w_opt;         /* --round-opt: units x fan_in float weights (Darknet's record, before
                           * batch-norm folding) whose folded values round to the chosen codes (owned) */
} fxq_qlayer;

typedef struct fxq_qplan {
    int nl;
    fxq_qlayer *layers;
    int ns;
    fxq_step *steps;
    int has_formats;
    int kappa_iterations; /* measured kappa: relinearisations until the bits settled */
    int kappa_converged;
    int search_complete;  /* --size-mbits: 0 if the node limit stopped the search */
    long search_nodes;
    /* --formats refine (calib/fxq_refine.h): output SQNR on the held-out
     * images before/after, images used, fracs moved */
    double refine_db0, refine_db1;
    int refine_images, refine_moves;
    fxq_netshape *shapes; /* owned when set: layers[].shape point into it */
} fxq_qplan;

/* Steps for every [convolutional]/[connected] layer of ns. NULL + why when
 * there is none or an option is out of range. */
fxq_qplan *fxq_qplan_build(const fxq_netshape *ns, const fxq_qplan_opts *o, char *why, size_t why_len);
void fxq_qplan_free(fxq_qplan *p); /* frees p->shapes too */

/* Runs the budget. st is required with kappa_measured (and ignored
 * otherwise). Warnings (a kappa that could not be measured) go to `warn`
 * when not NULL. 0 + why on failure. */
int fxq_qplan_allocate(fxq_qplan *p, const fxq_qplan_opts *o, const fxq_stats *st, FILE *warn, char *why,
                       size_t why_len);

/* Fractional bits of every format from the statistics (weights: FXQ_T_WEIGHTS,
 * biases: FXQ_T_BIASES with b_frac <= w_frac + in_frac, input: FXQ_T_INPUT,
 * output: FXQ_T_PREACT). 0 + why if a layer has no record. */
int fxq_qplan_formats(fxq_qplan *p, const fxq_stats *st, const fxq_qopts *q, char *why, size_t why_len);

/* 1 when activations of `bits` get zero-point windows under q. */
int fxq_qplan_windows(const fxq_qopts *q, int bits);

/* Layer l's input format at `bits` (and l->in_unsigned), as
 * fxq_qplan_formats chooses it. */
int fxq_qplan_input_format(const fxq_stats *st, fxq_qlayer *l, int bits, const fxq_qopts *q, char *why, size_t why_len);

/* 0 + why when a quantized layer is one the fixed-point layers cannot run
 * (fxq_layer_fixed_ok, recorded by the probe) or a format falls outside what
 * they accept. */
int fxq_qplan_check_layers(const fxq_qplan *p, char *why, size_t why_len);

/* Weight size in bits of the quantized layers of one type (CONVOLUTIONAL,
 * CONNECTED) or of all (-1). */
double fxq_qplan_weight_bits(const fxq_qplan *p, int type);
/* Predicted SQNR (Eq. 9) at layer l's output: every step up to it. */
double fxq_qplan_pred_at(const fxq_qplan *p, int l);

#endif
