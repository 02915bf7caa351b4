/* `darknet fxq map` (also `darknet detector map`): a detector's float cfg and
 * any number of fixed-point cfgs on the data file's `valid` list in one
 * pass, side by side: mAP@0.5 (VOC), mAP@[.5:.95] (COCO), agreement with the
 * reference's confident boxes, images/s. The boxes are detector valid's
 * (fxq_detect.h), so the APs equal those computed from its result files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_ap.h"
#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_detect.h"
#include "fxq_eval.h"

#define FXQ_MAP_AGREE_CONF 0.25f /* detector test's usual display threshold range */
#define FXQ_MAP_AGREE_IOU 0.5

static void fxq_map_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq map <data> <cfg> <weights> [<fx.cfg> ...] [options]\n"
               "       darknet detector map <data> <cfg> <weights> [<fx.cfg> ...] [options]\n"
               "  Evaluates the detector <cfg> (the reference, normally float) and each fixed-point\n"
               "  cfg with <weights> (.weights or .fxw) on the data file's valid= list, with the boxes\n"
               "  `darknet detector valid` writes (letterbox, thresh 0.005, NMS 0.45) and the ground\n"
               "  truth of Darknet's label files (images -> labels, `class cx cy w h`).\n"
               "  Columns: mAP@0.5 (VOC, all-point interpolation), mAP@[.5:.95] (COCO, 101-point),\n"
               "  agreement (share of the reference's boxes with score >= 0.25 that a box of the same\n"
               "  class with score >= 0.25 matches at IoU >= 0.5), images/s (forward passes only).\n"
               "  APs in percent; classes without ground truth are left out of the means.\n"
               "options:\n"
               "  --csv        CSV on stdout instead of the table (fractions, not percent)\n"
               "  --per-class  also each class's objects, AP@0.5 and AP@[.5:.95] per cfg\n"
               "  -n N         first N images only\n"
               "  --list FILE  image list instead of the data file's valid=\n"
               "  --fx-weights FILE  the fixed-point cfgs load FILE instead of <weights> (the\n"
               "               reference keeps <weights>); once per fixed-point cfg, in their order,\n"
               "               when each has its own (\"-\": <weights>)\n"
               "  -q           no progress or layer table on stderr\n"
               "See docs/detect.md.\n");
}

typedef struct {
    fxq_ap_result ap;
    long agree_matched, agree_total;
} fxq_map_score;

static double fxq_map_agree(const fxq_map_score *s)
{
    return s->agree_total ? (double)s->agree_matched / s->agree_total : NAN;
}

static void fxq_map_print_table(const char **cfgs, const char **wfile, int nnet, const fxq_detset *set,
                                const fxq_detrun *runs, const fxq_map_score *sc, int per_class)
{
    size_t wcol = 8;
    for (int i = 0; i < nnet; ++i)
        if (strlen(cfgs[i]) > wcol) wcol = strlen(cfgs[i]);
    printf("%d images, %ld objects, %d classes (%d with objects), weights %s, reference %s\n", set->n, set->objects,
           set->classes, sc[0].ap.scored, wfile[0], cfgs[0]);
    fxq_cli_print_fx_weights(cfgs, wfile, nnet);
    printf("%-*s  %8s  %12s  %8s  %9s\n", (int)wcol, "cfg", "mAP@0.5", "mAP@[.5:.95]", "agree", "img/s");
    for (int i = 0; i < nnet; ++i) {
        char agree[16] = "-"; /* the reference has no box >= 0.25 */
        if (sc[i].agree_total) snprintf(agree, sizeof agree, "%.2f", 100 * fxq_map_agree(&sc[i]));
        printf("%-*s  %8.2f  %12.2f  %8s  %9.1f\n", (int)wcol, cfgs[i], 100 * sc[i].ap.map50, 100 * sc[i].ap.map50_95,
               agree, runs[i].seconds > 0 ? runs[i].images / runs[i].seconds : 0.0);
    }
    if (!per_class) return;
    size_t ncol = 5;
    for (int c = 0; c < set->classes; ++c)
        if (strlen(set->names[c]) > ncol) ncol = strlen(set->names[c]);
    printf("\nper class: AP@0.5 / AP@[.5:.95] (%%), one column per cfg in the order above\n");
    printf("%-*s  %7s", (int)ncol, "class", "objects");
    for (int i = 0; i < nnet; ++i) printf("  %15s", i ? "fixed" : "reference");
    printf("\n");
    for (int c = 0; c < set->classes; ++c) {
        printf("%-*s  %7ld", (int)ncol, set->names[c], sc[0].ap.cls[c].npos);
        for (int i = 0; i < nnet; ++i) {
            const fxq_ap_class *pc = &sc[i].ap.cls[c];
            if (pc->npos) printf("  %7.2f/%-7.2f", 100 * pc->ap50, 100 * pc->ap50_95);
            else printf("  %15s", "-");
        }
        printf("\n");
    }
}

