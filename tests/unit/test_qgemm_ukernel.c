/* Every kernel of every registered kernel set (fxq_kernels.h) vs its twin
 * in the set's .twin table: GEMM / GEMV microkernels on random packed panels
 * (full s8/u8/s16 ranges, so int32 lanes wrap: both sides must wrap
 * identically), every mr x nr tail, several kc, random requantization
 * parameters, uniform or per row; the data-movement and conversion kernels
 * on random shapes and encodings. Plus the scalar requantization vs
 * fxq_requant_ref + fxq_act_ref, and CPU detection vs the compiler's own
 * cpuid probe. Sets the host lacks are skipped; a new kernel is tested by
 * being registered. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "fxq_cpu.h"
#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"

static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

/* Requantization for accumulators of about 2^mag: mostly a shift that keeps
 * the outputs inside the o_bits range (so the sums matter bit for bit),
 * sometimes an extreme one (negative, or > 31). */
static void rnd_rq_mag(fxq_rq_params *p, int mag)
{
    const int o = rnd_int(2, 16);
    int shift;
    switch (rnd() % 6) {
    case 0: shift = rnd_int(-20, 0); break;
    case 1: shift = rnd_int(30, 70); break;
    default: shift = mag - (o - 1) + rnd_int(-2, 2); break;
    }
    fxq_rq_init(p, shift, o, rnd_int(0, 2));
}

/* rq[0..rows): one uniform set (per_row 0) or, one time in three, a
 * different shift (and o_bits) per row. */
static void rnd_rq_rows(fxq_rq_params *rq, int rows, int mag)
{
    rnd_rq_mag(rq, mag);
    if (rnd() % 3) return;
    for (int i = 0; i < rows; ++i) {
        rnd_rq_mag(rq + i, mag);
        rq[i].per_row = 1;
    }
}
static int ilog2(size_t v)
{
    int r = 0;
    while (((size_t)1 << r) < v) ++r;
    return r;
}

/* The reference requantization with the documented saturation for left
 * shifts (fxq_requant_ref misses it only for acc = -1, shift <= -o_bits). */
static int64_t contract_rq(int64_t acc, int shift, int o, int act)
{
    int64_t r = fxq_requant_ref(acc, shift, o);
    if (r < fxq_code_min(o)) r = fxq_code_min(o);
    return fxq_act_ref(r, act);
}

static void *xalloc(size_t n)
{
    void *p = calloc(1, n + 64);
    if (!p) exit(2);
    return p;
}

#define MAXK 4096 /* >= the largest kc below (500 * KR, KR <= 8) */

/* int32 kernels: simd vs twin */
static void check_i32(const char *name, fxq_gemm_i32_fn simd, fxq_gemm_i32_fn twin, int MR, int NR, int KR, int s8)
{
    const size_t abytes = (size_t)MR * 4 + (size_t)MAXK * MR * (s8 ? 1 : 2);
    const size_t bbytes = (size_t)MAXK * NR * (s8 ? 1 : 2);
    unsigned char *a = xalloc(abytes), *b = xalloc(bbytes);
    int16_t *c1 = xalloc(sizeof(int16_t) * MR * 40), *c2 = xalloc(sizeof(int16_t) * MR * 40);
    static const int kcs[] = {1, 2, 3, 5, 16, 17, 64, 129, 500};
    int cases = 0, fails = 0;
    char why[256] = "";
    for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ++ki)
        for (int mr = 1; mr <= MR; ++mr)
            for (int nr = 1; nr <= NR; nr += (nr < 4 || nr > NR - 3) ? 1 : 5) {
                const size_t kc = (size_t)kcs[ki] * KR;
                for (size_t i = 0; i < abytes; ++i) a[i] = (unsigned char)rnd();
                for (size_t i = 0; i < bbytes; ++i) b[i] = (unsigned char)rnd();
                if (rnd() % 4 == 0) /* extremes: all weights/inputs at the minimum */
                    for (size_t i = (size_t)MR * 4; i < abytes; ++i) a[i] = s8 ? 0x80 : (i & 1 ? 0x80 : 0);
                if (rnd() % 4 == 0) { /* u8 B's minimum 0, or s8 B's -128 (NEON sets) */
                    const unsigned char bmin = s8 && rnd() % 2 ? 0x80 : 0;
                    for (size_t i = 0; i < bbytes; ++i) b[i] = s8 ? bmin : (i & 1 ? 0x80 : 0);
                }
                if (rnd() % 2) /* small biases, so the sums decide the outputs */
                    for (int i = 0; i < MR; ++i) {
                        const int32_t v = (int32_t)(rnd() % 2001) - 1000;
                        memcpy(a + 4 * i, &v, 4);
                    }
                fxq_rq_params rq[16];
                rnd_rq_rows(rq, MR, (s8 ? 15 : 30) + ilog2(kc) / 2);
                memset(c1, 0x11, sizeof(int16_t) * MR * 40);
                memset(c2, 0x11, sizeof(int16_t) * MR * 40);
                simd((size_t)mr, (size_t)nr, kc, a, b, c1, 40, rq);
                twin((size_t)mr, (size_t)nr, kc, a, b, c2, 40, rq);
                ++cases;
                if (memcmp(c1, c2, sizeof(int16_t) * MR * 40)) {
                    if (!fails++) {
                        int i = 0;
                        while (c1[i] == c2[i]) ++i;
                        snprintf(why, sizeof why, "mr=%d nr=%d kc=%zu: c[%d][%d] %d vs twin %d", mr, nr, kc, i / 40,
                                 i % 40, c1[i], c2[i]);
                    }
                }
            }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
    free(a), free(b), free(c1), free(c2);
}

