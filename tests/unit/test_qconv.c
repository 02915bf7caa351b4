/* fxq_qconv plans vs the scalar reference fxq_qconv_ref, bit for bit, on
 * every kernel set the host can run (plus the AVX-512 layouts run by their
 * scalar twins): random shapes (M, N, K off every vector width, K = 1, tiny
 * and large, stride/pad variants, batch 1 and 3), every bit width 2..16 for
 * weights / activations / outputs, random shifts including negative ones,
 * all three activations, signed extremes (int64 at K = 4608 and 16 bits,
 * both sides of the int32 boundary), per-output-row shifts, unsigned input
 * codes (edge values, saturation, the s8 path without input offset),
 * threads, and plan validation. Kernel sets come from the registry
 * (fxq_kernels.h): a registered set is tested. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cpu.h"
#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_qconv.h"
#include "fxq_test.h"
#include "fxq_test_qcase.h"
#include "fxq_test_rng.h"

/* Unsigned inputs and per-row shifts: every a_bits 2..15 (8-bit ones on
 * the s8 path of sets that have one), random / all-minimum / all-maximum
 * operands so sums and outputs saturate, int32 and int64 accumulators. */
static void run_unsigned_rows(const fxq_kernel_set *ks)
{
    char name[128], desc[192] = "", why[512] = "";
    stats st;
    memset(&st, 0, sizeof st);
    qcase q;
    memset(&q, 0, sizeof q);
    for (int ab = 2; ab <= 15; ++ab)
        for (int rep = 0; rep < 6; ++rep) {
            const int wb = rep < 3 ? rnd_int(2, 8) : rnd_int(2, 16), fill = rep % 3;
            random_case_ex(&q, wb, ab, rnd_int(2, 16), rep == 5, 1, fill);
            if (!q.rs && rep % 2 == 0) qcase_row_shifts(&q);
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            qcase_free(&q);
        }
    snprintf(name, sizeof name, "qconv.%s.unsigned_in_row_shift", ks->name);
    printf("# %s: %d cases, u-in %d (s8 %d) row-shift %d i64 %d\n", name, st.cases, st.uin, st.s8_uin, st.rows, st.i64);
    FXQ_CHECK(name, st.fails == 0 && st.uin == st.cases && st.rows > 0 && st.i64 > 0 && (st.s8_uin > 0 || !ks->s8),
              "%d/%d failed (u-in %d s8 %d rows %d i64 %d): %s", st.fails, st.cases, st.uin, st.s8_uin, st.rows,
              st.i64, st.first_fail);
}

/* Zero points (in_window / out_window): random windows at every a_bits
 * 2..15 and o_bits 2..15, input codes anywhere in the window with its
 * ends, saturating sums, every activation, per-row shifts, int32 and int64,
 * the s8 path's general offset -in_lo; and the team runs. */
static void run_windows(const fxq_kernel_set *ks)
{
    char name[128], desc[192] = "", why[512] = "";
    stats st;
    memset(&st, 0, sizeof st);
    int win_s8 = 0, win_out = 0, team_fail = 0;
    qcase q;
    memset(&q, 0, sizeof q);
    for (int ab = 2; ab <= 15; ++ab)
        for (int rep = 0; rep < 8; ++rep) {
            const int wb = rep < 4 ? rnd_int(2, 8) : rnd_int(2, 16), fill = rep % 3;
            const int ob = rnd_int(2, 15);
            random_case_ex(&q, wb, ab, ob, rep == 5, 0, 0);
            fxq_qconv_desc *d = &q.d;
            d->in_unsigned = 0;
            d->in_window = rep != 7, d->in_lo = rnd_window_lo(ab);
            d->out_window = rep % 4 != 3, d->out_lo = rnd_window_lo(ob);
            const int n = (1 << ab) - 1;
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t i = 0; i < nin && d->in_window; ++i) {
                const int r = (int)(rnd() % 8);
                q.in[i] = (int16_t)(d->in_lo + (fill == 1 || r == 0 ? 0 : fill == 2 || r == 1 ? n : rnd_int(0, n)));
            }
            if (!q.rs && rep % 2 == 0) qcase_row_shifts(&q);
            const int ok = qcase_check(&q, desc, sizeof desc, why, sizeof why);
            tally(&st, desc, ok, why);
            win_s8 += ok && d->in_window && !strncmp(desc, "s8 int32", 8);
            win_out += d->out_window;
            if (d->batch == 1 && rep % 2)
                qcase_member_tally(&q, 1 + rep % 3, desc, sizeof desc, &st, &team_fail);
            qcase_free(&q);
        }
    snprintf(name, sizeof name, "qconv.%s.windows", ks->name);
    printf("# %s: %d cases, s8 windows %d, output windows %d, i64 %d\n", name, st.cases, win_s8, win_out, st.i64);
    FXQ_CHECK(name, st.fails == 0 && !team_fail && st.i64 > 0 && win_out > 0 && (win_s8 > 0 || !ks->s8),
              "%d/%d failed, team %d (s8 windows %d, i64 %d): %s", st.fails, st.cases, team_fail, win_s8, st.i64,
              st.first_fail);
}

/* Sets whose s8 kernel sums k pairs in int16 (s8_pair_limit): 8-bit
 * weights within +-64 (u8 B) or +-127 (s8 B: the NEON mlal kernel) take
 * it, and the worst pairs (weights -lim, B bytes at both ends: inputs at
 * both ends, signed and unsigned) stay exact. A weight of -lim-1 or lim+1
 * (s8 B: -128, the only 8-bit code past 127) whose pair partner (k +-
 * s8_pair_stride) keeps |w_k| + |w_partner| <= 2 * lim still takes it
 * ("lone": its worst pair is exactly at the limit and must stay exact);
 * two of them in one pair (s8 B: -128 and -128; u8 B: 65 and 64) send
 * the plan to the exact s16 kernel. Also the
 * accumulator rule on actual weights: 8-bit weights, 16-bit inputs, K 576
 * -- int32 when every |w| <= 113 (576 * 113 * 2^15 + 2^20 < 2^31 - 1), int64
 * when every |w| = 114 (576 * 114 * 2^15 > 2^31). */
