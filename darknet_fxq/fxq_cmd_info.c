/* `darknet fxq info [--bench] [-t threads]`: CPU features, the integer
 * kernels plans would use, and (--bench) the int8 GEMM throughput as a
 * fraction of this machine's int8 peak, measured in the same run:
 *   fp32 peak  = a loop of independent FMAs on every thread (zmm or ymm)
 *   int8 peak  = 4 x fp32 FMA peak (VNNI: 4 int8 MACs per fp32 lane)
 *   GEMM       = the packed s8 GEMM phase alone (M=256 N=1024 K=2304, a 3x3
 *                conv of 256 channels on 32x32); the full run (convert +
 *                im2col + pack + GEMM) is printed beside it.
 * The last line is machine-readable: `gemm_peak_fraction <x>`. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cmd.h"
#include "fxq_cpu.h"
#include "fxq_format.h"
#include "fxq_qconv.h"
#include "fxq_qgemm.h"

static void fxq_info_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq info [--bench] [-t threads]\n"
               "  CPU features and the integer kernels in use; --bench measures the int8 GEMM\n"
               "  against this CPU's int8 peak (4 x measured fp32 FMA peak) and prints\n"
               "  `gemm_peak_fraction <x>` last. FXQ_ISA=scalar|avx2|avx512vnni caps the ISA.\n");
}

/* A plan of the given bits for a small 1x1 conv on h x h (h = 1: one output
 * column, like a connected layer), to name the kernels it picks. */
static void fxq_info_kernel(const char *label, int wb, int ab, int K, int h)
{
    fxq_qconv_desc d = {1, K, h, h, 4, 1, 1, 0, h, h, wb, ab, 8, 8, FXQ_ACT_RELU};
    int32_t *w = calloc((size_t)4 * K, sizeof *w);
    int64_t b[4] = {0};
    char why[256];
    fxq_qconv_plan *p = w ? fxq_qconv_plan_create(&d, w, b, why, sizeof why) : NULL;
    printf("  %-36s %s\n", label, p ? fxq_qconv_plan_describe(p) : "(plan failed)");
    fxq_qconv_plan_free(p);
    free(w);
}

typedef double (*fxq_peak_fn)(long iters, float *sink);

/* fp32 FMA throughput on nth threads (best of 3), in FMAs per second. */
static double fxq_fp32_peak(int nth, const char **how)
{
    fxq_peak_fn fn = NULL;
    *how = "none";
#if defined(__x86_64__)
    if (fxq_cpu()->avx512f) {
        fn = fxq_f32_fma_loop__avx512vnni;
        *how = "zmm vfmadd, 16 chains";
    } else if (fxq_cpu()->avx2 && fxq_cpu()->fma) {
        fn = fxq_f32_fma_loop__avx2;
        *how = "ymm vfmadd, 12 chains";
    }
#endif
    if (!fn) return 0;
    const long iters = 20 * 1000 * 1000;
    double best = 0;
    float sink = 0;
    for (int rep = 0; rep < 3; ++rep) {
        double macs = 0;
        const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nth) reduction(+ : macs)
        {
            float s;
            macs += fn(iters, &s);
            if (s == 12345.f) sink += s;
        }
        const double r = macs / (omp_get_wtime() - t0);
        if (r > best) best = r;
    }
    if (sink == 1.f) printf(" ");
    return best;
}

static double fxq_vnni_peak(int nth)
{
#if defined(__x86_64__)
    if (!fxq_cpu_supports(FXQ_ISA_AVX512VNNI)) return 0;
    double best = 0;
    const long iters = 10 * 1000 * 1000;
    for (int rep = 0; rep < 3; ++rep) {
        double macs = 0;
        const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nth) reduction(+ : macs)
        {
            int32_t s;
            macs += fxq_s8_dot_loop__avx512vnni(iters, &s);
            if (s == 12345) macs += 0;
        }
        const double r = macs / (omp_get_wtime() - t0);
        if (r > best) best = r;
    }
    return best;
#else
    (void)nth;
    return 0;
#endif
}

/* GMAC/s of the GEMM phase alone and of whole runs, for a 3x3 conv
 * c -> m on h x w (pad 1): M = m, N = h*w, K = 9c. */
static int fxq_bench_conv(int bits, int c, int h, int m, double *gemm, double *full, char *desc, size_t dlen)
{
    fxq_qconv_desc d = {1, c, h, h, m, 3, 1, 1, h, h, bits, bits, bits, 0, FXQ_ACT_RELU};
    const size_t K = (size_t)c * 9, N = (size_t)h * h;
    d.shift = (bits - 1) + (bits - 1) + 6 - (bits - 1);
    int32_t *w = malloc((size_t)m * K * sizeof *w);
    int64_t *b = calloc((size_t)m, sizeof *b);
    int16_t *in = malloc((size_t)c * N * sizeof *in), *out = malloc((size_t)m * N * sizeof *out);
    if (!w || !b || !in || !out) return 0;
    unsigned s = 12345;
    const int lo = (int)fxq_code_min(bits), span = (int)(fxq_code_max(bits) - lo + 1);
    for (size_t i = 0; i < (size_t)m * K; ++i) s = s * 1103515245u + 12345u, w[i] = lo + (int)((s >> 8) % span);
    for (size_t i = 0; i < (size_t)c * N; ++i) s = s * 1103515245u + 12345u, in[i] = (int16_t)(lo + (int)((s >> 8) % span));
    char why[256];
    fxq_qconv_plan *p = fxq_qconv_plan_create(&d, w, b, why, sizeof why);
    if (!p) {
        fprintf(stderr, "darknet fxq info: %s\n", why);
        return 0;
    }
    snprintf(desc, dlen, "%s", fxq_qconv_plan_describe(p));
    const double macs = (double)m * N * K;
    fxq_qconv_run(p, in, out); /* packs B, warms up */
    int reps = 1;
    double t = fxq_qconv_bench_gemm(p, out, reps);
    while (t < 0.05 && reps < (1 << 20)) reps *= 2, t = fxq_qconv_bench_gemm(p, out, reps);
    reps = (int)(reps * 0.3 / t) + 1;
    double best = 1e30;
    for (int i = 0; i < 3; ++i) {
        t = fxq_qconv_bench_gemm(p, out, reps) / reps;
        if (t < best) best = t;
    }
    *gemm = macs / best;
    best = 1e30;
    for (int i = 0; i < 3; ++i) {
        const double t0 = omp_get_wtime();
        for (int r = 0; r < reps; ++r) fxq_qconv_run(p, in, out);
        t = (omp_get_wtime() - t0) / reps;
        if (t < best) best = t;
    }
    *full = macs / best;
    fxq_qconv_plan_free(p);
    free(w), free(b), free(in), free(out);
    return 1;
}

