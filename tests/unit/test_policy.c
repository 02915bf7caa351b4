/* Format policies (fxq_policy.c): the mse rule against brute force on
 * synthetic histograms, and the policy names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_hist_err.h"
#include "fxq_policy.h"
#include "fxq_qformat.h"
#include "fxq_test.h"
#include "fxq_test_hist.h"

static uint64_t rng_state = 987654321;
static double urand(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

#define SUB 128 /* points per bin of the brute-force integration */

/* The number system's quantizer (fxq_quantize64_ref: round half away from
 * zero, saturate) at frac, codes lo..hi; brute force by fxq_test_hist.h,
 * checked only for steps of at least half a bin. */
typedef struct { int frac; int64_t lo, hi; } p2_q;
static double p2_quantize(double y, const void *ctx)
{
    const p2_q *r = ctx;
    return ldexp((double)fxq_quantize64_ref(y, r->frac, r->lo, r->hi), -r->frac);
}

static double brute_mse_window(const fxq_tensor_stats *s, int frac, int64_t lo, int64_t hi, double neg_gain)
{
    const p2_q r = {frac, lo, hi};
    return fxq_test_hist_brute(s, SUB, neg_gain, p2_quantize, &r);
}

static double brute_mse(const fxq_tensor_stats *s, int frac, int bits)
{
    return brute_mse_window(s, frac, fxq_code_min(bits), fxq_code_max(bits), 1);
}

/* A histogram over [-range, range]: a peaked body, optionally a far cluster
 * (the error then has two local minima in frac) and exact zeros. */
static void make_hist(fxq_tensor_stats *s, double range, double body, int cluster, uint64_t zeros)
{
    memset(s, 0, sizeof *s);
    s->range = range;
    const double w = 2 * range / FXQ_HIST_BINS;
    for (int b = 0; b < FXQ_HIST_BINS; ++b) {
        const double x = -range + (b + 0.5) * w;
        double m = 1e6 * exp(-fabs(x) / body) * (0.5 + urand());
        if (cluster && x > 0.8 * range && x < 0.85 * range) m += 2e4 * urand();
        s->hist[b] = (uint64_t)m;
        s->count += s->hist[b];
        if (s->hist[b]) {
            if (s->min > x - w / 2 || s->count == s->hist[b]) s->min = x - w / 2;
            s->max = x + w / 2;
        }
    }
    s->zeros = zeros < s->hist[FXQ_HIST_BINS / 2] ? zeros : s->hist[FXQ_HIST_BINS / 2];
    s->m2 = 1; /* sigma only matters to the paper rule */
}

