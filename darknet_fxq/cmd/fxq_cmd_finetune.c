/* `darknet fxq finetune`: a few epochs of training inside the fixed-point
 * formats (paper §5.3), then the saved weights evaluated through the integer
 * kernels exactly as `darknet classifier valid` runs them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_distill.h"
#include "fxq_eval.h"
#include "fxq_finetune.h"
#include "fxq_layer_train.h"
#include "fxq_net.h"
#include "fxq_outfile.h"
#include "fxq_requant.h"

static void fxq_finetune_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq finetune <data> <fx.cfg> <weights> -o out.weights [options]\n"
               "  Trains the fixed-point network inside its formats (fake-quantized forward,\n"
               "  straight-through backward, float master weights) on the data file's train=\n"
               "  list, writes out.weights (loads with <fx.cfg>; temp file + rename) and prints\n"
               "  top-1 on the valid= list: float twin of <fx.cfg> with <weights>, fixed point\n"
               "  before and after.\n"
               "options:\n"
               "  --epochs E       passes over the train list, fractional ok (default 1)\n"
               "  --max-batches N  exactly N training steps instead (overrides --epochs)\n"
               "  --lr LR          learning rate (default: the cfg's learning_rate / 100)\n"
               "  --cosine         decay it over the run: lr * (1 + cos(pi * step / steps)) / 2\n"
               "  --requantize L   afterwards, fractional bits from fresh statistics of the trained\n"
               "                   network on image list L; writes the new cfg next to -o\n"
               "                   (out.weights -> out.cfg) and lists the formats that changed\n"
               "  --formats P      --requantize's rule, as fxq quantize's: mse (default) | paper\n"
               "  --distill        targets: the float teacher's softmax on the same augmented batch\n"
               "                   instead of the labels; also prints agreement with its top-1\n"
               "  --teacher CFG    the teacher's cfg (default: the float twin of <fx.cfg>); implies --distill\n"
               "  --teacher-weights W  its weights (default: <weights>); implies --distill\n"
               "  --temperature T  softmax temperature of teacher and student while distilling\n"
               "                   (default 1; gradients scaled by T^2); implies --distill\n"
               "  -n N             evaluate on the first N valid images only\n"
               "  --no-before      skip the float / fixed-before evaluation (printed as -)\n"
               "  --seed S         seed of Darknet's data sampling (default: the clock)\n"
               "  -q               no progress on stderr\n");
}

static int fxq_ft_fail(const char *why)
{
    fprintf(stderr, "darknet fxq finetune: %s\n", why);
    return 1;
}

/* Messages about the saved weights name -o, not its temp file. */
static void fxq_ft_name_output(char *why, size_t why_len, const char *tmp, const char *out)
{
    const char *at = strstr(why, tmp);
    if (!at) return;
    char rest[2048];
    snprintf(rest, sizeof rest, "%s", at + strlen(tmp));
    snprintf(why + (at - why), why_len - (size_t)(at - why), "%s (as trained)%s", out, rest);
}

/* Top-1 (fraction) of each cfg with its weights on the evaluation set, and
 * (agree non-NULL) each one's agreement with the first one's top-1. */
static int fxq_ft_eval(const char **cfgs, const char **weights, int n, const fxq_evalset *set, int limit,
                       double *top1, double *agree, char *why, size_t why_len)
{
    network *nets[3] = {0};
    fxq_eval_result res[3] = {0}; /* no per-image predictions (res[].pred) */
    int ok = 1;
    for (int k = 0; k < n && ok; ++k)
        ok = (nets[k] = fxq_net_load_quiet(cfgs[k], weights[k], 32, why, why_len)) != NULL;
    if (ok) ok = fxq_eval_run(nets, NULL, n, set, limit, 1, res, why, why_len);
    for (int k = 0; k < n; ++k) {
        if (ok) top1[k] = res[k].images ? (double)res[k].top1 / res[k].images : 0;
        if (ok && agree) agree[k] = res[k].images ? (double)res[k].agree / res[k].images : 0;
        if (nets[k]) free_network(nets[k]);
    }
    return ok;
}

typedef struct fxq_ft_args {
    const char *pos[3], *out, *requant_list, *teacher_cfg, *teacher_w;
    double epochs, lr, temperature;
    long max_batches;
    int have_lr, limit, quiet, seed, have_seed, no_before, cosine, distill;
    fxq_formats formats;
} fxq_ft_args;

