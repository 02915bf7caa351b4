/* Detector evaluation: labelled image set, detector valid's boxes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fxq_detect.h"
#include "fxq_eval.h"
#include "fxq_input.h"
#include "option_list.h"

static void fxq_detect_free_options(list *options)
{
    for (node *nd = options->front; nd; nd = nd->next) {
        kvp *p = nd->val;
        free(p->key); /* the line read_option split in place */
        free(p);
    }
    free_list(options);
}

void fxq_detset_free(fxq_detset *set)
{
    if (set->paths) fxq_list_free(set->paths, set->nlist);
    if (set->names) fxq_list_free(set->names, set->nnames);
    for (int i = 0; set->labels && i < set->n; ++i) free(set->labels[i]);
    free(set->labels);
    free(set->nlabels);
    memset(set, 0, sizeof *set);
}

int fxq_detset_open(const char *datacfg, const char *list_path, int limit, fxq_detset *set, char *why,
                    size_t why_len)
{
    memset(set, 0, sizeof *set);
    snprintf(set->datacfg, sizeof set->datacfg, "%s", datacfg);
    if (!fxq_file_readable(datacfg, why, why_len)) return 0;
    list *options = read_data_cfg((char *)datacfg);
    const char *valid = list_path ? list_path : option_find(options, "valid");
    const char *names = option_find(options, "names");
    const int classes = option_find_int_quiet(options, "classes", 0);
    int ok = 0;
    if (!names) {
        snprintf(why, why_len, "%s: no 'names=' file (the class names; detector valid names its result files by them)",
                 datacfg);
        goto free_options;
    }
    if (!valid) {
        snprintf(why, why_len, "%s: no 'valid=' list", datacfg);
        goto free_options;
    }
    if (!(set->names = fxq_list_read(names, 0, &set->nnames, why, why_len))) goto free_options;
    set->classes = classes > 0 ? classes : set->nnames;
    if (set->nnames < set->classes) {
        snprintf(why, why_len, "%s: %d names but %s says classes=%d", names, set->nnames, datacfg, classes);
        goto free_set;
    }
    if (!(set->paths = fxq_list_read(valid, 0, &set->nlist, why, why_len))) goto free_set;
    set->n = limit > 0 && limit < set->nlist ? limit : set->nlist;
    set->labels = calloc((size_t)set->n, sizeof *set->labels);
    set->nlabels = calloc((size_t)set->n, sizeof *set->nlabels);
    if (!set->labels || !set->nlabels) {
        snprintf(why, why_len, "%s: out of memory for %d images", valid, set->n);
        goto free_set;
    }
    for (int i = 0; i < set->n; ++i) {
        char lp[4096];
        if (!fxq_detlabel_path(set->paths[i], lp, sizeof lp)) {
            snprintf(why, why_len, "%s: path too long", set->paths[i]);
            goto free_set;
        }
        if (!strcmp(lp, set->paths[i])) {
            snprintf(why, why_len,
                     "%s: no label file: Darknet finds it by replacing 'images' with 'labels' and the extension "
                     "(.jpg/.png/.JPG/.JPEG) with .txt, and this path has neither",
                     set->paths[i]);
            goto free_set;
        }
        if (access(set->paths[i], F_OK)) { /* before its label: the image is what is missing */
            snprintf(why, why_len, "%s: no such image (line %d of %s)", set->paths[i], i + 1, valid);
            goto free_set;
        }
        if (!fxq_detlabel_read(lp, set->classes, &set->labels[i], &set->nlabels[i], why, why_len)) {
            /* name the image too: the label file is found by a rule */
            const size_t len = strlen(why);
            snprintf(why + len, why_len - len, " (labels of %s)", set->paths[i]);
            goto free_set;
        }
        set->objects += set->nlabels[i];
    }
    ok = 1;
free_set:
    if (!ok) fxq_detset_free(set);
free_options:
    fxq_detect_free_options(options);
    return ok;
}

void fxq_detrun_free(fxq_detrun *r)
{
    free(r->dets);
    memset(r, 0, sizeof *r);
}

static int fxq_detrun_push(fxq_detrun *r, const fxq_ap_det *d)
{
    if (r->ndet == r->cap) {
        const long cap = r->cap ? 2 * r->cap : 4096;
        fxq_ap_det *nd = realloc(r->dets, (size_t)cap * sizeof *nd);
        if (!nd) return 0;
        r->dets = nd, r->cap = cap;
    }
    r->dets[r->ndet++] = *d;
    return 1;
}

int fxq_detect_finite(const network *net)
{
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (l->type != YOLO && l->type != REGION && l->type != DETECTION) continue;
        for (int j = 0; j < l->outputs; ++j)
            if (!isfinite(l->output[j])) return 0;
    }
    return 1;
}

