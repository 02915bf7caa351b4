/* Detection metrics: IoU, VOC and COCO matching, AP interpolations,
 * agreement. See fxq_ap.h for the definitions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_ap.h"

double fxq_ap_iou(fxq_ap_box a, fxq_ap_box b)
{
    const double iw = fmin(a.x1, b.x1) - fmax(a.x0, b.x0);
    const double ih = fmin(a.y1, b.y1) - fmax(a.y0, b.y0);
    if (iw <= 0 || ih <= 0) return 0;
    const double inter = iw * ih;
    const double uni = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
    return uni > 0 ? inter / uni : 0;
}

double fxq_ap_iou_threshold(int i)
{
    return 0.5 + 0.05 * i;
}

double fxq_ap_voc_allpoint(const unsigned char *tp, long n, long npos)
{
    /* area under the precision envelope (the highest precision at any
     * recall >= r), summed over the recall steps: each true positive adds
     * 1/npos of recall at the envelope's precision there */
    double ap = 0, best = 0;
    long ntp = 0;
    for (long i = 0; i < n; ++i) ntp += tp[i] != 0;
    long tpc = ntp;
    for (long i = n - 1; i >= 0; --i) {
        const double prec = (double)tpc / (double)(i + 1);
        if (prec > best) best = prec;
        if (tp[i]) {
            ap += best / (double)npos;
            --tpc;
        }
    }
    return ap;
}

double fxq_ap_coco101(const unsigned char *tp, long n, long npos)
{
    double *pr = malloc((size_t)(n > 0 ? n : 1) * sizeof *pr), *rc = malloc((size_t)(n > 0 ? n : 1) * sizeof *rc);
    if (!pr || !rc) {
        free(pr);
        free(rc);
        return NAN;
    }
    long t = 0;
    for (long i = 0; i < n; ++i) {
        t += tp[i] != 0;
        rc[i] = (double)t / (double)npos;
        pr[i] = (double)t / (double)(i + 1);
    }
    for (long i = n - 1; i > 0; --i)
        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    /* pycocotools: recall thresholds np.linspace(0, 1, 101) = i * 0.01, the
     * precision at the first rank whose recall reaches it (0 past the end) */
    double sum = 0;
    long j = 0;
    for (int k = 0; k < FXQ_AP_COCO_POINTS; ++k) {
        const double thr = k * 0.01;
        while (j < n && rc[j] < thr) ++j;
        if (j >= n) break;
        sum += pr[j];
    }
    free(pr);
    free(rc);
    return sum / FXQ_AP_COCO_POINTS;
}

/* ---- ranking ---- */

typedef struct {
    const fxq_ap_det *d;
    long idx;
} fxq_ap_rank;

