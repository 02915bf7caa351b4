/* Human-readable table of a stats file: per layer and tensor the moments and
 * the Q-format the paper's rule picks at one bit-width, with the SQNR it
 * achieves on the recorded data and the measured kappa (dB/bit). */
#include <math.h>
#include <stdio.h>

#include "fxq_stats_summary.h"

void fxq_stats_print_summary(FILE *f, const fxq_stats *s, int bits, const fxq_qopts *o)
{
    const fxq_qopts opts = o ? *o : FXQ_QOPTS_DEFAULT;
    fprintf(f, "# %llu images, %d recorded layers of %d; formats (bits,frac) at %d bits, ", (unsigned long long)s->images,
            s->n, s->net_layers, bits);
    if (opts.dist == FXQ_DIST_EMPIRICAL) fprintf(f, "least histogram error\n");
    else fprintf(f, "xi = %g sigma, %s steps\n", opts.xi_sigmas, fxq_dist_name(opts.dist));
    fprintf(f, "# kappa: SQNR slope around %d bits (dB per extra bit); dB/bit: SQNR / bits (Eq. 2 through 0)\n", bits);
    fprintf(f, "%5s %-13s %-7s %10s %11s %10s %11s %11s %10s %8s %7s %8s %6s %6s\n", "layer", "type", "tensor", "count",
            "mean", "sigma", "min", "max", "absmax", "kurt", "format", "SQNR_dB", "kappa", "dB/bit");
    for (int i = 0; i < s->n; ++i)
        for (int t = 0; t < FXQ_T_COUNT; ++t) {
            const fxq_layer_stats *l = &s->layers[i];
            const fxq_tensor_stats *ts = &l->t[t];
            const fxq_format q = fxq_choose_format(ts, bits, &opts);
            char fmt[24];
            snprintf(fmt, sizeof fmt, "(%d,%d)", q.bits, q.frac);
            fprintf(f, "%5d %-13s %-7s %10llu %11.4g %10.4g %11.4g %11.4g %10.4g %8.3g %7s %8.2f %6.2f %6.2f\n", l->index,
                    l->type, fxq_tensor_names[t], (unsigned long long)ts->count, ts->mean, fxq_ts_sigma(ts), ts->min,
                    ts->max, fxq_ts_absmax(ts), fxq_ts_kurtosis(ts), fmt, fxq_sqnr_db(ts, q),
                    fxq_kappa_measured(ts, bits, &opts), fxq_kappa_ratio(ts, bits, &opts));
        }
}