/* The small-P indirect tiles (s8_igemm, s16_igemm): random panels (full
 * s8 / s16 weights, full-range int32 biases, so lanes wrap), the
 * positions' k-groups read from a random image at random bases and group
 * offsets (repeated and overlapping ones too, as real windows; multiples
 * of 4 bytes for s16, as the plans' are), every nr and mr tail, kc from
 * one group to K = 12544 (paper-cifar10's 7x7 x 256), extremes (s8: -128
 * weights against B 255 or 0; s16: -32768 weights against -32768 or
 * 32767 codes, where vpmaddwd's pair of 2^30 products wraps), random
 * requantization, uniform or per row. */
static void check_igemm(const char *name, fxq_igemm_fn simd, fxq_igemm_fn twin, int MR, int NR, int s16)
{
    enum { IMG = 16384, GMAX = 6272 };
    const size_t abytes = (size_t)MR * 4 + (size_t)GMAX * MR * 4;
    const int kr = s16 ? 2 : 4, align = s16 ? 4 : 1;
    unsigned char *a = xalloc(abytes), *img = xalloc(IMG);
    int32_t *off = xalloc(sizeof(int32_t) * GMAX);
    int16_t *c1 = xalloc(sizeof(int16_t) * MR * 8), *c2 = xalloc(sizeof(int16_t) * MR * 8);
    static const int gs[] = {1, 2, 3, 7, 64, 129, 3136, GMAX};
    int cases = 0, fails = 0;
    char why[256] = "";
    for (size_t gi = 0; gi < sizeof gs / sizeof gs[0]; ++gi) {
        if (gs[gi] * kr > 12544) continue;
        for (int mr = 1; mr <= MR; mr += mr < 3 || mr > MR - 3 ? 1 : rnd_int(1, 13))
            for (int nr = 1; nr <= NR; ++nr) {
                const size_t groups = (size_t)gs[gi], used = (size_t)MR * 4 * (groups + 1);
                const int ext = rnd() % 4 == 0;
                for (size_t i = 0; i < used; ++i) a[i] = (unsigned char)rnd();
                if (ext) /* s8 -128, s16 -32768 (little-endian 0x00 0x80) */
                    for (size_t i = (size_t)MR * 4; i < used; ++i) a[i] = s16 && i % 2 == 0 ? 0 : 0x80;
                if (rnd() % 2) /* small biases, so the sums decide the outputs */
                    for (int i = 0; i < MR; ++i) {
                        const int32_t v = (int32_t)(rnd() % 2001) - 1000;
                        memcpy(a + 4 * i, &v, 4);
                    }
                const int high = rnd() % 2; /* s8 B 255 / 0; s16 32767 / -32768 */
                for (size_t i = 0; i < IMG; ++i)
                    img[i] = !ext ? (unsigned char)rnd()
                             : s16 ? (unsigned char)(i % 2 ? (high ? 0x7f : 0x80) : (high ? 0xff : 0))
                                   : (unsigned char)(high ? 255 : 0);
                const int span = rnd() % 2 ? 64 : IMG - 1024; /* dense or scattered groups */
                for (size_t g = 0; g < groups; ++g) off[g] = rnd_int(0, span) / align * align;
                const unsigned char *x[4];
                for (int n = 0; n < 4; ++n) x[n] = img + (n < nr ? rnd_int(0, 900) / align * align : 0);
                fxq_rq_params rq[64];
                rnd_rq_rows(rq, MR, (s16 ? 30 : 15) + ilog2(groups * kr) / 2);
                memset(c1, 0x11, sizeof(int16_t) * MR * 8);
                memset(c2, 0x11, sizeof(int16_t) * MR * 8);
                simd((size_t)mr, (size_t)nr, groups, a, x, off, c1, 8, rq);
                twin((size_t)mr, (size_t)nr, groups, a, x, off, c2, 8, rq);
                ++cases;
                if (memcmp(c1, c2, sizeof(int16_t) * MR * 8) && !fails++) {
                    int i = 0;
                    while (c1[i] == c2[i]) ++i;
                    snprintf(why, sizeof why, "mr=%d nr=%d groups=%zu: c[%d][%d] %d vs twin %d", mr, nr, groups,
                             i / 8, i % 8, c1[i], c2[i]);
                }
            }
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
    free(a), free(img), free(off), free(c1), free(c2);
}

static void check_i64(const char *name, fxq_gemm_i64_fn simd, fxq_gemm_i64_fn twin, int MR, int NR)
{
    int16_t *a = xalloc(sizeof(int16_t) * MAXK * MR), *b = xalloc(sizeof(int16_t) * MAXK * NR);
    int64_t *acc1 = xalloc(sizeof(int64_t) * MR * NR), *acc2 = xalloc(sizeof(int64_t) * MR * NR);
    static const int kcs[] = {1, 2, 7, 64, 256};
    int cases = 0, fails = 0;
    for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ++ki)
        for (int ls = 0; ls <= 8; ls += 8)
            for (int rep = 0; rep < 4; ++rep) {
                for (int i = 0; i < MAXK * MR; ++i) a[i] = rep == 0 ? INT16_MIN : (int16_t)rnd();
                for (int i = 0; i < MAXK * NR; ++i) b[i] = rep == 0 ? INT16_MIN : (int16_t)rnd();
                for (int i = 0; i < MR * NR; ++i) acc1[i] = acc2[i] = (int64_t)(rnd() >> 4) - ((int64_t)1 << 59);
                simd((size_t)kcs[ki] * 2, a, b, acc1, ls);
                twin((size_t)kcs[ki] * 2, a, b, acc2, ls);
                ++cases;
                fails += memcmp(acc1, acc2, sizeof(int64_t) * MR * NR) != 0;
            }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
    free(a), free(b), free(acc1), free(acc2);
}

