/* fxq_qconv plans with few output positions (the small-P tiles: s8, and
 * s16 on the int32 path) vs the scalar reference fxq_qconv_ref, bit for
 * bit, serially, as a team's members and on the run's own team, on every
 * kernel set the host can run (FXQ_QCONV_SETS limits them, as in
 * test_qconv). */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_kernels.h"
#include "fxq_qconv.h"
#include "fxq_test.h"
#include "fxq_test_qcase.h"
#include "fxq_test_rng.h"

/* A few output positions (P = 2..36: the small-P tile where the set has
 * one -- s8, or s16 where 8-bit weights fail the pair rule -- the narrow
 * or the full tile past its bound) and large K: random
 * channels (not only multiples of 4), kernels, strides and paddings
 * (windows mostly in the border, as 7x7/s5/p4 on 5x5), m off the 64-row
 * tile, signed, unsigned and windowed inputs, extremes, per-row shifts,
 * batch 3; serial, a team's members (split by filters) and the run's own
 * team. Plus paper-cifar10's layer 5 itself (256 x 5x5 -> 128, 7x7/s5/p4,
 * P = 4). */
static void run_small_p(const fxq_kernel_set *ks)
{
    char name[128], desc[192] = "", why[512] = "";
    stats st;
    memset(&st, 0, sizeof st);
    int igemm = 0, team_fail = 0;
    qcase q;
    memset(&q, 0, sizeof q);
    const int maxth = omp_get_max_threads();
    for (int rep = 0; rep < 60; ++rep) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        static const int kss[] = {1, 2, 3, 5, 7};
        const int layer5 = rep < 2;
        d->batch = rep % 7 == 3 ? 3 : 1;
        d->ksize = layer5 ? 7 : kss[rnd() % 5];
        d->stride = layer5 ? 5 : rnd_int(1, 5);
        d->pad = layer5 ? 4 : rnd_int(0, d->ksize);
        const int ohw = rep % 5 == 4 ? 6 : 4; /* P up to 36: both sides of the set's bound */
        const int oh = layer5 ? 2 : rnd_int(1, ohw), ow = layer5 ? 2 : (oh == 1 ? rnd_int(2, ohw) : rnd_int(1, ohw));
        d->h = (oh - 1) * d->stride + d->ksize - 2 * d->pad + (rnd() % 2 ? 0 : d->stride - 1);
        d->w = (ow - 1) * d->stride + d->ksize - 2 * d->pad;
        if (d->h < 1 || d->w < 1) d->pad = 0, d->h = (oh - 1) * d->stride + d->ksize, d->w = (ow - 1) * d->stride + d->ksize;
        if (layer5) d->h = d->w = 5;
        d->c = layer5 ? 256 : rnd() % 3 ? rnd_int(1, 300) : 4 * rnd_int(1, 64);
        d->m = layer5 ? 128 : rnd() % 2 ? rnd_int(1, 150) : 64 * rnd_int(1, 2) + rnd_int(-1, 1);
        qcase_geometry(d);
        while (!layer5 && (double)d->m * d->out_h * d->out_w * d->c * d->ksize * d->ksize > 3e6 && d->c > 1)
            d->c = d->c * 2 / 3;
        const int form = layer5 ? 0 : rep % 4; /* signed, unsigned, window, wider weights */
        d->w_bits = form == 3 ? rnd_int(2, 8) : 8;
        d->a_bits = form == 3 ? rnd_int(2, 8) : 8;
        d->o_bits = rnd_int(2, 16);
        d->act = rnd_int(0, 2);
        const int K = d->c * d->ksize * d->ksize;
        d->in_unsigned = form == 1;
        d->shift = rnd_shift(d, K) + d->in_unsigned;
        const int fill = rep % 9 == 4 ? 1 : rep % 9 == 7 ? 2 : 0;
        qcase_alloc(&q, fill, rep % 5 ? 1 << 20 : 1 << 28);
        if (form == 2) { /* a window of 256 codes, the inputs anywhere in it */
            d->in_window = 1, d->in_lo = rnd_window_lo(8);
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t i = 0; i < nin; ++i) q.in[i] = (int16_t)(d->in_lo + (fill ? 255 * (fill - 1) : rnd_int(0, 255)));
        }
        if (rep % 3 == 1) qcase_row_shifts(&q);
        omp_set_num_threads(1 + rep % 2 <= maxth ? 1 + rep % 2 : maxth);
        const int ok = qcase_check(&q, desc, sizeof desc, why, sizeof why);
        tally(&st, desc, ok, why);
        igemm += strstr(desc, "igemm") != NULL;
        if (d->batch == 1)
            qcase_member_tally(&q, 1 + rep % 3, desc, sizeof desc, &st, &team_fail);
        qcase_free(&q);
    }
    omp_set_num_threads(maxth);
    snprintf(name, sizeof name, "qconv.%s.small_p_large_k", ks->name);
    printf("# %s: %d cases, igemm %d, s8 %d, u-in %d, row-shift %d\n", name, st.cases, igemm, st.s8, st.uin, st.rows);
    FXQ_CHECK(name, st.fails == 0 && !team_fail && (igemm >= 20 || (!ks->s8_igemm && !ks->s16_igemm)),
              "%d/%d failed, team %d (igemm %d): %s", st.fails, st.cases, team_fail, igemm, st.first_fail);
}

