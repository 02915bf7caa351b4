/* Brute-force squared error of a quantizer on a recorded histogram,
 * independent of fxq_hist_err.c: the quantizer itself at `sub` midpoints of
 * every bin (the histogram's within-bin uniform density), exact zeros
 * error-free, negative values first scaled by neg_gain (what follows a leaky
 * or ReLU activation). Its relative error is about (bin/sub)/step: the
 * staircase's jumps fall between sample points. Shared by the tests of the
 * power-of-two and the real-step searches. */
#ifndef FXQ_TEST_HIST_H
#define FXQ_TEST_HIST_H

#include "fxq_stats.h"

/* y -> its quantized value */
typedef double (*fxq_test_quantizer)(double y, const void *ctx);

static inline double fxq_test_hist_brute(const fxq_tensor_stats *s, int sub, double neg_gain, fxq_test_quantizer q,
                                         const void *ctx)
{
    const double w = 2 * s->range / FXQ_HIST_BINS;
    double sum = 0;
    for (int b = 0; b < FXQ_HIST_BINS; ++b) {
        double c = (double)s->hist[b];
        if (b == FXQ_HIST_BINS / 2) c -= (double)s->zeros;
        if (c <= 0) continue;
        double e = 0;
        for (int k = 0; k < sub; ++k) {
            const double x = -s->range + (b + (k + 0.5) / sub) * w, y = x < 0 ? neg_gain * x : x, d = y - q(y, ctx);
            e += d * d;
        }
        sum += c * e / sub;
    }
    return sum / (double)s->count;
}

#endif