static void run_pair_limit(const fxq_kernel_set *ks)
{
    char name[128], desc[192] = "", why[512] = "", bad[256] = "";
    stats st;
    memset(&st, 0, sizeof st);
    qcase q;
    memset(&q, 0, sizeof q);
    for (int rep = 0; rep < 24; ++rep) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        const int over = rep % 4 == 3, lone = rep % 4 == 1 && rep < 16, decoy = rep % 4 == 2 && rep < 16;
        const int wide = rep >= 16;
        d->batch = 1, d->c = wide ? 64 : rnd_int(1, 40), d->h = rnd_int(3, 9), d->w = rnd_int(3, 20);
        d->m = rnd_int(1, 13), d->ksize = 3, d->stride = 1, d->pad = 1;
        qcase_geometry(d);
        d->w_bits = 8, d->a_bits = wide ? 16 : 8, d->o_bits = 16, d->act = rep % 3;
        d->in_unsigned = !wide && rep % 2;
        if (d->in_unsigned) d->a_bits = rep % 8 == 1 ? 8 : 7;
        qcase_alloc(&q, rep % 3 == 0 ? 2 : rep % 3 == 1 ? 1 : 0, wide ? 1 << 20 : 1 << 10);
        const int K = d->c * 9, lim = wide ? 113 : ks->s8_in_offset ? 64 : 127;
        for (int i = 0; i < d->m * K; ++i) q.w[i] = rep % 3 == 2 ? rnd_int(-lim, lim) : -lim;
        if (over && wide)
            for (int i = 0; i < d->m * K; ++i) q.w[i] = rnd() % 2 ? lim + 1 : -lim - 1;
        const int ps = ks->s8_pair_stride > 0 ? ks->s8_pair_stride : 1, m = rnd_int(0, d->m - 1);
        const int partner = (int)(rnd() % 2 ? lim - 1 : -lim + 1);
        if (over || lone) { /* one pair of row m: k, k + stride */
            int k;
            do k = rnd_int(0, K - 1 - ps); while (k % (2 * ps) >= ps);
            q.w[m * K + k] = rnd() % 2 && lim < 127 ? lim + 1 : -lim - 1;
            q.w[m * K + k + ps] = over ? (lim < 127 ? lim : -lim - 1) : partner;
        } else if (decoy) {
            /* two -lim-1 at distance dk that is not the set's pair (1, 2, 4 or
             * 8 apart): the plan must take s8, and the kernel must be exact,
             * which fails if the kernel really pairs k and k + dk (a set
             * declaring the wrong stride) */
            static const int dks[] = {1, 2, 4, 8};
            int dk;
            do dk = dks[rnd() % 4]; while (dk == ps);
            const int k = rnd_int(0, K - 1 - dk);
            const int kk[2] = {k, k + dk};
            for (int i = 0; i < 2; ++i) {
                const int mate = kk[i] % (2 * ps) < ps ? kk[i] + ps : kk[i] - ps;
                if (mate < K && mate != kk[1 - i]) q.w[m * K + mate] = partner;
            }
            q.w[m * K + kk[0]] = q.w[m * K + kk[1]] = -lim - 1;
        }
        d->shift = rnd_shift(d, K);
        tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
        const int want = wide ? !strstr(desc, "int64") == !over : !strncmp(desc, "s8 ", 3) == !over;
        if (!want && !bad[0]) snprintf(bad, sizeof bad, "case %d (%s): picked [%s]", rep, over ? "over" : "within", desc);
        qcase_free(&q);
    }
    snprintf(name, sizeof name, "qconv.%s.s8_pair_limit_and_actual_weight_bound", ks->name);
    FXQ_CHECK(name, st.fails == 0 && !bad[0], "%d/%d failed: %s %s", st.fails, st.cases, st.first_fail, bad);
}

