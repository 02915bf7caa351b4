/* Classifier evaluation: labelled set, safe loading, multi-network pass. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fxq_eval.h"
#include "fxq_fxw.h"
#include "fxq_layer.h"
#include "image.h"
#include "option_list.h"
#include "stb_image.h"
#include "utils.h"

int fxq_file_readable(const char *path, char *why, size_t why_len)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    fclose(f);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, why_len, "%s: is a directory", path);
        return 0;
    }
    return 1;
}

/* Reads non-empty lines (Darknet's get_paths keeps empty ones, which then
 * fail to load; an empty line here is simply skipped). */
static char **fxq_read_lines(const char *path, int *n_out, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char **v = NULL;
    int n = 0, cap = 0;
    char *line = NULL;
    size_t len = 0;
    ssize_t got;
    while ((got = getline(&line, &len, f)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r' || line[got - 1] == ' ')) line[--got] = 0;
        if (!got) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) goto oom;
            v = nv;
        }
        if (!(v[n] = strdup(line))) goto oom;
        ++n;
    }
    free(line);
    fclose(f);
    if (!n) {
        free(v);
        snprintf(why, why_len, "%s: no entries", path);
        return NULL;
    }
    *n_out = n;
    return v;
oom:
    free(line);
    fclose(f);
    for (int i = 0; i < n; ++i) free(v[i]);
    free(v);
    snprintf(why, why_len, "%s: out of memory", path);
    return NULL;
}

static void fxq_free_lines(char **v, int n)
{
    for (int i = 0; v && i < n; ++i) free(v[i]);
    free(v);
}

int fxq_evalset_list(const char *list_path, fxq_evalset *set, char *why, size_t why_len)
{
    memset(set, 0, sizeof *set);
    set->paths = fxq_read_lines(list_path, &set->n, why, why_len);
    if (!set->paths) return 0;
    set->labels = malloc((size_t)set->n * sizeof *set->labels);
    if (!set->labels) {
        fxq_evalset_free(set);
        snprintf(why, why_len, "%s: out of memory", list_path);
        return 0;
    }
    for (int i = 0; i < set->n; ++i) set->labels[i] = -1;
    set->unlabelled = set->n;
    return 1;
}

int fxq_evalset_open(const char *datacfg, const char *list_path, fxq_evalset *set, char *why, size_t why_len)
{
    memset(set, 0, sizeof *set);
    if (!fxq_file_readable(datacfg, why, why_len)) return 0;
    list *options = read_data_cfg((char *)datacfg);
    const char *valid = list_path ? list_path : option_find(options, "valid");
    const char *labels_path = option_find(options, "labels");
    const int classes = option_find_int_quiet(options, "classes", 0);
    int topk = option_find_int_quiet(options, "top", 5);
    char **names = NULL;
    int nnames = 0, ok = 0;
    if (!valid) {
        snprintf(why, why_len, "%s: no 'valid=' list", datacfg);
        goto free_options;
    }
    if (!labels_path) {
        snprintf(why, why_len, "%s: no 'labels=' file", datacfg);
        goto free_options;
    }
    if (classes < 1) {
        snprintf(why, why_len, "%s: 'classes=' missing or < 1", datacfg);
        goto free_options;
    }
    names = fxq_read_lines(labels_path, &nnames, why, why_len);
    if (!names) goto free_options;
    if (nnames < classes) {
        snprintf(why, why_len, "%s: %d labels but %s says classes=%d", labels_path, nnames, datacfg, classes);
        goto free_names;
    }
    if (!fxq_evalset_list(valid, set, why, why_len)) goto free_names;
    set->classes = classes;
    set->topk = topk < 1 ? 1 : topk > classes ? classes : topk;
    set->unlabelled = 0;
    for (int i = 0; i < set->n; ++i) {
        set->labels[i] = -1;
        for (int j = 0; j < classes; ++j)
            if (strstr(set->paths[i], names[j])) {
                set->labels[i] = j;
                break;
            }
        set->unlabelled += set->labels[i] < 0;
    }
    ok = 1;
free_names:
    fxq_free_lines(names, nnames);
free_options:
    for (node *nd = options->front; nd; nd = nd->next) {
        kvp *p = nd->val;
        free(p->key); /* the line read_option split in place */
        free(p);
    }
    free_list(options);
    return ok;
}

