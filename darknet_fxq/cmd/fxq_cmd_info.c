/* `darknet fxq info [--bench] [-t threads]`: CPU features, the integer
 * kernels plans would use, and (--bench) the int8 GEMM throughput as a
 * fraction of this machine's int8 peak, measured in the same run:
 *   fp32 peak  = a loop of independent FMAs on every thread (zmm or ymm)
 *   int8 peak  = 4 x fp32 FMA peak (VNNI: 4 int8 MACs per fp32 lane); on
 *                sets whose s8 sequence is not one instruction at that rate
 *                (AVX2 vpmaddubsw, NEON) the measured loop of that sequence
 *   GEMM       = the packed s8 GEMM phase alone (M=256 N=1024 K=2304, a 3x3
 *                conv of 256 channels on 32x32); the full run (convert +
 *                im2col + pack + GEMM) is printed beside it.
 *   int16 peak = the s16 kernels' instruction (vpdpwssd) in a loop, and the
 *                memory bandwidth with the data in L2, L3 and DRAM
 *                (fxq_machine.h): the limits `fxq bench --roofline` uses.
 * Every rate is the best of many short trials, the trials of all the
 * measurements interleaved (other jobs on the machine only ever slow a trial
 * down, and every measurement sees the same conditions).
 * With a kernel set whose int8 sequence is not VNNI (FXQ_ISA=avx2) the peak
 * of that sequence is measured too (the set's peak_s8 / peak_s16 loops),
 * and its GEMMs -- w7/a8 on the s8 kernel, 8/8 (s16 kernel on AVX2) -- are
 * printed as fractions of it: `isa_gemm_peak_fraction <set> <w7a8> <8/8>`.
 * The last line is machine-readable: `gemm_peak_fraction <x>` -- the int8
 * GEMM over the int8 peak of the active set's own sequence (VNNI: the
 * 4 x FMA peak; FXQ_ISA=avx2: its vpmaddubsw loop, w7/a8 GEMM). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cli.h"
#include "fxq_cmd.h"
#include "fxq_cpu.h"
#include "fxq_format.h"
#include "fxq_kernels.h"
#include "fxq_machine.h"
#include "fxq_qconv.h"

static void fxq_info_usage(FILE *f)
{
    fprintf(f, "usage: darknet fxq info [--bench] [-t threads]\n"
               "  CPU features and the integer kernels in use; --bench measures the int8 GEMM\n"
               "  against this CPU's int8 peak (4 x measured fp32 FMA peak) and prints\n"
               "  `gemm_peak_fraction <x>` last. FXQ_ISA=<set> (x86: scalar|avx2|avx512vnni,\n"
               "  aarch64: scalar|neon|neondot|neoni8mm) caps the kernel set. On aarch64 the int8\n"
               "  peak is the measured loop of the set's s8 instruction (sdot, smmla, smlal).\n");
}

/* A plan of the given bits for a small 1x1 conv on h x h (h = 1: one output
 * column, like a connected layer), to name the kernels it picks. */
static void fxq_info_kernel(const char *label, int wb, int ab, int K, int h)
{
    fxq_qconv_desc d = {1, K, h, h, 4, 1, 1, 0, h, h, wb, ab, 8, 8, FXQ_ACT_RELU, NULL, 0, 0, 0, 0, 0};
    int32_t *w = malloc((size_t)4 * K * sizeof *w);
    int64_t b[4] = {0};
    /* the largest weights: plans choose accumulators from the actual ones */
    for (int i = 0; w && i < 4 * K; ++i) w[i] = (int32_t)fxq_code_min(wb);
    char why[256];
    fxq_qconv_plan *p = w ? fxq_qconv_plan_create(&d, w, b, why, sizeof why) : NULL;
    printf("  %-36s %s\n", label, p ? fxq_qconv_plan_describe(p) : "(plan failed)");
    fxq_qconv_plan_free(p);
    free(w);
}

