/* test_qconv's random cases: a descriptor with random geometry, bit
 * widths, shifts (per row too), signed/unsigned inputs and extreme operands;
 * its plan on a kernel set checked against fxq_qconv_ref bit for bit
 * (serially and as a team's members), and a tally of which paths ran. */
#ifndef FXQ_TEST_QCASE_H
#define FXQ_TEST_QCASE_H

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_kernels.h"
#include "fxq_qconv.h"
#include "fxq_test_codes.h"

typedef struct qcase {
    fxq_qconv_desc d;
    int *rs; /* row shifts when d.row_shift */
    int32_t *w;
    int64_t *bias;
    int16_t *in, *want, *got;
} qcase;

static inline void qcase_free(qcase *q)
{
    free(q->w);
    free(q->bias);
    free(q->in);
    free(q->want);
    free(q->got);
    free(q->rs);
    memset(q, 0, sizeof *q);
}

static inline void qcase_geometry(fxq_qconv_desc *d)
{
    d->out_h = (d->h + 2 * d->pad - d->ksize) / d->stride + 1;
    d->out_w = (d->w + 2 * d->pad - d->ksize) / d->stride + 1;
}

/* fill: 0 random, 1 all minimum codes (weights and inputs), 2 weights min / inputs max */
static inline void qcase_alloc(qcase *q, int fill, int64_t bias_mag)
{
    const fxq_qconv_desc *d = &q->d;
    const size_t K = (size_t)d->c * d->ksize * d->ksize, nw = (size_t)d->m * K;
    const size_t nin = (size_t)d->batch * d->c * d->h * d->w, nout = (size_t)d->batch * d->m * d->out_h * d->out_w;
    q->w = malloc(nw * sizeof *q->w);
    q->bias = malloc((size_t)d->m * sizeof *q->bias);
    q->in = malloc(nin * sizeof *q->in);
    q->want = malloc(nout * sizeof *q->want);
    q->got = malloc(nout * sizeof *q->got);
    for (size_t i = 0; i < nw; ++i) q->w[i] = fill ? (int32_t)fxq_code_min(d->w_bits) : rnd_code(d->w_bits);
    for (size_t i = 0; i < nin; ++i)
        q->in[i] = (int16_t)(d->in_unsigned ? (fill == 1 ? 0 : fill == 2 ? (1 << d->a_bits) - 1 : rnd_ucode(d->a_bits))
                             : fill == 1 ? fxq_code_min(d->a_bits) : fill == 2 ? fxq_code_max(d->a_bits) : rnd_code(d->a_bits));
    for (int m = 0; m < d->m; ++m) {
        int64_t b = bias_mag ? (int64_t)(rnd() % (uint64_t)(2 * bias_mag + 1)) - bias_mag : 0;
        if (bias_mag && rnd() % 4 == 0) b = rnd() % 2 ? bias_mag : -bias_mag;
        q->bias[m] = b;
    }
}

/* Runs the plan of the current forced ISA; returns 1 if equal to the reference.
 * *desc gets the plan description. */
/* The reference into q->want, a plan (described in desc), q->got poisoned;
 * NULL + why when the plan cannot be made. */
static inline fxq_qconv_plan *qcase_plan(qcase *q, size_t nout, char *desc, size_t desc_len, char *why, size_t why_len)
{
    fxq_qconv_ref(&q->d, q->w, q->bias, q->in, q->want);
    char reason[256] = "";
    fxq_qconv_plan *p = fxq_qconv_plan_create(&q->d, q->w, q->bias, reason, sizeof reason);
    if (!p) {
        snprintf(why, why_len, "plan_create failed: %s", reason);
        return NULL;
    }
    snprintf(desc, desc_len, "%s", fxq_qconv_plan_describe(p));
    memset(q->got, 0x5a, nout * sizeof *q->got);
    return p;
}

