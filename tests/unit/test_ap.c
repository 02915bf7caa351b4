/* Detection metrics (quant/fxq_ap.h, quant/fxq_detlabel.h) on fixtures whose
 * AP is computed by hand under both interpolations, and the interpolations
 * against the textbook algorithms on random ranked sequences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_ap.h"
#include "fxq_detlabel.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static fxq_ap_box B(double x0, double y0, double x1, double y1)
{
    fxq_ap_box b = {x0, y0, x1, y1};
    return b;
}

static fxq_ap_det D(int image, int cls, float score, fxq_ap_box b)
{
    fxq_ap_det d = {image, cls, score, b};
    return d;
}

static fxq_ap_gt G(int image, int cls, fxq_ap_box b)
{
    fxq_ap_gt g = {image, cls, b};
    return g;
}

static fxq_ap_result eval(const fxq_ap_det *d, long nd, const fxq_ap_gt *g, long ng, int classes)
{
    fxq_ap_result r;
    char why[256];
    if (!fxq_ap_evaluate(d, nd, g, ng, classes, &r, why, sizeof why)) {
        printf("FAIL ap.evaluate: %s\n", why);
        exit(1);
    }
    return r;
}

/* voc_eval.py's voc_ap (use_07_metric=False), literally. */
static double voc_ap_textbook(const unsigned char *tp, long n, long npos)
{
    double *mrec = malloc((size_t)(n + 2) * sizeof *mrec), *mpre = malloc((size_t)(n + 2) * sizeof *mpre);
    long ctp = 0;
    mrec[0] = 0, mpre[0] = 0;
    for (long i = 0; i < n; ++i) {
        ctp += tp[i];
        mrec[i + 1] = (double)ctp / npos;
        mpre[i + 1] = (double)ctp / (i + 1);
    }
    mrec[n + 1] = 1, mpre[n + 1] = 0;
    for (long i = n; i >= 0; --i) mpre[i] = fmax(mpre[i], mpre[i + 1]);
    double ap = 0;
    for (long i = 0; i <= n; ++i)
        if (mrec[i + 1] != mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
    free(mrec), free(mpre);
    return ap;
}

/* pycocotools accumulate for one (class, IoU), literally. */
static double coco_ap_textbook(const unsigned char *tp, long n, long npos)
{
    double *rc = malloc((size_t)(n + 1) * sizeof *rc), *pr = malloc((size_t)(n + 1) * sizeof *pr), q[101] = {0};
    long ctp = 0;
    for (long i = 0; i < n; ++i) {
        ctp += tp[i];
        rc[i] = (double)ctp / npos;
        pr[i] = (double)ctp / (i + 1);
    }
    for (long i = n - 1; i > 0; --i)
        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    for (int k = 0; k < 101; ++k) {
        const double thr = k * 0.01;
        long j = 0; /* searchsorted(rc, thr, 'left') */
        while (j < n && rc[j] < thr) ++j;
        if (j >= n) break;
        q[k] = pr[j];
    }
    double s = 0;
    for (int k = 0; k < 101; ++k) s += q[k];
    free(rc), free(pr);
    return s / 101;
}

static void test_interpolations(void)
{
    /* TP, FP, TP with 2 objects: precision 1, 1/2, 2/3 at recall .5, .5, 1.
     * VOC: .5 * 1 + .5 * 2/3 = 5/6. COCO: thresholds 0 ... .50 (51) take
     * precision 1, .51 ... 1 (50) take 2/3: (51 + 100/3) / 101. */
    const unsigned char a[] = {1, 0, 1};
    FXQ_CHECK("ap.voc.tp_fp_tp", NEAR(fxq_ap_voc_allpoint(a, 3, 2), 5.0 / 6), "%.9f", fxq_ap_voc_allpoint(a, 3, 2));
    FXQ_CHECK("ap.coco.tp_fp_tp", NEAR(fxq_ap_coco101(a, 3, 2), (51 + 100.0 / 3) / 101), "%.9f",
              fxq_ap_coco101(a, 3, 2));
    /* a missed object: one TP of two objects */
    const unsigned char m[] = {1};
    FXQ_CHECK("ap.voc.missed", NEAR(fxq_ap_voc_allpoint(m, 1, 2), 0.5), "%.9f", fxq_ap_voc_allpoint(m, 1, 2));
    FXQ_CHECK("ap.coco.missed", NEAR(fxq_ap_coco101(m, 1, 2), 51.0 / 101), "%.9f", fxq_ap_coco101(m, 1, 2));
    /* no detection at all */
    FXQ_CHECK("ap.voc.none", fxq_ap_voc_allpoint(m, 0, 3) == 0, "%g", fxq_ap_voc_allpoint(m, 0, 3));
    FXQ_CHECK("ap.coco.none", fxq_ap_coco101(m, 0, 3) == 0, "%g", fxq_ap_coco101(m, 0, 3));
    /* FP first, then TP: precision .5 at recall 1 everywhere */
    const unsigned char f[] = {0, 1};
    FXQ_CHECK("ap.voc.fp_tp", NEAR(fxq_ap_voc_allpoint(f, 2, 1), 0.5), "%.9f", fxq_ap_voc_allpoint(f, 2, 1));
    FXQ_CHECK("ap.coco.fp_tp", NEAR(fxq_ap_coco101(f, 2, 1), 0.5), "%.9f", fxq_ap_coco101(f, 2, 1));

    /* random ranked sequences against the textbook versions */
    int bad_voc = 0, bad_coco = 0;
    double worst_voc = 0, worst_coco = 0;
    unsigned char tp[300];
    for (int t = 0; t < 400; ++t) {
        const long n = (long)((unsigned)(rnd() >> 33) % 300);
        long ntp = 0;
        const unsigned p = (unsigned)(rnd() >> 33) % 100;
        for (long i = 0; i < n; ++i) ntp += tp[i] = (unsigned char)((unsigned)(rnd() >> 33) % 100 < p);
        const long npos = ntp + (long)((unsigned)(rnd() >> 33) % 20) + (ntp == 0);
        const double v = fxq_ap_voc_allpoint(tp, n, npos), vt = voc_ap_textbook(tp, n, npos);
        const double c = fxq_ap_coco101(tp, n, npos), ct = coco_ap_textbook(tp, n, npos);
        if (fabs(v - vt) > 1e-12) ++bad_voc;
        if (fabs(c - ct) > 1e-12) ++bad_coco;
        worst_voc = fmax(worst_voc, fabs(v - vt));
        worst_coco = fmax(worst_coco, fabs(c - ct));
    }
    FXQ_CHECK("ap.voc.random_vs_voc_eval", bad_voc == 0, "%d of 400 differ, worst %g", bad_voc, worst_voc);
    FXQ_CHECK("ap.coco.random_vs_pycocotools", bad_coco == 0, "%d of 400 differ, worst %g", bad_coco, worst_coco);
}

static void test_iou(void)
{
    FXQ_CHECK("ap.iou.same", fxq_ap_iou(B(0, 0, 10, 10), B(0, 0, 10, 10)) == 1, "%s", "mismatch");
    FXQ_CHECK("ap.iou.half_overlap", NEAR(fxq_ap_iou(B(0, 0, 10, 10), B(5, 0, 15, 10)), 50.0 / 150), "%g",
              fxq_ap_iou(B(0, 0, 10, 10), B(5, 0, 15, 10)));
    FXQ_CHECK("ap.iou.touching", fxq_ap_iou(B(0, 0, 10, 10), B(10, 0, 20, 10)) == 0, "%s", "mismatch");
    FXQ_CHECK("ap.iou.no_plus_one", NEAR(fxq_ap_iou(B(1, 1, 3, 3), B(2, 2, 4, 4)), 1.0 / 7), "%g",
              fxq_ap_iou(B(1, 1, 3, 3), B(2, 2, 4, 4)));
    FXQ_CHECK("ap.iou.empty_box", fxq_ap_iou(B(1, 1, 1, 5), B(1, 1, 1, 5)) == 0, "%s", "mismatch");
}

static void test_fixtures(void)
{
    /* 1. two objects in image 0, TP / FP / TP, plus an empty image whose
     * only box ranks last (a false positive that changes nothing after the
     * last TP) and a class without objects (left out of the means). */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10)), G(0, 0, B(20, 20, 30, 30))};
        const fxq_ap_det d[] = {D(0, 0, .9f, B(0, 0, 10, 10)), D(0, 0, .8f, B(50, 50, 60, 60)),
                                D(0, 0, .7f, B(20, 20, 30, 30)), D(1, 0, .1f, B(0, 0, 10, 10)),
                                D(1, 1, .5f, B(0, 0, 10, 10))};
        fxq_ap_result r = eval(d, 5, g, 2, 2);
        const double voc = 5.0 / 6, coco = (51 + 100.0 / 3) / 101;
        /* one more FP at recall 1 lowers no envelope point before it */
        FXQ_CHECK("ap.fixture1.ap50", NEAR(r.cls[0].ap50, voc), "%.9f want %.9f", r.cls[0].ap50, voc);
        FXQ_CHECK("ap.fixture1.ap50_95", NEAR(r.cls[0].ap50_95, coco), "%.9f want %.9f", r.cls[0].ap50_95, coco);
        FXQ_CHECK("ap.fixture1.class_without_objects", isnan(r.cls[1].ap50) && r.scored == 1 && NEAR(r.map50, voc),
                  "ap %g scored %d map %g", r.cls[1].ap50, r.scored, r.map50);
        FXQ_CHECK("ap.fixture1.counts", r.cls[0].npos == 2 && r.cls[0].ndet == 4 && r.cls[0].tp50 == 2, "%s", "mismatch");
        fxq_ap_result_free(&r);
    }
    /* 2. a duplicate: the second box on the same object is a false
     * positive; IoU .92 matches up to .90, not at .95: AP50:95 = 9/10. */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10))};
        const fxq_ap_det d[] = {D(0, 0, .9f, B(0, 0, 10, 9.2)), D(0, 0, .8f, B(0, 0, 10, 9.2))};
        fxq_ap_result r = eval(d, 2, g, 1, 1);
        FXQ_CHECK("ap.duplicate.ap50", NEAR(r.cls[0].ap50, 1), "%.9f", r.cls[0].ap50);
        FXQ_CHECK("ap.duplicate.ap50_95", NEAR(r.cls[0].ap50_95, 0.9), "%.9f", r.cls[0].ap50_95);
        FXQ_CHECK("ap.duplicate.tp", r.cls[0].tp50 == 1, "%ld", r.cls[0].tp50);
        fxq_ap_result_free(&r);
    }
    /* 3. a missed object and an empty image ranked first */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10)), G(0, 0, B(40, 40, 50, 50))};
        const fxq_ap_det d[] = {D(2, 0, .95f, B(0, 0, 10, 10)), D(0, 0, .6f, B(0, 0, 10, 10))};
        fxq_ap_result r = eval(d, 2, g, 2, 1);
        /* FP then TP: precision 1/2 at recall 1/2 */
        FXQ_CHECK("ap.missed_empty.ap50", NEAR(r.cls[0].ap50, 0.25), "%.9f", r.cls[0].ap50);
        FXQ_CHECK("ap.missed_empty.ap50_95", NEAR(r.cls[0].ap50_95, 0.5 * 51 / 101), "%.9f", r.cls[0].ap50_95);
        fxq_ap_result_free(&r);
    }
    /* 4. VOC and COCO matching differ: d2's best box is taken (VOC: FP), a
     * free one overlaps it by .739 (COCO: TP up to .70). */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10)), G(0, 0, B(2, 0, 12, 10))};
        const fxq_ap_det d[] = {D(0, 0, .9f, B(0, 0, 10, 10)), D(0, 0, .8f, B(0.5, 0, 10.5, 10))};
        fxq_ap_result r = eval(d, 2, g, 2, 1);
        const double coco = (5 * 1.0 + 5 * 51.0 / 101) / 10;
        FXQ_CHECK("ap.matching.voc_takes_best", NEAR(r.cls[0].ap50, 0.5), "%.9f", r.cls[0].ap50);
        FXQ_CHECK("ap.matching.coco_takes_free", NEAR(r.cls[0].ap_coco[0], 1) && NEAR(r.cls[0].ap_coco[4], 1) &&
                                                     NEAR(r.cls[0].ap_coco[5], 51.0 / 101),
                  "%.9f %.9f %.9f", r.cls[0].ap_coco[0], r.cls[0].ap_coco[4], r.cls[0].ap_coco[5]);
        FXQ_CHECK("ap.matching.ap50_95", NEAR(r.cls[0].ap50_95, coco), "%.9f want %.9f", r.cls[0].ap50_95, coco);
        fxq_ap_result_free(&r);
    }
    /* 5. a box of another class does not match; classes average */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10)), G(0, 1, B(0, 0, 10, 10))};
        const fxq_ap_det d[] = {D(0, 1, .9f, B(0, 0, 10, 10)), D(0, 1, .8f, B(20, 20, 30, 30))};
        fxq_ap_result r = eval(d, 2, g, 2, 2);
        FXQ_CHECK("ap.classes.wrong_class_no_match", r.cls[0].ap50 == 0 && NEAR(r.cls[1].ap50, 1), "%g %g",
                  r.cls[0].ap50, r.cls[1].ap50);
        FXQ_CHECK("ap.classes.mean", NEAR(r.map50, 0.5) && NEAR(r.map50_95, 0.5), "%g %g", r.map50, r.map50_95);
        fxq_ap_result_free(&r);
    }
    /* 6. COCO keeps the first 100 boxes per image and class, VOC all */
    {
        fxq_ap_det d[101];
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10))};
        for (int i = 0; i < 100; ++i) d[i] = D(0, 0, .9f, B(100 + 20 * i, 0, 110 + 20 * i, 10));
        d[100] = D(0, 0, .5f, B(0, 0, 10, 10));
        fxq_ap_result r = eval(d, 101, g, 1, 1);
        FXQ_CHECK("ap.maxdets.voc", NEAR(r.cls[0].ap50, 1.0 / 101), "%.9f", r.cls[0].ap50);
        FXQ_CHECK("ap.maxdets.coco", r.cls[0].ap50_95 == 0, "%.9f", r.cls[0].ap50_95);
        fxq_ap_result_free(&r);
    }
    /* 7. ties in score keep input order: the TP listed first ranks first */
    {
        const fxq_ap_gt g[] = {G(0, 0, B(0, 0, 10, 10))};
        const fxq_ap_det a[] = {D(0, 0, .5f, B(0, 0, 10, 10)), D(1, 0, .5f, B(0, 0, 10, 10))};
        const fxq_ap_det b[] = {D(1, 0, .5f, B(0, 0, 10, 10)), D(0, 0, .5f, B(0, 0, 10, 10))};
        fxq_ap_result ra = eval(a, 2, g, 1, 1), rb = eval(b, 2, g, 1, 1);
        FXQ_CHECK("ap.ties.input_order", NEAR(ra.cls[0].ap50, 1) && NEAR(rb.cls[0].ap50, 0.5), "%g %g",
                  ra.cls[0].ap50, rb.cls[0].ap50);
        fxq_ap_result_free(&ra);
        fxq_ap_result_free(&rb);
    }
    /* bad input */
    {
        const fxq_ap_det d[] = {D(0, 3, .5f, B(0, 0, 1, 1))};
        fxq_ap_result r;
        char why[128] = "";
        FXQ_CHECK("ap.bad_class", !fxq_ap_evaluate(d, 1, NULL, 0, 2, &r, why, sizeof why) && strstr(why, "class 3"),
                  "%s", why);
    }
}