/* The split single-chunk int64 tile (s16_split): int64 biases up to 2^50,
 * full-range s16 weights, high bytes -128..127 and low bytes 0..255 (or
 * the extremes), random and per-row requantization, every mr / nr. */
static void check_split(const char *name, fxq_gemm_i32_fn simd, fxq_gemm_i32_fn twin, int MR, int NR)
{
    enum { KMAX = 300 };
    int64_t *a64 = xalloc((size_t)MR * 8 + (size_t)KMAX * MR * 2);
    int16_t *w = (int16_t *)(a64 + MR), *b = xalloc(sizeof(int16_t) * 2 * KMAX * NR);
    int16_t *c1 = xalloc(sizeof(int16_t) * MR * 40), *c2 = xalloc(sizeof(int16_t) * MR * 40);
    static const int kcs[] = {2, 4, 28, 144, 300};
    int cases = 0, fails = 0;
    char why[160] = "";
    for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ++ki)
        for (int mr = 1; mr <= MR; mr += mr < 2 ? 1 : 3)
            for (int nr = 1; nr <= NR; nr += nr < 3 ? 1 : 7) {
                const size_t kc = (size_t)kcs[ki];
                const int ext = rnd() % 4 == 0;
                for (int i = 0; i < MR; ++i) a64[i] = (int64_t)(rnd() % ((uint64_t)1 << 51)) - ((int64_t)1 << 50);
                for (size_t i = 0; i < kc * MR; ++i) w[i] = ext ? INT16_MIN : (int16_t)rnd();
                for (size_t i = 0; i < kc * NR; ++i) {
                    b[i] = (int16_t)(ext ? -128 : (int)(rnd() % 256) - 128);       /* high bytes */
                    b[kc * NR + i] = (int16_t)(ext ? 255 : (int)(rnd() % 256)); /* low bytes */
                }
                fxq_rq_params rq[16];
                rnd_rq_rows(rq, MR, 40);
                memset(c1, 0x11, sizeof(int16_t) * MR * 40), memset(c2, 0x11, sizeof(int16_t) * MR * 40);
                simd((size_t)mr, (size_t)nr, kc, a64, b, c1, 40, rq);
                twin((size_t)mr, (size_t)nr, kc, a64, b, c2, 40, rq);
                ++cases;
                if (memcmp(c1, c2, sizeof(int16_t) * MR * 40) && !fails++)
                    snprintf(why, sizeof why, "mr=%d nr=%d kc=%zu", mr, nr, kc);
            }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
    free(a64), free(b), free(c1), free(c2);
}

static void check_gemv(const char *name, fxq_gemv_fn simd, fxq_gemv_fn twin, int s8)
{
    const int step = s8 ? 64 : 32, es = s8 ? 1 : 2;
    static const int kcs[] = {1, 2, 3, 10, 49};
    int cases = 0, fails = 0;
    char why[256] = "";
    for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ++ki)
        for (int mr = 1; mr <= 16; ++mr) {
            const size_t kc = (size_t)kcs[ki] * step;
            unsigned char *w = xalloc(16 * kc * es), *x = xalloc(kc * es);
            int32_t bias[16];
            for (size_t i = 0; i < 16 * kc * es; ++i) w[i] = (unsigned char)rnd();
            for (size_t i = 0; i < kc * es; ++i) x[i] = (unsigned char)rnd();
            if (mr % 5 == 0) { /* extremes */
                for (size_t i = 0; i < 16 * kc * es; ++i) w[i] = s8 ? 0x80 : (i & 1 ? 0x80 : 0);
                for (size_t i = 0; i < kc * es; ++i) x[i] = s8 ? (mr % 2 ? 0x80 : 0) : (i & 1 ? 0x80 : 0);
            }
            for (int i = 0; i < 16; ++i) bias[i] = mr % 2 ? (int32_t)rnd() : (int32_t)(rnd() % 2001) - 1000;
            fxq_rq_params rq[16];
            rnd_rq_rows(rq, 16, (s8 ? 15 : 30) + ilog2(kc) / 2);
            int16_t c1[16], c2[16];
            memset(c1, 0x22, sizeof c1), memset(c2, 0x22, sizeof c2);
            simd((size_t)mr, kc, w, bias, x, c1, rq);
            twin((size_t)mr, kc, w, bias, x, c2, rq);
            ++cases;
            if (memcmp(c1, c2, sizeof c1) && !fails++) {
                int i = 0;
                while (c1[i] == c2[i]) ++i;
                snprintf(why, sizeof why, "mr=%d kc=%zu: c[%d] %d vs twin %d", mr, kc, i, c1[i], c2[i]);
            }
            free(w), free(x);
        }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
}

/* int64 GEMV vs its (exact int64) twin, inputs inside the plan's chunk bound:
 * split: x = 256 * xh + xl, xh in s8, xl in u8, chunk <= 256; else x in s8,
 * chunk <= 480 (480 * 2^15 * 2^7 < 2^31). */
