/* Darknet detection label files, read strictly (no Darknet): one line
 * `class cx cy w h` per object, the class an integer in 0..classes-1, the
 * centre and size normalized to the image, each in [0, 1], w and h > 0.
 * Blank lines are skipped; an empty file is an image without objects.
 * Darknet's own read_boxes takes whatever fscanf makes of a line; an
 * evaluation that trusts its ground truth cannot, so any other line is an
 * error naming the file and line. */
#ifndef FXQ_DETLABEL_H
#define FXQ_DETLABEL_H

#include <stddef.h>

#include "fxq_ap.h"

typedef struct fxq_detlabel {
    int cls;
    double cx, cy, w, h;
} fxq_detlabel;

/* Parses `text` (the contents of `name`, for messages). *boxes is malloc'd
 * (NULL when *n == 0). 0 + why ("name:line: ...") on a bad line. */
int fxq_detlabel_parse(const char *text, const char *name, int classes, fxq_detlabel **boxes, int *n, char *why,
                       size_t why_len);
/* Reads and parses the file at `path`; a missing file is an error. */
int fxq_detlabel_read(const char *path, int classes, fxq_detlabel **boxes, int *n, char *why, size_t why_len);

/* A label's corners in the pixel coordinates Darknet's `detector valid`
 * writes for a W x H image (1-based: x0 = (cx - w/2) W + 1), clipped as it
 * clips its detections, to [1, W] x [1, H]. */
fxq_ap_box fxq_detlabel_box(const fxq_detlabel *b, int im_w, int im_h);

/* Darknet's images -> labels path rule (data.c fill_truth_detection): the
 * first "images" and the first "JPEGImages" become "labels", then the first
 * ".jpg", ".png", ".JPG", ".JPEG" becomes ".txt", each in turn. 0 when the
 * result does not fit in `len` bytes. */
int fxq_detlabel_path(const char *image_path, char *out, size_t len);

#endif
