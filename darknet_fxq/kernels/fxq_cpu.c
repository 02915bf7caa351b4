/* Runtime CPU feature detection: cpuid for what the CPU has, XGETBV for what
 * the OS preserves across context switches. See fxq_cpu.h. */
#include <pthread.h>
#include <string.h>

#include "fxq_cpu.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long fxq_xgetbv0(void)
{
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static void fxq_cpu_detect(fxq_cpu_features *f)
{
    unsigned int a, b, c, d, max_leaf;
    f->x86_64 = 1;
    f->sse2 = 1; /* part of x86-64 */
    if (!__get_cpuid(0, &max_leaf, &b, &c, &d)) return;
    memcpy(f->vendor + 0, &b, 4);
    memcpy(f->vendor + 4, &d, 4);
    memcpy(f->vendor + 8, &c, 4);
    f->vendor[12] = 0;

    __cpuid(1, a, b, c, d);
    const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    int family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    if (family >= 6) model |= ((a >> 16) & 0xf) << 4;
    f->family = family;
    f->model = model;

    if (osxsave) {
        const unsigned long long xcr0 = fxq_xgetbv0();
        f->os_ymm = (xcr0 & 0x6) == 0x6;             /* SSE + AVX state */
        f->os_zmm = f->os_ymm && (xcr0 & 0xe0) == 0xe0; /* opmask, ZMM_Hi256, Hi16_ZMM */
    }
    f->avx = avx && f->os_ymm;
    f->fma = fma && f->os_ymm;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        const unsigned int max_sub = a;
        f->avx2 = ((b >> 5) & 1) && f->os_ymm;
        if (f->os_zmm) {
            f->avx512f = (b >> 16) & 1;
            f->avx512dq = (b >> 17) & 1;
            f->avx512bw = (b >> 30) & 1;
            f->avx512vl = (b >> 31) & 1;
            f->avx512vbmi = (c >> 1) & 1;
            f->avx512vnni = (c >> 11) & 1;
        }
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            f->avxvnni = ((a >> 4) & 1) && f->os_ymm;
        }
    }
    __cpuid(0x80000000, a, b, c, d);
    if (a >= 0x80000004) {
        unsigned int r[12];
        for (unsigned int i = 0; i < 3; ++i) __cpuid(0x80000002 + i, r[4 * i], r[4 * i + 1], r[4 * i + 2], r[4 * i + 3]);
        memcpy(f->brand, r, 48);
        f->brand[48] = 0;
        /* trim leading/trailing blanks */
        char *s = f->brand;
        while (*s == ' ') ++s;
        memmove(f->brand, s, strlen(s) + 1);
        for (size_t n = strlen(f->brand); n && f->brand[n - 1] == ' '; --n) f->brand[n - 1] = 0;
    }
}
#elif defined(__aarch64__)
#include <stdio.h>
#include <sys/auxv.h>

/* Linux's AArch64 hwcap bits (asm/hwcap.h; spelled out for older headers). */
#define FXQ_HWCAP_ASIMD (1ul << 1)
#define FXQ_HWCAP_ASIMDDP (1ul << 20)
#define FXQ_HWCAP2_I8MM (1ul << 13)

static void fxq_cpu_detect(fxq_cpu_features *f)
{
    const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
    f->aarch64 = 1;
    f->asimd = (hw & FXQ_HWCAP_ASIMD) != 0;
    f->dotprod = f->asimd && (hw & FXQ_HWCAP_ASIMDDP) != 0;
    f->i8mm = f->asimd && (hw2 & FXQ_HWCAP2_I8MM) != 0;
    /* MIDR_EL1 as the kernel exports it (absent under qemu-user): implementer
     * in family, part number in model */
    FILE *m = fopen("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", "r");
    unsigned long long midr = 0;
    if (m) {
        if (fscanf(m, "%llx", &midr) == 1) {
            f->family = (int)((midr >> 24) & 0xff);
            f->model = (int)((midr >> 4) & 0xfff);
        }
        fclose(m);
    }
    snprintf(f->vendor, sizeof f->vendor, "aarch64");
}
#else
static void fxq_cpu_detect(fxq_cpu_features *f) { (void)f; }
#endif

static fxq_cpu_features fxq_feats;
static pthread_once_t fxq_feats_once = PTHREAD_ONCE_INIT;

static void fxq_cpu_init(void)
{
    memset(&fxq_feats, 0, sizeof fxq_feats);
    fxq_cpu_detect(&fxq_feats);
}

const fxq_cpu_features *fxq_cpu(void)
{
    pthread_once(&fxq_feats_once, fxq_cpu_init);
    return &fxq_feats;
}

unsigned fxq_cpu_feature_bits(void)
{
    const fxq_cpu_features *f = fxq_cpu();
    return (f->sse2 ? FXQ_FEAT_SSE2 : 0u) | (f->avx2 ? FXQ_FEAT_AVX2 : 0u) | (f->fma ? FXQ_FEAT_FMA : 0u) |
           (f->avx512f ? FXQ_FEAT_AVX512F : 0u) | (f->avx512bw ? FXQ_FEAT_AVX512BW : 0u) |
           (f->avx512vl ? FXQ_FEAT_AVX512VL : 0u) | (f->avx512dq ? FXQ_FEAT_AVX512DQ : 0u) |
           (f->avx512vnni ? FXQ_FEAT_AVX512VNNI : 0u) | (f->avx512vbmi ? FXQ_FEAT_AVX512VBMI : 0u) |
           (f->asimd ? FXQ_FEAT_NEON : 0u) | (f->dotprod ? FXQ_FEAT_DOTPROD : 0u) | (f->i8mm ? FXQ_FEAT_I8MM : 0u);
}

int fxq_cpu_has(unsigned bits)
{
    return (fxq_cpu_feature_bits() & bits) == bits;
}
