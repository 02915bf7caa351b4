/* The results of `fxq sweep`: its CSV (written and read back for
 * --from-csv), the size-at-equal-error summary and the SVG plot. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_file.h"
#include "fxq_svgplot.h"
#include "fxq_sweep_csv.h"

static double fxq_err_pct(long top1, long images) { return images ? 100.0 * (1.0 - (double)top1 / images) : NAN; }

static void fxq_sweep_csv_rows(FILE *f, const fxq_sweep_point *pts, int np, const fxq_eval_result *fr,
                               double float_mbits, int topk)
{
    fprintf(f, "series,value,wbits,weight_mbits,conv_mbits,pred_sqnr_db,images,top1,top1_error_pct,top%d,agree_top1,"
               "mean_abs_dlogit,cfg\n", topk);
    fprintf(f, "float,,32,%.6f,,,%ld,%.6f,%.4f,%.6f,1,0,\n", float_mbits, fr->images, (double)fr->top1 / fr->images,
            fxq_err_pct(fr->top1, fr->images), (double)fr->topk / fr->images);
    for (int i = 0; i < np; ++i) {
        const fxq_sweep_point *p = &pts[i];
        const fxq_sweep_point *c = p->same_as >= 0 ? &pts[p->same_as] : p;
        fprintf(f, "%s,%g,%s,%.6f,%.6f,%.3f,%ld,%.6f,%.4f,%.6f,%.6f,%.6g,%s\n", fxq_series_name(p->series), p->value,
                p->wbits, p->weight_mbits, p->conv_mbits, p->pred_db, p->images, (double)p->top1 / p->images,
                fxq_err_pct(p->top1, p->images), (double)p->topk / p->images, (double)p->agree / p->images, p->dlogit,
                c->cfg);
    }
}

typedef struct fxq_csv_ctx {
    const fxq_sweep_point *pts;
    int np;
    const fxq_eval_result *fr;
    double float_mbits;
    int topk;
} fxq_csv_ctx;

static int fxq_emit_csv(FILE *f, void *ctxp)
{
    const fxq_csv_ctx *c = ctxp;
    fxq_sweep_csv_rows(f, c->pts, c->np, c->fr, c->float_mbits, c->topk);
    return 1;
}

int fxq_sweep_write_csv(const char *path, const fxq_sweep_point *pts, int np, const fxq_eval_result *fr,
                        double float_mbits, int topk, char *why, size_t why_len)
{
    fxq_csv_ctx c = {pts, np, fr, float_mbits, topk};
    return fxq_file_write(path, fxq_emit_csv, &c, why, why_len);
}

/* Sizes and errors of one kind of point (optimized = beta0 and sqnr). */
static int fxq_collect(const fxq_sweep_point *pts, int np, int optimized, double *s, double *e)
{
    int n = 0;
    for (int i = 0; i < np; ++i) {
        const int opt = pts[i].series != FXQ_SERIES_EQUAL;
        if (opt != optimized || !pts[i].images) continue;
        s[n] = pts[i].weight_mbits, e[n] = fxq_err_pct(pts[i].top1, pts[i].images);
        ++n;
    }
    return n;
}

void fxq_sweep_summary(const fxq_sweep_point *pts, int np, const fxq_eval_result *fr, double *se, double *ee,
                              double *so, double *eo)
{
    printf("%-6s %6s  %-28s %9s %8s %8s %7s\n", "series", "value", "weight bits per layer", "Mbit", "pred dB",
           "error %", "agree");
    printf("%-6s %6s  %-28s %9s %8s %8.2f %7s\n", "float", "", "32", "", "", fxq_err_pct(fr->top1, fr->images), "1");
    for (int i = 0; i < np; ++i) {
        const fxq_sweep_point *p = &pts[i];
        printf("%-6s %6g  %-28s %9.4f %8.2f %8.2f %7.4f%s\n", fxq_series_name(p->series), p->value, p->wbits,
               p->weight_mbits, p->pred_db, fxq_err_pct(p->top1, p->images), (double)p->agree / p->images,
               p->same_as >= 0 ? "  (same network as above)" : "");
    }
    const int ne = fxq_collect(pts, np, 0, se, ee), no = fxq_collect(pts, np, 1, so, eo);
    if (!ne || !no) return;
    printf("\nmodel size at equal error: for each equal bit-width point, the smallest optimized network\n"
           "with no more error (measured point, and on the optimized front interpolated linearly)\n");
    printf("%8s %9s %8s  %9s %9s  %9s %9s\n", "equal", "Mbit", "error %", "opt Mbit", "saving", "interp", "saving");
    for (int i = 0; i < np; ++i) {
        const fxq_sweep_point *p = &pts[i];
        if (p->series != FXQ_SERIES_EQUAL || !p->images) continue;
        const double e = fxq_err_pct(p->top1, p->images);
        double m, in;
        fxq_sweep_match(so, eo, no, e, &m, &in);
        printf("%6gb %9.4f %8.2f  %9.4f %8.1f%%  %9.4f %8.1f%%\n", p->value, p->weight_mbits, e, m,
               100 * (1 - m / p->weight_mbits), in, 100 * (1 - in / p->weight_mbits));
    }
}

