/* Peaks and bandwidths of this machine: see fxq_machine.h.
 * Bandwidth is a copy (glibc memcpy, whose vector width follows the CPU)
 * between two buffers per thread, counted as bytes read + bytes written --
 * what a layer does with its operands and its output. Buffer sizes: a
 * quarter of a core's L2 each (both fit beside other data), an eighth of
 * the L3 shared by the threads, and 32 MiB (the two buffers of each thread
 * alone are twice the L3 here). Cache
 * sizes from sysfs (the VM's sysconf L3 figure is wrong: 320 MiB). */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_kernels.h"
#include "fxq_machine.h"

const char *const fxq_mem_level_name[FXQ_MEM_LEVELS] = {"L2", "L3", "DRAM"};

/* sysfs cache size of `level` (bytes), else fallback */
static size_t fxq_cache_size(int level, size_t fallback)
{
    for (int i = 0; i < 8; ++i) {
        char path[96], buf[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        FILE *f = fopen(path, "r");
        if (!f) break;
        const int lv = fgets(buf, sizeof buf, f) ? atoi(buf) : 0;
        fclose(f);
        if (lv != level) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (!(f = fopen(path, "r"))) break;
        char *end = NULL;
        size_t v = fgets(buf, sizeof buf, f) ? strtoul(buf, &end, 10) : 0;
        fclose(f);
        if (end && (*end == 'K' || *end == 'k')) v <<= 10;
        else if (end && (*end == 'M' || *end == 'm')) v <<= 20;
        if (v) return v;
    }
    return fallback;
}

/* The best kernel set's loops (whatever FXQ_ISA says: the peak is the
 * machine's). */
static const fxq_kernel_set *fxq_machine_set(void)
{
    for (const fxq_kernel_set *const *k = fxq_kernel_sets(); *k; ++k)
        if ((*k)->dispatch && (*k)->peak_f32 && fxq_kernel_set_supported(*k)) return *k;
    return NULL;
}

int fxq_machine_init(fxq_machine *m, int threads)
{
    memset(m, 0, sizeof *m);
    m->threads = threads < 1 ? 1 : threads;
    const fxq_kernel_set *ks = fxq_machine_set();
    m->fma_how = ks ? ks->peak_f32_how : "none";
    m->s8_how = ks && ks->peak_s8 ? ks->peak_s8_how : "none";
    m->s16_how = ks && ks->peak_s16 ? ks->peak_s16_how : "none";
    const size_t l2 = fxq_cache_size(2, (size_t)1 << 20), l3 = fxq_cache_size(3, (size_t)8 << 20);
    m->buf[FXQ_MEM_L2] = l2 / 4;
    m->buf[FXQ_MEM_L3] = l3 / 8 / (size_t)m->threads;
    if (m->buf[FXQ_MEM_L3] < 2 * l2) m->buf[FXQ_MEM_L3] = 2 * l2;
    m->buf[FXQ_MEM_DRAM] = (size_t)32 << 20;
    m->cap[FXQ_MEM_L2] = l2 * (size_t)m->threads;
    m->cap[FXQ_MEM_L3] = l3 + m->cap[FXQ_MEM_L2];
    m->cap[FXQ_MEM_DRAM] = SIZE_MAX;
    for (int v = 0; v < FXQ_MEM_LEVELS; ++v) {
        const size_t bytes = 2 * m->buf[v] * (size_t)m->threads;
        if (!(m->mem[v] = malloc(bytes))) return fxq_machine_free(m), 0;
        memset(m->mem[v], 1, bytes); /* faulted in before any trial */
    }
    return 1;
}

void fxq_machine_free(fxq_machine *m)
{
    for (int v = 0; v < FXQ_MEM_LEVELS; ++v) free(m->mem[v]), m->mem[v] = NULL;
}

double fxq_machine_loop_trial(fxq_peak_s8_fn fn, int nth)
{
    if (!fn) return 0;
    int32_t s0;
    const long iters = (long)(2.56e8 / (fn(1000, &s0) / 1000));
    double macs = 0;
    const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nth) reduction(+ : macs)
    {
        int32_t s;
        macs += fn(iters, &s);
        if (s == 12345) macs += 0;
    }
    return macs / (omp_get_wtime() - t0);
}

static double fxq_fma_trial(fxq_peak_f32_fn fn, int nth)
{
    if (!fn) return 0;
    double macs = 0;
    const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nth) reduction(+ : macs)
    {
        float s;
        macs += fn(500 * 1000, &s);
        if (s == 12345.f) macs += 0 * (double)s;
    }
    return macs / (omp_get_wtime() - t0);
}

/* Every thread copies its buffer back and forth for about 24 MiB
 * (at least twice): bytes read + written per second. */
static double fxq_bw_trial(const fxq_machine *m, int v)
{
    const size_t b = m->buf[v];
    const int reps = b >= ((size_t)12 << 20) ? 2 : (int)(((size_t)24 << 20) / b);
    const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(m->threads)
    {
        unsigned char *x = m->mem[v] + (size_t)omp_get_thread_num() * 2 * b, *y = x + b;
        for (int r = 0; r < reps; ++r) {
            memcpy(r % 2 ? x : y, r % 2 ? y : x, b);
            __asm__ volatile("" ::: "memory");
        }
    }
    return 2.0 * (double)b * reps * m->threads / (omp_get_wtime() - t0);
}

void fxq_machine_trial(fxq_machine *m)
{
    const fxq_kernel_set *ks = fxq_machine_set();
    double r = fxq_fma_trial(ks ? ks->peak_f32 : NULL, m->threads);
    if (r > m->fma) m->fma = r;
    if ((r = fxq_machine_loop_trial(ks ? ks->peak_s8 : NULL, m->threads)) > m->s8_loop) m->s8_loop = r;
    /* NEON: sdot / smmla / smlal do not run at a fixed multiple of fmla
     * across cores, so the int8 peak is the s8 loop itself */
    m->s8_direct = ks && ks->peak_s8_direct && m->s8_loop > 0;
    m->int8 = m->s8_direct ? m->s8_loop : 4 * m->fma;
    if ((r = fxq_machine_loop_trial(ks ? ks->peak_s16 : NULL, m->threads)) > m->int16) m->int16 = r;
    for (int v = 0; v < FXQ_MEM_LEVELS; ++v)
        if (m->mem[v] && (r = fxq_bw_trial(m, v)) > m->bw[v]) m->bw[v] = r;
}

int fxq_machine_measure(fxq_machine *m, int threads, double seconds)
{
    if (!fxq_machine_init(m, threads)) return 0;
    const double end = omp_get_wtime() + seconds;
    for (int round = 0; round < 8 || omp_get_wtime() < end; ++round) fxq_machine_trial(m);
    fxq_machine_free(m);
    return 1;
}

int fxq_machine_level(const fxq_machine *m, double bytes)
{
    for (int v = 0; v < FXQ_MEM_LEVELS - 1; ++v)
        if (bytes <= (double)m->cap[v]) return v;
    return FXQ_MEM_DRAM;
}
