/* SVG plot writer: see fxq_svgplot.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fxq_file.h"
#include "fxq_svgplot.h"

#define W 860.0
#define H 560.0
#define ML 78.0  /* margins: left, right, top, bottom */
#define MR 24.0
#define MT 52.0
#define MB 64.0

typedef struct fxq_axis {
    double lo, hi;
    int log;
} fxq_axis;

static double fxq_axis_map(const fxq_axis *a, double v, double p0, double p1)
{
    const double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);
    return p0 + t * (p1 - p0);
}

/* 1, 2 or 5 times a power of ten, about (hi - lo) / 6. */
static double fxq_nice_step(double lo, double hi)
{
    const double raw = (hi - lo) / 6, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void fxq_put_text(FILE *f, const char *s)
{
    for (; s && *s; ++s) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void fxq_marker(FILE *f, int m, double x, double y, const char *color)
{
    switch (m) {
    case FXQ_MARK_NONE: break;
    case FXQ_MARK_SQUARE:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n",
                x - 4.5, y - 4.5, color);
        break;
    case FXQ_MARK_TRIANGLE:
        fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n",
                x, y - 6, x - 5.5, y + 4, x + 5.5, y + 4, color);
        break;
    case FXQ_MARK_DIAMOND:
        fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n",
                x, y - 6, x + 6, y, x, y + 6, x - 6, y, color);
        break;
    default:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.8\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.8\"/>\n", x, y,
                color);
    }
}

static int fxq_ok(double v, int log) { return isfinite(v) && (!log || v > 0); }

/* y of a value, points above the axis top pinned to the top edge */
static double fxq_ymap(const fxq_axis *ay, double v)
{
    return fxq_axis_map(ay, v > ay->hi ? ay->hi : v, H - MB, MT);
}

/* Ranges over every drawable point (and the reference line). */
static int fxq_ranges(const fxq_plot *p, fxq_axis *ax, fxq_axis *ay)
{
    int any = 0;
    ax->lo = ay->lo = INFINITY;
    ax->hi = ay->hi = -INFINITY;
    for (int s = 0; s < p->nseries; ++s)
        for (int i = 0; i < p->series[s].n; ++i) {
            const double x = p->series[s].x[i], y = p->series[s].y[i];
            if (!fxq_ok(x, p->log_x) || !fxq_ok(y, p->log_y)) continue;
            any = 1;
            ax->lo = fmin(ax->lo, x), ax->hi = fmax(ax->hi, x);
            ay->lo = fmin(ay->lo, y), ay->hi = fmax(ay->hi, y);
        }
    if (!any) return 0;
    if (fxq_ok(p->hline, p->log_y)) ay->lo = fmin(ay->lo, p->hline), ay->hi = fmax(ay->hi, p->hline);
    const int capped = fxq_ok(p->ymax, p->log_y) && p->ymax > ay->lo && ay->hi > p->ymax;
    if (capped) ay->hi = p->ymax;
    ax->log = p->log_x, ay->log = p->log_y;
    double span = ax->hi - ax->lo;
    if (ax->log) {
        double l0 = log10(ax->lo), l1 = log10(ax->hi);
        if (l1 - l0 < 0.3) l0 -= 0.15, l1 += 0.15;
        const double pad = 0.05 * (l1 - l0);
        ax->lo = pow(10, l0 - pad), ax->hi = pow(10, l1 + pad);
    } else {
        if (span <= 0) span = fabs(ax->hi) > 0 ? fabs(ax->hi) : 1;
        ax->lo -= 0.05 * span, ax->hi += 0.05 * span;
    }
    if (ay->log) {
        double l0 = log10(ay->lo), l1 = log10(ay->hi);
        if (l1 - l0 < 0.3) l0 -= 0.15, l1 += 0.15;
        const double pad = 0.06 * (l1 - l0);
        ay->lo = pow(10, l0 - pad), ay->hi = capped ? ay->hi : pow(10, l1 + pad);
    } else {
        span = ay->hi - ay->lo;
        if (span <= 0) span = fabs(ay->hi) > 0 ? fabs(ay->hi) : 1;
        ay->lo -= 0.06 * span;
        if (!capped) ay->hi += 0.06 * span;
    }
    return 1;
}

static void fxq_ticks_x(FILE *f, const fxq_axis *ax)
{
    if (ax->log) { /* 1, 2, 5 x powers of ten */
        static const double mant[] = {1, 2, 5};
        for (int e = (int)floor(log10(ax->lo)); e <= (int)ceil(log10(ax->hi)); ++e)
            for (int k = 0; k < 3; ++k) {
                const double v = mant[k] * pow(10, e);
                if (v < ax->lo || v > ax->hi) continue;
                const double x = fxq_axis_map(ax, v, ML, W - MR);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", x, MT, x, H - MB);
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", x, H - MB + 18, v);
            }
        return;
    }
    const double step = fxq_nice_step(ax->lo, ax->hi);
    for (double v = ceil(ax->lo / step) * step; v <= ax->hi + 1e-9 * step; v += step) {
        const double x = fxq_axis_map(ax, v, ML, W - MR);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", x, MT, x, H - MB);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", x, H - MB + 18, fabs(v) < 1e-12 ? 0 : v);
    }
}

