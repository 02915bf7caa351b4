/* fxq_qconv_run_member_ex (the network team's side of a plan, fxq_qconv.h)
 * vs the scalar reference fxq_qconv_ref, bit for bit, on every kernel set
 * the host can run: teams of 1-3 threads; fixed shares and tiles shared
 * out as threads come for them (dynamic), including a run where thread 0
 * starts only after the others returned, so they take every chunk of its
 * share too; split bounds every 1-3 output rows (align); and the blocks
 * reported to the done callback: each output once, by the thread that
 * wrote it, whole rows on the align grid. Shapes cover every split and B
 * layout a team meets: by output positions with B row by row, wide, im2col
 * and direct (1x1), stride 2, by filters, GEMV rows, a layer too small to
 * share; 8-bit, 16-bit and int64 accumulation. And random shapes with a
 * few n tiles, teams of 1-4 without a callback, against the reference and
 * the one-thread run: the equal runs of (n tile, m tile) cells. */
#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_qconv.h"
#include "fxq_test.h"
#include "fxq_test_codes.h"
#include "fxq_test_rng.h"

/* What the done callback saw: per output (channel, row) how many blocks
 * covered it, and whether every block kept to the align grid and was
 * reported by the thread that called (each thread's own counter). */
typedef struct cover {
    const fxq_qconv_desc *d;
    int align;
    atomic_int *hits;    /* m x out_h */
    atomic_int off_grid; /* blocks whose rows are off the align grid */
} cover;

static void on_block(void *ctx, const fxq_qconv_share *b)
{
    cover *c = ctx;
    const int a = c->align;
    if (b->oy0 % a || (b->oy1 % a && b->oy1 != c->d->out_h) || b->m0 < 0 || b->m1 > c->d->m || b->oy0 < 0 ||
        b->oy1 > c->d->out_h)
        atomic_fetch_add(&c->off_grid, 1);
    for (int m = b->m0; m < b->m1; ++m)
        for (int y = b->oy0; y < b->oy1; ++y) atomic_fetch_add(&c->hits[(size_t)m * c->d->out_h + y], 1);
}

/* A random layer's weights, bias and input codes, the reference output and
 * a buffer for the output under test. */
typedef struct {
    int32_t *w;
    int64_t *bias;
    int16_t *in, *want, *got;
    size_t nout;
} layer_case;

static void layer_case_make(const fxq_qconv_desc *d, layer_case *lc)
{
    const size_t K = (size_t)d->c * d->ksize * d->ksize, nw = (size_t)d->m * K;
    const size_t nin = (size_t)d->c * d->h * d->w, nout = (size_t)d->m * d->out_h * d->out_w;
    int32_t *w = malloc(nw * sizeof *w);
    int64_t *bias = malloc((size_t)d->m * sizeof *bias);
    int16_t *in = malloc(nin * sizeof *in), *want = malloc(nout * sizeof *want), *got = malloc(nout * sizeof *got);
    for (size_t i = 0; i < nw; ++i) w[i] = rnd_code(d->w_bits);
    for (size_t i = 0; i < nin; ++i) in[i] = (int16_t)rnd_code(d->a_bits);
    for (int m = 0; m < d->m; ++m) bias[m] = (int64_t)(rnd() % 2001) - 1000;
    fxq_qconv_ref(d, w, bias, in, want);
    *lc = (layer_case){w, bias, in, want, got, nout};
}

static void layer_case_free(layer_case *lc)
{
    free(lc->w), free(lc->bias), free(lc->in), free(lc->want), free(lc->got);
}

/* One case: the plan run by teams of 1-3, every align / dynamic / late
 * thread-0 combination; returns 0 with why[] on the first mismatch. */