static void check_gemv_i64(const char *name, fxq_gemv_i64_fn simd, fxq_gemv_i64_fn twin)
{
    static const int kcs[] = {1, 2, 7, 15, 40};
    int cases = 0, fails = 0;
    char why[256] = "";
    for (int split = 0; split < 2; ++split)
        for (size_t ki = 0; ki < sizeof kcs / sizeof kcs[0]; ++ki)
            for (int mr = 1; mr <= 16; mr += 3) {
                const size_t kc = (size_t)kcs[ki] * 32, chunk = split ? (mr % 2 ? 256 : 64) : (mr % 2 ? 480 : 32);
                int16_t *w = xalloc(16 * kc * 2), *xh = xalloc(kc * 2), *xl = xalloc(kc * 2);
                const int ext = mr % 4 == 0;
                for (size_t i = 0; i < 16 * kc; ++i) w[i] = ext ? INT16_MIN : (int16_t)rnd();
                for (size_t i = 0; i < kc; ++i) {
                    xh[i] = ext ? -128 : (int16_t)(int8_t)rnd();
                    xl[i] = ext ? (split ? 255 : 0) : (int16_t)(rnd() & 0xff);
                }
                int64_t bias[16];
                for (int i = 0; i < 16; ++i) bias[i] = mr % 3 ? (int64_t)(rnd() % 2001) - 1000 : (int64_t)(rnd() >> 20) - ((int64_t)1 << 43);
                fxq_rq_params rq[16];
                rnd_rq_rows(rq, 16, (split ? 30 : 22) + ilog2(kc) / 2);
                int16_t c1[16], c2[16];
                memset(c1, 0x33, sizeof c1), memset(c2, 0x33, sizeof c2);
                simd((size_t)mr, kc, chunk, w, bias, xh, split ? xl : NULL, c1, rq);
                twin((size_t)mr, kc, chunk, w, bias, xh, split ? xl : NULL, c2, rq);
                ++cases;
                if (memcmp(c1, c2, sizeof c1) && !fails++) {
                    int i = 0;
                    while (c1[i] == c2[i]) ++i;
                    snprintf(why, sizeof why, "split %d mr=%d kc=%zu chunk %zu: c[%d] %d vs twin %d", split, mr, kc,
                             chunk, i, c1[i], c2[i]);
                }
                free(w), free(xh), free(xl);
            }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
}

