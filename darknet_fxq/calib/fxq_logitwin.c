/* The logits' frac and window by the softmax's error: see fxq_logitwin.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darknet.h"
#include "fxq_format.h"
#include "fxq_input.h"
#include "fxq_predict.h"
#include "fxq_logitwin.h"
#include "fxq_net.h"
#include "fxq_policy.h"

/* Codes beyond +-2^30 are clipped by any window of <= 10 bits anyway; the
 * bound keeps a group's prefix sums inside int64. */
#define FXQ_LOGITWIN_SAT (1LL << 30)

static int64_t code_of(float x, int frac)
{
    return fxq_quantize64_ref((double)x, frac, -FXQ_LOGITWIN_SAT, FXQ_LOGITWIN_SAT);
}

/* Per image: the float softmax's log-probabilities and probabilities. */
static int targets(const fxq_logitwin_set *s, double **logp, double **pp)
{
    const size_t nc = (size_t)s->n * s->c;
    *logp = malloc(nc * sizeof **logp);
    *pp = malloc(nc * sizeof **pp);
    if (!*logp || !*pp) return 0;
    for (int b = 0; b < s->n; ++b) {
        double *lp = *logp + (size_t)b * s->c, m = -INFINITY, sum = 0;
        for (int k = 0; k < s->c; ++k) {
            const float *v = s->x + ((size_t)b * s->c + k) * s->hw;
            double t = 0;
            for (int j = 0; j < s->hw; ++j) t += v[j];
            lp[k] = t / s->hw / s->temperature;
            if (lp[k] > m) m = lp[k];
        }
        for (int k = 0; k < s->c; ++k) sum += exp(lp[k] - m);
        const double lse = m + log(sum);
        for (int k = 0; k < s->c; ++k) lp[k] -= lse, (*pp)[(size_t)b * s->c + k] = exp(lp[k]);
    }
    return 1;
}

/* KL(p || softmax(q / T)) of one image; q: the quantized logits. */
static double kl_image(const double *logp, const double *p, const double *q, int c, double temperature)
{
    double m = -INFINITY, sum = 0, kl = 0;
    for (int k = 0; k < c; ++k)
        if (q[k] / temperature > m) m = q[k] / temperature;
    for (int k = 0; k < c; ++k) sum += exp(q[k] / temperature - m);
    const double lse = m + log(sum);
    for (int k = 0; k < c; ++k)
        if (p[k] > 0) kl += p[k] * (logp[k] - (q[k] / temperature - lse));
    return kl;
}

/* A pooled logit from the sum of its hw clipped codes. */
static double pooled(int64_t sum, int frac, int hw)
{
    return ldexp((double)sum, -frac) / hw;
}

double fxq_logitwin_kl(const fxq_logitwin_set *s, int bits, int frac, int lo)
{
    double *logp = NULL, *pp = NULL, *q = malloc((size_t)s->c * sizeof *q);
    if (!q || !targets(s, &logp, &pp)) {
        free(q), free(logp), free(pp);
        return NAN;
    }
    const int64_t hi = lo + (1LL << bits) - 1;
    double total = 0;
    for (int b = 0; b < s->n; ++b) {
        for (int k = 0; k < s->c; ++k) {
            const float *v = s->x + ((size_t)b * s->c + k) * s->hw;
            int64_t sum = 0;
            for (int j = 0; j < s->hw; ++j) {
                const int64_t c = code_of(v[j], frac);
                sum += c < lo ? lo : c > hi ? hi : c;
            }
            q[k] = pooled(sum, frac, s->hw);
        }
        total += kl_image(logp + (size_t)b * s->c, pp + (size_t)b * s->c, q, s->c, s->temperature);
    }
    free(logp), free(pp), free(q);
    return total / s->n;
}

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* First index in g[0..n) whose code is >= v (below: > v when `after`). */
static int bound(const int32_t *g, int n, int64_t v, int after)
{
    int a = 0, b = n;
    while (a < b) {
        const int m = a + (b - a) / 2;
        if (after ? g[m] <= v : g[m] < v) a = m + 1;
        else b = m;
    }
    return a;
}