static void fxq_map_print_csv(const char **cfgs, const char **wfile, int nnet, const fxq_detset *set,
                              const fxq_detrun *runs, const fxq_map_score *sc, int per_class)
{
    printf("cfg,weights,images,objects,map50,map50_95,map75,agree,images_per_s");
    for (int c = 0; per_class && c < set->classes; ++c) printf(",ap50_%s,ap50_95_%s", set->names[c], set->names[c]);
    printf("\n");
    for (int i = 0; i < nnet; ++i) {
        printf("%s,%s,%ld,%ld,%.6f,%.6f,%.6f,%.6f,%.1f", cfgs[i], wfile[i], runs[i].images, set->objects,
               sc[i].ap.map50, sc[i].ap.map50_95, sc[i].ap.map75, fxq_map_agree(&sc[i]),
               runs[i].seconds > 0 ? runs[i].images / runs[i].seconds : 0.0);
        for (int c = 0; per_class && c < set->classes; ++c) {
            const fxq_ap_class *pc = &sc[i].ap.cls[c];
            if (pc->npos) printf(",%.6f,%.6f", pc->ap50, pc->ap50_95);
            else printf(",,");
        }
        printf("\n");
    }
}

int fxq_cmd_map(int argc, char **argv)
{
    const char *pos[64], *list = NULL, *fxw[64];
    int npos = 0, nfxw = 0, csv = 0, limit = 0, quiet = 0, per_class = 0, rc = 1;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fxq_map_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--csv")) {
            csv = 1;
        } else if (!strcmp(a, "--per-class")) {
            per_class = 1;
        } else if (!strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--list") || !strcmp(a, "--fx-weights")) {
            if (i + 1 >= argc) return fxq_cli_usage_error("map", "option needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--list")) list = v;
            else if (!strcmp(a, "--fx-weights") && nfxw < (int)(sizeof fxw / sizeof fxw[0])) fxw[nfxw++] = v;
            else if (!strcmp(a, "--fx-weights")) return fxq_cli_usage_error("map", "too many --fx-weights", v);
            else if (!fxq_cli_int(v, 1, 100000000, &limit))
                return fxq_cli_usage_error("map", "-n: not a positive integer in range", v);
        } else if (a[0] == '-' && a[1]) {
            return fxq_cli_usage_error("map", "unknown option", a);
        } else if (npos < (int)(sizeof pos / sizeof pos[0])) {
            pos[npos++] = a;
        } else {
            return fxq_cli_usage_error("map", "too many cfgs", a);
        }
    }
    if (npos < 3) {
        fxq_map_usage(stderr);
        return 2;
    }
    const char *data = pos[0], *weights = pos[2];
    const int nnet = npos - 2;
    const char **cfgs = malloc((size_t)nnet * sizeof *cfgs), **wfile = malloc((size_t)nnet * sizeof *wfile);
    network **nets = calloc((size_t)nnet, sizeof *nets);
    fxq_detrun *runs = calloc((size_t)nnet, sizeof *runs);
    fxq_map_score *sc = calloc((size_t)nnet, sizeof *sc);
    fxq_ap_gt *gts = NULL;
    long ngt = 0;
    fxq_detset set;
    char why[1024];
    memset(&set, 0, sizeof set);
    if (!cfgs || !wfile || !nets || !runs || !sc) {
        fxq_cli_fail("map", "out of memory");
        goto free_all;
    }
    cfgs[0] = pos[1];
    for (int k = 1; k < nnet; ++k) cfgs[k] = pos[k + 2];
    if (fxq_cli_fx_weights("map", weights, fxw, nfxw, nnet, wfile)) {
        rc = 2;
        goto free_all;
    }
    if (!fxq_detset_open(data, list, limit, &set, why, sizeof why)) {
        fxq_cli_fail("map", why);
        goto free_all;
    }
    if (!set.objects) {
        snprintf(why, sizeof why, "%s: none of the %d images has an object in its label file: no AP to compute",
                 list ? list : data, set.n);
        fxq_cli_fail("map", why);
        goto free_all;
    }
    for (int k = 0; k < nnet; ++k)
        if (!(nets[k] = fxq_eval_load_net(cfgs[k], wfile[k], 1, quiet, why, sizeof why))) {
            fxq_cli_fail("map", why);
            goto free_all;
        }
    if (!fxq_detect_run(nets, cfgs, nnet, &set, quiet, runs, &gts, &ngt, why, sizeof why)) {
        fxq_cli_fail("map", why);
        goto free_all;
    }
    for (int k = 0; k < nnet; ++k) {
        if (!fxq_ap_evaluate(runs[k].dets, runs[k].ndet, gts, ngt, set.classes, &sc[k].ap, why, sizeof why)) {
            fxq_cli_fail("map", why);
            goto free_all;
        }
        if (!fxq_ap_agree(runs[0].dets, runs[0].ndet, runs[k].dets, runs[k].ndet, FXQ_MAP_AGREE_CONF,
                          FXQ_MAP_AGREE_IOU, &sc[k].agree_matched, &sc[k].agree_total)) {
            fxq_cli_fail("map", "out of memory comparing the detections");
            goto free_all;
        }
    }
    if (csv) fxq_map_print_csv(cfgs, wfile, nnet, &set, runs, sc, per_class);
    else fxq_map_print_table(cfgs, wfile, nnet, &set, runs, sc, per_class);
    rc = 0;
free_all:
    for (int i = 0; nets && i < nnet; ++i)
        if (nets[i]) free_network(nets[i]);
    for (int i = 0; runs && sc && i < nnet; ++i) fxq_detrun_free(&runs[i]), fxq_ap_result_free(&sc[i].ap);
    fxq_detset_free(&set);
    free(gts);
    free(cfgs);
    free(wfile);
    free(nets);
    free(runs);
    free(sc);
    return rc;
}
