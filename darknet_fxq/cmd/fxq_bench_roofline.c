/* `darknet fxq bench --roofline`: every layer's limit on this machine.
 * A fixed-point layer does MACs = its multiply-accumulates and moves
 * bytes = input codes + packed weights + output codes (codes are int16
 * between layers, fxq_pipe.h; weights as the plan packed them: 1 byte on
 * the s8 path, 2 on the s16 ones); any other layer moves its input and
 * output (int16 codes in int mode, floats otherwise) and does no MAC.
 * Its time at the peak is MACs / (the int8 peak on the s8 path, the int16
 * one on the s16 paths); at the bandwidth, bytes / the bandwidth of the
 * closest level that holds them (L2 of all threads, L3, DRAM); the bound is
 * the larger, and the fraction = bound / measured time (1 = at the limit).
 * A pool fused into its producer (measured 0) counts in the total only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fxq_bench_roofline.h"
#include "fxq_layer.h"
#include "fxq_pipe.h"
#include "fxq_walk.h"

static double fxq_layer_bytes(const layer *l, double *wbytes, int *s16)
{
    const struct fxq_layer_state *s = l->fxq;
    *wbytes = 0, *s16 = 0;
    if (s && s->plan) {
        *wbytes = (double)fxq_qconv_plan_weight_bytes(s->plan);
        *s16 = fxq_qconv_plan_operand_bytes(s->plan) == 2;
        return 2.0 * ((double)l->inputs + l->outputs) * l->batch + *wbytes;
    }
    const int codes = l->fxq_pipe && l->fxq_pipe->mode == FXQ_PIPE_INT;
    return (codes ? 2.0 : 4.0) * ((double)l->inputs + l->outputs) * l->batch;
}

double fxq_bench_roofline(const char *model, const char *label, const network *net, const double *t, double total,
                          const fxq_machine *m, fxq_roof_dots *dots)
{
    printf("# roofline %s %s: limits int8 %.1f GMAC/s, int16 %.1f GMAC/s; memory L2 %.1f, L3 %.1f, DRAM %.1f GB/s "
           "(%d threads)\n",
           model, label, m->int8 / 1e9, m->int16 / 1e9, m->bw[FXQ_MEM_L2] / 1e9, m->bw[FXQ_MEM_L3] / 1e9,
           m->bw[FXQ_MEM_DRAM] / 1e9, m->threads);
    printf("%-5s %-15s %9s %9s %7s %9s %9s %-4s %9s %9s %8s %s\n", "layer", "type", "MMAC", "KiB", "MAC/B", "peak-ms",
           "mem-ms", "at", "bound-ms", "ms", "fraction", "bound by");
    double sum_bound = 0, sum_t = 0;
    if (dots) dots->n = 0;
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        double wb;
        int s16;
        const double macs = fxq_layer_macs(l) * l->batch, bytes = fxq_layer_bytes(l, &wb, &s16);
        const double peak = s16 ? m->int16 : m->int8;
        const int lv = fxq_machine_level(m, bytes);
        const double tc = macs > 0 && peak > 0 ? macs / peak : 0, tm = m->bw[lv] > 0 ? bytes / m->bw[lv] : 0;
        const double bound = fmax(tc, tm);
        sum_bound += bound, sum_t += t[i];
        const char *by = macs <= 0 ? "memory" : tc >= tm ? (s16 ? "int16 peak" : "int8 peak") : "memory";
        printf("%-5d %-15s %9.2f %9.1f %7.1f %9.4f %9.4f %-4s %9.4f", i, fxq_layer_type_name(l->type), macs / 1e6,
               bytes / 1024, bytes > 0 ? macs / bytes : 0, tc * 1e3, tm * 1e3, fxq_mem_level_name[lv], bound * 1e3);
        if (t[i] > 0) printf(" %9.4f %8.3f %s\n", t[i] * 1e3, bound / t[i], by);
        else printf(" %9s %8s %s (fused into its producer)\n", "-", "-", by);
        if (dots && macs > 0 && t[i] > 0 && bytes > 0 && dots->n < FXQ_ROOF_MAX_DOTS) {
            dots->x[dots->n] = macs / bytes;
            dots->y[dots->n] = macs / t[i] / 1e9;
            snprintf(dots->label[dots->n], sizeof dots->label[0], "%d", i);
            dots->labels[dots->n] = dots->label[dots->n];
            ++dots->n;
        }
    }
    const double f = total > 0 ? sum_bound / total : 0;
    printf("roofline %s %s: sum of bounds %.3f ms, measured %.3f ms/image (layers %.3f), fraction %.3f\n", model,
           label, sum_bound * 1e3, total * 1e3, sum_t * 1e3, f);
    printf("roofline_fraction %s %s %.3f\n", model, label, f);
    return sum_bound;
}

/* The roofs: min(peak, intensity x bandwidth), 48 points over the dots'
 * intensities (a decade either side). */
int fxq_bench_roofline_svg(const char *path, const char *model, const fxq_machine *m, fxq_roof_dots *dots,
                           const char *const *labels, int ncfg, char *why, size_t why_len)
{
    static const char *const colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    static const int marks[] = {FXQ_MARK_CIRCLE, FXQ_MARK_SQUARE, FXQ_MARK_TRIANGLE, FXQ_MARK_DIAMOND};
    enum { NR = 48, NROOF = 3 };
    double lo = INFINITY, hi = 0;
    for (int c = 0; c < ncfg; ++c)
        for (int i = 0; i < dots[c].n; ++i) lo = fmin(lo, dots[c].x[i]), hi = fmax(hi, dots[c].x[i]);
    if (!(hi > 0)) lo = 1, hi = 100;
    lo /= 10, hi *= 10;
    static double rx[NROOF][NR], ry[NROOF][NR];
    const struct {
        const char *name;
        double peak, bw;
    } roofs[NROOF] = {{"roof: int8 peak, L2 bandwidth", m->int8, m->bw[FXQ_MEM_L2]},
                      {"roof: int8 peak, DRAM bandwidth", m->int8, m->bw[FXQ_MEM_DRAM]},
                      {"roof: int16 peak, L2 bandwidth", m->int16, m->bw[FXQ_MEM_L2]}};
    fxq_plot_series sr[NROOF + FXQ_ROOF_MAX_CFG];
    int ns = 0;
    for (int r = 0; r < NROOF; ++r) {
        if (!(roofs[r].peak > 0 && roofs[r].bw > 0)) continue;
        for (int i = 0; i < NR; ++i) {
            rx[r][i] = lo * pow(hi / lo, i / (NR - 1.0));
            ry[r][i] = fmin(roofs[r].peak, rx[r][i] * roofs[r].bw) / 1e9;
        }
        sr[ns++] = (fxq_plot_series){roofs[r].name, r == 2 ? "#999" : r ? "#555" : "#222", FXQ_MARK_NONE, 1, NR,
                                      rx[r], ry[r], NULL};
    }
    for (int c = 0; c < ncfg && c < FXQ_ROOF_MAX_CFG; ++c)
        sr[ns++] = (fxq_plot_series){labels[c], colors[c % 7], marks[c % 4], 0, dots[c].n, dots[c].x, dots[c].y,
                                     (const char *const *)dots[c].labels};
    char title[160];
    snprintf(title, sizeof title, "%s: roofline (%d threads), one dot per layer", model, m->threads);
    fxq_plot p = {title, "arithmetic intensity (MAC per byte moved)", "GMAC/s", 1, NAN, NAN, NULL, ns, sr, 1};
    return fxq_svgplot_write(&p, path, why, why_len);
}