int fxq_cmd_info(int argc, char **argv)
{
    int bench = 0, nth = omp_get_max_threads();
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--bench")) {
            bench = 1;
        } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            nth = atoi(argv[++i]);
            if (nth < 1) {
                fprintf(stderr, "darknet fxq info: -t needs a positive thread count\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fxq_info_usage(stdout);
            return 0;
        } else {
            fxq_info_usage(stderr);
            return 2;
        }
    }
    omp_set_num_threads(nth);

    const fxq_cpu_features *f = fxq_cpu();
    printf("cpu:      %s (%s family %d model %d)\n", f->brand[0] ? f->brand : "unknown",
           f->vendor[0] ? f->vendor : "non-x86", f->family, f->model);
    printf("features:");
    const struct {
        const char *name;
        int on;
    } feats[] = {{"sse2", f->sse2},         {"avx", f->avx},           {"avx2", f->avx2},
                 {"fma", f->fma},           {"avx512f", f->avx512f},   {"avx512dq", f->avx512dq},
                 {"avx512bw", f->avx512bw}, {"avx512vl", f->avx512vl}, {"avx512vnni", f->avx512vnni},
                 {"avx512vbmi", f->avx512vbmi}, {"avxvnni", f->avxvnni}};
    int any = 0;
    for (size_t i = 0; i < sizeof feats / sizeof feats[0]; ++i)
        if (feats[i].on) printf(" %s", feats[i].name), any = 1;
    printf("%s (OS state: ymm %s, zmm %s)\n", any ? "" : " none", f->os_ymm ? "yes" : "no", f->os_zmm ? "yes" : "no");
    const char *cap = getenv("FXQ_ISA");
    printf("isa:      %s%s%s%s\n", fxq_isa_name(fxq_cpu_best_isa()), cap ? " (FXQ_ISA=" : "", cap ? cap : "",
           cap ? ")" : "");
    printf("threads:  %d\n", nth);
    printf("kernels:\n");
    fxq_info_kernel("conv, w,a <= 8 bits (int32 acc):", 8, 8, 64, 4);
    fxq_info_kernel("conv, <= 16 bits (int32 acc):", 12, 12, 64, 4);
    fxq_info_kernel("conv, 16/16 bits (int64 acc):", 16, 16, 64, 4);
    fxq_info_kernel("conv, 8/16 bits, huge K (int64):", 8, 16, 1 << 14, 4);
    fxq_info_kernel("1 column, w,a <= 8 (int32 acc):", 8, 8, 64, 1);
    fxq_info_kernel("1 column, <= 16 bits (int32 acc):", 12, 12, 64, 1);
    if (!bench) return 0;

    const char *how;
    const double fma = fxq_fp32_peak(nth, &how);
    const double vnni = fxq_vnni_peak(nth);
    const double peak8 = 4 * fma;
    printf("bench:\n");
    printf("  fp32 FMA peak       %8.1f GFMA/s  (%.1f GFLOP/s; %s, %d threads)\n", fma / 1e9, 2 * fma / 1e9, how, nth);
    printf("  int8 peak           %8.1f GMAC/s  (= 4 x fp32 FMA peak)\n", peak8 / 1e9);
    if (vnni > 0) printf("  vpdpbusd loop       %8.1f GMAC/s  (measured, for reference)\n", vnni / 1e9);
    double gemm8 = 0, full8 = 0, gemm16 = 0, full16 = 0;
    char desc8[192] = "", desc16[192] = "";
    if (!fxq_bench_conv(8, 256, 32, 256, &gemm8, &full8, desc8, sizeof desc8)) return 1;
    printf("  8/8 GEMM  M=256 N=1024 K=2304  %8.1f GMAC/s  (full run incl. im2col+pack: %.1f)  [%s]\n", gemm8 / 1e9,
           full8 / 1e9, desc8);
    if (fxq_bench_conv(16, 256, 32, 256, &gemm16, &full16, desc16, sizeof desc16))
        printf("  16/16 GEMM M=256 N=1024 K=2304 %8.1f GMAC/s  (full run: %.1f)  [%s]\n", gemm16 / 1e9, full16 / 1e9,
               desc16);
    const double frac = peak8 > 0 ? gemm8 / peak8 : 0;
    printf("  int8 GEMM / int8 peak: %.1f%%\n", 100 * frac);
    printf("gemm_peak_fraction %.3f\n", frac);
    return 0;
}