static void run_isa(const char *isa)
{
    char name[128], desc[192] = "", why[512] = "";
    stats st;
    memset(&st, 0, sizeof st);
    qcase q;
    memset(&q, 0, sizeof q);

    /* 1. every bit width for each role, random shapes */
    for (int role = 0; role < 3; ++role)
        for (int b = 2; b <= 16; ++b)
            for (int rep = 0; rep < 3; ++rep) {
                int bits[3] = {rnd_int(2, 16), rnd_int(2, 16), rnd_int(2, 16)};
                if (rep == 0) bits[0] = bits[1] = 8, bits[2] = rnd_int(2, 16); /* keep s8 busy */
                bits[role] = b;
                random_case(&q, bits[0], bits[1], bits[2], rep == 2);
                tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
                qcase_free(&q);
            }
    snprintf(name, sizeof name, "qconv.%s.random_bits_shapes", isa);
    printf("# %s: %d cases, s8 %d s16 %d i64 %d split %d\n", name, st.cases, st.s8, st.s16, st.i64, st.split);
    FXQ_CHECK(name, st.fails == 0 && st.s16 > 0 && st.i64 > 0 && (st.s8 > 0 || !fxq_kernel_set_find(isa)->s8),
              "%d/%d failed (s8 %d s16 %d i64 %d split %d): %s", st.fails, st.cases, st.s8, st.s16, st.i64, st.split, st.first_fail);

    /* 2. tails: 1x1 (direct, no im2col) with K = 1..67, M and N off the tiles */
    memset(&st, 0, sizeof st);
    static const int ks_[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 67};
    for (size_t i = 0; i < sizeof ks_ / sizeof ks_[0]; ++i)
        for (int bits = 0; bits < 3; ++bits) {
            fxq_qconv_desc *d = &q.d;
            memset(d, 0, sizeof *d);
            d->batch = i % 3 == 0 ? 3 : 1;
            d->c = ks_[i];
            d->h = rnd_int(1, 7);
            d->w = rnd_int(1, 9);
            d->ksize = 1;
            d->stride = 1;
            d->m = rnd_int(1, 41);
            qcase_geometry(d);
            d->w_bits = bits == 0 ? 8 : bits == 1 ? 12 : 16;
            d->a_bits = bits == 0 ? 8 : bits == 1 ? 11 : 16;
            d->o_bits = rnd_int(2, 16);
            d->act = rnd_int(0, 2);
            d->shift = rnd_shift(d, d->c);
            qcase_alloc(&q, 0, 1000);
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            qcase_free(&q);
        }
    snprintf(name, sizeof name, "qconv.%s.tails_1x1_k1_to_67", isa);
    FXQ_CHECK(name, st.fails == 0, "%d/%d failed: %s", st.fails, st.cases, st.first_fail);

    /* 3. shifts: every activation x shifts from -(o_bits-1) to 64, incl. > 31 */
    memset(&st, 0, sizeof st);
    for (int act = 0; act < 3; ++act)
        for (int sh = -15; sh <= 64; sh += 3) {
            random_case(&q, rnd_int(2, 16), rnd_int(2, 16), 16, 0);
            q.d.act = act;
            q.d.o_bits = sh < 0 ? rnd_int(1 - sh, 16) : rnd_int(2, 16);
            q.d.shift = sh;
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            qcase_free(&q);
        }
    snprintf(name, sizeof name, "qconv.%s.shifts_and_activations", isa);
    FXQ_CHECK(name, st.fails == 0, "%d/%d failed: %s", st.fails, st.cases, st.first_fail);

    /* 4. signed extremes: all minimum codes, K = 4608 (512 ch, 3x3), 16 bits -> int64 */
    memset(&st, 0, sizeof st);
    int picked_i64 = 1;
    for (int fill = 1; fill <= 2; ++fill)
        for (int sh = 0; sh < 3; ++sh) {
            fxq_qconv_desc *d = &q.d;
            memset(d, 0, sizeof *d);
            d->batch = 1, d->c = 512, d->h = 3, d->w = 3, d->ksize = 3, d->stride = 1, d->pad = 1, d->m = 9;
            qcase_geometry(d);
            d->w_bits = d->a_bits = 16;
            d->o_bits = 16;
            d->shift = sh == 0 ? 30 : sh == 1 ? 42 : 20;
            d->act = FXQ_ACT_LEAKY;
            qcase_alloc(&q, fill, (int64_t)1 << 40);
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            if (!strstr(desc, "int64")) picked_i64 = 0;
            qcase_free(&q);
        }
    snprintf(name, sizeof name, "qconv.%s.extreme_k4608_16bit_int64", isa);
    FXQ_CHECK(name, st.fails == 0 && picked_i64, "%d/%d failed, int64 picked %d: %s [%s]", st.fails, st.cases,
              picked_i64, st.first_fail, desc);

    /* 5. the int32 boundary: w 16 bits, a 8 bits, K = 256 -> 15+7+8+1 = 31 bits:
     * int32; all minimum codes give 2^30, + bias 2^30-1 = 2^31-1 exactly.
     * K = 257 or bias 2^30 -> int64. Also 8/8 bits at K = 65536 (31 bits). */
    memset(&st, 0, sizeof st);
    int boundary_ok = 1;
    char bdesc[256] = "";
    for (int v = 0; v < 6; ++v) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        const int big8 = v >= 4;
        d->batch = 1, d->c = big8 ? 65536 : (v == 2 ? 257 : 256), d->h = 1, d->w = big8 ? 2 : 3;
        d->ksize = 1, d->stride = 1, d->pad = 0, d->m = 3;
        qcase_geometry(d);
        d->w_bits = big8 ? 8 : 16;
        d->a_bits = 8;
        d->o_bits = 16;
        d->shift = 16;
        d->act = FXQ_ACT_LINEAR;
        qcase_alloc(&q, v % 2 ? 2 : 1, 0);
        const int64_t b = v == 3 ? ((int64_t)1 << 30) : ((int64_t)1 << 30) - 1;
        for (int m = 0; m < d->m; ++m) q.bias[m] = m == 1 ? -b : b;
        tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
        const int want_i64 = v == 2 || v == 3;
        if (!!strstr(desc, "int64") != want_i64) {
            boundary_ok = 0;
            snprintf(bdesc, sizeof bdesc, "case %d picked [%s]", v, desc);
        }
        qcase_free(&q);
    }
    snprintf(name, sizeof name, "qconv.%s.int32_boundary", isa);
    FXQ_CHECK(name, st.fails == 0 && boundary_ok, "%d/%d failed: %s %s", st.fails, st.cases, st.first_fail, bdesc);

    /* 6. one output column (P == 1): connected layers and convolutions with a
     * 1x1 output -- the GEMV kernels where the ISA has them */
    memset(&st, 0, sizeof st);
    int gemv_used = 0;
    for (int rep = 0; rep < 60; ++rep) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        d->batch = rep % 4 == 0 ? 3 : 1;
        if (rep % 3 == 2) { /* conv to a 1x1 output: 7x7 s5 p2 on 5x5, or 3x3 on 3x3 */
            const int big = rep % 2;
            d->c = rnd_int(1, 70), d->h = d->w = big ? 5 : 3, d->ksize = big ? 7 : 3, d->stride = big ? 5 : 1;
            d->pad = big ? 2 : 0;
        } else {
            d->c = rep < 6 ? rep + 1 : rnd_int(1, 700), d->h = d->w = 1, d->ksize = 1, d->stride = 1;
        }
        d->m = rnd_int(1, 50);
        qcase_geometry(d);
        d->w_bits = rep % 2 ? rnd_int(2, 8) : rnd_int(2, 16);
        d->a_bits = rep % 2 ? rnd_int(2, 8) : rnd_int(2, 16);
        if (rep % 6 == 4) d->w_bits = d->a_bits = 16; /* int64, split */
        d->o_bits = rnd_int(2, 16);
        d->act = rep % 3;
        d->shift = rnd_shift(d, d->c * d->ksize * d->ksize);
        qcase_alloc(&q, rep % 10 == 9 ? 1 : 0, rep % 5 ? 1 << 20 : 1 << 29);
        tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
        gemv_used += strstr(desc, "gemv") != NULL;
        qcase_free(&q);
    }
    snprintf(name, sizeof name, "qconv.%s.one_column_p1", isa);
    printf("# %s: %d cases, gemv %d, int64 %d, split %d\n", name, st.cases, gemv_used, st.i64, st.split);
    FXQ_CHECK(name, st.fails == 0 && (gemv_used > 0 || !strstr(isa, "avx512vnni")), "%d/%d failed (gemv used %d): %s",
              st.fails, st.cases, gemv_used, st.first_fail);

    /* 7. fmnist-like shapes, 1 and 2 threads */
    memset(&st, 0, sizeof st);
    static const int shapes[][7] = {/* c h w m k s p */
                                    {3, 28, 28, 64, 3, 1, 0},  {64, 26, 26, 32, 3, 2, 1}, {32, 13, 13, 64, 3, 1, 0},
                                    {64, 11, 11, 64, 3, 1, 0}, {64, 9, 9, 64, 3, 2, 1},   {64, 5, 5, 32, 7, 5, 2},
                                    {32, 1, 1, 10, 1, 1, 0}};
    const int maxth = omp_get_max_threads();
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
        for (int bits = 0; bits < 2; ++bits) {
            fxq_qconv_desc *d = &q.d;
            memset(d, 0, sizeof *d);
            d->batch = 1, d->c = shapes[i][0], d->h = shapes[i][1], d->w = shapes[i][2], d->m = shapes[i][3];
            d->ksize = shapes[i][4], d->stride = shapes[i][5], d->pad = shapes[i][6];
            qcase_geometry(d);
            d->w_bits = d->a_bits = d->o_bits = bits ? 16 : 8;
            d->act = i == 6 ? FXQ_ACT_LINEAR : FXQ_ACT_RELU;
            d->shift = rnd_shift(d, d->c * d->ksize * d->ksize);
            qcase_alloc(&q, 0, bits ? (int64_t)1 << 35 : 1 << 20);
            omp_set_num_threads((int)(i % 2) + 1 <= maxth ? (int)(i % 2) + 1 : maxth);
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            qcase_free(&q);
        }
    omp_set_num_threads(maxth);
    snprintf(name, sizeof name, "qconv.%s.fmnist_shapes", isa);
    FXQ_CHECK(name, st.fails == 0, "%d/%d failed: %s", st.fails, st.cases, st.first_fail);

    /* 8. batches large enough to run images in parallel (each thread on its
     * own copy of the plan's scratch), whole rounds and a remainder through
     * the team: 2 and 3 threads (more threads than cores is fine), s8,
     * s16, int64 and one-column plans; also batch 1 on the team and plans
     * packing B row by row (out_w % nr == 0), stride 1 and 2 */
    memset(&st, 0, sizeof st);
    const uint64_t saved_rng = rng_state; /* the other sections' cases stay as they were */
    static const int bshapes[][8] = {/* batch c h w m k s p */
                                     {4, 16, 20, 20, 24, 3, 1, 1}, {5, 8, 17, 23, 40, 3, 2, 1},
                                     {5, 2048, 1, 1, 70, 1, 1, 0}, {3, 24, 12, 12, 16, 1, 1, 0},
                                     {2, 256, 8, 8, 80, 3, 1, 1}, /* more weight than B bytes: n tiles inner */
                                     /* out_w a multiple of nr: B packed row by row from the image */
                                     {1, 3, 32, 64, 16, 3, 1, 1}, {2, 8, 33, 64, 16, 3, 2, 1}, {3, 5, 7, 96, 9, 3, 1, 1}};
    for (size_t i = 0; i < sizeof bshapes / sizeof bshapes[0]; ++i)
        for (int bits = 0; bits < 3; ++bits) {
            fxq_qconv_desc *d = &q.d;
            memset(d, 0, sizeof *d);
            d->batch = bshapes[i][0], d->c = bshapes[i][1], d->h = bshapes[i][2], d->w = bshapes[i][3];
            d->m = bshapes[i][4], d->ksize = bshapes[i][5], d->stride = bshapes[i][6], d->pad = bshapes[i][7];
            qcase_geometry(d);
            d->w_bits = bits ? 16 : 8, d->a_bits = d->o_bits = bits == 1 ? 8 : bits ? 16 : 8;
            d->act = FXQ_ACT_LEAKY;
            d->shift = rnd_shift(d, d->c * d->ksize * d->ksize);
            qcase_alloc(&q, 0, bits ? (int64_t)1 << 35 : 1 << 20);
            omp_set_num_threads(2 + (int)(i % 2));
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            qcase_free(&q);
        }
    omp_set_num_threads(maxth);
    rng_state = saved_rng;
    snprintf(name, sizeof name, "qconv.%s.batch_images_parallel", isa);
    FXQ_CHECK(name, st.fails == 0, "%d/%d failed: %s", st.fails, st.cases, st.first_fail);

    /* 9. one team for a whole network (fxq_qconv_run_member): teams of 1-3
     * threads, the fmnist shapes and the shapes above at batch 1 (split by
     * output positions -- im2col, direct and row-by-row B -- by filters, by
     * GEMV rows; small layers on thread 0), s8 / s16 / int64 */
    memset(&st, 0, sizeof st);
    const uint64_t saved_rng2 = rng_state;
    int team_cases = 0;
    static const int tshapes[][7] = {/* c h w m k s p: 1x1 direct B; stride 2 with more rows than threads */
                                     {64, 16, 16, 64, 1, 1, 0}, {16, 40, 40, 32, 3, 2, 1}, {8, 9, 64, 40, 3, 1, 1}};
    for (int set = 0; set < 3; ++set) {
        const size_t n = set == 2 ? sizeof tshapes / sizeof tshapes[0]
                         : set ? sizeof bshapes / sizeof bshapes[0] : sizeof shapes / sizeof shapes[0];
        for (size_t i = 0; i < n; ++i)
            for (int bits = 0; bits < 3; ++bits) {
                fxq_qconv_desc *d = &q.d;
                memset(d, 0, sizeof *d);
                const int *sh = set == 2 ? tshapes[i] : set ? bshapes[i] + 1 : shapes[i];
                d->batch = 1, d->c = sh[0], d->h = sh[1], d->w = sh[2], d->m = sh[3];
                d->ksize = sh[4], d->stride = sh[5], d->pad = sh[6];
                qcase_geometry(d);
                d->w_bits = bits ? 16 : 8, d->a_bits = d->o_bits = bits == 1 ? 8 : bits ? 16 : 8;
                d->act = (int)(i % 3) == 0 ? FXQ_ACT_LEAKY : (int)(i % 3) == 1 ? FXQ_ACT_RELU : FXQ_ACT_LINEAR;
                d->shift = rnd_shift(d, d->c * d->ksize * d->ksize);
                qcase_alloc(&q, 0, bits ? (int64_t)1 << 35 : 1 << 20);
                const int nth = 1 + (int)((i + bits) % 3);
                tally(&st, desc, qcase_check_member(&q, nth, desc, sizeof desc, why, sizeof why), why);
                team_cases++;
                qcase_free(&q);
            }
    }
    omp_set_num_threads(maxth);
    rng_state = saved_rng2;
    snprintf(name, sizeof name, "qconv.%s.network_team_member", isa);
    FXQ_CHECK(name, st.fails == 0 && team_cases > 40, "%d/%d failed: %s", st.fails, st.cases, st.first_fail);

    /* 10. one output position: windows over the whole input and padding
     * (fmnist's 7x7/s5/p2 on 5x5) take the column in the input's order
     * ("in-order": weights scattered, padding dropped), windows that leave
     * more of the input unread than they pad gather it; s8 / s16 / int64
     * (split too), unsigned inputs and windows, serial and teams of 1-3 */
    memset(&st, 0, sizeof st);
    const uint64_t saved_rng3 = rng_state;
    int in_order = 0, gathered = 0, col_fail = 0;
    for (int i = 0; i < 60; ++i) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        d->batch = i % 7 == 0 ? 3 : 1;
        d->ksize = rnd_int(1, 9);
        d->pad = i % 4 == 3 ? 0 : rnd_int(0, d->ksize - 1);
        d->stride = rnd_int(1, 12);
        /* h + 2 pad - ksize in 0 .. stride - 1: one output row (and column) */
        const int lo = d->ksize - 2 * d->pad;
        d->h = rnd_int(lo > 1 ? lo : 1, lo + d->stride - 1 > 1 ? lo + d->stride - 1 : 1);
        d->w = rnd_int(lo > 1 ? lo : 1, lo + d->stride - 1 > 1 ? lo + d->stride - 1 : 1);
        if (d->h + 2 * d->pad < d->ksize || d->w + 2 * d->pad < d->ksize) d->pad = d->ksize; /* still 1x1 below */
        d->stride = d->h + 2 * d->pad - d->ksize + 1 > d->stride ? d->h + 2 * d->pad - d->ksize + 1 : d->stride;
        if (d->w + 2 * d->pad - d->ksize + 1 > d->stride) d->stride = d->w + 2 * d->pad - d->ksize + 1;
        d->c = rnd_int(1, 70);
        d->m = rnd_int(1, 45);
        qcase_geometry(d);
        const int bits = i % 4;
        d->w_bits = bits == 0 ? 8 : bits == 1 ? rnd_int(2, 8) : 16;
        d->a_bits = bits == 0 ? 8 : bits == 1 ? 12 : bits == 2 ? 16 : rnd_int(9, 15);
        d->o_bits = rnd_int(2, 16);
        d->act = rnd_int(0, 2);
        d->in_unsigned = d->a_bits <= 15 && i % 3 == 1;
        d->shift = rnd_shift(d, d->c * d->ksize * d->ksize) + d->in_unsigned;
        qcase_alloc(&q, i % 5 == 4 ? 1 + i % 2 : 0, bits >= 2 ? (int64_t)1 << 35 : 1 << 20);
        if (d->a_bits <= 15 && i % 6 == 5) { /* a window: codes anywhere in it, ends included */
            d->in_unsigned = 0, d->in_window = 1, d->in_lo = -rnd_int(0, (1 << d->a_bits) - 1);
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t k = 0; k < nin; ++k)
                q.in[k] = (int16_t)(d->in_lo + (k % 5 == 0 ? 0 : k % 5 == 1 ? (1 << d->a_bits) - 1
                                                             : rnd_int(0, (1 << d->a_bits) - 1)));
        }
        if (d->out_h != 1 || d->out_w != 1) {
            col_fail++;
            snprintf(st.first_fail, sizeof st.first_fail, "case %d is %dx%d, not one column", i, d->out_h, d->out_w);
            qcase_free(&q);
            continue;
        }
        const int ok = qcase_check(&q, desc, sizeof desc, why, sizeof why);
        tally(&st, desc, ok, why);
        in_order += strstr(desc, "in-order") != NULL;
        gathered += strstr(desc, "gemv") && !strstr(desc, "in-order");
        if (d->batch == 1 && !qcase_check_member(&q, 1 + i % 3, desc, sizeof desc, why, sizeof why) && !col_fail++)
            snprintf(st.first_fail, sizeof st.first_fail, "%s", why);
        qcase_free(&q);
    }
    omp_set_num_threads(maxth);
    rng_state = saved_rng3;
    snprintf(name, sizeof name, "qconv.%s.one_column_in_order", isa);
    printf("# %s: %d cases, in-order %d, gathered %d, s8 %d i64 %d split %d\n", name, st.cases, in_order, gathered,
           st.s8, st.i64, st.split);
    FXQ_CHECK(name, st.fails == 0 && !col_fail && (in_order > 10 || !strstr(isa, "avx512vnni")),
              "%d/%d failed, %d team/shape failures (in-order %d): %s", st.fails, st.cases, col_fail, in_order,
              st.first_fail);

    /* 11. the one-pass im2col + pack (" gather": 8-bit B, every tile within
     * 128 bytes of the image): small images of every stride 1..4 and pad,
     * out_w off the tile, fmnist's 28/13/11-wide layers, signed / unsigned /
     * window inputs, serial (batch 1 and 3) and teams of 1-3 */
    memset(&st, 0, sizeof st);
    const uint64_t saved_rng4 = rng_state;
    int gathered_b = 0, gteam_fail = 0;
    for (int i = 0; i < 80; ++i) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        static const int fm[][7] = {{3, 28, 28, 64, 3, 1, 0}, {32, 13, 13, 64, 3, 1, 0}, {64, 11, 11, 64, 3, 1, 0}};
        if (i < 3) {
            d->c = fm[i][0], d->h = fm[i][1], d->w = fm[i][2], d->m = fm[i][3];
            d->ksize = fm[i][4], d->stride = fm[i][5], d->pad = fm[i][6];
        } else {
            d->ksize = rnd_int(1, 5), d->stride = rnd_int(1, 4), d->pad = rnd_int(0, d->ksize - 1);
            d->h = rnd_int(d->ksize, 30), d->w = rnd_int(d->ksize, 30);
            d->c = rnd_int(1, 24), d->m = rnd_int(1, 40);
        }
        d->batch = i % 9 == 8 ? 3 : 1;
        qcase_geometry(d);
        d->w_bits = rnd_int(2, 8), d->a_bits = rnd_int(2, 8), d->o_bits = rnd_int(2, 16);
        d->act = rnd_int(0, 2);
        d->in_unsigned = i % 3 == 1;
        d->shift = rnd_shift(d, d->c * d->ksize * d->ksize) + d->in_unsigned;
        qcase_alloc(&q, i % 7 == 6 ? 1 + i % 2 : 0, 1 << 20);
        if (i % 5 == 4) { /* a window */
            d->in_unsigned = 0, d->in_window = 1, d->in_lo = -rnd_int(0, (1 << d->a_bits) - 1);
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t k = 0; k < nin; ++k) q.in[k] = (int16_t)(d->in_lo + rnd_int(0, (1 << d->a_bits) - 1));
        }
        tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
        gathered_b += strstr(desc, " gather") != NULL;
        if (d->batch == 1 && !qcase_check_member(&q, 1 + i % 3, desc, sizeof desc, why, sizeof why) && !gteam_fail++ &&
            !st.fails)
            snprintf(st.first_fail, sizeof st.first_fail, "%s", why);
        qcase_free(&q);
    }
    omp_set_num_threads(maxth);
    rng_state = saved_rng4;
    const fxq_kernel_set *gks = fxq_kernel_set_find(isa);
    const int want_gather = gks->pack_gather && fxq_cpu_has(gks->pack_gather_features);
    snprintf(name, sizeof name, "qconv.%s.im2col_pack_one_pass", isa);
    printf("# %s: %d cases, gather %d, s8 %d\n", name, st.cases, gathered_b, st.s8);
    FXQ_CHECK(name, st.fails == 0 && !gteam_fail && (gathered_b > 10 || !want_gather),
              "%d/%d failed, team %d (gather %d): %s", st.fails, st.cases, gteam_fail, gathered_b, st.first_fail);
}

