/* The kernel-set registry and the one-time choice of the set plans use
 * (fxq_kernels.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cpu.h"
#include "fxq_kernels.h"

/* Best first: dispatch takes the first supported set. */
static const fxq_kernel_set *const fxq_registry[] = {
#if defined(__x86_64__)
    &fxq_kernels_avx512vnni,
    &fxq_kernels_avx2,
#endif
#if defined(__aarch64__)
    &fxq_kernels_neoni8mm,
    &fxq_kernels_neondot,
    &fxq_kernels_neon,
#endif
    &fxq_kernels_scalar,
    &fxq_kernels_avx512vnni_twin,
    &fxq_kernels_avx2_twin,
    &fxq_kernels_neoni8mm_twin,
    &fxq_kernels_neondot_twin,
    &fxq_kernels_neon_twin,
    NULL,
};

const fxq_kernel_set *const *fxq_kernel_sets(void)
{
    return fxq_registry;
}

int fxq_kernel_set_supported(const fxq_kernel_set *ks)
{
    return ks && fxq_cpu_has(ks->features);
}

const fxq_kernel_set *fxq_kernel_set_find(const char *name)
{
    if (!name) return NULL;
    for (const fxq_kernel_set *const *k = fxq_registry; *k; ++k)
        if (!strcmp((*k)->name, name)) return *k;
    return NULL;
}

static const fxq_kernel_set *fxq_chosen;
static int fxq_chosen_capped;
static pthread_once_t fxq_chosen_once = PTHREAD_ONCE_INIT;

/* The first supported dispatch set; FXQ_ISA names a set to use instead when
 * the CPU supports it and it comes no earlier in the table (a cap, never a
 * way to run kernels the CPU lacks). */
static void fxq_choose(void)
{
    const fxq_kernel_set *const *best = fxq_registry;
    while (!((*best)->dispatch && fxq_kernel_set_supported(*best))) ++best; /* scalar always is */
    fxq_chosen = *best;
    const char *cap = getenv("FXQ_ISA");
    for (const fxq_kernel_set *const *k = best; cap && *k; ++k)
        if ((*k)->dispatch && !strcmp((*k)->name, cap) && fxq_kernel_set_supported(*k)) {
            fxq_chosen_capped = *k != *best;
            fxq_chosen = *k;
        }
}

const fxq_kernel_set *fxq_kernel_set_default(int *capped)
{
    pthread_once(&fxq_chosen_once, fxq_choose);
    if (capped) *capped = fxq_chosen_capped;
    return fxq_chosen;
}

static const fxq_kernel_set *fxq_forced;

void fxq_kernel_set_force(const fxq_kernel_set *ks)
{
    fxq_forced = ks;
}

const fxq_kernel_set *fxq_kernel_set_active(void)
{
    return fxq_forced ? fxq_forced : fxq_kernel_set_default(NULL);
}