int fxq_logitwin_search(const fxq_logitwin_set *s, int bits, int frac_lo, int frac_hi, int *frac, int *lo, double *kl,
                        char *why, size_t why_len)
{
    if (bits < 2 || bits > 10) {
        snprintf(why, why_len, "logit window: %d-bit codes (windows are searched for 2..10 bits)", bits);
        return 0;
    }
    const size_t groups = (size_t)s->n * s->c, hw = (size_t)s->hw;
    int32_t *codes = malloc(groups * hw * sizeof *codes);
    int64_t *pre = malloc(groups * (hw + 1) * sizeof *pre);
    double *q = malloc((size_t)s->c * sizeof *q), *logp = NULL, *pp = NULL;
    const int ok = codes && pre && q && targets(s, &logp, &pp);
    if (!ok) snprintf(why, why_len, "out of memory");
    *kl = INFINITY;
    for (int f = frac_lo; ok && f <= frac_hi; ++f) {
        for (size_t g = 0; g < groups; ++g) {
            int32_t *c = codes + g * hw;
            int64_t *ps = pre + g * (hw + 1);
            for (size_t j = 0; j < hw; ++j) c[j] = (int32_t)code_of(s->x[g * hw + j], f);
            if (hw > 1) qsort(c, hw, sizeof *c, cmp_i32);
            ps[0] = 0;
            for (size_t j = 0; j < hw; ++j) ps[j + 1] = ps[j] + c[j];
        }
        for (int l = 0; l > -(1 << bits); --l) {
            const int64_t h = l + (1LL << bits) - 1;
            double total = 0;
            for (int b = 0; b < s->n; ++b) {
                for (int k = 0; k < s->c; ++k) {
                    const size_t g = (size_t)b * s->c + k;
                    const int32_t *c = codes + g * hw;
                    const int64_t *ps = pre + g * (hw + 1);
                    const int i0 = bound(c, s->hw, l, 0), i1 = bound(c, s->hw, h, 1);
                    const int64_t sum = (int64_t)i0 * l + (ps[i1] - ps[i0]) + (int64_t)(s->hw - i1) * h;
                    q[k] = pooled(sum, f, s->hw);
                }
                total += kl_image(logp + (size_t)b * s->c, pp + (size_t)b * s->c, q, s->c, s->temperature);
            }
            const double m = total / s->n;
            if (m < *kl) *kl = m, *frac = f, *lo = l;
        }
    }
    free(codes), free(pre), free(q), free(logp), free(pp);
    return ok;
}

/* The softmax that reads layer i's output, through a global [avgpool] at
 * most, with only [cost] after it; NULL when there is none. */
static const layer *softmax_reader(const network *net, int i, int *pooled_hw)
{
    int j = i + 1;
    *pooled_hw = 1;
    if (j < net->n && net->layers[j].type == AVGPOOL) *pooled_hw = net->layers[j].h * net->layers[j].w, ++j;
    if (j >= net->n || net->layers[j].type != SOFTMAX) return NULL;
    const layer *sm = &net->layers[j];
    for (int k = j + 1; k < net->n; ++k)
        if (net->layers[k].type != COST) return NULL;
    return sm->groups == 1 && !sm->softmax_tree && sm->temperature > 0 ? sm : NULL;
}

/* Why layer l's output cannot take the softmax's window (empty when it can). */
static const char *unfit(const fxq_qlayer *l, const network *net, int *hw, const layer **sm, char *buf, size_t len)
{
    const layer *hl = &net->layers[l->index];
    *sm = softmax_reader(net, l->index, hw);
    if (!*sm) return "its output is not read by a final [softmax] (groups=1) through a global [avgpool] at most";
    if (strcmp(l->shape->activation, "linear")) return "its activation is not linear";
    if (l->out.bits > 10) {
        snprintf(buf, len, "its output has %d bits (windows are searched for 10 at most)", l->out.bits);
        return buf;
    }
    /* without a pool the softmax reads every value of the output as a logit */
    if (*hw > 1 && (long)hl->out_c * *hw != hl->outputs) return "its output is not channels x the pooled positions";
    return "";
}