static inline int qcase_check(qcase *q, char *desc, size_t desc_len, char *why, size_t why_len)
{
    const fxq_qconv_desc *d = &q->d;
    const size_t nout = (size_t)d->batch * d->m * d->out_h * d->out_w;
    fxq_qconv_plan *p = qcase_plan(q, nout, desc, desc_len, why, why_len);
    if (!p) return 0;
    fxq_qconv_run(p, q->in, q->got);
    /* run twice: scratch buffers reused */
    fxq_qconv_run(p, q->in, q->got);
    fxq_qconv_plan_free(p);
    /* every third case also from int16 weights (fxq_qconv_plan_create16,
     * what the layers use): the same outputs */
    static unsigned n16;
    const size_t nw = (size_t)d->m * d->c * d->ksize * d->ksize;
    int16_t *w16 = ++n16 % 3 == 0 ? malloc(nw * sizeof *w16) : NULL;
    if (w16) {
        for (size_t i = 0; i < nw; ++i) w16[i] = (int16_t)q->w[i];
        char reason[256] = "";
        int16_t *got16 = malloc(nout * sizeof *got16);
        fxq_qconv_plan *p16 = got16 ? fxq_qconv_plan_create16(d, w16, q->bias, reason, sizeof reason) : NULL;
        free(w16);
        if (!p16) {
            free(got16);
            snprintf(why, why_len, "[%s] plan_create16 failed: %s", desc, reason);
            return 0;
        }
        fxq_qconv_run(p16, q->in, got16);
        fxq_qconv_plan_free(p16);
        const int same = memcmp(got16, q->got, nout * sizeof *got16) == 0;
        free(got16);
        if (!same) {
            snprintf(why, why_len, "[%s] plan from int16 weights differs from int32 (m=%d c=%d k=%d)", desc, d->m, d->c,
                     d->ksize);
            return 0;
        }
    }
    for (size_t i = 0; i < nout; ++i)
        if (q->got[i] != q->want[i]) {
            snprintf(why, why_len,
                     "[%s] out[%zu] = %d, ref %d (b=%d c=%d h=%d w=%d m=%d k=%d s=%d p=%d bits %d/%d/%d shift %d%s "
                     "act %d%s)",
                     desc, i, q->got[i], q->want[i], d->batch, d->c, d->h, d->w, d->m, d->ksize, d->stride, d->pad,
                     d->w_bits, d->a_bits, d->o_bits, d->shift, d->row_shift ? " (per row)" : "", d->act,
                     d->in_unsigned ? " unsigned in" : "");
            return 0;
        }
    return 1;
}

/* The plan run by a team opened here (fxq_qconv_run_member, batch 1):
 * every thread on its own scratch, no barrier inside. Twice, as above. */
static inline int qcase_check_member(qcase *q, int nth, char *desc, size_t desc_len, char *why, size_t why_len)
{
    const fxq_qconv_desc *d = &q->d;
    const size_t nout = (size_t)d->m * d->out_h * d->out_w;
    omp_set_num_threads(nth); /* the plan sizes its per-thread scratch from it */
    fxq_qconv_plan *p = qcase_plan(q, nout, desc, desc_len, why, why_len);
    if (!p) return 0;
    for (int rep = 0; rep < 2; ++rep) {
#pragma omp parallel num_threads(nth)
        fxq_qconv_run_member(p, q->in, q->got, omp_get_thread_num(), omp_get_num_threads());
    }
    fxq_qconv_plan_free(p);
    for (size_t i = 0; i < nout; ++i)
        if (q->got[i] != q->want[i]) {
            snprintf(why, why_len, "[%s] team of %d: out[%zu] = %d, ref %d (c=%d h=%d w=%d m=%d k=%d s=%d p=%d bits %d/%d/%d)",
                     desc, nth, i, q->got[i], q->want[i], d->c, d->h, d->w, d->m, d->ksize, d->stride, d->pad, d->w_bits,
                     d->a_bits, d->o_bits);
            return 0;
        }
    return 1;
}

/* A shift that gives non-trivial outputs most of the time, sometimes extreme.
 * Left shifts stay >= -(o_bits - 1): see test "requant.left_shift_ge_obits". */
static inline int rnd_shift(const fxq_qconv_desc *d, int K)
{
    const int lo = -(d->o_bits - 1);
    if (rnd() % 6 == 0) return rnd_int(lo, 70);
    int log2k = 0;
    while ((1 << log2k) < K) ++log2k;
    const int typical = (d->w_bits - 1) + (d->a_bits - 1) + log2k / 2 - (d->o_bits - 1);
    int s = typical + rnd_int(-3, 3);
    return s < lo ? lo : s;
}

typedef struct stats {
    int cases, fails, s8, s16, i64, split, uin, s8_uin, rows;
    char first_fail[512];
} stats;

static inline void tally(stats *st, const char *desc, int ok, const char *why)
{
    st->cases++;
    if (!strncmp(desc, "s8 int32", 8)) st->s8++;
    if (!strncmp(desc, "s16 int32", 9)) st->s16++;
    if (strstr(desc, "int64")) st->i64++;
    if (strstr(desc, "split")) st->split++;
    if (strstr(desc, "u-in")) st->uin++, st->s8_uin += !strncmp(desc, "s8 int32", 8);
    if (strstr(desc, "row-shift")) st->rows++;
    if (!ok && !st->fails++) snprintf(st->first_fail, sizeof st->first_fail, "%s", why);
}

/* The team check (qcase_check_member) as part of a section's tally: a
 * failure counts in *team_fail, and the first one is the section's first
 * reason when no serial case failed before it. */