int fxq_detect_collect(network *net, int image, int im_w, int im_h, int classes, fxq_detrun *r)
{
    int nboxes = 0, ok = 1;
    detection *dets = get_network_boxes(net, im_w, im_h, FXQ_DETECT_THRESH, FXQ_DETECT_HIER, 0, 0, &nboxes);
    do_nms_sort(dets, nboxes, classes, FXQ_DETECT_NMS);
    for (int i = 0; i < nboxes && ok; ++i) {
        /* print_detector_detections: 1-based corners, clipped to [1, w] x [1, h] */
        float xmin = dets[i].bbox.x - dets[i].bbox.w / 2. + 1;
        float xmax = dets[i].bbox.x + dets[i].bbox.w / 2. + 1;
        float ymin = dets[i].bbox.y - dets[i].bbox.h / 2. + 1;
        float ymax = dets[i].bbox.y + dets[i].bbox.h / 2. + 1;
        if (xmin < 1) xmin = 1;
        if (ymin < 1) ymin = 1;
        if (xmax > im_w) xmax = im_w;
        if (ymax > im_h) ymax = im_h;
        for (int j = 0; j < classes && ok; ++j) {
            if (!dets[i].prob[j]) continue;
            const fxq_ap_det d = {image, j, dets[i].prob[j], {xmin, ymin, xmax, ymax}};
            ok = fxq_detrun_push(r, &d);
        }
    }
    free_detections(dets, nboxes);
    return ok;
}

static double fxq_detect_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int fxq_detect_run(network **nets, const char *const *cfgs, int nnet, const fxq_detset *set, int quiet, fxq_detrun *runs, fxq_ap_gt **gts,
                   long *ngt, char *why, size_t why_len)
{
    *gts = NULL;
    *ngt = 0;
    for (int k = 0; k < nnet; ++k) {
        const layer *l = &nets[k]->layers[nets[k]->n - 1];
        if (l->type != YOLO && l->type != REGION && l->type != DETECTION) {
            snprintf(why, why_len, "%s: does not end in a [yolo], [region] or [detection] layer (not a detector)",
                     cfgs[k]);
            return 0;
        }
        if (l->classes != set->classes) {
            snprintf(why, why_len, "%s: detects %d classes, %s has %d", cfgs[k], l->classes, set->datacfg,
                     set->classes);
            return 0;
        }
        if (nets[k]->c != 3) {
            snprintf(why, why_len, "%s: takes %d channels; detector valid feeds 3", cfgs[k], nets[k]->c);
            return 0;
        }
        set_batch_network(nets[k], 1);
        memset(&runs[k], 0, sizeof runs[k]);
    }
    *gts = malloc((size_t)(set->objects > 0 ? set->objects : 1) * sizeof **gts);
    if (!*gts) {
        snprintf(why, why_len, "out of memory for %ld boxes", set->objects);
        return 0;
    }
    for (int i = 0; i < set->n; ++i) {
        image im;
        if (!fxq_input_decode(set->paths[i], 3, &im, why, why_len)) goto fail;
        for (int b = 0; b < set->nlabels[i]; ++b) {
            fxq_ap_gt *g = &(*gts)[(*ngt)++];
            g->image = i;
            g->cls = set->labels[i][b].cls;
            g->box = fxq_detlabel_box(&set->labels[i][b], im.w, im.h);
        }
        image sized = {0, 0, 0, NULL};
        for (int k = 0; k < nnet; ++k) {
            network *net = nets[k];
            if (!sized.data || sized.w != net->w || sized.h != net->h) {
                free_image(sized);
                sized = letterbox_image(im, net->w, net->h);
            }
            const double t0 = fxq_detect_now();
            network_predict(net, sized.data);
            runs[k].seconds += fxq_detect_now() - t0;
            if (!fxq_detect_finite(net)) {
                /* upstream's box count skips NaN objectness, its box loop does not: a crash */
                snprintf(why, why_len, "%s: produced NaN/Inf on %s: broken weights?", cfgs[k], set->paths[i]);
                free_image(sized);
                free_image(im);
                goto fail;
            }
            if (!fxq_detect_collect(net, i, im.w, im.h, set->classes, &runs[k])) {
                snprintf(why, why_len, "out of memory for the detections of %s", set->paths[i]);
                free_image(sized);
                free_image(im);
                goto fail;
            }
            ++runs[k].images;
        }
        free_image(sized);
        free_image(im);
        if (!quiet && (i % 20 == 19 || i + 1 == set->n)) fprintf(stderr, "\r  %d/%d images", i + 1, set->n);
    }
    if (!quiet && set->n) fprintf(stderr, "\n");
    return 1;
fail:
    if (!quiet) fprintf(stderr, "\n");
    for (int k = 0; k < nnet; ++k) fxq_detrun_free(&runs[k]);
    free(*gts);
    *gts = NULL;
    *ngt = 0;
    return 0;
}
