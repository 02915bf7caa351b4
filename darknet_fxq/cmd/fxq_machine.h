/* This machine's limits, measured (`fxq info --bench`, `fxq bench
 * --roofline`): compute peaks of the instructions the kernels use and the
 * memory bandwidth with the data resident in L2, in L3 and in DRAM. Every
 * figure is the best of many short trials (other jobs on the machine only
 * ever slow a trial down), on `threads` threads at once. */
#ifndef FXQ_MACHINE_H
#define FXQ_MACHINE_H

#include <stddef.h>

#include "fxq_kernels.h"

enum { FXQ_MEM_L2, FXQ_MEM_L3, FXQ_MEM_DRAM, FXQ_MEM_LEVELS };

typedef struct fxq_machine {
    int threads;
    double fma;            /* fp32 FMAs per second (0: no loop for this CPU) */
    double int8;           /* the int8 peak, MAC/s: 4 x fma on x86 (VNNI: 4 int8 MACs per fp32
                              lane), the s8 loop itself on AArch64 (s8_direct) */
    int s8_direct;
    double s8_loop;        /* the s8 kernels' own sequence (vpdpbusd), MAC/s */
    double int16;          /* the s16 kernels' sequence (vpdpwssd), MAC/s (0: no loop) */
    const char *fma_how, *s8_how, *s16_how;
    /* bytes read + written per second by a copy whose two buffers stay at
     * that level: per thread, buf[level] bytes each way */
    double bw[FXQ_MEM_LEVELS];
    size_t buf[FXQ_MEM_LEVELS];
    size_t cap[FXQ_MEM_LEVELS]; /* what the level holds for all threads (DRAM: SIZE_MAX) */
    unsigned char *mem[FXQ_MEM_LEVELS]; /* threads x 2 x buf[level] (between init and free) */
} fxq_machine;

extern const char *const fxq_mem_level_name[FXQ_MEM_LEVELS]; /* "L2", "L3", "DRAM" */

/* Buffers and cache sizes; 0 when out of memory. */
int fxq_machine_init(fxq_machine *m, int threads);
/* One trial of every measurement (~30 ms), the best kept. */
void fxq_machine_trial(fxq_machine *m);
void fxq_machine_free(fxq_machine *m);
/* init, trials for `seconds` (at least 8), free. 0 when out of memory. */
int fxq_machine_measure(fxq_machine *m, int threads, double seconds);
/* One trial of an integer throughput loop (a kernel set's peak_s8 or
 * peak_s16) on nth threads, ~2.6e8 MACs each: MACs per second (0 for NULL). */
double fxq_machine_loop_trial(fxq_peak_s8_fn fn, int nth);
/* The closest level whose capacity holds `bytes`. */
int fxq_machine_level(const fxq_machine *m, double bytes);

#endif
