/* Post-training rounding of one weight row (AdaRound/GPTQ-like, no
 * gradients): integer codes q in [lo, hi] minimising the output error
 *
 *     E(q) = || s q^T Xq - w^T Xf ||^2 = (s q)^T H (s q) - 2 (s q)^T c + const,
 *     H = Xq Xq^T (K x K, symmetric), c = (Xq Xf^T) w,
 *
 * over the calibration positions (columns of Xq, Xf), s = the row's step.
 * Rounding each weight to nearest ignores that the errors of the K weights
 * of a row add up through the same inputs; this lets one weight's rounding
 * make up for another's.
 *
 * Method: integer coordinate descent from the start codes (round to
 * nearest). The residual gradient g = H (s q) - c is kept up to date; for
 * coordinate i the best integer move with the others fixed is
 * round(-g_i / (s H_ii)), clamped to [lo, hi] (E is a convex parabola in q_i,
 * so the nearest feasible integer to its vertex is the exact 1-D optimum). A
 * move is taken only when it lowers E, so E never rises above the start;
 * sweeps repeat until one changes nothing or `max_sweeps` ran.
 * Cost: O(K) per coordinate visited plus O(K) per move; memory: g (K).
 * Deterministic (fixed coordinate order, no threads). No Darknet header. */
#ifndef FXQ_ROUNDOPT_H
#define FXQ_ROUNDOPT_H

#include <stdint.h>

typedef struct fxq_cd_result {
    int sweeps;      /* sweeps run (the last changed nothing unless max_sweeps stopped it) */
    long moves;      /* coordinate moves taken */
    double e_start;  /* E at the start codes, without the constant */
    double e_end;    /* E at the result, without the constant */
} fxq_cd_result;

/* q (K codes): in, the start; out, the result. H row-major K x K (only
 * read), c (K). A coordinate with H_ii <= 0 (an input that is always zero)
 * keeps its start code. Returns 0 when out of memory (q unchanged). */
int fxq_cd_round(const double *H, const double *c, int K, double s, int64_t lo, int64_t hi, int32_t *q,
                 int max_sweeps, fxq_cd_result *res);

/* E(q) without the constant: (s q)^T H (s q) - 2 (s q)^T c. */
double fxq_cd_energy(const double *H, const double *c, int K, double s, const int32_t *q);

#endif