void fxq_evalset_free(fxq_evalset *set)
{
    fxq_free_lines(set->paths, set->n);
    free(set->labels);
    memset(set, 0, sizeof *set);
}

int fxq_eval_load_image(const char *path, int w, int h, float *dst, char *why, size_t why_len)
{
    int iw, ih, ic;
    unsigned char *data = stbi_load(path, &iw, &ih, &ic, 3);
    if (!data) {
        snprintf(why, why_len, "%s: cannot decode image: %s", path, stbi_failure_reason());
        return 0;
    }
    /* the loop of Darknet's load_image_stb, so values are bit-identical */
    image im = make_image(iw, ih, 3);
    for (int k = 0; k < 3; ++k)
        for (int j = 0; j < ih; ++j)
            for (int i = 0; i < iw; ++i) im.data[i + iw * j + iw * ih * k] = (float)data[k + 3 * i + 3 * iw * j] / 255.;
    free(data);
    image crop = center_crop_image(im, w, h);
    memcpy(dst, crop.data, (size_t)w * h * 3 * sizeof *dst);
    free_image(crop);
    free_image(im);
    return 1;
}

/* Bytes load_weights_upto reads for this network, or -1 when a layer type's
 * record size is not computed here (recurrent layers: no check). */
static long fxq_weights_needed(const network *net, int header_bytes)
{
    long n = header_bytes;
    for (int i = 0; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (l->dontload) continue;
        const int bn = l->batch_normalize && !l->dontloadscales;
        switch (l->type) {
        case CONVOLUTIONAL:
        case DECONVOLUTIONAL: n += 4L * (l->n * (bn ? 4 : 1) + (long)l->nweights); break;
        case CONNECTED: n += 4L * (l->outputs * (bn ? 4 : 1) + (long)l->inputs * l->outputs); break;
        case FXCONVOLUTIONAL:
        case FXCONNECTED: n += 4L * (l->fxq->units * (bn ? 4 : 1) + (long)l->fxq->units * l->fxq->fan_in); break;
        case BATCHNORM: n += 4L * 3 * l->c; break;
        case CRNN:
        case RNN:
        case LSTM:
        case GRU:
        case LOCAL: return -1;
        default: break;
        }
    }
    return n;
}

/* Header length of an upstream .weights file, or 0 if too short. */
static int fxq_weights_header_bytes(FILE *f)
{
    int v[3];
    if (fread(v, sizeof(int), 3, f) != 3) return 0;
    return (v[0] * 10 + v[1]) >= 2 && v[0] < 1000 && v[1] < 1000 ? 12 + (int)sizeof(size_t) : 16;
}

network *fxq_eval_load_net(const char *cfg, const char *weights, int batch, char *why, size_t why_len)
{
    if (!fxq_file_readable(cfg, why, why_len)) return NULL;
    if (weights && !fxq_file_readable(weights, why, why_len)) return NULL;
    /* Darknet asserts on a cfg without sections: say it instead */
    FILE *f = fopen(cfg, "r");
    char line[256];
    int has_net = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t') ++p;
        if (*p == '#' || *p == '\n' || !*p) continue;
        has_net = !strncmp(p, "[net]", 5) || !strncmp(p, "[network]", 9);
        break;
    }
    if (f) fclose(f);
    if (!has_net) {
        snprintf(why, why_len, "%s: not a Darknet cfg (first section must be [net])", cfg);
        return NULL;
    }
    network *net = parse_network_cfg((char *)cfg);
    if (weights) {
        FILE *w = fopen(weights, "rb");
        int fxw = w && fxq_is_fxw(w);
        int header = w && !fxw ? fxq_weights_header_bytes(w) : 0;
        long size = -1;
        if (w && !fseek(w, 0, SEEK_END)) size = ftell(w);
        if (w) fclose(w);
        if (!fxw) {
            long need = header ? fxq_weights_needed(net, header) : 0;
            if (!header || (need >= 0 && size < need)) {
                snprintf(why, why_len, "%s: %ld bytes, but %s needs %ld: weights file truncated or for another cfg",
                         weights, size, cfg, need);
                free_network(net);
                return NULL;
            }
        }
        load_weights(net, (char *)weights);
    }
    /* Darknet sized every buffer for the cfg's batch: never go above it */
    if (batch > net->batch) batch = net->batch;
    set_batch_network(net, batch < 1 ? 1 : batch);
    return net;
}