static int run_case(const fxq_qconv_desc *d, char *why, size_t why_len, int *steal_runs)
{
    layer_case lc;
    layer_case_make(d, &lc);
    const size_t nout = lc.nout;
    const int32_t *w = lc.w;
    const int64_t *bias = lc.bias;
    const int16_t *in = lc.in, *want = lc.want;
    int16_t *got = lc.got;
    atomic_int *hits = malloc((size_t)d->m * d->out_h * sizeof *hits);
    int ok = 1;
    for (int nth = 1; nth <= 3 && ok; ++nth) {
        omp_set_num_threads(nth); /* the plan sizes its per-thread scratch from it */
        char reason[256] = "";
        fxq_qconv_plan *p = fxq_qconv_plan_create(d, w, bias, reason, sizeof reason);
        if (!p) {
            snprintf(why, why_len, "plan_create failed: %s", reason);
            ok = 0;
            break;
        }
        for (int v = 0; v < 3 * 3 && ok; ++v) {
            const int align = 1 + v % 3, mode = v / 3; /* mode 0 fixed, 1 dynamic, 2 dynamic with thread 0 late */
            cover c = {d, align, hits, 0};
            for (size_t i = 0; i < (size_t)d->m * d->out_h; ++i) atomic_init(&hits[i], 0);
            const fxq_qconv_member_opts o = {align, mode > 0, on_block, &c, 0};
            memset(got, 0x5a, nout * sizeof *got);
            fxq_qconv_member_arm(p);
            atomic_int returned;
            atomic_init(&returned, 0);
#pragma omp parallel num_threads(nth)
            {
                const int tid = omp_get_thread_num(), n = omp_get_num_threads();
                if (mode == 2 && tid == 0)
                    while (atomic_load(&returned) < n - 1) {}
                fxq_qconv_run_member_ex(p, in, got, tid, n, &o);
                atomic_fetch_add(&returned, 1);
            }
            *steal_runs += mode == 2 && nth > 1;
            size_t bad = nout, twice = 0;
            for (size_t i = 0; i < nout && bad == nout; ++i)
                if (got[i] != want[i]) bad = i;
            if (align > 1)
                for (size_t i = 0; i < (size_t)d->m * d->out_h; ++i) twice += atomic_load(&hits[i]) != 1;
            if (bad < nout || twice || atomic_load(&c.off_grid)) {
                snprintf(why, why_len,
                         "[%s] team %d align %d mode %d: out[%zu] = %d, ref %d; %zu (channel, row) blocks not "
                         "reported exactly once, %d off the grid (c=%d h=%d w=%d m=%d k=%d s=%d p=%d bits %d/%d/%d)",
                         fxq_qconv_plan_describe(p), nth, align, mode, bad, bad < nout ? got[bad] : 0,
                         bad < nout ? want[bad] : 0, twice, atomic_load(&c.off_grid), d->c, d->h, d->w, d->m,
                         d->ksize, d->stride, d->pad, d->w_bits, d->a_bits, d->o_bits);
                ok = 0;
            }
        }
        fxq_qconv_plan_free(p);
    }
    layer_case_free(&lc);
    free(hits);
    return ok;
}

/* Fixed shares without a done callback on random shapes with a few n
 * tiles each (every output-position count from 1 to 13 tiles of 8, 16 or
 * 32): teams of 1-4, bit for bit against the reference and against the
 * same plan's run by one thread -- where the n tiles do not divide over
 * the team, each thread takes an equal run of (n tile, m tile) cells, an
 * n tile's filters split between two threads (fxq_qconv_member.c). */
static int run_cells_case(const fxq_qconv_desc *d, char *why, size_t why_len)
{
    layer_case lc;
    layer_case_make(d, &lc);
    const size_t nout = lc.nout;
    const int32_t *w = lc.w;
    const int64_t *bias = lc.bias;
    const int16_t *in = lc.in, *want = lc.want;
    int16_t *got = lc.got;
    int16_t *one = malloc(nout * sizeof *one);
    int ok = 1;
    for (int nth = 1; nth <= 4 && ok; ++nth) {
        omp_set_num_threads(nth);
        char reason[256] = "";
        fxq_qconv_plan *p = fxq_qconv_plan_create(d, w, bias, reason, sizeof reason);
        if (!p) {
            snprintf(why, why_len, "plan_create failed: %s", reason);
            ok = 0;
            break;
        }
        for (int rep = 0; rep < 2 && ok; ++rep) { /* again on the same plan: scratch left by the first run */
            memset(got, 0x5a, nout * sizeof *got);
#pragma omp parallel num_threads(nth)
            fxq_qconv_run_member_ex(p, in, got, omp_get_thread_num(), omp_get_num_threads(), NULL);
            if (nth == 1 && rep == 0) memcpy(one, got, nout * sizeof *one);
            size_t bad = nout;
            for (size_t i = 0; i < nout && bad == nout; ++i)
                if (got[i] != want[i] || got[i] != one[i]) bad = i;
            if (bad < nout) {
                snprintf(why, why_len,
                         "[%s] team %d run %d: out[%zu] = %d, ref %d, one thread %d (c=%d h=%d w=%d m=%d k=%d s=%d p=%d "
                         "bits %d/%d/%d)",
                         fxq_qconv_plan_describe(p), nth, rep, bad, got[bad], want[bad], one[bad], d->c, d->h, d->w,
                         d->m, d->ksize, d->stride, d->pad, d->w_bits, d->a_bits, d->o_bits);
                ok = 0;
            }
        }
        fxq_qconv_plan_free(p);
    }
    layer_case_free(&lc);
    free(one);
    return ok;
}