/* The plan with the 2x2 / 2 max pool fused (fxq_qconv_member_opts.pool2)
 * on a team of nth, fixed or dynamic shares, vs the reference's outputs
 * max-pooled; 1 if equal (or the plan has no fused pool: *used 0). */
static int dconv_pool2_check(qcase *q, int nth, int dynamic, int *used, char *why, size_t why_len)
{
    const fxq_qconv_desc *d = &q->d;
    const size_t nout = (size_t)d->m * d->out_h * d->out_w;
    const int ph = d->out_h / 2, pw = d->out_w / 2;
    char desc[192];
    omp_set_num_threads(nth);
    fxq_qconv_plan *p = qcase_plan(q, nout, desc, sizeof desc, why, why_len);
    if (!p) return 0;
    *used = fxq_qconv_plan_pool2(p);
    if (!*used) {
        fxq_qconv_plan_free(p);
        return 1;
    }
    const fxq_qconv_member_opts o = {2, dynamic, NULL, NULL, 1};
    for (int rep = 0; rep < 2; ++rep) {
        fxq_qconv_member_arm(p);
#pragma omp parallel num_threads(nth)
        fxq_qconv_run_member_ex(p, q->in, q->got, omp_get_thread_num(), omp_get_num_threads(), &o);
    }
    fxq_qconv_plan_free(p);
    for (int m = 0; m < d->m; ++m)
        for (int y = 0; y < ph; ++y)
            for (int x = 0; x < pw; ++x) {
                const int16_t *r = q->want + ((size_t)m * d->out_h + 2 * y) * d->out_w + 2 * x;
                int16_t best = r[0];
                if (r[1] > best) best = r[1];
                if (r[d->out_w] > best) best = r[d->out_w];
                if (r[d->out_w + 1] > best) best = r[d->out_w + 1];
                const int16_t got = q->got[((size_t)m * ph + y) * pw + x];
                if (got != best) {
                    snprintf(why, why_len, "[%s] pool2 team of %d%s: m %d (%d, %d) = %d, ref %d (c=%d h=%d w=%d m=%d k=%d)",
                             desc, nth, dynamic ? " dynamic" : "", m, y, x, got, best, d->c, d->h, d->w, d->m, d->ksize);
                    return 0;
                }
            }
    return 1;
}

