/* Runtime CPU feature detection (ggml-style dispatch).
 *
 * Detected once (cpuid + XGETBV, so a feature counts only when the OS saves
 * the register state it needs: YMM for AVX2/FMA, opmask+ZMM for AVX-512).
 * On anything but x86-64 every flag is 0 and the best ISA is "scalar".
 *
 * FXQ_ISA=scalar|avx2|avx512vnni in the environment caps the ISA that
 * fxq_cpu_best_isa() reports (never raises it above what the CPU has). */
#ifndef FXQ_CPU_H
#define FXQ_CPU_H

typedef struct fxq_cpu_features {
    int x86_64;
    int os_ymm, os_zmm;          /* XCR0: AVX / AVX-512 state enabled by the OS */
    int sse2, avx, avx2, fma;
    int avx512f, avx512dq, avx512bw, avx512vl, avx512vnni, avx512vbmi;
    int avxvnni;                 /* AVX-VNNI (VEX-encoded vpdpbusd on ymm) */
    char vendor[13];
    char brand[49];
    int family, model;
} fxq_cpu_features;

typedef enum fxq_isa {
    FXQ_ISA_SCALAR = 0,
    FXQ_ISA_AVX2 = 1,        /* AVX2 + FMA */
    FXQ_ISA_AVX512VNNI = 2,  /* AVX-512 F/BW/VL/DQ + VNNI */
    FXQ_ISA_COUNT
} fxq_isa;

/* Cached after the first call; thread-safe (idempotent detection). */
const fxq_cpu_features *fxq_cpu(void);

/* 1 if this CPU (and OS) can run kernels of `isa`. */
int fxq_cpu_supports(fxq_isa isa);

/* Best ISA the CPU supports, capped by $FXQ_ISA if set and valid. */
fxq_isa fxq_cpu_best_isa(void);

const char *fxq_isa_name(fxq_isa isa);
/* Parses "scalar" / "avx2" / "avx512vnni"; -1 if unknown. */
int fxq_isa_parse(const char *name);

#endif
