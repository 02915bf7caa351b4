/* Detector evaluation on a Darknet network, the way `darknet detector valid`
 * produces its boxes: the image decoded at its own size, letterboxed to the
 * network, get_network_boxes at thresh 0.005 (hier 0.5, boxes in the
 * image's pixels), do_nms_sort at 0.45, and each (box, class) whose
 * probability is non-zero becomes one detection with the corners and
 * clipping of print_detector_detections. Several networks run on the same
 * decoded images; ground truth comes from Darknet label files
 * (fxq_detlabel.h), read and checked for every image before any network
 * runs. Scoring is fxq_ap.h. */
#ifndef FXQ_DETECT_H
#define FXQ_DETECT_H

#include <stddef.h>

#include "darknet.h"
#include "fxq_ap.h"
#include "fxq_detlabel.h"

#define FXQ_DETECT_THRESH 0.005f /* validate_detector's */
#define FXQ_DETECT_HIER 0.5f
#define FXQ_DETECT_NMS 0.45f

typedef struct fxq_detset {
    char **paths;          /* images (the first n of the list) */
    int n, nlist;          /* images used, lines in the list */
    int classes;           /* from the names file (and classes= when given) */
    char **names;          /* [classes] */
    int nnames;
    fxq_detlabel **labels; /* [n]: each image's ground truth, normalized */
    int *nlabels;          /* [n] */
    long objects;          /* sum of nlabels */
    char datacfg[4096];    /* the data file, for messages */
} fxq_detset;

/* Reads `datacfg` (names=, classes= when present, valid= unless list_path
 * is given), the first `limit` images of the list (all when limit <= 0) and
 * each one's label file (images -> labels rule; an empty file is an image
 * without objects, a missing one an error). 0 + one line why naming the
 * file on any failure. */
int fxq_detset_open(const char *datacfg, const char *list_path, int limit, fxq_detset *set, char *why,
                    size_t why_len);
void fxq_detset_free(fxq_detset *set);

typedef struct fxq_detrun {
    fxq_ap_det *dets; /* every image's detections, image by image */
    long ndet, cap;
    long images;
    double seconds;   /* network_predict only */
} fxq_detrun;

/* Runs nets[0..nnet-1] (loaded from cfgs[k], named in messages; batch 1, each with set->classes classes in its last
 * layer) over set's images, filling runs[k] and the ground truth in the
 * same pixel coordinates (*gts, malloc'd). Progress on stderr unless quiet.
 * 0 + why on an undecodable image, a mismatched network or out of memory. */
int fxq_detect_run(network **nets, const char *const *cfgs, int nnet, const fxq_detset *set, int quiet, fxq_detrun *runs, fxq_ap_gt **gts,
                   long *ngt, char *why, size_t why_len);
void fxq_detrun_free(fxq_detrun *r);

/* 1 when every output of the network's detection layers is finite
 * (get_network_boxes writes past its array on a NaN objectness). */
int fxq_detect_finite(const network *net);

/* One image's detections of `net` (already run on it) appended to r, as
 * validate_detector prints them for an im_w x im_h image. 0 when out of
 * memory. */
int fxq_detect_collect(network *net, int image, int im_w, int im_h, int classes, fxq_detrun *r);

#endif