/* The direct convolution (" direct": small-K stride-1 s8 layers, the
 * kernel set's s8_dconv where the CPU runs it): first layers -- 1..3
 * channels 2x2..5x5, K <= 32 -- of odd and round sizes (out_w off and on
 * 16, 64..140 and a 416-wide one; 32-wide ones stay on the GEMM), every pad, 1..40 filters (off 16), 2..8-bit
 * weights and inputs, 2..16-bit outputs, every activation, signed /
 * unsigned / window inputs, output windows, per-row shifts, all-minimum
 * operands and large biases (the plan's int32 bound), batch 1 and 3,
 * serial and teams of 1-3, and the fused 2x2 / 2 max pool on teams of
 * 1-3 (fixed and dynamic shares) vs the reference pooled; plus a case
 * outside the kernel's domain (a left shift) that must fall back. */
static void run_dconv(const char *isa, int maxth)
{
    char name[128], desc[192] = "", why[512] = "";
    stats st;
    memset(&st, 0, sizeof st);
    qcase q;
    memset(&q, 0, sizeof q);
    int direct = 0, team_fail = 0, fallback_ok = 1, pooled = 0;
    const uint64_t saved_rng = rng_state; /* the later sets' cases as without this section */
    static const int ks_c[][2] = {{3, 3}, {3, 3}, {3, 1}, {2, 8}, {2, 3}, {4, 2}, {5, 1}, {3, 2}};
    for (int i = 0; i < 70; ++i) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        const int *kc = ks_c[i % 8];
        d->ksize = kc[0], d->c = rnd_int(1, kc[1]), d->stride = 1, d->pad = rnd_int(0, d->ksize - 1);
        /* rows of 64 outputs and more (the plan's bound), and some narrow ones (GEMM) */
        d->h = i == 0 ? 60 : rnd_int(d->ksize, 30), d->w = i == 0 ? 416 : i % 5 == 1 ? 32 : rnd_int(d->ksize + 63, 140);
        if (i % 2 == 0) { /* even outputs: the fused pool can run */
            d->h += (d->h + 2 * d->pad - d->ksize + 1) % 2;
            d->w += (d->w + 2 * d->pad - d->ksize + 1) % 2;
        }
        d->m = i % 4 == 0 ? 16 : i % 4 == 1 ? 32 : rnd_int(1, 40);
        d->batch = i % 9 == 8 ? 3 : 1;
        qcase_geometry(d);
        d->w_bits = rnd_int(2, 8), d->a_bits = rnd_int(2, 8), d->o_bits = rnd_int(2, 16);
        d->act = i < 3 ? FXQ_ACT_LEAKY : rnd_int(0, 2);
        d->in_unsigned = i % 3 == 1;
        const int K = d->c * d->ksize * d->ksize;
        d->shift = rnd_shift(d, K) + d->in_unsigned;
        if (d->shift < 1) d->shift = 1; /* the kernel's domain; the fallback below */
        if (d->shift > 31) d->shift = 31;
        const int fill = i % 11 == 10 ? 1 : i % 11 == 9 ? 2 : 0;
        qcase_alloc(&q, fill, i % 6 == 5 ? (int64_t)1 << 28 : 1 << 16);
        if (i % 5 == 4) { /* a window */
            d->in_unsigned = 0, d->in_window = 1, d->in_lo = -rnd_int(0, (1 << d->a_bits) - 1);
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t k = 0; k < nin; ++k)
                q.in[k] = (int16_t)(d->in_lo + (fill ? (fill == 1 ? 0 : (1 << d->a_bits) - 1)
                                                     : rnd_int(0, (1 << d->a_bits) - 1)));
        }
        if (i % 7 == 3) {
            d->out_window = 1;
            d->o_bits = d->o_bits > 15 ? 15 : d->o_bits;
            d->out_lo = -rnd_int(0, (1 << d->o_bits) - 1);
        }
        if (i % 4 == 2) { /* per-row shifts within 1..31 */
            qcase_row_shifts(&q);
            for (int m = 0; m < d->m; ++m) q.rs[m] = q.rs[m] < 1 ? 1 : q.rs[m] > 31 ? 31 : q.rs[m];
        }
        tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
        direct += strstr(desc, " direct") != NULL;
        if (d->batch == 1 && !qcase_check_member(&q, 1 + i % 3, desc, sizeof desc, why, sizeof why) && !team_fail++ &&
            !st.fails)
            snprintf(st.first_fail, sizeof st.first_fail, "%s", why);
        int used = 0;
        if (d->batch == 1 && d->out_h % 2 == 0 && d->out_w % 2 == 0 && d->out_h >= 2) {
            if (!dconv_pool2_check(&q, 1 + (i / 2) % 3, i % 4 == 3, &used, why, sizeof why) && !team_fail++ && !st.fails)
                snprintf(st.first_fail, sizeof st.first_fail, "%s", why);
            pooled += used;
        }
        if (i == 20) { /* the same layer with a left shift: not the kernel's domain */
            d->row_shift = NULL, d->shift = 0;
            tally(&st, desc, qcase_check(&q, desc, sizeof desc, why, sizeof why), why);
            fallback_ok = strstr(desc, " direct") == NULL;
        }
        qcase_free(&q);
    }
    omp_set_num_threads(maxth);
    rng_state = saved_rng;
    const fxq_kernel_set *ks = fxq_kernel_set_find(isa);
    const int want = ks->s8_dconv && fxq_cpu_has(ks->dconv_features), want_pool = want && ks->s8_dconv_pool;
    snprintf(name, sizeof name, "qconv.%s.direct_conv", isa);
    printf("# %s: %d cases, direct %d, pooled %d, s8 %d\n", name, st.cases, direct, pooled, st.s8);
    FXQ_CHECK(name, st.fails == 0 && !team_fail && fallback_ok && (want ? direct > 30 : direct == 0) &&
                  (want_pool ? pooled > 10 : pooled == 0),
              "%d/%d failed, team %d, direct %d (want %d), pooled %d, fallback %d: %s", st.fails, st.cases, team_fail,
              direct, want, pooled, fallback_ok, st.first_fail);
}