/* The small-P tile on the s16 int32 path (sets with s16_igemm: AVX2, where
 * 8-bit layers whose weights use their range run on s16, and the portable
 * scalar set), vs the reference bit for bit, serially, as a team's members
 * and on the run's own team; and the accumulator rule it must keep:
 *   8/8 with full-range weights (the pair rule fails): paper-cifar10's
 *     layer 5 (256 x 5x5 -> 128, 7x7/s5/p4, P = 4) and random small-P
 *     shapes, odd channel counts (a zero channel pads the last pair);
 *   9..16-bit, unsigned and windowed inputs with small weights (int32);
 *   the int32 boundary itself: 64 channels, 3x3/p1 on 2..4 x 2..4, 16-bit
 *     inputs at their extremes and every |w| = 113 (576 * 113 * 2^15 +
 *     the bias < 2^31: int32, the largest sums the tile ever gets) or 114
 *     (over: int64, and no igemm).
 * Each plan is checked to take the tile exactly where the path is s16
 * int32, 2 <= P <= s16_igemm_max_p and the window is wider than 1x1. */
static void run_small_p_s16(const fxq_kernel_set *ks)
{
    char name[128], desc[192] = "", why[512] = "", bad[256] = "";
    stats st;
    memset(&st, 0, sizeof st);
    int igemm = 0, i64 = 0, team_fail = 0;
    qcase q;
    memset(&q, 0, sizeof q);
    const int maxth = omp_get_max_threads();
    for (int rep = 0; rep < 48; ++rep) {
        fxq_qconv_desc *d = &q.d;
        memset(d, 0, sizeof *d);
        const int kind = rep % 4, layer5 = rep < 2, edge = kind >= 2 && !layer5, over = kind == 3;
        d->batch = rep % 11 == 5 ? 3 : 1;
        if (layer5) {
            d->c = 256, d->h = d->w = 5, d->m = 128, d->ksize = 7, d->stride = 5, d->pad = 4;
        } else if (edge) {
            d->c = 64, d->h = rnd_int(2, 4), d->w = rnd_int(2, 4), d->m = rnd_int(1, 40);
            d->ksize = 3, d->stride = 1, d->pad = 1;
        } else {
            static const int kss[] = {1, 2, 3, 5, 7};
            d->ksize = kss[rnd() % 5], d->stride = rnd_int(1, 3), d->pad = rnd_int(0, d->ksize - 1);
            const int oh = rnd_int(1, 4), ow = oh == 1 ? rnd_int(2, 5) : rnd_int(1, 5);
            d->h = (oh - 1) * d->stride + d->ksize - 2 * d->pad, d->w = (ow - 1) * d->stride + d->ksize - 2 * d->pad;
            if (d->h < 1 || d->w < 1)
                d->pad = 0, d->h = (oh - 1) * d->stride + d->ksize, d->w = (ow - 1) * d->stride + d->ksize;
            d->c = rnd() % 2 ? 2 * rnd_int(1, 80) - 1 : rnd_int(1, 160);
            d->m = rnd() % 2 ? rnd_int(1, 70) : 16 * rnd_int(1, 4) + rnd_int(-1, 1);
        }
        qcase_geometry(d);
        const int K = d->c * d->ksize * d->ksize;
        d->w_bits = kind == 1 && !layer5 ? rnd_int(2, 5) : 8;
        d->a_bits = kind == 0 || layer5 ? 8 : edge ? 16 : rnd_int(9, 16);
        d->o_bits = rnd_int(2, 16);
        d->act = rnd_int(0, 2);
        d->in_unsigned = kind == 1 && d->a_bits <= 15 && rep % 3 == 0;
        d->shift = rnd_shift(d, K) + d->in_unsigned;
        const int fill = edge ? 1 + rep % 2 : rep % 9 == 4 ? 1 : rep % 9 == 7 ? 2 : 0;
        qcase_alloc(&q, fill, edge ? 1 << 20 : kind == 1 ? 1 << 24 : 1 << 28);
        if (edge) /* inputs all -32768 or all 32767 (fill), weights +-113 / 114 */
            for (int i = 0; i < d->m * K; ++i) q.w[i] = (over ? 114 : 113) * (rep % 8 < 4 || rnd() % 2 ? -1 : 1);
        if (kind == 1 && d->a_bits <= 15 && rep % 3 == 1) { /* a window, ends included */
            d->in_window = 1, d->in_lo = -rnd_int(0, (1 << d->a_bits) - 1);
            const size_t nin = (size_t)d->batch * d->c * d->h * d->w;
            for (size_t i = 0; i < nin; ++i)
                q.in[i] = (int16_t)(d->in_lo + (i % 7 == 0 ? 0 : i % 7 == 1 ? (1 << d->a_bits) - 1
                                                               : rnd_int(0, (1 << d->a_bits) - 1)));
        }
        if (rep % 3 == 2) qcase_row_shifts(&q);
        omp_set_num_threads(1 + rep % 2 <= maxth ? 1 + rep % 2 : maxth);
        const int ok = qcase_check(&q, desc, sizeof desc, why, sizeof why);
        tally(&st, desc, ok, why);
        const int P = d->out_h * d->out_w, ig = strstr(desc, ks->s16_igemm_name) != NULL;
        const int want = !strncmp(desc, "s16 int32", 9) && P >= 2 && P <= ks->s16_igemm_max_p && d->ksize > 1;
        igemm += ig;
        i64 += strstr(desc, "int64") != NULL;
        if (ok && !bad[0] && (ig != want || (edge && !strstr(desc, "int64") != !over) || (layer5 && !ig)))
            snprintf(bad, sizeof bad, "case %d (P %d, k %d, %d/%d bits%s): [%s]", rep, P, d->ksize, d->w_bits,
                     d->a_bits, edge ? (over ? ", over the int32 bound" : ", at the int32 bound") : "", desc);
        if (d->batch == 1)
            qcase_member_tally(&q, 1 + rep % 3, desc, sizeof desc, &st, &team_fail);
        qcase_free(&q);
    }
    omp_set_num_threads(maxth);
    snprintf(name, sizeof name, "qconv.%s.small_p_s16_int32_rule", ks->name);
    printf("# %s: %d cases, s16 igemm %d, int64 %d, row-shift %d\n", name, st.cases, igemm, i64, st.rows);
    FXQ_CHECK(name, st.fails == 0 && !team_fail && !bad[0] && igemm >= 16 && i64 >= 8,
              "%d/%d failed, team %d (igemm %d, int64 %d): %s %s", st.fails, st.cases, team_fail, igemm, i64,
              st.first_fail, bad);
}

static void run_set(const fxq_kernel_set *ks)
{
    run_small_p(ks);
    if (ks->s16_igemm) run_small_p_s16(ks);
}

int main(void)
{
    qcase_each_set(".small_p", run_set);
    FXQ_TEST_END();
}