/* Layer `index`'s float outputs on the first images of list (at most
 * FXQ_LOGITWIN_MAX_VALUES values; *used: how many images), or NULL + why. */
static float *head_outputs(network *net, int index, const char *list, int n, int *used, char *why, size_t why_len)
{
    int m = 0;
    char **paths = fxq_list_read(list, n, &m, why, why_len);
    if (!paths) return NULL;
    const layer *hl = &net->layers[index];
    const int B = net->batch;
    int use = (long long)m * hl->outputs > FXQ_LOGITWIN_MAX_VALUES ? (int)(FXQ_LOGITWIN_MAX_VALUES / hl->outputs) : m;
    if (use < 1) use = 1;
    float *x = malloc((size_t)use * hl->outputs * sizeof *x), *in = malloc((size_t)B * net->inputs * sizeof *in);
    int ok = x && in;
    if (!ok) snprintf(why, why_len, "out of memory");
    for (int first = 0; ok && first < use; first += B) {
        const int mb = use - first < B ? use - first : B;
        if ((ok = fxq_predict_images(net, paths + first, mb, in, why, why_len)))
            memcpy(x + (size_t)first * hl->outputs, hl->output, (size_t)mb * hl->outputs * sizeof *x);
    }
    fxq_list_free(paths, m);
    free(in);
    if (!ok) free(x), x = NULL;
    *used = use;
    return x;
}

int fxq_logit_window(fxq_qplan *p, const char *cfg, const char *weights, const char *list, int n, int batch,
                     int quiet, char *why, size_t why_len)
{
    network *net = NULL;
    fxq_qlayer *l = NULL; /* the head the final softmax reads: one at most */
    int hw = 1;
    const layer *sm = NULL;
    for (int k = 0; k < p->nl && !l; ++k) {
        if (!p->layers[k].shape->head) continue;
        if (!net && !(net = fxq_net_load_quiet(cfg, weights, batch > 0 ? batch : 32, why, why_len))) return 0;
        char buf[96];
        const char *no = unfit(&p->layers[k], net, &hw, &sm, buf, sizeof buf);
        if (!*no) l = &p->layers[k];
        else if (!quiet)
            fprintf(stderr, "logit window: layer %d keeps its squared-error format: %s\n", p->layers[k].index, no);
    }
    if (!net && !quiet) fprintf(stderr, "logit window: no layer writes the network's output; formats kept\n");
    int use = 0, ok = 1;
    float *x = l ? head_outputs(net, l->index, list, n, &use, why, why_len) : NULL;
    if (l && !x) ok = 0;
    if (x) {
        const fxq_logitwin_set s = {use, net->layers[l->index].outputs / hw, hw, x, sm->temperature};
        const int bits = l->out.bits, f0 = l->out.frac;
        const int lo0 = l->out_win ? l->out_lo : l->out_unsigned ? 0 : -(1 << (bits - 1));
        const int flo = f0 - 1 < FXQ_LAYER_FRAC_MIN ? FXQ_LAYER_FRAC_MIN : f0 - 1;
        const int fhi = f0 + FXQ_LOGITWIN_FINER > FXQ_LAYER_FRAC_MAX ? FXQ_LAYER_FRAC_MAX : f0 + FXQ_LOGITWIN_FINER;
        int frac, lo;
        double kl;
        if ((ok = fxq_logitwin_search(&s, bits, flo, fhi, &frac, &lo, &kl, why, why_len))) {
            if (!quiet)
                fprintf(stderr,
                        "logit window: layer %d: frac %d, codes %d..%d (KL to float softmax %.3g on %d images; "
                        "squared error's frac %d, codes %d..%d: %.3g)\n",
                        l->index, frac, lo, lo + (1 << bits) - 1, kl, use, f0, lo0, lo0 + (1 << bits) - 1,
                        fxq_logitwin_kl(&s, bits, f0, lo0));
            l->out.frac = frac;
            l->out_unsigned = 0;
            l->out_win = lo != -(1 << (bits - 1));
            l->out_lo = l->out_win ? lo : 0;
        }
    }
    free(x);
    if (net) free_network(net);
    return ok;
}