static void check_rq64(const char *name, fxq_rq_i64_fn simd, fxq_rq_i64_fn twin)
{
    enum { R = 8, C = 37 };
    int64_t acc[R * C];
    int16_t c1[R * C], c2[R * C];
    int cases = 0, fails = 0;
    for (int rep = 0; rep < 400; ++rep) {
        const int mag = rnd_int(1, 61);
        for (int i = 0; i < R * C; ++i) {
            const int64_t v = (int64_t)(rnd() & (((uint64_t)1 << mag) - 1));
            acc[i] = rnd() % 2 ? -v : v;
        }
        fxq_rq_params rq[R];
        rnd_rq_rows(rq, R, rnd_int(8, 29));
        const size_t mr = (size_t)rnd_int(1, R), nr = (size_t)rnd_int(1, C);
        memset(c1, 0, sizeof c1), memset(c2, 0, sizeof c2);
        simd(mr, nr, acc, C, c1, C, rq);
        twin(mr, nr, acc, C, c2, C, rq);
        ++cases;
        fails += memcmp(c1, c2, sizeof c1) != 0;
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
}

static void check_requant_scalar(void)
{
    int cases = 0, fails = 0;
    char why[256] = "";
    int64_t vals[200];
    int nv = 0;
    vals[nv++] = 0;
    for (int k = 0; k < 62; k += 3) {
        const int64_t p = (int64_t)1 << k;
        vals[nv++] = p, vals[nv++] = -p, vals[nv++] = p + 1, vals[nv++] = -p - 1, vals[nv++] = p - 1,
        vals[nv++] = -(p - 1);
        vals[nv++] = p + (p >> 1), vals[nv++] = -(p + (p >> 1)); /* exact halves */
    }
    while (nv < 200) vals[nv++] = (int64_t)(rnd() >> (rnd() % 40 + 3)) * (rnd() % 2 ? 1 : -1);
    for (int o = 2; o <= 16; ++o)
        for (int shift = -20; shift <= 70; ++shift)
            for (int act = 0; act < 3; ++act) {
                fxq_rq_params rq;
                fxq_rq_init(&rq, shift, o, act);
                for (int i = 0; i < nv; ++i) {
                    const int64_t want = contract_rq(vals[i], shift, o, act), got = fxq_rq_apply(vals[i], &rq);
                    ++cases;
                    if (got != want && !fails++)
                        snprintf(why, sizeof why, "acc %lld shift %d o %d act %d: %lld, want %lld", (long long)vals[i],
                                 shift, o, act, (long long)got, (long long)want);
                }
            }
    FXQ_CHECK("requant.scalar_vs_ref", fails == 0, "%d/%d differ: %s", fails, cases, why);
}

/* Input conversion: random shapes, strides, pads, all three B encodings
 * and zero-point windows (lo8 = -off8: -255, -1, random). */
static void check_convert(const char *name, fxq_convert_plane_fn simd, fxq_convert_plane_fn twin)
{
    int enc[6][2] = {{-128, 128}, {0, 0}, {-128, 0}, {-255, 255}, {-1, 1}, {0, 0}};
    int cases = 0, fails = 0;
    char why[256] = "";
    for (int rep = 0; rep < 300; ++rep) {
        const int h = rnd_int(1, 9), w = rnd_int(1, 70), st = rnd_int(1, 4), pad = rnd_int(0, 3);
        const int esz = rnd_int(1, 2), e = rnd_int(0, 5);
        enc[5][0] = -rnd_int(1, 254), enc[5][1] = -enc[5][0];
        const int hs = (h + 2 * pad + st - 1) / st, ws = (w + 2 * pad + st - 1) / st;
        const size_t phase = (size_t)hs * ws, bytes = (phase * st * st + 64) * esz;
        int16_t *src = xalloc(sizeof(int16_t) * h * w);
        unsigned char *d1 = xalloc(bytes), *d2 = xalloc(bytes);
        for (int i = 0; i < h * w; ++i) src[i] = esz == 2 ? (int16_t)rnd() : (int16_t)rnd_int(-300, 300);
        memset(d1, 0x77, bytes), memset(d2, 0x77, bytes);
        simd(src, h, w, st, pad, esz, enc[e][0], enc[e][1], d1, phase, ws);
        twin(src, h, w, st, pad, esz, enc[e][0], enc[e][1], d2, phase, ws);
        ++cases;
        if (memcmp(d1, d2, bytes) && !fails++)
            snprintf(why, sizeof why, "h %d w %d st %d pad %d esz %d enc %d/%d", h, w, st, pad, esz, enc[e][0],
                     enc[e][1]);
        free(src), free(d1), free(d2);
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
}

/* im2col rows (only the rows * bytes result counts) and B interleaves. */
static void check_moves(const char *name, const fxq_kernel_set *ks, const fxq_kernel_set *tw)
{
    int cases = 0, fails = 0;
    for (int rep = 0; rep < 200; ++rep) {
        const int rows = rnd_int(1, 9), esz = rnd_int(1, 2);
        const size_t bytes = (size_t)rnd_int(1, 80) * esz, step = bytes + (size_t)rnd_int(0, 40) * esz;
        unsigned char *src = xalloc(step * rows + 64), *d1 = xalloc(bytes * rows + 64), *d2 = xalloc(bytes * rows + 64);
        for (size_t i = 0; i < step * rows; ++i) src[i] = (unsigned char)rnd();
        ks->im2col_row(d1, src, bytes, step, rows);
        tw->im2col_row(d2, src, bytes, step, rows);
        ++cases;
        fails += memcmp(d1, d2, bytes * rows) != 0;
        free(src), free(d1), free(d2);

        const size_t nr = rnd() % 2 ? 16 : 32, nt = (size_t)rnd_int(1, 5), panel = 8 * nr;
        /* 8 rows: a c8 set's pack_u8c4 interleaves 8 (s8_kr) */
        unsigned char *r[8], *o1 = xalloc(panel * nt * 2), *o2 = xalloc(panel * nt * 2);
        for (int j = 0; j < 8; ++j) {
            r[j] = xalloc(nt * nr * 2);
            for (size_t i = 0; i < nt * nr * 2; ++i) r[j][i] = (unsigned char)rnd();
        }
        memset(o1, 0x44, panel * nt * 2), memset(o2, 0x44, panel * nt * 2);
        ks->pack_u8c4((const unsigned char *const *)r, nt, nr, o1, panel);
        tw->pack_u8c4((const unsigned char *const *)r, nt, nr, o2, panel);
        const size_t lo = rnd() % 2 ? 2 * nr : 0;
        ks->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], nt, nr, (int16_t *)o1 + panel * nt / 2, panel / 2, lo);
        tw->pack_s16c2((const int16_t *)r[0], (const int16_t *)r[1], nt, nr, (int16_t *)o2 + panel * nt / 2, panel / 2, lo);
        ++cases;
        fails += memcmp(o1, o2, panel * nt * 2) != 0;
        for (int j = 0; j < 8; ++j) free(r[j]);
        free(o1), free(o2);
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
}

/* The one-pass im2col + pack (where the CPU runs it): random sources,
 * tile bases and indices 0..127 (both ends), 1..6 tiles; and the set's
 * pack_u8c4_x against the twin's pack_u8c4. */
static void check_gather(const char *name, const fxq_kernel_set *ks, const fxq_kernel_set *tw)
{
    int cases = 0, fails = 0;
    const size_t nr = (size_t)ks->pack_gather_nr;
    for (int rep = 0; rep < 300; ++rep) {
        const size_t nt = (size_t)rnd_int(1, 6), panel = nr * 4 * (size_t)rnd_int(1, 3), len = 1024;
        unsigned char *r[4], *o1 = xalloc(panel * nt), *o2 = xalloc(panel * nt);
        int32_t base[6];
        uint8_t idx[6 * 64];
        for (int j = 0; j < 4; ++j) {
            r[j] = xalloc(len);
            for (size_t i = 0; i < len; ++i) r[j][i] = (unsigned char)rnd();
        }
        for (size_t t = 0; t < nt; ++t) base[t] = rnd_int(0, (int)(len - 128));
        for (size_t i = 0; i < nt * nr; ++i) idx[i] = (uint8_t)(rep % 5 == 0 ? (i % 2 ? 127 : 0) : rnd_int(0, 127));
        memset(o1, 0x44, panel * nt), memset(o2, 0x44, panel * nt);
        ks->pack_gather((const unsigned char *const *)r, base, idx, nt, nr, o1, panel);
        tw->pack_gather((const unsigned char *const *)r, base, idx, nt, nr, o2, panel);
        ++cases;
        fails += memcmp(o1, o2, panel * nt) != 0;
        if (ks->pack_u8c4_x) { /* its plain interleave: rows of nt * nr bytes */
            memset(o1, 0x44, panel * nt), memset(o2, 0x44, panel * nt);
            ks->pack_u8c4_x((const unsigned char *const *)r, nt, nr, o1, panel);
            tw->pack_u8c4((const unsigned char *const *)r, nt, nr, o2, panel);
            ++cases;
            fails += memcmp(o1, o2, panel * nt) != 0;
        }
        for (int j = 0; j < 4; ++j) free(r[j]);
        free(o1), free(o2);
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
}

/* The direct convolution (fxq_qgemm.h) within its preconditions: every
 * row shifting right by 1..31 (uniform or per row, sometimes 1..3 so
 * ties and acc = -half are common), row 0's range and activation for all
 * (o_bits 2..16, sometimes a window), random weights (or all -128, or
 * -1..1 with small biases), image bytes (or 0 / 255), index vectors
 * (or only 0 / 127) and window offsets; 1..12 groups, 1..16 rows, 1..70
 * positions; nothing written outside the mr x npos block. Every other
 * case the 2x2 max-pooled kernel (two rows a random stride apart). */
static void check_dconv(const char *name, fxq_dconv_fn simd, fxq_dconv_fn twin, fxq_dconv_pool_fn psimd,
                        fxq_dconv_pool_fn ptwin)
{
    enum { LEN = 4096, CS = 80, GMAX = 12 };
    unsigned char *x = xalloc(LEN), *a = xalloc(64 + GMAX * 64);
    uint8_t *idx = xalloc(GMAX * 128);
    int32_t off[2 * GMAX];
    int16_t *c1 = xalloc(sizeof(int16_t) * 16 * CS), *c2 = xalloc(sizeof(int16_t) * 16 * CS);
    int cases = 0, fails = 0;
    char why[256] = "";
    for (int rep = 0; rep < 3000; ++rep) {
        const size_t groups = (size_t)(rep % 3 ? rnd_int(1, GMAX) : 7), mr = (size_t)rnd_int(1, 16);
        const size_t npos = (size_t)(rep % 4 ? rnd_int(1, 70) : 16 * rnd_int(1, 4));
        const int kind = rnd_int(0, 5);
        for (size_t i = 0; i < 64 + groups * 64; ++i) a[i] = (unsigned char)(kind == 0 ? 0x80 : rnd());
        if (kind == 1) /* weights -1..1 */
            for (size_t i = 64; i < 64 + groups * 64; ++i) a[i] = (unsigned char)(rnd_int(-1, 1) & 0xff);
        for (int i = 0; i < 16; ++i) { /* biases within 2^20 (the plan's bound keeps acc in int32) */
            const int32_t v = kind <= 1 ? rnd_int(-8, 8) : rnd_int(-(1 << 20), 1 << 20);
            memcpy(a + 4 * i, &v, 4);
        }
        for (size_t i = 0; i < LEN; ++i) x[i] = (unsigned char)(kind == 2 ? 0 : kind == 3 ? 255 : rnd());
        const int pool = psimd && rep % 2; /* the pooled kernel: 2 rows, twice the columns */
        for (size_t i = 0; i < groups * (pool ? 128 : 64); ++i)
            idx[i] = (uint8_t)(rep % 7 == 0 ? (rnd() % 2 ? 127 : 0) : rnd_int(0, 127));
        const size_t xs = (size_t)rnd_int(0, 600); /* the pooled kernel's row stride */
        for (size_t g = 0; g < 2 * groups; ++g) off[g] = rnd_int(0, LEN - 32 * 5 - 64 - 600);
        const int o = rnd_int(2, 16), act = rnd_int(0, 2), small = rnd() % 3 == 0;
        const int mag = 17 + ilog2(groups) / 2 - (o - 1);
        fxq_rq_params rq[16];
        for (int i = 0; i < 16; ++i) {
            int sh = small ? rnd_int(1, 3) : mag + rnd_int(-2, 2);
            sh = sh < 1 ? 1 : sh > 31 ? 31 : sh;
            if (rnd() % 8 == 0) { /* a window: lo .. lo + 2^o - 1 around 0 (o <= 15) */
                const int ob = o < 15 ? o : 15, lo = -rnd_int(0, (1 << ob) - 1);
                const int64_t L = fxq_act_floor(lo, act); /* the kernel needs it >= -32768 */
                fxq_rq_init_range(rq + i, sh, (int32_t)(L < INT16_MIN ? INT16_MIN : L), lo + (1 << ob) - 1, act);
            } else {
                fxq_rq_init(rq + i, sh, o, act);
            }
            if (i) { /* row 0's range and activation, this row's shift */
                rq[i].lo = rq[0].lo, rq[i].hi = rq[0].hi, rq[i].act = rq[0].act;
                rq[i].mag_pos = rq[0].mag_pos, rq[i].mag_neg = rq[0].mag_neg;
            }
        }
        const int per_row = rnd() % 3 == 0;
        for (int i = 0; i < 16; ++i) rq[i].per_row = per_row;
        memset(c1, 0x11, sizeof(int16_t) * 16 * CS), memset(c2, 0x11, sizeof(int16_t) * 16 * CS);
        if (pool) {
            psimd(mr, npos, groups, a, x, xs, idx, off, c1, CS, rq);
            ptwin(mr, npos, groups, a, x, xs, idx, off, c2, CS, rq);
        } else {
            simd(mr, npos, groups, a, x, idx, off, c1, CS, rq);
            twin(mr, npos, groups, a, x, idx, off, c2, CS, rq);
        }
        ++cases;
        if (memcmp(c1, c2, sizeof(int16_t) * 16 * CS) && !fails++) {
            int i = 0;
            while (c1[i] == c2[i]) ++i;
            snprintf(why, sizeof why, "%s mr=%zu npos=%zu groups=%zu kind %d act %d: c[%d][%d] %d vs twin %d",
                     pool ? "pooled" : "plain", mr, npos, groups, kind, act, i / CS, i % CS, c1[i], c2[i]);
        }
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ: %s", fails, cases, why);
    free(x), free(a), free(idx), free(c1), free(c2);
}

static void check_quantize(const char *name, fxq_f32_quantize_fn simd, fxq_f32_quantize_fn twin)
{
    enum { N = 203 };
    float x[N];
    int16_t c1[N], c2[N];
    int cases = 0, fails = 0;
    for (int rep = 0; rep < 300; ++rep) {
        const int bits = rnd_int(2, 16), frac = rnd_int(-20, 30);
        for (int i = 0; i < N; ++i) {
            const int64_t v = (int64_t)(rnd() % (1u << 20)) - (1 << 19);
            x[i] = (float)ldexp((double)v, -rnd_int(0, 30)) + (rnd() % 7 == 0 ? 0.5f : 0.f);
        }
        const size_t n = (size_t)rnd_int(0, N);
        memset(c1, 0x55, sizeof c1), memset(c2, 0x55, sizeof c2);
        const float lo = (float)fxq_code_min(bits), hi = (float)fxq_code_max(bits), sc = (float)ldexp(1.0, frac);
        simd(n, x, sc, lo, hi, c1);
        twin(n, x, sc, lo, hi, c2);
        ++cases;
        fails += memcmp(c1, c2, sizeof c1) != 0;
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
}

/* codes -> floats on random codes, lengths 0..N (SIMD tails), bit for bit
 * (compared as bytes, so -0 / +0 would differ too). */
static void check_dequantize(const char *name, fxq_f32_dequantize_fn simd, fxq_f32_dequantize_fn twin)
{
    enum { N = 203 };
    int16_t c[N];
    float y1[N], y2[N];
    int cases = 0, fails = 0;
    for (int rep = 0; rep < 300; ++rep) {
        for (int i = 0; i < N; ++i) c[i] = (int16_t)(rnd() % 7 == 0 ? (rnd() % 2 ? 32767 : -32768) : (int)(rnd() % 65536) - 32768);
        const size_t n = (size_t)rnd_int(0, N);
        const float sc = (float)ldexp(1.0, rnd_int(-64, 64));
        memset(y1, 0x55, sizeof y1), memset(y2, 0x55, sizeof y2);
        simd(n, c, sc, y1);
        twin(n, c, sc, y2);
        ++cases;
        fails += memcmp(y1, y2, sizeof y1) != 0;
    }
    FXQ_CHECK(name, fails == 0, "%d/%d differ", fails, cases);
}

/* Every kernel of set ks vs the same slot of its twin set. */
static void check_set(const fxq_kernel_set *ks)
{
    const fxq_kernel_set *tw = ks->twin;
    char n[160];
#define NAME(slot) (snprintf(n, sizeof n, "ukernel.%s.%s", ks->name, slot), n)
    if (ks->s8 && tw->s8) check_i32(NAME(ks->s8_name), ks->s8, tw->s8, ks->mr, ks->nr, ks->s8_kr ? ks->s8_kr : 4, 1);
    if (ks->s16) check_i32(NAME(ks->s16_name), ks->s16, tw->s16, ks->mr, ks->nr, 2, 0);
    if (ks->s8_n16) check_i32(NAME(ks->s8_n16_name), ks->s8_n16, tw->s8_n16, ks->n16_mr, 16, 4, 1);
    if (ks->s16_n16) check_i32(NAME(ks->s16_n16_name), ks->s16_n16, tw->s16_n16, ks->n16_mr, 16, 2, 0);
    if (ks->s8_igemm) check_igemm(NAME(ks->s8_igemm_name), ks->s8_igemm, tw->s8_igemm, ks->igemm_mr, ks->igemm_nr, 0);
    if (ks->s16_igemm)
        check_igemm(NAME(ks->s16_igemm_name), ks->s16_igemm, tw->s16_igemm, ks->s16_igemm_mr, ks->s16_igemm_nr, 1);
    if (ks->s16_i64) check_i64(NAME(ks->s16_i64_name), ks->s16_i64, tw->s16_i64, ks->mr, ks->nr);
    if (ks->s16_split) check_split(NAME(ks->s16_split_name), ks->s16_split, tw->s16_split, ks->mr, ks->nr);
    if (ks->s16_i64_n16) check_i64(NAME(ks->s16_i64_n16_name), ks->s16_i64_n16, tw->s16_i64_n16, ks->n16_mr, 16);
    if (ks->rq64) check_rq64(NAME(ks->rq64_name), ks->rq64, tw->rq64);
    if (ks->gemv_s8) check_gemv(NAME(ks->gemv_s8_name), ks->gemv_s8, tw->gemv_s8, 1);
    if (ks->gemv_s16) check_gemv(NAME(ks->gemv_s16_name), ks->gemv_s16, tw->gemv_s16, 0);
    if (ks->gemv_i64) check_gemv_i64(NAME(ks->gemv_i64_name), ks->gemv_i64, tw->gemv_i64);
    check_convert(NAME("convert_plane"), ks->convert, tw->convert);
    check_moves(NAME("im2col_pack"), ks, tw);
    if (ks->pack_gather && tw->pack_gather && fxq_cpu_has(ks->pack_gather_features))
        check_gather(NAME(ks->pack_gather_name), ks, tw);
    if (ks->s8_dconv && tw->s8_dconv && fxq_cpu_has(ks->dconv_features))
        check_dconv(NAME(ks->s8_dconv_name), ks->s8_dconv, tw->s8_dconv, ks->s8_dconv_pool, tw->s8_dconv_pool);
    check_quantize(NAME(ks->quantize_name), ks->quantize, tw->quantize);
    check_dequantize(NAME(ks->dequantize_name), ks->dequantize, tw->dequantize);
#undef NAME
}

int main(void)
{
    rng_state = 0x2545f4914f6cdd1dull; /* this test's own sequence */
    check_requant_scalar();

    const fxq_cpu_features *f = fxq_cpu();
    printf("# cpu: %s %s family %d model %d | avx2 %d fma %d avx512 f/bw/vl/dq %d/%d/%d/%d vnni %d avxvnni %d "
           "(os ymm %d zmm %d)\n",
           f->vendor, f->brand, f->family, f->model, f->avx2, f->fma, f->avx512f, f->avx512bw, f->avx512vl,
           f->avx512dq, f->avx512vnni, f->avxvnni, f->os_ymm, f->os_zmm);
#if defined(__x86_64__)
    __builtin_cpu_init();
    FXQ_CHECK("cpu.detect_matches_compiler",
              f->avx2 == !!__builtin_cpu_supports("avx2") && f->fma == !!__builtin_cpu_supports("fma") &&
                  f->avx512f == !!__builtin_cpu_supports("avx512f") &&
                  f->avx512bw == !!__builtin_cpu_supports("avx512bw") &&
                  f->avx512vl == !!__builtin_cpu_supports("avx512vl") &&
                  f->avx512vnni == !!__builtin_cpu_supports("avx512vnni"),
              "fxq_cpu disagrees with __builtin_cpu_supports");
#elif defined(__aarch64__)
    {
        /* the kernel's own hwcap names (asm/hwcap.h), x86 bits all clear */
        const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
        const unsigned x86 = FXQ_FEAT_SSE2 | FXQ_FEAT_AVX2 | FXQ_FEAT_FMA | FXQ_FEAT_AVX512F | FXQ_FEAT_AVX512BW |
                             FXQ_FEAT_AVX512VL | FXQ_FEAT_AVX512DQ | FXQ_FEAT_AVX512VNNI | FXQ_FEAT_AVX512VBMI;
        printf("# aarch64 hwcap 0x%lx hwcap2 0x%lx: asimd %d dotprod %d i8mm %d\n", hw, hw2, f->asimd, f->dotprod,
               f->i8mm);
        FXQ_CHECK("cpu.detect_matches_hwcap",
                  f->asimd == !!(hw & HWCAP_ASIMD) && f->dotprod == (!!(hw & HWCAP_ASIMDDP) && f->asimd) &&
                      f->i8mm == (!!(hw2 & HWCAP2_I8MM) && f->asimd) && !(fxq_cpu_feature_bits() & x86),
                  "fxq_cpu disagrees with getauxval");
    }
#else
    FXQ_CHECK("cpu.detect_scalar_only", fxq_cpu_feature_bits() == 0, "non-x86 must have no x86 features");
#endif
    const fxq_kernel_set *def = fxq_kernel_set_default(NULL);
    FXQ_CHECK("kernels.default_supported", def->dispatch && fxq_kernel_set_supported(def), "%s", def->name);

    int sets = 0;
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k, ++sets) {
        const fxq_kernel_set *ks = *k;
        char name[96];
        snprintf(name, sizeof name, "kernels.%s.table", ks->name);
        /* every set can run a plan: the s16 paths and all data movement */
        FXQ_CHECK(name,
                  ks->s16 && ks->s16_i64 && ks->rq64 && ks->convert && ks->im2col_row && ks->pack_u8c4 &&
                      ks->pack_s16c2 && ks->quantize && ks->dequantize && (!ks->s8 || ks->mr <= 8) &&
                      (!ks->s16_igemm || (ks->s16_igemm_mr >= 1 && ks->s16_igemm_mr <= 64 &&
                                          ks->s16_igemm_nr == 4 && ks->s16_igemm_max_p >= 2)) &&
                      (!(ks->gemv_s8 || ks->gemv_s16 || ks->gemv_i64) || (ks->gemv_mr && ks->gemv_mr <= 16)) &&
                      (!ks->twin || (ks->twin->mr == ks->mr && ks->twin->nr == ks->nr && !ks->twin->twin &&
                                     !ks->s8 == !ks->twin->s8 && !ks->gemv_s8 == !ks->twin->gemv_s8 &&
                                     !ks->s8_n16 == !ks->twin->s8_n16 && !ks->s16_n16 == !ks->twin->s16_n16 &&
                                     !ks->s16_i64_n16 == !ks->twin->s16_i64_n16 &&
                                     !ks->s16_split == !ks->twin->s16_split &&
                                     !ks->s8_igemm == !ks->twin->s8_igemm && ks->igemm_mr == ks->twin->igemm_mr &&
                                     ks->igemm_nr == ks->twin->igemm_nr && (!ks->s8_igemm || (ks->igemm_mr == 64 &&
                                     ks->igemm_nr == 4 && ks->igemm_max_p >= 2)) &&
                                     !ks->s16_igemm == !ks->twin->s16_igemm &&
                                     ks->s16_igemm_mr == ks->twin->s16_igemm_mr &&
                                     ks->s16_igemm_nr == ks->twin->s16_igemm_nr &&
                                     !ks->s8_dconv == !ks->twin->s8_dconv &&
                                     !ks->s8_dconv_pool == !ks->twin->s8_dconv_pool &&
                                     ks->n16_mr == ks->twin->n16_mr && ks->n16_mr <= 16 &&
                                     !ks->gemv_s16 == !ks->twin->gemv_s16 && !ks->gemv_i64 == !ks->twin->gemv_i64)),
                  "incomplete table or twin of another layout");
        if (!ks->twin) continue; /* a scalar set: the reference of others */
        if (!fxq_kernel_set_supported(ks)) {
            printf("skip ukernel.%s: CPU lacks it\n", ks->name);
            continue;
        }
        check_set(ks);
    }
    FXQ_CHECK("kernels.registry", sets >= 2 && fxq_kernel_set_find("scalar") && !fxq_kernel_set_find("sse9"),
              "%d sets", sets);
    FXQ_TEST_END();
}
