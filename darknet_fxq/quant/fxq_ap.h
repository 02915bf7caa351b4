/* Detection metrics as plain data (no Darknet): box IoU, matching of ranked
 * detections to ground truth, average precision under the two common
 * interpolations, and agreement between two detectors' boxes.
 *
 *   AP50     Pascal VOC (voc_eval.py, VOC2010+): VOC matching at IoU 0.5
 *            (a detection takes the ground-truth box of its class and image
 *            with the highest IoU; when that box is already taken it is a
 *            false positive), all-point interpolated precision.
 *   AP50:95  COCO (pycocotools): COCO matching (the highest-IoU box not yet
 *            taken) at IoU .50, .55, ... .95, the first 100 detections per
 *            image and class, 101-point interpolated precision; the mean
 *            over the ten thresholds.
 *
 * A match needs IoU >= the threshold. Detections are ranked by score,
 * ties by their order in the input (stable): callers pass them image by
 * image, as a result file lists them. Classes without a ground-truth box
 * have no AP (NaN) and are left out of the means, as COCO does. IoU is the
 * continuous area ratio (no +1 pixel): boxes are real-valued corners.
 * docs/detect.md has the conventions and why. */
#ifndef FXQ_AP_H
#define FXQ_AP_H

#include <stddef.h>

#define FXQ_AP_NIOU 10          /* IoU thresholds .50:.05:.95 */
#define FXQ_AP_COCO_POINTS 101  /* recall thresholds 0:.01:1 */
#define FXQ_AP_COCO_MAXDETS 100 /* per image and class */

typedef struct fxq_ap_box {
    double x0, y0, x1, y1; /* corners, x0 <= x1, y0 <= y1 */
} fxq_ap_box;

typedef struct fxq_ap_det {
    int image, cls;
    float score;
    fxq_ap_box box;
} fxq_ap_det;

typedef struct fxq_ap_gt {
    int image, cls;
    fxq_ap_box box;
} fxq_ap_gt;

/* Intersection over union; 0 when the union is empty. */
double fxq_ap_iou(fxq_ap_box a, fxq_ap_box b);
/* The i-th IoU threshold, 0.5 + 0.05 i. */
double fxq_ap_iou_threshold(int i);

/* AP from a ranked true/false-positive sequence (tp[i] != 0: detection i,
 * in rank order, is a true positive) and the number of ground-truth boxes
 * npos (> 0). */
double fxq_ap_voc_allpoint(const unsigned char *tp, long n, long npos);
double fxq_ap_coco101(const unsigned char *tp, long n, long npos);

typedef struct fxq_ap_class {
    long npos;                  /* ground-truth boxes */
    long ndet;                  /* detections */
    long tp50;                  /* true positives at IoU .5 (VOC matching) */
    double ap50;                /* VOC, NaN when npos == 0 */
    double ap_coco[FXQ_AP_NIOU];/* COCO at each threshold, NaN when npos == 0 */
    double ap50_95;             /* mean of ap_coco */
} fxq_ap_class;

typedef struct fxq_ap_result {
    int classes;
    fxq_ap_class *cls;  /* [classes] */
    int scored;         /* classes with npos > 0 */
    double map50;       /* mean ap50 over scored classes, NaN when none */
    double map50_95;    /* mean ap50_95 over scored classes */
    double map75;       /* mean COCO AP at IoU .75 */
} fxq_ap_result;

/* Scores `dets` against `gts` (neither needs sorting; a detection or box
 * whose class is outside 0..classes-1 is an error). 0 + why on bad input or
 * out of memory. Free with fxq_ap_result_free. */
int fxq_ap_evaluate(const fxq_ap_det *dets, long ndet, const fxq_ap_gt *gts, long ngt, int classes,
                    fxq_ap_result *r, char *why, size_t why_len);
void fxq_ap_result_free(fxq_ap_result *r);

/* Agreement with a reference detector: of the reference's detections with
 * score >= conf, how many are matched one-to-one by a detection of `dets`
 * with score >= conf, in the same image and class, at IoU >= iou (each
 * reference box, highest score first, takes the free box with the highest
 * IoU). *total = reference boxes counted, *matched = those matched. 0 when
 * out of memory. */
int fxq_ap_agree(const fxq_ap_det *ref, long nref, const fxq_ap_det *dets, long ndet, float conf, double iou,
                 long *matched, long *total);

#endif
