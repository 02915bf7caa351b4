/* Classifier evaluation: labelled set, safe loading, multi-network pass. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fxq_eval.h"
#include "fxq_fxw.h"
#include "fxq_input.h"
#include "fxq_net.h"
#include "option_list.h"
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

static void fxq_free_lines(char **v, int n)
{
    if (v) fxq_list_free(v, n);
}

int fxq_evalset_list(const char *list_path, fxq_evalset *set, char *why, size_t why_len)
{
    memset(set, 0, sizeof *set);
    set->paths = fxq_list_read(list_path, 0, &set->n, why, why_len);
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
    names = fxq_list_read(labels_path, 0, &nnames, why, why_len);
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

network *fxq_eval_load_net(const char *cfg, const char *weights, int batch, int quiet, char *why, size_t why_len)
{
    FILE *w = weights ? fopen(weights, "rb") : NULL;
    const int fxw = w && fxq_is_fxw(w);
    if (w) fclose(w);
    /* a .fxw is validated by its loader (the load_weights_upto hook), which
     * exits with a one-line message, so it stays on stderr even when quiet;
     * fxq_net_load checks float files */
    network *net = quiet ? fxq_net_load_quiet(cfg, fxw ? NULL : weights, batch, why, why_len)
                         : fxq_net_load(cfg, fxw ? NULL : weights, batch, why, why_len);
    if (net && fxw) load_weights(net, (char *)weights);
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

int fxq_eval_run(network **nets, const char *const *cfgs, int nnet, const fxq_evalset *set, int limit, int quiet, fxq_eval_result *res,
                 char *why, size_t why_len)
{
    const int w = nets[0]->w, h = nets[0]->h, in = nets[0]->inputs;
    const int classes = set->classes > 0 ? set->classes : nets[0]->outputs;
    const int n = limit > 0 && limit < set->n ? limit : set->n;
    int batch = nets[0]->batch, ok = 0;
    for (int k = 0; k < nnet; ++k) {
        network *nk = nets[k];
        char name[64], ref[64];
        snprintf(name, sizeof name, "network %d", k);
        snprintf(ref, sizeof ref, "network 0");
        const char *nm = cfgs ? cfgs[k] : name, *r0 = cfgs ? cfgs[0] : ref;
        if (nk->w != w || nk->h != h || nk->inputs != in || nk->c != 3) {
            snprintf(why, why_len, "%s: takes %dx%dx%d input, %s takes %dx%dx3", nm, nk->w, nk->h, nk->c, r0, w, h);
            return 0;
        }
        if (nk->outputs < classes || nk->layers[fxq_eval_logit_layer(nk)].outputs !=
                                         nets[0]->layers[fxq_eval_logit_layer(nets[0])].outputs) {
            snprintf(why, why_len, "%s: has %d outputs, the data set has %d classes", nm, nk->outputs, classes);
            return 0;
        }
        if (nk->batch < batch) batch = nk->batch;
    }
    for (int k = 0; k < nnet; ++k) set_batch_network(nets[k], batch);
    for (int k = 0; k < nnet; ++k) {
        int *pred = res[k].pred;
        float *logit_out = res[k].logit_out;
        memset(&res[k], 0, sizeof res[k]);
        res[k].pred = pred;
        res[k].logit_out = logit_out;
    }
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
            if (!fxq_input_load(set->paths[start + b], w, h, 3, x + (size_t)b * in, why, why_len)) goto free_buffers;
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
                if (res[k].pred) res[k].pred[start + b] = idx[0];
                if (res[k].logit_out) memcpy(res[k].logit_out + (size_t)(start + b) * nlog, lg, (size_t)nlog * sizeof *lg);
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