static int fxq_ft_parse(int argc, char **argv, fxq_ft_args *a)
{
    int npos = 0;
    memset(a, 0, sizeof *a);
    a->epochs = 1;
    a->temperature = 1;
    a->formats = FXQ_FORMATS_MSE;
    for (int i = 1; i < argc; ++i) {
        const char *o = argv[i];
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            fxq_finetune_usage(stdout);
            return 0;
        } else if (!strcmp(o, "-q")) {
            a->quiet = 1;
        } else if (!strcmp(o, "--no-before")) {
            a->no_before = 1;
        } else if (!strcmp(o, "--cosine")) {
            a->cosine = 1;
        } else if (!strcmp(o, "--distill")) {
            a->distill = 1;
        } else if (o[0] == '-' && o[1]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "darknet fxq finetune: %s needs a value\n", o);
                return 2;
            }
            const char *v = argv[++i];
            int ok = 1, n = 0;
            if (!strcmp(o, "-o")) a->out = v;
            else if (!strcmp(o, "--requantize")) a->requant_list = v;
            else if (!strcmp(o, "--teacher")) a->teacher_cfg = v, a->distill = 1;
            else if (!strcmp(o, "--teacher-weights")) a->teacher_w = v, a->distill = 1;
            else if (!strcmp(o, "--temperature"))
                ok = fxq_cli_pos_double(v, &a->temperature) && a->temperature <= 100, a->distill = 1;
            else if (!strcmp(o, "--formats")) ok = fxq_formats_parse(v, &a->formats) && a->formats != FXQ_FORMATS_REFINE;
            else if (!strcmp(o, "--epochs")) ok = fxq_cli_pos_double(v, &a->epochs) && a->epochs <= 1000;
            else if (!strcmp(o, "--lr")) ok = fxq_cli_pos_double(v, &a->lr) && a->lr <= 10, a->have_lr = 1;
            else if (!strcmp(o, "--max-batches")) ok = fxq_cli_int(v, 1, 100000000, &n), a->max_batches = n;
            else if (!strcmp(o, "-n")) ok = fxq_cli_int(v, 1, 100000000, &a->limit);
            else if (!strcmp(o, "--seed")) ok = fxq_cli_int(v, 0, 2000000000, &a->seed), a->have_seed = 1;
            else {
                fprintf(stderr, "darknet fxq finetune: unknown option '%s'\n", o);
                return 2;
            }
            if (!ok) {
                fprintf(stderr, "darknet fxq finetune: %s '%s' is not a valid value\n", o, v);
                return 2;
            }
        } else if (npos < 3) {
            a->pos[npos++] = o;
        } else {
            fprintf(stderr, "darknet fxq finetune: unexpected argument '%s'\n", o);
            return 2;
        }
    }
    if (npos < 3 || !a->out) {
        fprintf(stderr, "darknet fxq finetune: needs <data> <fx.cfg> <weights> -o out.weights (see --help)\n");
        return 2;
    }
    return -1;
}

/* Output checks before any work: not an input (the data file and the lists
 * it names included), not a directory, writable. */
static int fxq_ft_check_out(const fxq_ft_args *a, const char *path, char *why, size_t why_len)
{
    static char named[8][FXQ_CLI_PATH];
    const char *inputs[14] = {a->pos[0], a->pos[1], a->pos[2], a->requant_list, a->teacher_cfg, a->teacher_w};
    const int nd = fxq_cli_data_inputs(a->pos[0], named, 8);
    for (int k = 0; k < nd; ++k) inputs[6 + k] = named[k];
    if (!fxq_cli_output_ok(path, inputs, 6 + nd, why, why_len)) return 0;
    struct stat st;
    if (stat(path, &st) == 0 && access(path, W_OK)) {
        snprintf(why, why_len, "%s: not writable: %s", path, strerror(errno));
        return 0;
    }
    return 1;
}