static void test_agree(void)
{
    const fxq_ap_det ref[] = {D(0, 0, .9f, B(0, 0, 10, 10)), D(0, 1, .3f, B(20, 20, 30, 30)),
                              D(0, 0, .2f, B(40, 40, 50, 50)), D(1, 0, .8f, B(0, 0, 10, 10))};
    const fxq_ap_det oth[] = {D(0, 0, .5f, B(2, 0, 12, 10)),   /* IoU .667 with ref 0 */
                              D(0, 2, .9f, B(20, 20, 30, 30)), /* ref 1's box, other class */
                              D(0, 0, .9f, B(40, 40, 50, 50)), /* ref 2 is below 0.25 */
                              D(1, 0, .2f, B(0, 0, 10, 10))};  /* below 0.25 itself */
    long m = -1, t = -1;
    fxq_ap_agree(ref, 4, oth, 4, .25f, .5, &m, &t);
    FXQ_CHECK("ap.agree.counts", m == 1 && t == 3, "%ld/%ld", m, t);
    fxq_ap_agree(ref, 4, ref, 4, .25f, .5, &m, &t);
    FXQ_CHECK("ap.agree.self", m == 3 && t == 3, "%ld/%ld", m, t);
    /* one-to-one: two reference boxes cannot share one box */
    const fxq_ap_det r2[] = {D(0, 0, .9f, B(0, 0, 10, 10)), D(0, 0, .8f, B(1, 0, 11, 10))};
    const fxq_ap_det o2[] = {D(0, 0, .9f, B(0, 0, 10, 10))};
    fxq_ap_agree(r2, 2, o2, 1, .25f, .5, &m, &t);
    FXQ_CHECK("ap.agree.one_to_one", m == 1 && t == 2, "%ld/%ld", m, t);
}