/* A random layer with out_h * out_w in 1 .. 13 * 32 (c, m, k, s, p, bits random). */
static void random_cells_desc(fxq_qconv_desc *d, int bits)
{
    memset(d, 0, sizeof *d);
    d->batch = 1;
    d->ksize = rnd() % 2 ? 3 : 1, d->stride = 1 + (int)(rnd() % 2), d->pad = d->ksize == 3 ? (int)(rnd() % 2) : 0;
    d->c = 1 + (int)(rnd() % 48), d->m = 8 + (int)(rnd() % 88);
    /* out_w 16 / 32: B packed row by row where that is a whole number of tiles */
    const int oh = 1 + (int)(rnd() % 20), ow = rnd() % 3 == 0 ? 16 << (rnd() % 2) : 1 + (int)(rnd() % 21);
    d->out_w = ow, d->out_h = oh * ow > 13 * 32 ? 13 * 32 / ow : oh;
    d->h = (d->out_h - 1) * d->stride + d->ksize - 2 * d->pad, d->w = (d->out_w - 1) * d->stride + d->ksize - 2 * d->pad;
    if (d->h < 1 || d->w < 1) d->pad = 0, d->h = (d->out_h - 1) * d->stride + d->ksize, d->w = (d->out_w - 1) * d->stride + d->ksize;
    d->w_bits = bits == 2 ? 16 : 8, d->a_bits = d->o_bits = bits ? 16 : 8;
    d->act = rnd() % 2 ? FXQ_ACT_LEAKY : FXQ_ACT_LINEAR;
    int lk = 0;
    while ((1 << lk) < d->c * d->ksize * d->ksize) ++lk;
    d->shift = (d->w_bits - 1) + (d->a_bits - 1) + lk / 2 - (d->o_bits - 1);
}

int main(void)
{
    /* c h w m k s p: B row by row (out_w 64); wide (62 + 2 = 64 per grid
     * row, K >= 2m); im2col (16 x 16); 1x1 direct; stride 2 with an odd
     * plane; by filters (8 x 8, two n tiles); GEMV (1 x 1 output);
     * too small to share; odd rows for align 2 and 3 */
    static const int shapes[][7] = {{8, 12, 64, 16, 3, 1, 1}, {16, 40, 62, 8, 3, 1, 1}, {32, 16, 16, 64, 3, 1, 1},
                                    {64, 16, 16, 64, 1, 1, 0}, {16, 41, 40, 32, 3, 2, 1}, {64, 8, 8, 128, 3, 1, 1},
                                    {256, 1, 1, 100, 1, 1, 0}, {3, 5, 6, 4, 3, 1, 1}, {16, 27, 32, 24, 3, 1, 1}};
    const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    const int maxth = omp_get_max_threads();
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        char name[96], why[768] = "";
        snprintf(name, sizeof name, "qconv_team.%s.member_ex_vs_ref", (*k)->name);
        if (!fxq_qconv_force_isa((*k)->name)) {
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        int ok = 1, cases = 0, steals = 0;
        for (int s = 0; s < nshapes && ok; ++s)
            for (int bits = 0; bits < 3 && ok; ++bits) {
                fxq_qconv_desc d;
                memset(&d, 0, sizeof d);
                const int *sh = shapes[s];
                d.batch = 1, d.c = sh[0], d.h = sh[1], d.w = sh[2], d.m = sh[3], d.ksize = sh[4], d.stride = sh[5];
                d.pad = sh[6];
                d.out_h = (d.h + 2 * d.pad - d.ksize) / d.stride + 1, d.out_w = (d.w + 2 * d.pad - d.ksize) / d.stride + 1;
                d.w_bits = bits == 2 ? 16 : 8, d.a_bits = d.o_bits = bits ? 16 : 8;
                d.act = s % 3 == 0 ? FXQ_ACT_LEAKY : s % 3 == 1 ? FXQ_ACT_RELU : FXQ_ACT_LINEAR;
                /* about the accumulator's magnitude: outputs neither all 0 nor all saturated */
                int lk = 0;
                while ((1 << lk) < d.c * d.ksize * d.ksize) ++lk;
                d.shift = (d.w_bits - 1) + (d.a_bits - 1) + lk / 2 - (d.o_bits - 1);
                ok = run_case(&d, why, sizeof why, &steals);
                ++cases;
            }
        FXQ_CHECK(name, ok && cases == 3 * nshapes && steals > 0, "%s (%d cases, %d runs with thread 0 late)", why,
                  cases, steals);
    }
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        char name[96], why[768] = "";
        snprintf(name, sizeof name, "qconv_team.%s.cells_vs_ref", (*k)->name);
        if (!fxq_qconv_force_isa((*k)->name)) {
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        int ok = 1, cases = 0;
        for (int s = 0; s < 48 && ok; ++s, ++cases) {
            fxq_qconv_desc d;
            random_cells_desc(&d, s % 3);
            ok = run_cells_case(&d, why, sizeof why);
        }
        FXQ_CHECK(name, ok && cases == 48, "%s (%d cases)", why, cases);
    }
    fxq_qconv_force_isa(NULL);
    omp_set_num_threads(maxth);
    FXQ_TEST_END();
}