int fxq_cmd_finetune(int argc, char **argv)
{
    fxq_ft_args a;
    int rc = fxq_ft_parse(argc, argv, &a);
    if (rc >= 0) return rc;
    const char *data = a.pos[0], *cfg = a.pos[1], *weights = a.pos[2];
    char why[2048], floatcfg[PATH_MAX] = "", newcfg[PATH_MAX] = "";
    fxq_outfile wout = {0}, cout = {0}; /* -o and --requantize's cfg: committed together at the end */
    double cfg_lr = 0;
    network *net = NULL, *teacher = NULL;
    fxq_evalset set;
    memset(&set, 0, sizeof set);
    rc = 1;

    if (!fxq_ft_check_out(&a, a.out, why, sizeof why)) return fxq_ft_fail(why);
    if (a.requant_list) {
        struct stat st;
        if (!strcmp(a.out, "-") || (stat(a.out, &st) == 0 && !S_ISREG(st.st_mode)))
            return fxq_ft_fail("--requantize writes its cfg next to -o: give -o a file path");
        if (!fxq_requant_cfg_path(a.out, newcfg, sizeof newcfg, why, sizeof why)) return fxq_ft_fail(why);
        if (!fxq_ft_check_out(&a, newcfg, why, sizeof why)) return fxq_ft_fail(why);
        if (!fxq_file_readable(a.requant_list, why, sizeof why)) return fxq_ft_fail(why);
    }
    /* the whole cfg first: its messages name the user's file, not the float twin made from it */
    if (!fxq_cfg_check(cfg, why, sizeof why)) return fxq_ft_fail(why);
    if (!fxq_finetune_cfg_check(cfg, !a.have_lr, a.requant_list != NULL, &cfg_lr, why, sizeof why)) return fxq_ft_fail(why);
    if (!fxq_file_readable(weights, why, sizeof why)) return fxq_ft_fail(why);
    if (a.teacher_cfg && !fxq_file_readable(a.teacher_cfg, why, sizeof why)) return fxq_ft_fail(why);
    if (a.teacher_w && !fxq_file_readable(a.teacher_w, why, sizeof why)) return fxq_ft_fail(why);
    if (!fxq_evalset_open(data, NULL, &set, why, sizeof why)) return fxq_ft_fail(why);
    if (!fxq_finetune_float_cfg(cfg, floatcfg, sizeof floatcfg, why, sizeof why)) goto done;
    /* the reference of the evaluation: the teacher when distilling, else the float twin */
    const char *ref_cfg = a.teacher_cfg ? a.teacher_cfg : floatcfg, *ref_w = a.teacher_w ? a.teacher_w : weights;

    if (a.distill) { /* both networks and their fit before any long evaluation */
        fxq_set_training(1);
        net = fxq_net_load_quiet(cfg, weights, 0, why, sizeof why);
        fxq_set_training(0);
        if (!net) goto done;
        if (!(teacher = fxq_net_load_quiet(ref_cfg, ref_w, net->batch, why, sizeof why))) goto done;
        if (!fxq_distill_check(net, teacher, a.teacher_cfg ? a.teacher_cfg : cfg, cfg, why, sizeof why)) goto done;
    }

    /* before: float twin (or teacher) and fixed point with the input weights */
    double before[2] = {-1, -1}, after = 0, agree_before[2] = {-1, -1}, agree_after[2] = {0, 0};
    if (!a.no_before) {
        const char *cfgs[2] = {ref_cfg, cfg}, *ws[2] = {ref_w, weights};
        if (!a.quiet) fprintf(stderr, "finetune: evaluating the %s and the fixed-point network ...\n",
                              a.distill ? "teacher" : "float twin");
        if (!fxq_ft_eval(cfgs, ws, 2, &set, a.limit, before, agree_before, why, sizeof why)) goto done;
    }

    if (!net) {
        fxq_set_training(1);
        net = fxq_net_load_quiet(cfg, weights, 0, why, sizeof why);
        fxq_set_training(0);
        if (!net) goto done;
    }
    if (a.have_seed) srand((unsigned)a.seed);
    else srand((unsigned)time(0));
    fxq_finetune_opts o = {0};
    o.lr = a.have_lr ? a.lr : cfg_lr / 100;
    o.quiet = a.quiet;
    o.cosine = a.cosine;
    o.teacher = teacher;
    o.temperature = (float)a.temperature;
    const long imgs = (long)net->batch * net->subdivisions;
    long ntrain = 0;
    {
        char line[4096], list[PATH_MAX] = "";
        FILE *df = fopen(data, "r");
        while (df && fgets(line, sizeof line, df))
            if (sscanf(line, " train = %4095s", list) == 1) break;
        if (df) fclose(df);
        FILE *lf = list[0] ? fopen(list, "r") : NULL;
        while (lf && fgets(line, sizeof line, lf)) ntrain += line[0] != '\n';
        if (lf) fclose(lf);
    }
    o.batches = a.max_batches ? a.max_batches : (long)(a.epochs * ntrain / imgs + .999999);
    if (o.batches < 1) o.batches = 1;
    o.report_every = o.batches >= 50 ? o.batches / 50 : 1;
    if (!a.quiet)
        fprintf(stderr, "finetune: %ld steps of %ld images (%.3f epochs of %ld), lr %g%s, momentum %g, decay %g\n",
                o.batches, imgs, ntrain ? (double)o.batches * imgs / ntrain : 0.0, ntrain, o.lr,
                o.cosine ? " (cosine to 0)" : "", net->momentum,
                net->decay);
    if (!a.quiet && teacher)
        fprintf(stderr, "finetune: distilling from %s with %s, temperature %g\n",
                a.teacher_cfg ? a.teacher_cfg : "the float twin", ref_w, a.temperature);
    fxq_finetune_result fr;
    if (!fxq_finetune_run(net, data, &o, &fr, why, sizeof why)) goto done;

    /* save to a temp file (fxq_out_open_named); evaluate what was saved;
     * then put it (and the requantized cfg) in place */
    if (!fxq_out_open_named(&wout, a.out, why, sizeof why)) goto done;
    const char *tmp = wout.tmp;
    fxq_net_save_quiet(net, tmp); /* its "Saving weights to" would name the temp file */
    if (!fxq_weights_check(net, tmp, why, sizeof why)) goto done;
    if (a.distill) {
        const char *cfgs[2] = {ref_cfg, cfg}, *ws[2] = {ref_w, tmp};
        double t1[2];
        if (!fxq_ft_eval(cfgs, ws, 2, &set, a.limit, t1, agree_after, why, sizeof why)) goto done;
        after = t1[1];
        if (before[0] < 0) before[0] = t1[0];
    } else {
        const char *cfgs[1] = {cfg}, *ws[1] = {tmp};
        if (!fxq_ft_eval(cfgs, ws, 1, &set, a.limit, &after, NULL, why, sizeof why)) goto done;
    }
    if (a.requant_list && (!fxq_out_open(&cout, newcfg, why, sizeof why) ||
                           !fxq_requant_write(cfg, tmp, a.requant_list, &cout, a.formats, a.quiet, why, sizeof why)))
        goto done;
    fxq_out_txn_begin(); /* both files or neither */
    const int put = fxq_out_commit(&wout, why, sizeof why) &&
                    (!a.requant_list || fxq_out_commit(&cout, why, sizeof why));
    if (!fxq_out_txn_end(put, why, sizeof why) || !put) goto done;
    fprintf(stderr, "finetune: loss %.4f -> %.4f (mean of the first and last tenth of %ld steps), %.1f s\n",
            fr.loss_first, fr.loss_last, fr.batches, fr.seconds);
    char fb[3][16];
    for (int k = 0; k < 3; ++k) {
        const double v = k < 2 ? before[k] : agree_before[1];
        if (v < 0) snprintf(fb[k], sizeof fb[k], "-");
        else snprintf(fb[k], sizeof fb[k], "%.2f%%", 100 * v);
    }
    const int nimg = a.limit > 0 && a.limit < set.n ? a.limit : set.n;
    if (a.distill)
        printf("finetune %s: %ld images (%.3f epochs), %.1f s; top-1 on %d images: teacher %s, fixed before "
               "%s, fixed after %.2f%%; agreement with the teacher's top-1: before %s, after %.2f%% -> %s\n",
               cfg, fr.images, ntrain ? (double)fr.images / ntrain : 0.0, fr.seconds, nimg, fb[0], fb[1],
               100 * after, fb[2], 100 * agree_after[1], a.out);
    else
        printf("finetune %s: %ld images (%.3f epochs), %.1f s; top-1 on %d images: float %s, fixed before "
               "%s, fixed after %.2f%% -> %s\n",
               cfg, fr.images, ntrain ? (double)fr.images / ntrain : 0.0, fr.seconds, nimg, fb[0], fb[1],
               100 * after, a.out);
    rc = 0;
done:
    if (rc && wout.tmp) fxq_ft_name_output(why, sizeof why, wout.tmp, a.out);
    if (rc) fprintf(stderr, "darknet fxq finetune: %s\n", why);
    if (wout.path) fxq_out_abort(&wout);
    if (cout.path) fxq_out_abort(&cout);
    if (floatcfg[0]) fxq_finetune_float_cfg_remove(floatcfg);
    if (net) free_network(net);
    if (teacher) free_network(teacher);
    fxq_evalset_free(&set);
    return rc;
}