static int fxq_ap_rank_cmp(const void *pa, const void *pb)
{
    const fxq_ap_rank *a = pa, *b = pb;
    if (a->d->cls != b->d->cls) return a->d->cls < b->d->cls ? -1 : 1;
    if (a->d->score != b->d->score) return a->d->score > b->d->score ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

typedef struct {
    const fxq_ap_gt *g;
    long idx;
} fxq_ap_gref;

static int fxq_ap_gref_cmp(const void *pa, const void *pb)
{
    const fxq_ap_gref *a = pa, *b = pb;
    if (a->g->cls != b->g->cls) return a->g->cls < b->g->cls ? -1 : 1;
    if (a->g->image != b->g->image) return a->g->image < b->g->image ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* First index in gs[lo, hi) with image >= img (gs sorted by image there). */
static long fxq_ap_gt_lower(const fxq_ap_gref *gs, long lo, long hi, int img)
{
    while (lo < hi) {
        const long mid = lo + (hi - lo) / 2;
        if (gs[mid].g->image < img) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* VOC: the box with the highest IoU (first of equals); a duplicate of a
 * taken box is a false positive. */
static int fxq_ap_match_voc(const fxq_ap_det *d, const fxq_ap_gref *gs, long lo, long hi, unsigned char *taken,
                            double thr)
{
    double best = -1;
    long jbest = -1;
    for (long j = lo; j < hi; ++j) {
        const double o = fxq_ap_iou(d->box, gs[j].g->box);
        if (o > best) best = o, jbest = j;
    }
    if (jbest < 0 || best < thr || taken[jbest]) return 0;
    taken[jbest] = 1;
    return 1;
}

/* COCO (pycocotools evaluateImg): the free box with the highest IoU >= thr,
 * the last of equals. */
static int fxq_ap_match_coco(const fxq_ap_det *d, const fxq_ap_gref *gs, long lo, long hi, unsigned char *taken,
                             double thr)
{
    double best = thr < 1 - 1e-10 ? thr : 1 - 1e-10;
    long m = -1;
    for (long j = lo; j < hi; ++j) {
        if (taken[j]) continue;
        const double o = fxq_ap_iou(d->box, gs[j].g->box);
        if (o < best) continue;
        best = o, m = j;
    }
    if (m < 0) return 0;
    taken[m] = 1;
    return 1;
}

int fxq_ap_evaluate(const fxq_ap_det *dets, long ndet, const fxq_ap_gt *gts, long ngt, int classes,
                    fxq_ap_result *r, char *why, size_t why_len)
{
    memset(r, 0, sizeof *r);
    if (classes < 1) {
        snprintf(why, why_len, "no classes");
        return 0;
    }
    for (long i = 0; i < ndet; ++i)
        if (dets[i].cls < 0 || dets[i].cls >= classes || dets[i].image < 0) {
            snprintf(why, why_len, "detection %ld: class %d outside 0..%d", i, dets[i].cls, classes - 1);
            return 0;
        }
    for (long i = 0; i < ngt; ++i)
        if (gts[i].cls < 0 || gts[i].cls >= classes || gts[i].image < 0) {
            snprintf(why, why_len, "ground-truth box %ld: class %d outside 0..%d", i, gts[i].cls, classes - 1);
            return 0;
        }
    fxq_ap_rank *rk = malloc((size_t)(ndet > 0 ? ndet : 1) * sizeof *rk);
    fxq_ap_gref *gs = malloc((size_t)(ngt > 0 ? ngt : 1) * sizeof *gs);
    unsigned char *tp = malloc((size_t)(ndet > 0 ? ndet : 1));
    unsigned char *taken = malloc((size_t)(ngt > 0 ? ngt : 1));
    /* detections of one image seen so far (COCO keeps the first 100 per image and class) */
    int *per_image = NULL;
    int nimages = 0;
    for (long i = 0; i < ndet; ++i)
        if (dets[i].image >= nimages) nimages = dets[i].image + 1;
    per_image = calloc((size_t)(nimages > 0 ? nimages : 1), sizeof *per_image);
    r->cls = calloc((size_t)classes, sizeof *r->cls);
    if (!rk || !gs || !tp || !taken || !per_image || !r->cls) {
        snprintf(why, why_len, "out of memory for %ld detections", ndet);
        free(r->cls);
        r->cls = NULL;
        free(rk), free(gs), free(tp), free(taken), free(per_image);
        return 0;
    }
    r->classes = classes;
    for (long i = 0; i < ndet; ++i) rk[i].d = &dets[i], rk[i].idx = i;
    for (long i = 0; i < ngt; ++i) gs[i].g = &gts[i], gs[i].idx = i;
    qsort(rk, (size_t)ndet, sizeof *rk, fxq_ap_rank_cmp);
    qsort(gs, (size_t)ngt, sizeof *gs, fxq_ap_gref_cmp);

    long d0 = 0, g0 = 0;
    double sum50 = 0, sum5095 = 0, sum75 = 0;
    for (int c = 0; c < classes; ++c) {
        long d1 = d0, g1 = g0;
        while (d1 < ndet && rk[d1].d->cls == c) ++d1;
        while (g1 < ngt && gs[g1].g->cls == c) ++g1;
        fxq_ap_class *pc = &r->cls[c];
        pc->npos = g1 - g0;
        pc->ndet = d1 - d0;
        if (pc->npos == 0) {
            pc->ap50 = pc->ap50_95 = NAN;
            for (int t = 0; t < FXQ_AP_NIOU; ++t) pc->ap_coco[t] = NAN;
            d0 = d1, g0 = g1;
            continue;
        }
        memset(taken + g0, 0, (size_t)pc->npos);
        long ntp = 0;
        for (long i = d0; i < d1; ++i) {
            const fxq_ap_det *d = rk[i].d;
            const long lo = fxq_ap_gt_lower(gs, g0, g1, d->image), hi = fxq_ap_gt_lower(gs, lo, g1, d->image + 1);
            tp[i - d0] = (unsigned char)fxq_ap_match_voc(d, gs, lo, hi, taken, 0.5);
            ntp += tp[i - d0];
        }
        pc->tp50 = ntp;
        pc->ap50 = fxq_ap_voc_allpoint(tp, pc->ndet, pc->npos);
        pc->ap50_95 = 0;
        for (int t = 0; t < FXQ_AP_NIOU; ++t) {
            memset(taken + g0, 0, (size_t)pc->npos);
            memset(per_image, 0, (size_t)nimages * sizeof *per_image);
            long n = 0;
            for (long i = d0; i < d1; ++i) {
                const fxq_ap_det *d = rk[i].d;
                if (per_image[d->image]++ >= FXQ_AP_COCO_MAXDETS) continue;
                const long lo = fxq_ap_gt_lower(gs, g0, g1, d->image), hi = fxq_ap_gt_lower(gs, lo, g1, d->image + 1);
                tp[n++] = (unsigned char)fxq_ap_match_coco(d, gs, lo, hi, taken, fxq_ap_iou_threshold(t));
            }
            pc->ap_coco[t] = fxq_ap_coco101(tp, n, pc->npos);
            pc->ap50_95 += pc->ap_coco[t] / FXQ_AP_NIOU;
        }
        ++r->scored;
        sum50 += pc->ap50;
        sum5095 += pc->ap50_95;
        sum75 += pc->ap_coco[5];
        d0 = d1, g0 = g1;
    }
    r->map50 = r->scored ? sum50 / r->scored : NAN;
    r->map50_95 = r->scored ? sum5095 / r->scored : NAN;
    r->map75 = r->scored ? sum75 / r->scored : NAN;
    free(rk), free(gs), free(tp), free(taken), free(per_image);
    return 1;
}

void fxq_ap_result_free(fxq_ap_result *r)
{
    free(r->cls);
    memset(r, 0, sizeof *r);
}

/* ---- agreement ---- */

static int fxq_ap_group_cmp(const void *pa, const void *pb)
{
    const fxq_ap_rank *a = pa, *b = pb;
    if (a->d->image != b->d->image) return a->d->image < b->d->image ? -1 : 1;
    if (a->d->cls != b->d->cls) return a->d->cls < b->d->cls ? -1 : 1;
    if (a->d->score != b->d->score) return a->d->score > b->d->score ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* The detections with score >= conf, grouped by image and class, highest
 * score first. */
static fxq_ap_rank *fxq_ap_confident(const fxq_ap_det *d, long n, float conf, long *m)
{
    fxq_ap_rank *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v) return NULL;
    *m = 0;
    for (long i = 0; i < n; ++i)
        if (d[i].score >= conf) v[*m].d = &d[i], v[*m].idx = i, ++*m;
    qsort(v, (size_t)*m, sizeof *v, fxq_ap_group_cmp);
    return v;
}

int fxq_ap_agree(const fxq_ap_det *ref, long nref, const fxq_ap_det *dets, long ndet, float conf, double iou,
                 long *matched, long *total)
{
    long na = 0, nb = 0;
    fxq_ap_rank *a = fxq_ap_confident(ref, nref, conf, &na), *b = fxq_ap_confident(dets, ndet, conf, &nb);
    unsigned char *taken = calloc((size_t)(nb > 0 ? nb : 1), 1);
    if (!a || !b || !taken) {
        free(a), free(b), free(taken);
        return 0;
    }
    *matched = 0;
    *total = na;
    long j0 = 0;
    for (long i = 0; i < na; ++i) {
        const fxq_ap_det *r = a[i].d;
        /* b's group of the same image and class */
        while (j0 < nb && (b[j0].d->image < r->image || (b[j0].d->image == r->image && b[j0].d->cls < r->cls))) ++j0;
        double best = iou;
        long m = -1;
        for (long j = j0; j < nb && b[j].d->image == r->image && b[j].d->cls == r->cls; ++j) {
            if (taken[j]) continue;
            const double o = fxq_ap_iou(r->box, b[j].d->box);
            if (o >= best && (m < 0 || o > best)) best = o, m = j;
        }
        if (m >= 0) taken[m] = 1, ++*matched;
    }
    free(a), free(b), free(taken);
    return 1;
}
