/* The benchmark hook of `darknet fxq info --bench` (fxq_qconv.h): phase 3
 * alone, over the B panels (or x) the last fxq_qconv_run left in the plan. */
#include <omp.h>

#include "fxq_qconv_impl.h"

double fxq_qconv_bench_gemm(const fxq_qconv_plan *p, int16_t *out, int reps)
{
    if (p->gemv || p->gemv64) {
        const double t0 = omp_get_wtime();
        for (int r = 0; r < reps; ++r) fxq_qconv_gemv_rows(p, out, 0, (p->d.m + p->gmr - 1) / p->gmr);
        return omp_get_wtime() - t0;
    }
    const int nth = fxq_qconv_team_size(p);
    if (p->wide) out = p->wout; /* the GEMM's own m x (out_h * ws) grid */
    const long tiles = (long)p->m_tiles * p->n_tiles;
    const double t0 = omp_get_wtime();
    for (int r = 0; r < reps; ++r) {
        if (nth <= 1) {
            fxq_qconv_gemm_tiles(p, out, 0, tiles, 0);
            continue;
        }
#pragma omp parallel num_threads(nth)
        {
            long b0, b1;
            fxq_qconv_split(tiles, omp_get_thread_num(), omp_get_num_threads(), &b0, &b1);
            fxq_qconv_gemm_tiles(p, out, b0, b1, omp_get_thread_num());
        }
    }
    return omp_get_wtime() - t0;
}