int fxq_eval_logit_layer(const network *net)
{
    if (net->n >= 2 && net->layers[net->n - 1].type == SOFTMAX) return net->n - 2;
    return net->n - 1;
}

static double fxq_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int fxq_eval_run(network **nets, int nnet, const fxq_evalset *set, int limit, int quiet, fxq_eval_result *res,
                 char *why, size_t why_len)
{
    const int w = nets[0]->w, h = nets[0]->h, in = nets[0]->inputs;
    const int classes = set->classes > 0 ? set->classes : nets[0]->outputs;
    const int n = limit > 0 && limit < set->n ? limit : set->n;
    int batch = nets[0]->batch, ok = 0;
    for (int k = 0; k < nnet; ++k) {
        network *nk = nets[k];
        if (nk->w != w || nk->h != h || nk->inputs != in || nk->c != 3) {
            snprintf(why, why_len, "network %d takes %dx%dx%d input, network 0 takes %dx%dx3", k, nk->w, nk->h, nk->c,
                     w, h);
            return 0;
        }
        if (nk->outputs < classes || nk->layers[fxq_eval_logit_layer(nk)].outputs !=
                                         nets[0]->layers[fxq_eval_logit_layer(nets[0])].outputs) {
            snprintf(why, why_len, "network %d has %d outputs, the data set has %d classes", k, nk->outputs, classes);
            return 0;
        }
        if (nk->batch < batch) batch = nk->batch;
    }
    for (int k = 0; k < nnet; ++k) set_batch_network(nets[k], batch);
    memset(res, 0, (size_t)nnet * sizeof *res);
    float *x = calloc((size_t)batch * in, sizeof *x);
    int *ref_top = malloc((size_t)batch * sizeof *ref_top);
    const int topk = set->topk > 0 ? set->topk : 1;
    int *idx = malloc((size_t)topk * sizeof *idx);
    const int nlog = nets[0]->layers[fxq_eval_logit_layer(nets[0])].outputs;
    float *ref_logits = malloc((size_t)batch * nlog * sizeof *ref_logits);
    if (!x || !ref_top || !idx || !ref_logits) {
        snprintf(why, why_len, "out of memory for a batch of %d", batch);
        goto free_buffers;
    }
    for (int start = 0; start < n; start += batch) {
        const int m = n - start < batch ? n - start : batch;
        for (int b = 0; b < m; ++b)
            if (!fxq_eval_load_image(set->paths[start + b], w, h, x + (size_t)b * in, why, why_len)) goto free_buffers;
        if (m < batch) memset(x + (size_t)m * in, 0, (size_t)(batch - m) * in * sizeof *x);
        for (int k = 0; k < nnet; ++k) {
            network *nk = nets[k];
            const double t0 = fxq_now();
            const float *out = network_predict(nk, x);
            res[k].seconds += fxq_now() - t0;
            const layer *ll = &nk->layers[fxq_eval_logit_layer(nk)];
            for (int b = 0; b < m; ++b) {
                const float *lg = ll->output + (size_t)b * nlog;
                top_k((float *)out + (size_t)b * nk->outputs, classes, topk, idx);
                const int label = set->labels[start + b];
                res[k].top1 += idx[0] == label;
                for (int j = 0; j < topk; ++j) res[k].topk += idx[j] == label;
                if (k == 0) {
                    ref_top[b] = idx[0];
                    memcpy(ref_logits + (size_t)b * nlog, lg, (size_t)nlog * sizeof *lg);
                }
                res[k].agree += idx[0] == ref_top[b];
                for (int j = 0; j < nlog; ++j) res[k].abs_dlogit_sum += fabs((double)lg[j] - ref_logits[(size_t)b * nlog + j]);
                res[k].logits += nlog;
            }
            res[k].images += m;
        }
        if (!quiet && ((start / batch) % 20 == 19 || start + m == n))
            fprintf(stderr, "\r  %d/%d images", start + m, n);
    }
    if (!quiet) fprintf(stderr, "\n");
    ok = 1;
free_buffers:
    free(x);
    free(ref_top);
    free(idx);
    free(ref_logits);
    return ok;
}