/* Every section on one kernel set (qcase_each_set; FXQ_QCONV_SETS="a b"
 * limits the sets: tests/arm/run.sh runs the NEON ones under qemu, where
 * all of them would take too long). */
static void run_set(const fxq_kernel_set *ks)
{
    run_isa(ks->name);
    run_unsigned_rows(ks);
    run_windows(ks);
    if (ks->s8) run_dconv(ks->name, omp_get_max_threads());
    if (ks->s8_pair_limit) run_pair_limit(ks);
}

int main(void)
{
    qcase_each_set("", run_set);

    /* requant: left shifts by >= o_bits saturate every nonzero acc (the
     * contract); checked here against the contract directly. */
    {
        qcase q;
        memset(&q, 0, sizeof q);
        int ok = 1;
        char why[512] = "";
        for (int o = 2; o <= 16 && ok; o += 7) {
            fxq_qconv_desc *d = &q.d;
            memset(d, 0, sizeof *d);
            d->batch = 1, d->c = 1, d->h = 1, d->w = 3, d->ksize = 1, d->stride = 1, d->m = 1;
            qcase_geometry(d);
            d->w_bits = d->a_bits = 8, d->o_bits = o, d->shift = -o - 3, d->act = FXQ_ACT_LINEAR;
            qcase_alloc(&q, 0, 0);
            q.w[0] = 1;
            q.in[0] = -1, q.in[1] = 1, q.in[2] = 0;
            fxq_qconv_plan *p = fxq_qconv_plan_create(d, q.w, q.bias, why, sizeof why);
            fxq_qconv_run(p, q.in, q.got);
            fxq_qconv_plan_free(p);
            if (q.got[0] != fxq_code_min(o) || q.got[1] != fxq_code_max(o) || q.got[2] != 0) {
                ok = 0;
                snprintf(why, sizeof why, "o_bits %d shift %d: acc -1 -> %d, 1 -> %d, 0 -> %d", o, d->shift,
                         q.got[0], q.got[1], q.got[2]);
            }
            qcase_free(&q);
        }
        FXQ_CHECK("requant.left_shift_ge_obits", ok, "%s", why);
        const int64_t r = fxq_requant_ref(-1, -10, 8);
        if (r != -128)
            printf("# note: fxq_requant_ref(-1, -10, 8) = %lld, not saturated to -128 (reference bug for acc = -1 "
                   "and left shifts >= o_bits; kernels follow the documented contract)\n", (long long)r);
    }

    /* validation */
    {
        char why[256];
        int32_t w[27] = {0};
        int64_t b[1] = {0};
        fxq_qconv_desc d = {1, 3, 3, 3, 1, 3, 1, 0, 1, 1, 8, 8, 8, 4, FXQ_ACT_RELU, NULL, 0, 0, 0, 0, 0};
        fxq_qconv_plan *p = fxq_qconv_plan_create(&d, w, b, why, sizeof why);
        int ok = p != NULL;
        fxq_qconv_plan_free(p);
        fxq_qconv_desc bad = d;
        bad.out_h = 2;
        why[0] = 0;
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.w_bits = 17, why[0] = 0;
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.stride = 0, why[0] = 0;
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.in_unsigned = 1, bad.a_bits = 16, why[0] = 0; /* unsigned 16-bit codes do not fit int16 */
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.in_window = 1, bad.in_lo = 1, why[0] = 0; /* a window must hold 0 */
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.in_window = 1, bad.in_lo = -256, why[0] = 0;
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.out_window = 1, bad.out_lo = -24, bad.o_bits = 16, why[0] = 0; /* beyond int16 */
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        bad = d, bad.act = 7, why[0] = 0;
        ok &= fxq_qconv_plan_create(&bad, w, b, why, sizeof why) == NULL && why[0];
        w[5] = 200, why[0] = 0; /* outside 8 bits */
        ok &= fxq_qconv_plan_create(&d, w, b, why, sizeof why) == NULL && why[0];
        w[5] = 0, b[0] = (int64_t)1 << 62, why[0] = 0;
        ok &= fxq_qconv_plan_create(&d, w, b, why, sizeof why) == NULL && why[0];
        ok &= fxq_qconv_plan_create(NULL, w, b, why, sizeof why) == NULL;
        FXQ_CHECK("qconv.validation", ok, "a bad descriptor was accepted or gave no reason");
        FXQ_CHECK("qconv.force_isa_unknown", !fxq_qconv_force_isa("sse9") && fxq_qconv_force_isa(NULL), "accepted");
    }
    FXQ_TEST_END();
}