static void test_labels(void)
{
    fxq_detlabel *b = NULL;
    int n = -1;
    char why[256] = "";
    int ok = fxq_detlabel_parse("3 0.5 0.5 0.25 0.5\r\n\n  9 1 0 0.1 1  \n", "l.txt", 10, &b, &n, why, sizeof why);
    FXQ_CHECK("label.parse", ok && n == 2 && b[0].cls == 3 && b[0].w == 0.25 && b[1].cls == 9 && b[1].cx == 1, "%s",
              why);
    if (ok && n == 2) {
        const fxq_ap_box x = fxq_detlabel_box(&b[0], 160, 80);
        FXQ_CHECK("label.box_pixels", x.x0 == 61 && x.x1 == 101 && x.y0 == 21 && x.y1 == 61, "%g %g %g %g", x.x0,
                  x.y0, x.x1, x.y1);
        const fxq_ap_box y = fxq_detlabel_box(&b[1], 160, 80); /* cx = 1: clipped like detections, to [1, W] */
        FXQ_CHECK("label.box_clipped", y.x0 == 153 && y.x1 == 160 && y.y0 == 1 && y.y1 == 41, "%g %g %g %g", y.x0,
                  y.y0, y.x1, y.y1);
    }
    free(b);
    ok = fxq_detlabel_parse("", "e.txt", 10, &b, &n, why, sizeof why);
    FXQ_CHECK("label.empty_is_negative", ok && n == 0 && !b, "%s", why);
    static const struct {
        const char *name, *text, *want;
    } bad[] = {
        {"class_range", "0 .5 .5 .1 .1\n10 .5 .5 .1 .1\n", "l.txt:2: class 10 outside 0..9"},
        {"class_negative", "-1 .5 .5 .1 .1\n", "class -1 outside"},
        {"class_not_int", "1.5 .5 .5 .1 .1\n", "class '1.5' is not an integer"},
        {"not_a_number", "1 .5 abc .1 .1\n", "l.txt:1: cy 'abc' is not a number"},
        {"nan", "1 .5 .5 nan .1\n", "w 'nan' is not a number"},
        {"outside", "1 .5 .5 .1 1.5\n", "h 1.5 outside [0, 1]"},
        {"negative", "1 -0.1 .5 .1 .1\n", "cx -0.1 outside [0, 1]"},
        {"zero_size", "1 .5 .5 0 .1\n", "w is 0"},
        {"few_fields", "1 .5 .5 .1\n", "4 fields, want 5"},
        {"many_fields", "1 .5 .5 .1 .1 .1\n", "more than 5 fields"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        char name[64];
        snprintf(name, sizeof name, "label.bad.%s", bad[i].name);
        why[0] = 0;
        ok = fxq_detlabel_parse(bad[i].text, "l.txt", 10, &b, &n, why, sizeof why);
        FXQ_CHECK(name, !ok && !b && strstr(why, bad[i].want), "ok=%d why '%s'", ok, why);
    }
    ok = fxq_detlabel_read("/nonexistent/x.txt", 10, &b, &n, why, sizeof why);
    FXQ_CHECK("label.missing_file", !ok && strstr(why, "/nonexistent/x.txt"), "%s", why);

    char p[64];
    FXQ_CHECK("label.path.images",
              fxq_detlabel_path("data/fmnist-det/images/test/000001.png", p, sizeof p) &&
                  !strcmp(p, "data/fmnist-det/labels/test/000001.txt"),
              "%s", p);
    FXQ_CHECK("label.path.voc", fxq_detlabel_path("VOC/JPEGImages/a.jpg", p, sizeof p) && !strcmp(p, "VOC/labels/a.txt"),
              "%s", p);
    FXQ_CHECK("label.path.first_only",
              fxq_detlabel_path("images/images/a.JPEG", p, sizeof p) && !strcmp(p, "labels/images/a.txt"), "%s", p);
    FXQ_CHECK("label.path.too_long", !fxq_detlabel_path("images/aaaaaaaaaaaaaaaaaaa.png", p, 10), "%s", "mismatch");
}

int main(void)
{
    test_interpolations();
    test_iou();
    test_fixtures();
    test_agree();
    test_labels();
    FXQ_TEST_END();
}