int main(void)
{
    char name[128];
    static const struct { double range, body; int cluster; uint64_t zeros; } cases[] = {
        {4, 0.3, 0, 0}, {4, 0.3, 1, 0}, {1, 0.02, 1, 500000}, {64, 20, 0, 0}, {0.125, 0.001, 1, 0},
    };
    static const int bitss[] = {2, 4, 8, 12};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        fxq_tensor_stats *s = calloc(1, sizeof *s);
        make_hist(s, cases[c].range, cases[c].body, cases[c].cluster, cases[c].zeros);
        for (size_t bi = 0; bi < sizeof bitss / sizeof bitss[0]; ++bi) {
            const int bits = bitss[bi];
            double err = 0;
            const int got = fxq_mse_frac(s, bits, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &err);
            /* brute force over a wider range than the layers accept: the
             * answer must not be cut off by the candidate range */
            const double wbin = 2 * s->range / FXQ_HIST_BINS;
            int want = 0;
            double want_e = INFINITY, worst_rel = 0;
            /* coarser than 2^4 x range every value rounds to 0: same error */
            for (int n = -(int)ceil(log2(s->range)) - 4; n <= 64; ++n) {
                if (ldexp(1, -n) < wbin / 2) break; /* below brute force's resolution */
                const double e = brute_mse(s, n, bits), h = fxq_hist_mse(s, ldexp(1, -n), bits);
                if (e < want_e) want_e = e, want = n;
                const double rel = fabs(e - h) / (e > 0 ? e : 1);
                if (rel > worst_rel) worst_rel = rel;
            }
            snprintf(name, sizeof name, "mse.argmin.case%zu.bits%d", c, bits);
            FXQ_CHECK(name, got == want, "fxq_mse_frac %d (err %.6g), brute force %d (err %.6g)", got, err, want, want_e);
            snprintf(name, sizeof name, "mse.error_matches_brute_force.case%zu.bits%d", c, bits);
            FXQ_CHECK(name, worst_rel < 2e-3 && fabs(err - want_e) <= 2e-3 * want_e, "worst relative gap %.3g", worst_rel);
            /* choose_format routes mse and refine to the same search */
            fxq_qopts q = FXQ_QOPTS_DEFAULT;
            q.formats = FXQ_FORMATS_MSE;
            const fxq_format fm = fxq_choose_format(s, bits, &q);
            q.formats = FXQ_FORMATS_REFINE;
            const fxq_format fr = fxq_choose_format(s, bits, &q);
            snprintf(name, sizeof name, "mse.choose_format.case%zu.bits%d", c, bits);
            FXQ_CHECK(name, fm.frac == got && fr.frac == got && fm.bits == bits, "mse %d refine %d want %d", fm.frac,
                      fr.frac, got);
        }
        free(s);
    }

    /* a cluster far out: clipping it costs more than a coarser step there,
     * at 8 bits the search must take the range that holds it, at 2 bits
     * the body wins. Both are what brute force says (checked above); here
     * the two answers must differ, so the case really has two regimes. */
    {
        fxq_tensor_stats *s = calloc(1, sizeof *s);
        make_hist(s, 4, 0.3, 1, 0);
        const int n8 = fxq_mse_frac(s, 8, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, NULL);
        FXQ_CHECK("mse.cluster_held_at_8_bits", ldexp(127, -n8) >= 0.8 * 4, "frac %d holds up to %g", n8, ldexp(127, -n8));
        free(s);
    }

    /* empty and all-zero tensors: bits - 1, no error */
    {
        fxq_tensor_stats z = {0};
        double e = 1;
        FXQ_CHECK("mse.empty", fxq_mse_frac(&z, 8, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &e) == 7 && e == 0, "e %g", e);
    }

    /* never worse than the paper's rule on the same histogram */
    for (int t = 0; t < 20; ++t) {
        fxq_tensor_stats *s = calloc(1, sizeof *s);
        float v[4000];
        const double scale = ldexp(1, (int)(urand() * 16) - 8);
        for (int i = 0; i < 4000; ++i) v[i] = (float)(scale * (urand() < 0.5 ? -1 : 1) * -log(1 - urand()));
        fxq_ts_add(s, v, 4000);
        const fxq_qopts paper = FXQ_QOPTS_DEFAULT;
        const int bits = 3 + t % 10;
        const fxq_format fp = fxq_choose_format(s, bits, &paper);
        const int nm = fxq_mse_frac(s, bits, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, NULL);
        snprintf(name, sizeof name, "mse.not_worse_than_paper.%d", t);
        FXQ_CHECK(name, fxq_hist_mse(s, ldexp(1, -nm), bits) <= fxq_hist_mse(s, ldexp(1, -fp.frac), bits),
                  "bits %d: mse frac %d, paper %d", bits, nm, fp.frac);
        free(s);
    }

    /* per-channel weights: the exact frac over the values, against a direct
     * brute force in double (no quantizer shared with the code under test) */
    for (int t = 0; t < 20; ++t) {
        float v[97];
        const double scale = ldexp(1, -(t % 9)) * (0.3 + urand());
        for (int i = 0; i < 97; ++i) v[i] = (float)(scale * (urand() - 0.5) * (i == 5 ? 8 : 1));
        const int bits = 2 + t % 9;
        int bf = 0;
        double be = INFINITY;
        for (int f = -32; f <= 48; ++f) {
            const double lo = -ldexp(1, bits - 1), hi = ldexp(1, bits - 1) - 1;
            double e = 0;
            for (int i = 0; i < 97; ++i) {
                double q = round(ldexp(v[i], f));
                q = q < lo ? lo : q > hi ? hi : q;
                const double d = v[i] - ldexp(q, -f);
                e += d * d;
            }
            if (e < be) be = e, bf = f;
        }
        snprintf(name, sizeof name, "values.brute_force.%d", t);
        const int got = fxq_mse_frac_values(v, 97, bits, -32, 48);
        FXQ_CHECK(name, got == bf, "bits %d: got %d, brute force %d", bits, got, bf);
    }
    const float zero[4] = {0, 0, 0, 0};
    FXQ_CHECK("values.all_zero", fxq_mse_frac_values(zero, 4, 8, -32, 48) == 7, "all-zero row");

    /* activation-aware output frac: relu ignores the negative side entirely,
     * so a tensor with a far negative tail gets the frac of its positive half */
    {
        fxq_tensor_stats *s = calloc(1, sizeof *s);
        float v[2000];
        for (int i = 0; i < 2000; ++i) v[i] = (float)(i < 1000 ? urand() : -40 * urand());
        fxq_ts_add(s, v, 2000);
        const int relu = fxq_mse_frac_act(s, 9, 0, -32, 48), plain = fxq_mse_frac(s, 9, -32, 48, NULL);
        FXQ_CHECK("act.relu_ignores_negatives", relu > plain, "relu frac %d, linear %d", relu, plain);
        FXQ_CHECK("act.linear_is_mse", fxq_mse_frac_act(s, 9, 1, -32, 48) == plain, "gain 1 differs");
        const int leaky = fxq_mse_frac_act(s, 9, 0.1, -32, 48);
        FXQ_CHECK("act.leaky_between", leaky >= plain && leaky <= relu, "leaky %d outside %d..%d", leaky, plain, relu);
        free(s);
    }

    /* zero-point windows: the error against brute force (the quantizer
     * itself on act(x) at SUB points per bin), the search against the
     * exhaustive one over every (frac, lo), the signed window = fxq_hist_mse
     * bit for bit, a tensor >= 0 = the unsigned rule */
    {
        fxq_tensor_stats *s = calloc(1, sizeof *s);
        float v[4000];
        int bad_err = 0, bad_search = 0, cases = 0;
        double worst = 0;
        for (int t = 0; t < 6; ++t) {
            memset(s, 0, sizeof *s);
            for (int i = 0; i < 4000; ++i) { /* skewed: a long positive tail, a short negative one */
                const double u = urand();
                v[i] = (float)(i % 3 ? -log(1 - u) * (1 + t) : -(0.2 + t % 3) * u);
            }
            fxq_ts_add(s, v, 4000);
            const double g = t % 3 == 0 ? 1 : t % 3 == 1 ? 0.1 : 0;
            const int bits = t < 3 ? 4 : 6, n = (1 << bits) - 1;
            /* the error at a few windows against brute force */
            for (int k = 0; k < 4; ++k) {
                const int frac = bits - 3 + k, lo = -(int)(urand() * n);
                const double want = brute_mse_window(s, frac, lo, lo + n, g);
                const double got = fxq_hist_mse_window(s, ldexp(1, -frac), lo, lo + n, g);
                const double rel = fabs(got - want) / want;
                if (rel > worst) worst = rel;
                bad_err += !(rel < 1e-4);
            }
            /* the search against the exhaustive one with the same tie order */
            int lo_got, best_n = 0, best_lo = 0;
            const int got = fxq_mse_window(s, bits, g, -6, 20, &lo_got, NULL);
            double best = INFINITY;
            for (int fr = -6; fr <= 20; ++fr)
                for (int i = -2; i <= n; ++i) {
                    const int lo = i == -2 ? 0 : i == -1 ? -(1 << (bits - 1)) : -i;
                    const double e = fxq_hist_mse_window(s, ldexp(1, -fr), lo, lo + n, g);
                    if (e < best) best = e, best_n = fr, best_lo = lo;
                }
            ++cases;
            if (got != best_n || lo_got != best_lo) {
                /* equal errors may tie differently only if the errors are equal */
                const double eg = fxq_hist_mse_window(s, ldexp(1, -got), lo_got, lo_got + n, g);
                bad_search += eg != best;
                if (eg != best) printf("# window search: bits %d gain %g: (%d, %d) err %.9g, exhaustive (%d, %d) %.9g\n", bits, g, got, lo_got, eg, best_n, best_lo, best);
            }
        }
        printf("# window error vs brute force: worst relative gap %.3g\n", worst);
        FXQ_CHECK("window.error_vs_brute_force", bad_err == 0, "%d windows off, worst relative gap %.3g", bad_err, worst);
        FXQ_CHECK("window.search_is_exhaustive", bad_search == 0, "%d of %d searches missed the least error", bad_search,
                  cases);
        /* the signed window with gain 1 is fxq_hist_mse exactly */
        int same = 1;
        for (int fr = -4; fr <= 12; ++fr)
            same &= fxq_hist_mse_window(s, ldexp(1, -fr), -128, 127, 1) == fxq_hist_mse(s, ldexp(1, -fr), 8);
        FXQ_CHECK("window.signed_is_hist_mse", same, "differs");
        /* a tensor never negative: lo = 0 and the unsigned rule's frac (signed bits + 1) */
        memset(s, 0, sizeof *s);
        for (int i = 0; i < 4000; ++i) v[i] = (float)(-log(1 - urand()));
        fxq_ts_add(s, v, 4000);
        int lo;
        const int fw = fxq_mse_window(s, 8, 1, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, &lo, NULL);
        const int fu = fxq_mse_frac(s, 9, FXQ_LAYER_FRAC_MIN, FXQ_LAYER_FRAC_MAX, NULL);
        FXQ_CHECK("window.nonnegative_is_unsigned", lo == 0 && fw == fu, "lo %d frac %d, unsigned frac %d", lo, fw, fu);
        free(s);
    }

    fxq_formats f = FXQ_FORMATS_PAPER;
    FXQ_CHECK("names.parse", fxq_formats_parse("paper", &f) && f == FXQ_FORMATS_PAPER && fxq_formats_parse("mse", &f) &&
              f == FXQ_FORMATS_MSE && fxq_formats_parse("refine", &f) && f == FXQ_FORMATS_REFINE, "parse");
    FXQ_CHECK("names.unknown", !fxq_formats_parse("MSE", &f) && !fxq_formats_parse("", &f) &&
              !fxq_formats_parse("papers", &f), "accepted a bad name");
    FXQ_CHECK("names.roundtrip", !strcmp(fxq_formats_name(FXQ_FORMATS_REFINE), "refine"), "name");
    FXQ_TEST_END();
}
