/* Cross-layer bit-width allocation (paper §4.2).
 *
 * A network is a chain of quantization steps (Eq. 9): the input of the first
 * quantized layer a(0), then for every quantized layer its weights w(l) and
 * its output a(l). Each step i has a cost weight rho_i (parameters or
 * multiply-accumulates, §4.2) and an SQNR model
 *     gamma_dB,i(beta) = kappa_i * beta + offset_i      (Eq. 2/4; offset 0 in the paper)
 * so its inverse SQNR is lambda_i = 10^(-gamma_dB,i / 10), and the output SQNR
 * is predicted by Eq. 9: 1/gamma_out = sum_i lambda_i.
 *
 * Minimising sum_i rho_i * beta_i subject to sum_i lambda_i <= 1/gamma_min
 * (Eq. 11/12) has the water-filling solution lambda_i ∝ rho_i / kappa_i
 * (Eq. 13; with one kappa for all steps this is rho_i * gamma_i = const and
 * beta_i - beta_j = 10 log10(rho_j / rho_i) / kappa, Eq. 15/16).
 *
 * Every solver first computes the real-valued optimum (`exact`), then clamps
 * to [lo, hi] and rounds to integers (`bits`); fxq_alloc_move_cost_db says
 * what each deviation costs. Pure math: no Darknet types. */
#ifndef FXQ_ALLOC_H
#define FXQ_ALLOC_H

#include <stddef.h>

typedef enum fxq_step_kind {
    FXQ_STEP_INPUT,   /* a(0): input activations of the first quantized layer */
    FXQ_STEP_WEIGHTS, /* w(l) */
    FXQ_STEP_OUTPUT   /* a(l): layer output before the activation function */
} fxq_step_kind;

#define FXQ_ALLOC_TAB_BITS 16 /* widest bit-width a step's measured table covers */

typedef struct fxq_step {
    int layer;           /* cfg layer index (0 = first section after [net]) */
    fxq_step_kind kind;
    double rho;          /* objective weight, > 0 */
    double params;       /* weights this step quantizes (size budget); 0 for activations */
    double kappa;        /* dB/bit, > 0 */
    double offset;       /* dB at 0 bits of the linear model */
    int has_tab;         /* integer bit-widths use tab_db (measured) instead of the line */
    double tab_db[FXQ_ALLOC_TAB_BITS + 1]; /* SQNR in dB at 0..16 bits */
    int pinned;          /* 1: bits fixed by the caller, not allocated */
    double exact;        /* real-valued optimum (pinned: = bits) */
    int bits;            /* the integer allocation */
} fxq_step;

/* Eq. 2 for one step at a real bit-width (the line), and its inverse SQNR. */
double fxq_step_sqnr_db(const fxq_step *s, double bits);
double fxq_step_noise(const fxq_step *s, double bits);
/* The same at an integer bit-width: the measured table when the step has one
 * (the real-valued solution uses the line, every integer decision the table). */
double fxq_step_sqnr_db_int(const fxq_step *s, int bits);
double fxq_step_noise_int(const fxq_step *s, int bits);

/* Eq. 9 over steps[0..n-1] at their integer bits / at their exact values. */
double fxq_alloc_pred_db(const fxq_step *s, int n);
double fxq_alloc_pred_exact_db(const fxq_step *s, int n);
/* Change of the predicted output SQNR (dB) when step i alone moves from its
 * exact value to its integer bits, every other step staying exact. */
double fxq_alloc_move_cost_db(const fxq_step *s, int n, int i);

/* Sum of params * bits over weight steps, in bits. */
double fxq_alloc_weight_bits(const fxq_step *s, int n);

/* Water-filling (Eq. 12/13): lambda_i = C * w_i / sum_j w_j. All w_i > 0. */
void fxq_waterfill(const double *w, int n, double C, double *lambda);

/* --wbits: every unpinned step gets `bits` (the paper's equal bit-width
 * baseline); exact = bits. */
int fxq_alloc_equal(fxq_step *s, int n, int bits, int lo, int hi, char *why, size_t why_len);

/* Budgets. Each fills exact and bits of the unpinned steps and returns 1, or
 * returns 0 with a reason (nothing is changed then). lo..hi is the supported
 * bit-width range.
 *
 * beta0: the first unpinned weight step gets beta0 bits; every other
 *   unpinned step follows Eq. 14 from it. With a common kappa and no offsets
 *   this is beta_i = beta0 - round(10 log10(rho_i / rho_0) / kappa) (Eq. 15/16),
 *   rounded half away from zero in that difference, then clamped. */
int fxq_alloc_beta0(fxq_step *s, int n, int beta0, int lo, int hi, char *why, size_t why_len);

/* sqnr: the exact water-filling solution meeting gamma_min (dB) with
 *   equality, then rounded to nearest and clamped; if that breaks the floor,
 *   bits are added one at a time where they buy the most noise reduction per
 *   unit of rho, then bits are removed where that saves the most rho while the
 *   floor still holds. Fails when gamma_min is out of reach at hi bits. */
int fxq_alloc_sqnr(fxq_step *s, int n, double sqnr_db, int lo, int hi, char *why, size_t why_len);

/* size: the integer allocation with the highest predicted output SQNR whose
 *   weights (sum params * bits, pinned ones included) fit in budget_bits.
 *   Unpinned activation steps cost nothing and get hi. Exact by branch and
 *   bound (Lagrangian bounds); *nodes_out (if given) receives the node count.
 *   If the node limit is hit the best allocation found is kept and
 *   *complete_out is set to 0. `exact` is the real-valued optimum without
 *   clamping. */
int fxq_alloc_size(fxq_step *s, int n, double budget_bits, int lo, int hi, long node_limit,
                   long *nodes_out, int *complete_out, char *why, size_t why_len);

#endif
