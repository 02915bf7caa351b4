/* fxq_qconv_quantize / fxq_qconv_dequantize vs fxq_quantize_ref, element by
 * element, on every kernel set: all bit widths, frac -64..64, exact halves,
 * values next to halves and to the saturation limits, +-0, +-inf, NaN,
 * denormals, lengths 0..40 (SIMD tails). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_qconv.h"
#include "fxq_test.h"
#include "fxq_test_rng.h"


enum { N = 4096 };

static void fill(float *x, int bits, int frac)
{
    const double hi = (double)fxq_code_max(bits);
    for (int i = 0; i < N; ++i) {
        double k = (double)(int64_t)(rnd() % (uint64_t)(4 * hi + 8)) - 2 * hi - 4;
        switch (rnd() % 8) {
        case 0: x[i] = (float)ldexp(k + 0.5, -frac); break;                              /* exact half */
        case 1: x[i] = nextafterf((float)ldexp(k + 0.5, -frac), rnd() % 2 ? INFINITY : -INFINITY); break;
        case 2: x[i] = (float)ldexp(rnd() % 2 ? hi + 0.5 : -hi - 1.5, -frac); break;    /* saturation edges */
        case 3: x[i] = (float)ldexp((double)(rnd() % 1000) / 999.0 * 3 * hi * (rnd() % 2 ? 1 : -1), -frac); break;
        default: {
            uint32_t u = (uint32_t)rnd(); /* any float, NaN/inf/denormals included */
            memcpy(&x[i], &u, 4);
        }
        }
    }
    x[0] = 0.f, x[1] = -0.f, x[2] = INFINITY, x[3] = -INFINITY, x[4] = NAN, x[5] = 1e-45f, x[6] = -1e-45f;
}

int main(void)
{
    rng_state = 0x853c49e6748fea9bull; /* this test's own sequence */
    static float x[N], y[N];
    static int16_t got[N];
    /* every registered kernel set's conversion kernels */
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        char name[96];
        snprintf(name, sizeof name, "quantize.%s.vs_ref", (*k)->name);
        if (!fxq_qconv_force_isa((*k)->name)) {
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        int fails = 0, cases = 0;
        char why[256] = "";
        for (int bits = 2; bits <= 16; ++bits)
            for (int frac = -64; frac <= 64; frac += (frac > -8 && frac < 24) ? 1 : 7) {
                fill(x, bits, frac);
                const fxq_format f = {bits, frac};
                const size_t n = (size_t)(cases % 41) + (cases % 2 ? N - 41 : 0);
                memset(got, 0x55, sizeof got);
                fxq_qconv_quantize(x, n, bits, frac, got);
                for (size_t i = 0; i < N; ++i) {
                    const int16_t want = i < n ? (int16_t)fxq_quantize_ref(x[i], f) : 0x5555;
                    if (got[i] != want && !fails++)
                        snprintf(why, sizeof why, "bits %d frac %d n %zu: x[%zu] = %a -> %d, ref %d", bits, frac, n, i,
                                 (double)x[i], got[i], want);
                }
                ++cases;
            }
        FXQ_CHECK(name, fails == 0, "%d elements differ over %d cases: %s", fails, cases, why);
    }
    /* unsigned codes (lower bound 0 in the same pass) and tensors large
     * enough to be split over the threads, on every set */
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k) {
        enum { L = 200003 };
        char name[96];
        snprintf(name, sizeof name, "quantize_range.%s.unsigned_and_large", (*k)->name);
        if (!fxq_qconv_force_isa((*k)->name)) {
            printf("skip %s: CPU lacks it\n", name);
            continue;
        }
        float *xl = malloc(L * sizeof *xl), *yl = malloc(L * sizeof *yl);
        int16_t *cl = malloc(L * sizeof *cl);
        int fails = 0;
        char why[256] = "";
        for (int rep = 0; rep < 6 && xl && yl && cl; ++rep) {
            const int bits = 3 + rep * 2, frac = rep * 3 - 4, uns = rep % 2;
            for (int i = 0; i < L; i += N) {
                fill(x, bits, frac);
                memcpy(xl + i, x, (size_t)(L - i < N ? L - i : N) * sizeof *x);
            }
            fxq_qconv_quantize_range(xl, L, bits, frac, uns, cl);
            const fxq_format f = {bits, frac};
            for (int i = 0; i < L; ++i) {
                int16_t want = (int16_t)fxq_quantize_ref(xl[i], f);
                if (uns && want < 0) want = 0;
                if (cl[i] != want && !fails++)
                    snprintf(why, sizeof why, "bits %d frac %d unsigned %d: x[%d] = %a -> %d, ref %d", bits, frac, uns,
                             i, (double)xl[i], cl[i], want);
            }
            fxq_qconv_dequantize(cl, L, frac, yl);
            for (int i = 0; i < L; ++i)
                if (yl[i] != (float)ldexp(cl[i], -frac) && !fails++)
                    snprintf(why, sizeof why, "dequantize frac %d: code %d -> %a", frac, cl[i], (double)yl[i]);
        }
        FXQ_CHECK(name, xl && yl && cl && fails == 0, "%d elements differ: %s", fails, why);
        free(xl), free(yl), free(cl);
    }
    fxq_qconv_force_isa(NULL);
    {
        int ok = 1;
        for (int frac = -64; frac <= 64; frac += 8) {
            int16_t c[5] = {-32768, -1, 0, 1, 32767};
            fxq_qconv_dequantize(c, 5, frac, y);
            for (int i = 0; i < 5; ++i) ok &= y[i] == (float)ldexp(c[i], -frac);
        }
        FXQ_CHECK("dequantize.exact", ok, "dequantize differs from code * 2^-frac");
        ok = fxq_qconv_quantize(x, 4, 17, 0, got) == 0 && got[0] == 0 && got[3] == 0;
        FXQ_CHECK("quantize.bad_format", ok, "bits 17 accepted");
    }
    FXQ_TEST_END();
}