static inline void qcase_member_tally(qcase *q, int nth, char *desc, size_t desc_len, stats *st, int *team_fail)
{
    char why[512] = "";
    if (!qcase_check_member(q, nth, desc, desc_len, why, sizeof why) && !(*team_fail)++ && !st->fails)
        snprintf(st->first_fail, sizeof st->first_fail, "%s", why);
}

/* A window's lowest code for `bits`: an edge (all but one code negative,
 * unsigned, signed, one negative code) or anywhere in between. */
static inline int rnd_window_lo(int bits)
{
    const int n = (1 << bits) - 1;
    switch (rnd() % 6) {
    case 0: return -n;
    case 1: return 0;
    case 2: return -(1 << (bits - 1));
    case 3: return -1;
    default: return -rnd_int(0, n);
    }
}

/* FXQ_QCONV_SETS="avx2 scalar" limits a run to those kernel sets (unset: all). */
static inline int qcase_set_wanted(const char *name)
{
    const char *list = getenv("FXQ_QCONV_SETS");
    if (!list) return 1;
    const size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
    return 0;
}

/* Runs run(set) on every registered kernel set that FXQ_QCONV_SETS wants
 * and the CPU can run (forced with fxq_qconv_force_isa; the others print
 * "ok qconv.<set><suffix> (skipped: ...)" or "skip ...: CPU lacks it"),
 * then lifts the force. */
static inline void qcase_each_set(const char *suffix, void (*run)(const fxq_kernel_set *))
{
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        char name[96];
        snprintf(name, sizeof name, "qconv.%s%s", (*k)->name, suffix);
        if (!qcase_set_wanted((*k)->name))
            printf("ok %s (skipped: not in FXQ_QCONV_SETS)\n", name);
        else if (!fxq_qconv_force_isa((*k)->name))
            printf("skip %s: CPU lacks it\n", name);
        else
            run(*k);
    }
    fxq_qconv_force_isa(NULL);
}

/* A shift per output row around the plan's (sometimes extreme). */
static inline void qcase_row_shifts(qcase *q)
{
    fxq_qconv_desc *d = &q->d;
    q->rs = malloc((size_t)d->m * sizeof *q->rs);
    for (int m = 0; m < d->m; ++m) q->rs[m] = rnd_shift(d, d->c * d->ksize * d->ksize);
    d->row_shift = q->rs;
}

/* uin: 1 unsigned inputs, -1 either; fill as qcase_alloc */
static inline void random_case_ex(qcase *q, int wb, int ab, int ob, int big, int uin, int fill)
{
    fxq_qconv_desc *d = &q->d;
    memset(d, 0, sizeof *d);
    static const int ks_choice[] = {1, 1, 2, 3, 3, 3, 5, 7};
    d->batch = rnd() % 4 == 0 ? 3 : 1;
    d->ksize = ks_choice[rnd() % 8];
    d->stride = rnd() % 3 == 0 ? rnd_int(2, 5) : 1;
    d->pad = rnd() % 2 ? rnd_int(0, d->ksize) : 0;
    d->c = big ? rnd_int(1, 40) : rnd_int(1, 6);
    d->h = rnd_int(1, big ? 24 : 12);
    d->w = rnd_int(1, big ? 24 : 12);
    if (d->h + 2 * d->pad < d->ksize) d->pad = (d->ksize - d->h + 1) / 2 + 1;
    if (d->w + 2 * d->pad < d->ksize) d->pad = (d->ksize - d->w + 1) / 2 + 1;
    d->m = rnd_int(1, big ? 70 : 19);
    qcase_geometry(d);
    /* keep the reference's work (M * N * K per image) under ~2M MACs */
    while ((double)d->m * d->out_h * d->out_w * d->c * d->ksize * d->ksize > 2e6) {
        if (d->m > 8) d->m /= 2;
        else if (d->c > 1) d->c /= 2;
        else break;
    }
    d->w_bits = wb;
    d->a_bits = ab;
    d->o_bits = ob;
    d->act = rnd_int(0, 2);
    const int K = d->c * d->ksize * d->ksize;
    d->shift = rnd_shift(d, K);
    d->in_unsigned = uin > 0 || (ab <= 15 && rnd() % 4 == 0);
    d->shift += d->in_unsigned; /* one more magnitude bit */
    /* bias: within int32 range most of the time, sometimes forcing int64 */
    int64_t bias_mag = rnd() % 5 == 0 ? ((int64_t)1 << 30) + rnd_int(0, 1000) : (int64_t)1 << rnd_int(0, 29);
    qcase_alloc(q, fill, bias_mag);
    if (rnd() % 4 == 0) qcase_row_shifts(q);
}

static inline void random_case(qcase *q, int wb, int ab, int ob, int big)
{
    random_case_ex(q, wb, ab, ob, big, -1, 0);
}

#endif