/* A 3x3 conv c -> m on h x h (pad 1): M = m, N = h*h, K = 9c. */
typedef struct fxq_bconv {
    fxq_qconv_plan *p;
    int16_t *in, *out;
    double macs, gemm, full; /* best rates */
    char desc[192];
} fxq_bconv;

/* wsym: weights in +-(2^(wbits-1) - 1), without the lowest code (the NEON
 * mlal kernel's exact range) */
static int fxq_bconv_init(fxq_bconv *bc, int wbits, int bits, int c, int h, int m, int wsym)
{
    fxq_qconv_desc d = {1, c, h, h, m, 3, 1, 1, h, h, wbits, bits, bits, 0, FXQ_ACT_RELU, NULL, 0, 0, 0, 0, 0};
    const size_t K = (size_t)c * 9, N = (size_t)h * h;
    d.shift = (bits - 1) + 6;
    memset(bc, 0, sizeof *bc);
    int32_t *w = malloc((size_t)m * K * sizeof *w);
    int64_t *b = calloc((size_t)m, sizeof *b);
    bc->in = malloc((size_t)c * N * sizeof *bc->in);
    bc->out = malloc((size_t)m * N * sizeof *bc->out);
    if (!w || !b || !bc->in || !bc->out) return 0;
    unsigned s = 12345;
    const int wlo = (int)fxq_code_min(wbits) + (wsym != 0), wspan = (int)(fxq_code_max(wbits) - wlo + 1);
    for (size_t i = 0; i < (size_t)m * K; ++i) s = s * 1103515245u + 12345u, w[i] = wlo + (int)((s >> 8) % wspan);
    const int lo = (int)fxq_code_min(bits), span = (int)(fxq_code_max(bits) - lo + 1);
    for (size_t i = 0; i < (size_t)c * N; ++i) s = s * 1103515245u + 12345u, bc->in[i] = (int16_t)(lo + (int)((s >> 8) % span));
    char why[256];
    bc->p = fxq_qconv_plan_create(&d, w, b, why, sizeof why);
    free(w), free(b);
    if (!bc->p) {
        fprintf(stderr, "darknet fxq info: %s\n", why);
        return 0;
    }
    snprintf(bc->desc, sizeof bc->desc, "%s", fxq_qconv_plan_describe(bc->p));
    bc->macs = (double)m * N * K;
    fxq_qconv_run(bc->p, bc->in, bc->out); /* packs B, warms up */
    return 1;
}

static void fxq_bconv_trial(fxq_bconv *bc)
{
    double t = fxq_qconv_bench_gemm(bc->p, bc->out, 2) / 2;
    if (bc->macs / t > bc->gemm) bc->gemm = bc->macs / t;
    const double t0 = omp_get_wtime();
    fxq_qconv_run(bc->p, bc->in, bc->out);
    t = omp_get_wtime() - t0;
    if (bc->macs / t > bc->full) bc->full = bc->macs / t;
}

static void fxq_bconv_free(fxq_bconv *bc)
{
    fxq_qconv_plan_free(bc->p);
    free(bc->in), free(bc->out);
}

