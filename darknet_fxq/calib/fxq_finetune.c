/* The fine-tuning loop and the cfg checks of `fxq finetune` (fxq_finetune.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fxq_cfgcheck.h"
#include "fxq_distill.h"
#include "fxq_finetune.h"
#include "fxq_hooks.h"
#include "fxq_outfile.h"
#include "list.h"

static double fxq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The data cfg's `key=` value (first occurrence), stripped; 0 when absent. */
static int fxq_data_key(const char *datacfg, const char *key, char *out, size_t out_len)
{
    FILE *f = fopen(datacfg, "r");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    const size_t kl = strlen(key);
    while (!found && fgets(line, sizeof line, f)) {
        char *p = line, *q = line;
        for (; *p; ++p)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') *q++ = *p;
        *q = 0;
        if (!strncmp(line, key, kl) && line[kl] == '=') {
            snprintf(out, out_len, "%s", line + kl + 1);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

int fxq_finetune_run(network *net, const char *datacfg, const fxq_finetune_opts *o, fxq_finetune_result *res,
                     char *why, size_t why_len)
{
    char train_list[PATH_MAX], label_list[PATH_MAX], classes_s[32];
    memset(res, 0, sizeof *res);
    if (!fxq_data_key(datacfg, "train", train_list, sizeof train_list)) {
        snprintf(why, why_len, "%s: no train= list to fine-tune on", datacfg);
        return 0;
    }
    if (!fxq_data_key(datacfg, "labels", label_list, sizeof label_list) ||
        !fxq_data_key(datacfg, "classes", classes_s, sizeof classes_s)) {
        snprintf(why, why_len, "%s: needs labels= and classes=", datacfg);
        return 0;
    }
    FILE *f = fopen(train_list, "r");
    if (!f) {
        snprintf(why, why_len, "%s: cannot read its train list %s: %s", datacfg, train_list, strerror(errno));
        return 0;
    }
    fclose(f);
    if (!(f = fopen(label_list, "r"))) {
        snprintf(why, why_len, "%s: cannot read its labels %s: %s", datacfg, label_list, strerror(errno));
        return 0;
    }
    fclose(f);
    const int classes = atoi(classes_s);
    list *plist = get_paths(train_list);
    char **paths = (char **)list_to_array(plist);
    if (!fxq_train_list_ok(datacfg, train_list, paths, plist->size, why, why_len)) {
        free(paths);
        free_list_contents(plist);
        free_list(plist);
        return 0;
    }
    char **labels = get_labels(label_list);

    /* fine-tuning schedule: a small rate from the first step, constant or
     * a half cosine down to 0 (set per step: Darknet's CONSTANT policy reads
     * net->learning_rate at each update) */
    net->learning_rate = (float)o->lr;
    net->policy = CONSTANT;
    net->burn_in = 0;
    *net->seen = 0;
    const int imgs = net->batch * net->subdivisions;

    load_args args = {0};
    args.w = net->w;
    args.h = net->h;
    args.threads = 8;
    args.hierarchy = net->hierarchy;
    args.min = net->min_ratio * net->w;
    args.max = net->max_ratio * net->w;
    args.angle = net->angle;
    args.aspect = net->aspect;
    args.exposure = net->exposure;
    args.saturation = net->saturation;
    args.hue = net->hue;
    args.size = net->w;
    args.paths = paths;
    args.classes = classes;
    args.n = imgs;
    args.m = plist->size;
    args.labels = labels;
    args.type = CLASSIFICATION_DATA;
    data buffer, train;
    args.d = &buffer;
    pthread_t load_thread = load_data(args);

    const float temp = o->temperature > 0 ? o->temperature : 1;
    if (o->teacher) fxq_distill_set_temperature(net, temp), fxq_distill_set_temperature(o->teacher, temp);
    const long tenth = o->batches >= 10 ? o->batches / 10 : 1;
    double sum_first = 0, sum_last = 0, avg = -1;
    long n_first = 0, n_last = 0;
    const double t0 = fxq_now();
    for (long b = 0; b < o->batches; ++b) {
        pthread_join(load_thread, 0);
        train = buffer;
        if (b + 1 < o->batches) load_thread = load_data(args);
        const double lr = o->cosine ? o->lr * .5 * (1 + cos(3.14159265358979323846 * (double)b / o->batches)) : o->lr;
        net->learning_rate = (float)lr;
        const double loss = o->teacher ? fxq_distill_train(net, o->teacher, train, temp) : train_network(net, train);
        free_data(train);
        if (b < tenth) sum_first += loss, ++n_first;
        if (b >= o->batches - tenth) sum_last += loss, ++n_last;
        avg = avg < 0 ? loss : .9 * avg + .1 * loss;
        if (!o->quiet && ((b + 1) % o->report_every == 0 || b + 1 == o->batches)) {
            const double el = fxq_now() - t0;
            fprintf(stderr, "finetune: step %ld/%ld  epoch %.3f  loss %.4f  avg %.4f  lr %g  %.2f s/step  %.0f s\n",
                    b + 1, o->batches, (double)(b + 1) * imgs / plist->size, loss, avg, lr, el / (b + 1), el);
        }
    }
    if (o->teacher) fxq_distill_set_temperature(net, 1), fxq_distill_set_temperature(o->teacher, 1);
    res->seconds = fxq_now() - t0;
    res->batches = o->batches;
    res->images = o->batches * imgs;
    res->loss_first = n_first ? sum_first / n_first : 0;
    res->loss_last = n_last ? sum_last / n_last : 0;
    free(paths);
    free_list_contents(plist);
    free_list(plist);
    free(labels); /* its strings are not counted anywhere: a few bytes, once per run */
    return 1;
}

/* cfg line as Darknet's read_cfg sees it: spaces, tabs and line end removed. */
static void fxq_strip(char *s)
{
    char *q = s;
    for (char *p = s; *p; ++p)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') *q++ = *p;
    *q = 0;
}

static int fxq_is_fx_header(const char *s)
{
    return !strcmp(s, "[fxconvolutional]") || !strcmp(s, "[fxconv]") || !strcmp(s, "[fxconnected]") ||
           !strcmp(s, "[fxconn]");
}

int fxq_finetune_cfg_check(const char *cfg, int need_lr, int requantize, double *lr, char *why, size_t why_len)
{
    FILE *f = fopen(cfg, "r");
    if (!f) {
        snprintf(why, why_len, "%s: %s", cfg, strerror(errno));
        return 0;
    }
    char line[4096];
    int section = -1, nfx = 0, has_mom = 0, has_decay = 0, has_lr = 0, lineno = 0, in_fx = 0;
    char hdr[32] = "";
    while (fgets(line, sizeof line, f)) {
        ++lineno;
        fxq_strip(line);
        if (line[0] == '[') {
            ++section;
            in_fx = fxq_is_fx_header(line);
            nfx += in_fx;
            if (in_fx) snprintf(hdr, sizeof hdr, "%s", strstr(line, "conn") ? "fxconnected" : "fxconvolutional");
        } else if (in_fx && requantize && (!strncmp(line, "in_zero=", 8) || !strncmp(line, "out_zero=", 9))) {
            /* --requantize re-chooses fracs only; a window's zero point
             * belongs to its frac and would be left behind */
            snprintf(why, why_len, "%s:%d: layer %d [%s]: --requantize does not re-choose zero points (in_zero/out_zero "
                                   "windows): fine-tune without it, or quantize the fine-tuned float weights again",
                     cfg, lineno, section - 1, hdr);
            fclose(f);
            return 0;
        } else if (section == 0) {
            if (!strncmp(line, "momentum=", 9)) has_mom = 1;
            if (!strncmp(line, "decay=", 6)) has_decay = 1;
            if (!strncmp(line, "learning_rate=", 14)) {
                has_lr = 1;
                if (lr) *lr = atof(line + 14);
            }
        }
    }
    fclose(f);
    if (!nfx) {
        snprintf(why, why_len, "%s: no [fxconvolutional] or [fxconnected] layer (a float cfg?): "
                               "write a fixed-point cfg with `darknet fxq quantize` first", cfg);
        return 0;
    }
    if (!has_mom || !has_decay || (need_lr && !has_lr)) {
        snprintf(why, why_len, "%s: [net] has no training settings (%s%s%s): add them or use the cfg that was "
                               "trained", cfg, has_mom ? "" : "momentum= ", has_decay ? "" : "decay= ",
                 need_lr && !has_lr ? "learning_rate= or --lr" : "");
        return 0;
    }
    return 1;
}

static int fxq_is_fx_key(const char *s)
{
    static const char *keys[] = {"w_bits=", "w_frac=", "in_bits=", "in_frac=", "out_bits=",
                                 "out_frac=", "b_bits=", "b_frac=", "fxq_mode=",
                                 "in_unsigned=", "out_unsigned=", "in_zero=", "out_zero="};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; ++i)
        if (!strncmp(s, keys[i], strlen(keys[i]))) return 1;
    return 0;
}

int fxq_finetune_float_cfg(const char *fxcfg, char *path_out, size_t path_len, char *why, size_t why_len)
{
    FILE *in = fopen(fxcfg, "r");
    if (!in) {
        snprintf(why, why_len, "%s: %s", fxcfg, strerror(errno));
        return 0;
    }
    const char *tmpdir = getenv("TMPDIR");
    snprintf(path_out, path_len, "%s/fxq-float-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path_out);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out || !fxq_temp_hold(path_out)) {
        snprintf(why, why_len, "cannot create a temporary cfg %s: %s", path_out, strerror(errno));
        if (out) fclose(out);
        else if (fd >= 0) close(fd);
        if (fd >= 0) unlink(path_out);
        fclose(in);
        return 0;
    }
    char line[4096], s[4096];
    while (fgets(line, sizeof line, in)) {
        snprintf(s, sizeof s, "%s", line);
        fxq_strip(s);
        if (!strcmp(s, "[fxconvolutional]") || !strcmp(s, "[fxconv]")) fputs("[convolutional]\n", out);
        else if (!strcmp(s, "[fxconnected]") || !strcmp(s, "[fxconn]")) fputs("[connected]\n", out);
        else if (!fxq_is_fx_key(s)) fputs(line, out);
        else fputc('\n', out); /* every line keeps its number */
    }
    fclose(in);
    if (ferror(out) | fclose(out)) {
        snprintf(why, why_len, "cannot write the temporary cfg %s", path_out);
        fxq_temp_remove(path_out);
        return 0;
    }
    fxq_cfgcheck_alias(path_out, fxcfg);
    return 1;
}

void fxq_finetune_float_cfg_remove(const char *path)
{
    fxq_cfgcheck_alias(NULL, NULL);
    fxq_temp_remove(path);
}
