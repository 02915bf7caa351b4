/* Streaming statistics (fxq_stats.c), their file format (fxq_stats_io.c) and
 * network matching, against values computed independently here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_stats_net.h"
#include "fxq_test.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) /* [0, 1), splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}
static double nrand(void) { return sqrt(-2 * log(1 - urand())) * cos(2 * M_PI * urand()); }

/* Reference moments in long double, two passes, written out plainly. */
typedef struct ref { double mean, sigma, kurt, min, max; } ref;
static ref reference(const float *x, size_t n)
{
    long double s = 0, m2 = 0, m4 = 0;
    ref r = {0, 0, 0, x[0], x[0]};
    for (size_t i = 0; i < n; ++i) {
        s += x[i];
        if (x[i] < r.min) r.min = x[i];
        if (x[i] > r.max) r.max = x[i];
    }
    const long double mean = s / n;
    for (size_t i = 0; i < n; ++i) {
        const long double d = x[i] - mean;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    r.mean = (double)mean;
    r.sigma = (double)sqrtl(m2 / n);
    r.kurt = (double)(m4 * n / (m2 * m2));
    return r;
}

static int rel_close(double a, double b, double tol) { return fabs(a - b) <= tol * fmax(fabs(b), 1e-300); }

static fxq_stats *make_stats(int seed_shift)
{
    fxq_stats *s = fxq_stats_alloc(2, 5);
    s->images = 7;
    s->layers[0].index = 1;
    snprintf(s->layers[0].type, sizeof s->layers[0].type, "convolutional");
    s->layers[1].index = 3;
    snprintf(s->layers[1].type, sizeof s->layers[1].type, "connected");
    float x[1000];
    for (int l = 0; l < 2; ++l)
        for (int t = 0; t < FXQ_T_COUNT; ++t) {
            for (int i = 0; i < 1000; ++i) x[i] = (float)(nrand() * (t + 1) * 0.37 + seed_shift);
            if (t == FXQ_T_OUTPUT)
                for (int i = 0; i < 1000; ++i) x[i] = x[i] > 0 ? x[i] : 0;
            fxq_ts_add(&s->layers[l].t[t], x, 1000);
        }
    return s;
}

int main(void)
{
    const size_t N = 200000;
    float *g = malloc(sizeof(float) * N), *u = malloc(sizeof(float) * N);
    for (size_t i = 0; i < N; ++i) {
        g[i] = (float)(1.5 + 2 * nrand());
        u[i] = (float)(urand() * 2 - 1);
    }

    /* --- moments against the long-double reference ---------------------- */
    fxq_tensor_stats a = {0};
    fxq_ts_add(&a, g, N);
    ref r = reference(g, N);
    FXQ_CHECK("moments.count", a.count == N, "%llu", (unsigned long long)a.count);
    FXQ_CHECK("moments.mean", rel_close(a.mean, r.mean, 1e-12), "%.17g vs %.17g", a.mean, r.mean);
    FXQ_CHECK("moments.sigma", rel_close(fxq_ts_sigma(&a), r.sigma, 1e-12), "%.17g vs %.17g", fxq_ts_sigma(&a), r.sigma);
    FXQ_CHECK("moments.kurtosis", rel_close(fxq_ts_kurtosis(&a), r.kurt, 1e-10), "%.17g vs %.17g", fxq_ts_kurtosis(&a),
              r.kurt);
    FXQ_CHECK("moments.gauss_kurtosis_3", fabs(fxq_ts_kurtosis(&a) - 3) < 0.05, "%g", fxq_ts_kurtosis(&a));
    FXQ_CHECK("moments.minmax", a.min == r.min && a.max == r.max, "min %g/%g max %g/%g", a.min, r.min, a.max, r.max);
    FXQ_CHECK("moments.absmax", fxq_ts_absmax(&a) == fmax(fabs(r.min), fabs(r.max)), "%g", fxq_ts_absmax(&a));
    fxq_tensor_stats ua = {0};
    fxq_ts_add(&ua, u, N);
    FXQ_CHECK("moments.uniform_kurtosis_1.8", fabs(fxq_ts_kurtosis(&ua) - 1.8) < 0.02, "%g", fxq_ts_kurtosis(&ua));

    /* --- histogram geometry, by hand ------------------------------------ */
    FXQ_CHECK("range.strictly_above", fxq_hist_range_for(1.0) == 2 && fxq_hist_range_for(0.99) == 1 &&
                                          fxq_hist_range_for(3) == 4 && fxq_hist_range_for(0) == FXQ_HIST_MIN_RANGE,
              "%g %g %g", fxq_hist_range_for(1.0), fxq_hist_range_for(0.99), fxq_hist_range_for(3));
    /* range 4: bin width 4/1024 = 1/256; x=1 -> 256 bins above the middle */
    FXQ_CHECK("bin.by_hand", fxq_hist_bin(1.0, 4) == 1280 && fxq_hist_bin(0.0, 4) == 1024 &&
                                 fxq_hist_bin(-0.001, 4) == 1023 && fxq_hist_bin(-3.999, 4) == 0 &&
                                 fxq_hist_bin(3.999, 4) == 2047,
              "%d %d %d", fxq_hist_bin(1.0, 4), fxq_hist_bin(0.0, 4), fxq_hist_bin(-0.001, 4));
    {
        fxq_tensor_stats h = {0};
        const float v[] = {1.0f, 0.0f, -0.0f, -0.001f, 3.0f, 0.5f};
        fxq_ts_add(&h, v, 6);
        FXQ_CHECK("hist.by_hand", h.range == 4 && h.hist[1280] == 1 && h.hist[1024] == 2 && h.hist[1023] == 1 &&
                                      h.hist[1792] == 1 && h.hist[1152] == 1 && h.zeros == 2,
                  "range %g zeros %llu", h.range, (unsigned long long)h.zeros);
        /* widening by a later, larger value: 3 -> 5 doubles the range to 8 */
        const float big = 5.0f;
        fxq_ts_add(&h, &big, 1);
        FXQ_CHECK("hist.widened", h.range == 8 && h.hist[1024 + 128] == 1 /* 1.0 */ && h.hist[1024] == 2 &&
                                      h.hist[1023] == 1 && h.hist[1024 + 5 * 128] == 1 && h.count == 7,
                  "range %g", h.range);
    }
    {
        size_t total = 0;
        for (int b = 0; b < FXQ_HIST_BINS; ++b) total += a.hist[b];
        int inside = 1; /* every value's bin agrees with fxq_hist_bin at the final range */
        fxq_tensor_stats rebuilt = {0};
        rebuilt.range = a.range;
        for (size_t i = 0; i < N; ++i) rebuilt.hist[fxq_hist_bin(g[i], a.range)]++;
        inside = !memcmp(rebuilt.hist, a.hist, sizeof a.hist);
        FXQ_CHECK("hist.total_and_bins", total == N && inside && a.range == fxq_hist_range_for(fxq_ts_absmax(&a)),
                  "total %zu", total);
    }

    /* --- streaming: any chunking gives the same record --------------------- */
    {
        static const size_t chunks[] = {1, 7, 1000, 65536};
        for (int c = 0; c < 4; ++c) {
            fxq_tensor_stats b = {0};
            for (size_t i = 0; i < N; i += chunks[c]) fxq_ts_add(&b, g + i, N - i < chunks[c] ? N - i : chunks[c]);
            char name[64];
            snprintf(name, sizeof name, "stream.chunk%zu", chunks[c]);
            FXQ_CHECK(name, b.count == a.count && !memcmp(b.hist, a.hist, sizeof a.hist) && b.range == a.range &&
                                b.min == a.min && b.max == a.max && rel_close(b.mean, a.mean, 1e-12) &&
                                rel_close(b.m2, a.m2, 1e-10) && rel_close(b.m3, a.m3, 1e-8) && rel_close(b.m4, a.m4, 1e-10),
                      "mean %.17g/%.17g m2 %.17g/%.17g", b.mean, a.mean, b.m2, a.m2);
        }
    }

    /* --- merge == union, also across different histogram ranges ----------- */
    {
        float *mix = malloc(sizeof(float) * 2 * N);
        for (size_t i = 0; i < N; ++i) mix[i] = u[i] * 0.01f;      /* range 2^-6 */
        for (size_t i = 0; i < N; ++i) mix[N + i] = g[i] * 10.f;    /* range 2^7 or 2^8 */
        fxq_tensor_stats all = {0}, p = {0}, q = {0};
        fxq_ts_add(&all, mix, 2 * N);
        fxq_ts_add(&p, mix, N);
        fxq_ts_add(&q, mix + N, N);
        fxq_tensor_stats pq = p, qp = q;
        fxq_ts_merge(&pq, &q);
        fxq_ts_merge(&qp, &p);
        FXQ_CHECK("merge.ranges_differ", p.range < q.range, "%g %g", p.range, q.range);
        FXQ_CHECK("merge.hist_identical", !memcmp(pq.hist, all.hist, sizeof all.hist) &&
                                              !memcmp(qp.hist, all.hist, sizeof all.hist) && pq.range == all.range,
                  "histograms differ");
        FXQ_CHECK("merge.exact_fields", pq.count == all.count && pq.min == all.min && pq.max == all.max &&
                                            pq.zeros == all.zeros,
                  "count/min/max");
        FXQ_CHECK("merge.moments", rel_close(pq.mean, all.mean, 1e-12) && rel_close(pq.m2, all.m2, 1e-12) &&
                                       rel_close(pq.m3, all.m3, 1e-9) && rel_close(pq.m4, all.m4, 1e-12) &&
                                       rel_close(qp.m4, all.m4, 1e-12),
                  "mean %.17g/%.17g m4 %.17g/%.17g", pq.mean, all.mean, pq.m4, all.m4);
        fxq_tensor_stats e = {0}, pe = p;
        fxq_ts_merge(&pe, &e);
        fxq_ts_merge(&e, &p);
        FXQ_CHECK("merge.empty_identity", fxq_ts_equal(&pe, &p) && fxq_ts_equal(&e, &p), "empty merge changed it");
        free(mix);
    }

    /* --- NaN/Inf are skipped and counted ---------------------------------- */
    {
        fxq_tensor_stats b = {0};
        const float v[] = {1, NAN, -2, INFINITY, 3, -INFINITY};
        const size_t bad = fxq_ts_add_checked(&b, v, 6);
        FXQ_CHECK("nonfinite.skipped", bad == 3 && b.count == 3 && b.mean == 2.0 / 3 && b.max == 3 && b.min == -2,
                  "bad %zu count %llu mean %g", bad, (unsigned long long)b.count, b.mean);
    }

    /* --- file format ------------------------------------------------------- */
    char why[512], path[] = "/tmp/fxq-test-stats.XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    fxq_stats *s = make_stats(0);
    FXQ_CHECK("io.write", fxq_stats_write(s, path, why, sizeof why), "%s", why);
    fxq_stats *back = fxq_stats_read(path, why, sizeof why);
    int same = back && back->n == s->n && back->net_layers == s->net_layers && back->images == s->images;
    for (int l = 0; same && l < s->n; ++l) {
        same &= back->layers[l].index == s->layers[l].index && !strcmp(back->layers[l].type, s->layers[l].type);
        for (int t = 0; t < FXQ_T_COUNT; ++t)
            same &= fxq_ts_equal(&back->layers[l].t[t], &s->layers[l].t[t]) &&
                    back->layers[l].t[t].m3 == s->layers[l].t[t].m3 && back->layers[l].t[t].m4 == s->layers[l].t[t].m4;
    }
    FXQ_CHECK("io.round_trip_bit_exact", same, "%s", back ? "records differ" : why);
    FXQ_CHECK("io.get", fxq_stats_get(back, 3, FXQ_T_PREACT) == &back->layers[1].t[FXQ_T_PREACT] &&
                            !fxq_stats_get(back, 2, FXQ_T_INPUT) && !fxq_stats_get(back, 3, FXQ_T_COUNT),
              "lookup");
    {
        int left = 0;
        char cmd[160];
        snprintf(cmd, sizeof cmd, "ls %s.tmp.* >/dev/null 2>&1", path);
        left = system(cmd) == 0;
        FXQ_CHECK("io.no_temp_left", !left, "temporary file left next to %s", path);
    }
    FXQ_CHECK("io.unwritable_dir", !fxq_stats_write(s, "/nonexistent-dir/x.stats", why, sizeof why) &&
                                       strstr(why, "/nonexistent-dir/x.stats"),
              "%s", why);

    /* corrupt files: one line naming file and line */
    {
        FILE *in = fopen(path, "r");
        char *text = calloc(1, 1 << 20);
        size_t len = fread(text, 1, (1 << 20) - 1, in);
        fclose(in);
        char bad[] = "/tmp/fxq-test-bad.XXXXXX";
        close(mkstemp(bad));
        struct { const char *name, *want; int cut; const char *edit_from, *edit_to; } cases[] = {
            {"io.bad.truncated", "truncated", 1, NULL, NULL},
            {"io.bad.version", "version", 0, "fxq-stats 1", "fxq-stats 9"},
            {"io.bad.hist_total", "histogram total", 0, "count=1000 ", "count=1001 "},
            {"io.bad.not_stats", "not a darknet-fxq stats file", 0, "fxq-stats 1", "[net]       "},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
            char *t = strdup(text);
            size_t tl = len;
            if (cases[c].cut) {
                tl = len * 2 / 3; /* at a record boundary, as a killed writer would leave it */
                while (tl > 0 && t[tl - 1] != '\n') --tl;
                t[tl] = 0;
            } else {
                char *at = strstr(t, cases[c].edit_from);
                memcpy(at, cases[c].edit_to, strlen(cases[c].edit_to));
            }
            FILE *o = fopen(bad, "w");
            fwrite(t, 1, tl, o);
            fclose(o);
            fxq_stats *x = fxq_stats_read(bad, why, sizeof why);
            FXQ_CHECK(cases[c].name, !x && strstr(why, bad) && strstr(why, cases[c].want) && !strchr(why, '\n'),
                      "got '%s'", x ? "(accepted)" : why);
            fxq_stats_free(x);
            free(t);
        }
        FXQ_CHECK("io.bad.missing", !fxq_stats_read("/nonexistent.stats", why, sizeof why) &&
                                        strstr(why, "/nonexistent.stats"),
                  "%s", why);
        unlink(bad);
        free(text);
    }

    /* --- merging whole stats ------------------------------------------------ */
    {
        fxq_stats *x = make_stats(1), *y = make_stats(1);
        /* same weights in both shards: kept once, activations added */
        for (int l = 0; l < 2; ++l)
            for (int t = FXQ_T_WEIGHTS; t <= FXQ_T_BIASES; ++t) y->layers[l].t[t] = x->layers[l].t[t];
        fxq_tensor_stats w0 = x->layers[0].t[FXQ_T_WEIGHTS], in0 = x->layers[0].t[FXQ_T_INPUT];
        FXQ_CHECK("merge.stats_ok", fxq_stats_merge(x, y, why, sizeof why), "%s", why);
        fxq_ts_merge(&in0, &y->layers[0].t[FXQ_T_INPUT]);
        FXQ_CHECK("merge.weights_kept_once", fxq_ts_equal(&x->layers[0].t[FXQ_T_WEIGHTS], &w0), "weights added");
        FXQ_CHECK("merge.activations_added", fxq_ts_equal(&x->layers[0].t[FXQ_T_INPUT], &in0) && x->images == 14,
                  "images %llu", (unsigned long long)x->images);
        fxq_stats *z = make_stats(2); /* different weights */
        FXQ_CHECK("merge.rejects_other_weights", !fxq_stats_merge(x, z, why, sizeof why) && strstr(why, "weights"),
                  "%s", why);
        z->layers[1].index = 4;
        FXQ_CHECK("merge.rejects_other_network", !fxq_stats_merge(x, z, why, sizeof why) && strstr(why, "different"),
                  "%s", why);
        fxq_stats_free(x), fxq_stats_free(y), fxq_stats_free(z);
    }

    /* --- matching a parsed network (cfg/fmnist.cfg: 6 conv + connected + softmax) */
    {
        network *net = parse_network_cfg("cfg/fmnist.cfg");
        fxq_stats *m = fxq_stats_alloc(7, net->n);
        for (int i = 0; i < 7; ++i) {
            const layer *l = &net->layers[i];
            m->layers[i].index = i;
            snprintf(m->layers[i].type, sizeof m->layers[i].type, "%s", fxq_stats_layer_type(l));
            const int nw = l->type == CONNECTED ? l->inputs * l->outputs : l->nweights;
            float *w = calloc((size_t)nw, sizeof(float));
            fxq_ts_add(&m->layers[i].t[FXQ_T_WEIGHTS], w, (size_t)nw);
            free(w);
        }
        FXQ_CHECK("match.ok", fxq_stats_match(m, net, why, sizeof why), "%s", why);
        m->net_layers = 9;
        FXQ_CHECK("match.layer_count", !fxq_stats_match(m, net, why, sizeof why) && strstr(why, "9"), "%s", why);
        m->net_layers = net->n;
        snprintf(m->layers[6].type, sizeof m->layers[6].type, "convolutional");
        FXQ_CHECK("match.type", !fxq_stats_match(m, net, why, sizeof why) && strstr(why, "layer 6"), "%s", why);
        snprintf(m->layers[6].type, sizeof m->layers[6].type, "connected");
        m->layers[2].t[FXQ_T_WEIGHTS].count += 1;
        FXQ_CHECK("match.shape", !fxq_stats_match(m, net, why, sizeof why) && strstr(why, "weights"), "%s", why);
        fxq_stats_free(m);
        free_network(net);
    }

    unlink(path);
    fxq_stats_free(s);
    fxq_stats_free(back);
    free(g);
    free(u);
    FXQ_TEST_END();
}