int fxq_cmd_info(int argc, char **argv)
{
    int bench = 0, nth = omp_get_max_threads();
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--bench")) {
            bench = 1;
        } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            if (!fxq_cli_int(argv[++i], 1, 4096, &nth))
                return fxq_cli_usage_error("info", "-t wants a thread count in 1..4096", argv[i]);
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fxq_info_usage(stdout);
            return 0;
        } else {
            return fxq_cli_usage_error("info", "unknown argument", argv[i]);
        }
    }
    omp_set_num_threads(nth);

    const fxq_cpu_features *f = fxq_cpu();
    if (f->aarch64)
        printf("cpu:      aarch64 (MIDR implementer 0x%02x part 0x%03x%s)\n", f->family, f->model,
               f->family || f->model ? "" : ", not exported here");
    else
        printf("cpu:      %s (%s family %d model %d)\n", f->brand[0] ? f->brand : "unknown",
               f->vendor[0] ? f->vendor : "non-x86", f->family, f->model);
    printf("features:");
    const struct {
        const char *name;
        int on;
    } feats[] = {{"sse2", f->sse2},         {"avx", f->avx},           {"avx2", f->avx2},
                 {"fma", f->fma},           {"avx512f", f->avx512f},   {"avx512dq", f->avx512dq},
                 {"avx512bw", f->avx512bw}, {"avx512vl", f->avx512vl}, {"avx512vnni", f->avx512vnni},
                 {"avx512vbmi", f->avx512vbmi}, {"avxvnni", f->avxvnni}, {"asimd", f->asimd},
                 {"dotprod", f->dotprod}, {"i8mm", f->i8mm}};
    int any = 0;
    for (size_t i = 0; i < sizeof feats / sizeof feats[0]; ++i)
        if (feats[i].on) printf(" %s", feats[i].name), any = 1;
    if (f->aarch64)
        printf("%s (HWCAP/HWCAP2)\n", any ? "" : " none");
    else
        printf("%s (OS state: ymm %s, zmm %s)\n", any ? "" : " none", f->os_ymm ? "yes" : "no", f->os_zmm ? "yes" : "no");
    const char *cap = getenv("FXQ_ISA");
    printf("isa:      %s%s%s%s\n", fxq_kernel_set_default(NULL)->name, cap ? " (FXQ_ISA=" : "", cap ? cap : "",
           cap ? ")" : "");
    printf("sets:    ");
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k)
        if ((*k)->dispatch) printf(" %s%s", (*k)->name, fxq_kernel_set_supported(*k) ? "" : " (unsupported)");
    printf("\n");
    printf("threads:  %d\n", nth);
    printf("kernels:\n");
    fxq_info_kernel("conv, w,a <= 8 bits (int32 acc):", 8, 8, 64, 4);
    fxq_info_kernel("conv, <= 16 bits (int32 acc):", 12, 12, 64, 4);
    fxq_info_kernel("conv, 16/16 bits (int64 acc):", 16, 16, 64, 4);
    fxq_info_kernel("conv, 8/16 bits, huge K (int64):", 8, 16, 1 << 14, 4);
    fxq_info_kernel("1 column, w,a <= 8 (int32 acc):", 8, 8, 64, 1);
    fxq_info_kernel("1 column, <= 16 bits (int32 acc):", 12, 12, 64, 1);
    if (!bench) return 0;

    /* Trials of every measurement interleaved over ~2 s, best of each kept:
     * other jobs on the machine only ever slow a trial down, and all the
     * measurements see the same conditions. */
    fxq_machine mc;
    if (!fxq_machine_init(&mc, nth)) {
        fprintf(stderr, "darknet fxq info: out of memory\n");
        return 1;
    }
    const char *how = mc.fma_how;
    fxq_bconv c8, c16, c7;
    const fxq_kernel_set *act = fxq_kernel_set_active();
    if (!fxq_bconv_init(&c8, 8, 8, 256, 32, 256, act->s8_pair_limit && !act->s8_in_offset)) return 1;
    const int have16 = fxq_bconv_init(&c16, 16, 16, 256, 32, 256, 0);
    /* a set whose int8 sequence is not the peak set's (FXQ_ISA=avx2): its
     * own peak loops and its s8 kernel (7-bit weights: see the AVX2 s8 kernel) */
    const int own = act->peak_s8 && strcmp(act->peak_s8_how, mc.s8_how) != 0;
    const int have7 = own && fxq_bconv_init(&c7, 7, 8, 256, 32, 256, 0);
    double own8 = 0, own16 = 0;
    const double t_end = omp_get_wtime() + 2.0;
    for (int round = 0; round < 400 && (round < 12 || omp_get_wtime() < t_end); ++round) {
        fxq_machine_trial(&mc);
        fxq_bconv_trial(&c8);
        if (have16 && round % 2 == 0) fxq_bconv_trial(&c16);
        if (own) {
            const double r8 = fxq_machine_loop_trial(act->peak_s8, nth), r16 = fxq_machine_loop_trial(act->peak_s16, nth);
            if (r8 > own8) own8 = r8;
            if (r16 > own16) own16 = r16;
            if (have7) fxq_bconv_trial(&c7);
        }
    }
    fxq_machine_free(&mc);
    const double fma = mc.fma, vnni = mc.s8_loop;
    const double peak8 = mc.int8, gemm8 = c8.gemm;
    printf("bench:\n");
    printf("  fp32 FMA peak       %8.1f GFMA/s  (%.1f GFLOP/s; %s, %d threads)\n", fma / 1e9, 2 * fma / 1e9, how, nth);
    if (mc.s8_direct)
        printf("  int8 peak           %8.1f GMAC/s  (%s loop, measured)\n", peak8 / 1e9, mc.s8_how);
    else
        printf("  int8 peak           %8.1f GMAC/s  (= 4 x fp32 FMA peak)\n", peak8 / 1e9);
    if (vnni > 0 && !mc.s8_direct) printf("  vpdpbusd loop       %8.1f GMAC/s  (measured, for reference)\n", vnni / 1e9);
    if (mc.int16 > 0) printf("  int16 peak          %8.1f GMAC/s  (%s, measured)\n", mc.int16 / 1e9, mc.s16_how);
    for (int v = 0; v < FXQ_MEM_LEVELS; ++v)
        printf("  memory %-4s         %8.1f GB/s    (read + write, memcpy of %zu KiB per thread, %d threads)\n",
               fxq_mem_level_name[v], mc.bw[v] / 1e9, mc.buf[v] >> 10, nth);
    printf("  8/8 GEMM   M=256 N=1024 K=2304 %8.1f GMAC/s  (full run incl. im2col+pack: %.1f)  [%s]\n", c8.gemm / 1e9,
           c8.full / 1e9, c8.desc);
    if (have16)
        printf("  16/16 GEMM M=256 N=1024 K=2304 %8.1f GMAC/s  (full run: %.1f)  [%s]\n", c16.gemm / 1e9, c16.full / 1e9,
               c16.desc);
    if (own) {
        printf("  %s int8 peak     %8.1f GMAC/s  (%s, measured)\n", act->name, own8 / 1e9, act->peak_s8_how);
        if (own16 > 0)
            printf("  %s int16 peak    %8.1f GMAC/s  (%s, measured)\n", act->name, own16 / 1e9, act->peak_s16_how);
        if (have7)
            printf("  w7/a8 GEMM M=256 N=1024 K=2304 %8.1f GMAC/s  (full run: %.1f)  [%s]\n", c7.gemm / 1e9,
                   c7.full / 1e9, c7.desc);
        const double f7 = have7 && own8 > 0 ? c7.gemm / own8 : 0, f8 = own8 > 0 ? c8.gemm / own8 : 0;
        printf("  %s: w7/a8 GEMM / %s int8 peak: %.1f%%, 8/8 GEMM / %s int8 peak: %.1f%%", act->name, act->name,
               100 * f7, act->name, 100 * f8);
        if (own16 > 0) printf(", 8/8 GEMM / %s int16 peak: %.1f%%", act->name, 100 * c8.gemm / own16);
        printf("\n");
        printf("isa_gemm_peak_fraction %s %.3f %.3f\n", act->name, f7, f8);
    }
    fxq_bconv_free(&c8);
    if (have16) fxq_bconv_free(&c16);
    if (have7) fxq_bconv_free(&c7);
    if (own) {
        /* the active set's int8 GEMM against its own int8 sequence's peak
         * (the VNNI peak would be the wrong yardstick for it) */
        const double f = own8 > 0 && have7 ? c7.gemm / own8 : 0;
        printf("  %s int8 GEMM (w7/a8) / %s int8 peak: %.1f%%\n", act->name, act->name, 100 * f);
        printf("gemm_peak_fraction %.3f\n", f);
        return 0;
    }
    const double frac = peak8 > 0 ? gemm8 / peak8 : 0;
    printf("  int8 GEMM / int8 peak: %.1f%%\n", 100 * frac);
    printf("gemm_peak_fraction %.3f\n", frac);
    return 0;
}