int fxq_sweep_plot(const char *path, const fxq_sweep_point *pts, int np, const fxq_eval_result *fr,
                          const char *cfg, char *why, size_t why_len)
{
    double *xe = malloc(sizeof(double) * (size_t)np * 4), *ye = xe + np, *xo = ye + np, *yo = xo + np;
    const char **lab = calloc((size_t)np, sizeof *lab);
    char (*labbuf)[16] = calloc((size_t)np, sizeof *labbuf);
    int ok = 0;
    if (!xe || !lab || !labbuf) {
        snprintf(why, why_len, "out of memory");
        goto free_all;
    }
    int ne = 0, no = 0;
    for (int i = 0; i < np; ++i) {
        if (!pts[i].images) continue;
        const double e = fxq_err_pct(pts[i].top1, pts[i].images);
        if (pts[i].series == FXQ_SERIES_EQUAL) {
            snprintf(labbuf[ne], sizeof labbuf[ne], "%gb", pts[i].value);
            lab[ne] = labbuf[ne];
            xe[ne] = pts[i].weight_mbits, ye[ne++] = e;
        } else {
            xo[no] = pts[i].weight_mbits, yo[no++] = e;
        }
    }
    /* equal points by size (a line); the optimized front for the other line */
    for (int i = 1; i < ne; ++i)
        for (int j = i; j > 0 && xe[j] < xe[j - 1]; --j) {
            double t = xe[j]; xe[j] = xe[j - 1]; xe[j - 1] = t;
            t = ye[j]; ye[j] = ye[j - 1]; ye[j - 1] = t;
            const char *l = lab[j]; lab[j] = lab[j - 1]; lab[j - 1] = l;
        }
    double *fx = malloc(sizeof(double) * (size_t)(no ? no : 1) * 2), *fy;
    if (!fx) {
        snprintf(why, why_len, "out of memory");
        goto free_all;
    }
    fy = fx + (no ? no : 1);
    int nf = 0;
    {
        int *order = malloc(sizeof(int) * (size_t)(no ? no : 1));
        if (order) {
            for (int i = 0; i < no; ++i) order[i] = i;
            for (int i = 1; i < no; ++i)
                for (int j = i; j > 0 && (xo[order[j]] < xo[order[j - 1]] ||
                                          (xo[order[j]] == xo[order[j - 1]] && yo[order[j]] < yo[order[j - 1]]));
                     --j) {
                    const int t = order[j];
                    order[j] = order[j - 1], order[j - 1] = t;
                }
            double best = INFINITY;
            for (int i = 0; i < no; ++i)
                if (yo[order[i]] < best) best = yo[order[i]], fx[nf] = xo[order[i]], fy[nf++] = best;
            free(order);
        }
    }
    char title[512], flab[64];
    snprintf(title, sizeof title, "Model size vs error: %s (%ld test images)", cfg, fr->images);
    snprintf(flab, sizeof flab, "float: %.2f%%", fxq_err_pct(fr->top1, fr->images));
    const fxq_plot_series series[3] = {
        {"equal bit-width (--wbits)", "#1f77b4", FXQ_MARK_CIRCLE, 1, ne, xe, ye, lab},
        {"optimized (--beta0, --sqnr)", "#e8710a", FXQ_MARK_SQUARE, 0, no, xo, yo, NULL},
        {"optimized: lowest error so far", "#e8710a", FXQ_MARK_NONE, 1, nf, fx, fy, NULL},
    };
    /* the region that matters: up to 3x the float error (the paper's
     * Figure 3 spans 6-16%); worse points sit on the top edge, labelled */
    const double ferr = fxq_err_pct(fr->top1, fr->images);
    const fxq_plot plot = {title, "weights (Mbit)", "top-1 error (%)", 0, ferr > 0 ? 3 * ferr : NAN, ferr, flab, 3,
                           series, 0};
    ok = fxq_svgplot_write(&plot, path, why, why_len);
    free(fx);
free_all:
    free(xe);
    free(lab);
    free(labbuf);
    return ok;
}

/* Points back from a CSV this command wrote (for --from-csv). 0 + why. */
int fxq_sweep_read_csv(const char *path, fxq_sweep_point *pts, int *np, fxq_eval_result *fr, char *why,
                              size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    char line[8192];
    int ln = 0, ok = 1;
    *np = 0;
    memset(fr, 0, sizeof *fr);
    while (ok && fgets(line, sizeof line, f)) {
        ++ln;
        if (ln == 1) {
            ok = !strncmp(line, "series,value,wbits,weight_mbits,", 32);
            continue;
        }
        char series[16], wbits[256];
        double value = 0, mbits, conv = 0, pred = 0, top1, topk;
        long images;
        if (!strncmp(line, "float,", 6)) {
            ok = sscanf(line, "float,,%255[^,],%lf,,,%ld,%lf,%*f,%lf", wbits, &mbits, &images, &top1, &topk) == 5;
            fr->images = images, fr->top1 = lround(top1 * images), fr->topk = lround(topk * images);
            continue;
        }
        if (*np >= FXQ_SWEEP_MAX_POINTS) break;
        fxq_sweep_point *pt = &pts[*np];
        memset(pt, 0, sizeof *pt);
        double agree;
        ok = sscanf(line, "%15[^,],%lf,%255[^,],%lf,%lf,%lf,%ld,%lf,%*f,%lf,%lf", series, &value, wbits, &mbits, &conv,
                    &pred, &images, &top1, &topk, &agree) == 10;
        if (!ok) break;
        pt->series = !strcmp(series, "equal") ? FXQ_SERIES_EQUAL : !strcmp(series, "beta0") ? FXQ_SERIES_BETA0 : FXQ_SERIES_SQNR;
        pt->value = value, pt->weight_mbits = mbits, pt->conv_mbits = conv, pt->pred_db = pred, pt->same_as = -1;
        snprintf(pt->wbits, sizeof pt->wbits, "%s", wbits);
        pt->images = images, pt->top1 = lround(top1 * images), pt->topk = lround(topk * images);
        pt->agree = lround(agree * images);
        ++*np;
    }
    fclose(f);
    if (!ok || !fr->images) {
        snprintf(why, why_len, "%s:%d: not a CSV written by fxq sweep", path, ln);
        return 0;
    }
    return 1;
}
