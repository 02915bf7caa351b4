/* Runtime CPU feature detection (ggml-style dispatch).
 *
 * Detected once (cpuid + XGETBV, so a feature counts only when the OS saves
 * the register state it needs: YMM for AVX2/FMA, opmask+ZMM for AVX-512;
 * on AArch64 the kernel's getauxval(AT_HWCAP / AT_HWCAP2) bits, which count
 * only what the kernel lets user space run). Elsewhere every flag is 0. Which kernels run is decided from
 * these bits by the kernel-set table (fxq_kernels.h). */
#ifndef FXQ_CPU_H
#define FXQ_CPU_H

typedef struct fxq_cpu_features {
    int x86_64;
    int os_ymm, os_zmm;          /* XCR0: AVX / AVX-512 state enabled by the OS */
    int sse2, avx, avx2, fma;
    int avx512f, avx512dq, avx512bw, avx512vl, avx512vnni, avx512vbmi;
    int avxvnni;                 /* AVX-VNNI (VEX-encoded vpdpbusd on ymm) */
    int aarch64;
    int asimd, dotprod, i8mm;    /* AArch64 HWCAP_ASIMD, HWCAP_ASIMDDP, HWCAP2_I8MM */
    char vendor[13];
    char brand[49];
    int family, model;
} fxq_cpu_features;

/* Feature bits a kernel set can require (fxq_kernels.h). Bits, not a
 * "higher is better" order: sets for other architectures add their own. */
enum {
    FXQ_FEAT_SSE2 = 1u << 0,
    FXQ_FEAT_AVX2 = 1u << 1,
    FXQ_FEAT_FMA = 1u << 2,
    FXQ_FEAT_AVX512F = 1u << 3,
    FXQ_FEAT_AVX512BW = 1u << 4,
    FXQ_FEAT_AVX512VL = 1u << 5,
    FXQ_FEAT_AVX512DQ = 1u << 6,
    FXQ_FEAT_AVX512VNNI = 1u << 7,
    FXQ_FEAT_AVX512VBMI = 1u << 8,
    FXQ_FEAT_NEON = 1u << 9,      /* AArch64 Advanced SIMD */
    FXQ_FEAT_DOTPROD = 1u << 10,  /* Armv8.2 SDOT/UDOT */
    FXQ_FEAT_I8MM = 1u << 11,     /* Armv8.6 SMMLA/USMMLA */
};

/* Cached after the first call; thread-safe (idempotent detection). */
const fxq_cpu_features *fxq_cpu(void);

/* FXQ_FEAT_* bits of this CPU (and OS). */
unsigned fxq_cpu_feature_bits(void);

/* 1 if the CPU has every feature in `bits`. */
int fxq_cpu_has(unsigned bits);

#endif