static void fxq_ticks_y(FILE *f, const fxq_axis *ay)
{
    if (ay->log) {
        static const double mant[] = {1, 2, 5};
        const int lo = (int)floor(log10(ay->lo)), hi = (int)ceil(log10(ay->hi));
        int count = 0;
        for (int e = lo; e <= hi; ++e)
            for (int k = 0; k < 3; ++k) count += mant[k] * pow(10, e) >= ay->lo && mant[k] * pow(10, e) <= ay->hi;
        for (int e = lo; e <= hi; ++e)
            for (int k = 0; k < 10; ++k) {
                const double m = k + 1.0, v = m * pow(10, e);
                if (v < ay->lo || v > ay->hi) continue;
                const int major = m == 1 || m == 2 || m == 5 || (count < 4 && (m == 3 || m == 1.5));
                const double y = fxq_axis_map(ay, v, H - MB, MT);
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", ML, y, W - MR, y,
                        major ? "#e3e3e3" : "#f3f3f3");
                if (major || count < 4)
                    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", ML - 8, y + 4, v);
            }
    } else {
        const double step = fxq_nice_step(ay->lo, ay->hi);
        for (double v = ceil(ay->lo / step) * step; v <= ay->hi + 1e-9 * step; v += step) {
            const double y = fxq_axis_map(ay, v, H - MB, MT);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", ML, y, W - MR, y);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", ML - 8, y + 4,
                    fabs(v) < 1e-12 ? 0 : v);
        }
    }
}

static void fxq_draw(FILE *f, const fxq_plot *p, const fxq_axis *ax, const fxq_axis *ay)
{
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
            W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n<text x=\"%.1f\" y=\"28\" text-anchor=\"middle\" "
               "font-size=\"16\" font-weight=\"bold\">",
            (ML + W - MR) / 2);
    fxq_put_text(f, p->title);
    fprintf(f, "</text>\n<g id=\"grid\">\n");
    fxq_ticks_x(f, ax);
    fxq_ticks_y(f, ay);
    fprintf(f, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", ML, MT,
            W - MR - ML, H - MB - MT);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (ML + W - MR) / 2, H - 18);
    fxq_put_text(f, p->xlabel);
    fprintf(f, "</text>\n<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 20 %.1f)\">",
            (MT + H - MB) / 2, (MT + H - MB) / 2);
    fxq_put_text(f, p->ylabel);
    fprintf(f, "</text>\n");
    if (fxq_ok(p->hline, p->log_y)) {
        const double y = fxq_axis_map(ay, p->hline, H - MB, MT);
        fprintf(f, "<g id=\"reference\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" "
                   "stroke-dasharray=\"6 4\"/>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\" font-size=\"11\">",
                ML, y, W - MR, y, ML + 6, y + 15);
        fxq_put_text(f, p->hline_label);
        fprintf(f, "</text></g>\n");
    }
    for (int s = 0; s < p->nseries; ++s) {
        const fxq_plot_series *sr = &p->series[s];
        fprintf(f, "<g class=\"series\" id=\"series-%d\" data-name=\"", s);
        fxq_put_text(f, sr->name);
        fprintf(f, "\">\n");
        if (sr->line) {
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", sr->color);
            for (int i = 0; i < sr->n; ++i)
                if (fxq_ok(sr->x[i], p->log_x) && fxq_ok(sr->y[i], p->log_y))
                    fprintf(f, "%.1f,%.1f ", fxq_axis_map(ax, sr->x[i], ML, W - MR), fxq_ymap(ay, sr->y[i]));
            fprintf(f, "\"/>\n");
        }
        for (int i = 0; i < sr->n; ++i) {
            if (!fxq_ok(sr->x[i], p->log_x) || !fxq_ok(sr->y[i], p->log_y)) continue;
            const double x = fxq_axis_map(ax, sr->x[i], ML, W - MR), y = fxq_ymap(ay, sr->y[i]);
            const int above = sr->y[i] > ay->hi;
            fxq_marker(f, sr->marker, x, y, sr->color);
            if (above && sr->marker != FXQ_MARK_NONE) /* hollow: off the scale */
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"#fff\"/>\n", x, y);
            if ((sr->labels && sr->labels[i]) || (above && sr->marker != FXQ_MARK_NONE)) {
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">", x + 7,
                        above ? y + 14 + 11 * (s % 2) : y - 6, sr->color);
                if (sr->labels && sr->labels[i]) fxq_put_text(f, sr->labels[i]);
                if (above) fprintf(f, "%s%.3g", sr->labels && sr->labels[i] ? " " : "", sr->y[i]);
                fprintf(f, "</text>\n");
            }
        }
        fprintf(f, "</g>\n");
    }
    /* legend, top right inside the frame */
    const double lw = 280, lh = 22.0 * p->nseries + 12, lx = W - MR - lw - 10, ly = MT + 10;
    fprintf(f, "<g id=\"legend\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
               "fill-opacity=\"0.92\" stroke=\"#bbb\"/>\n",
            lx, ly, lw, lh);
    for (int s = 0; s < p->nseries; ++s) {
        const double y = ly + 18 + 22.0 * s;
        if (p->series[s].line)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.8\"/>\n",
                    lx + 8, y, lx + 32, y, p->series[s].color);
        fxq_marker(f, p->series[s].marker, lx + 20, y, p->series[s].color);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", lx + 40, y + 4);
        fxq_put_text(f, p->series[s].name);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</g>\n</svg>\n");
}

typedef struct fxq_svg_ctx {
    const fxq_plot *p;
    const fxq_axis *ax, *ay;
} fxq_svg_ctx;

static int fxq_emit_svg(FILE *f, void *ctxp)
{
    const fxq_svg_ctx *c = ctxp;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fxq_draw(f, c->p, c->ax, c->ay);
    return 1;
}

int fxq_svgplot_write(const fxq_plot *p, const char *path, char *why, size_t why_len)
{
    fxq_axis ax, ay;
    if (!fxq_ranges(p, &ax, &ay)) {
        snprintf(why, why_len, "%s: nothing to plot (no finite point)", path);
        return 0;
    }
    fxq_svg_ctx c = {p, &ax, &ay};
    return fxq_file_write(path, fxq_emit_svg, &c, why, why_len);
}
