/* `darknet fxq bench --cold`: what a user who runs one image per process
 * sees. In this (fresh) process: the network loaded as `detector test` and
 * `classifier predict` load it (load_network: parse, weights; for a
 * fixed-point cfg the codes and kernel plans), then its first forward
 * (network_predict, as their "Predicted in" line times it), then warm
 * forwards. Run it once per process: only the first call is cold. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "fxq_bench_cold.h"
#include "network.h"
#include "parser.h"

static int fxq_dcmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* page faults so far: the first touch of every buffer, a cost the
 * clock shows only on a quiet machine */
static long fxq_faults(void)
{
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) ? 0 : u.ru_minflt + u.ru_majflt;
}

int fxq_bench_cold(const char *cfg, const char *weights, const char *label, const char *model, int runs)
{
    const long f0 = fxq_faults();
    const double t0 = omp_get_wtime();
    network *net = load_network((char *)cfg, (char *)weights, 0);
    set_batch_network(net, 1);
    const double t_load = omp_get_wtime() - t0;
    float *x = malloc(sizeof(float) * net->inputs);
    double *warm = malloc(sizeof(double) * (size_t)runs);
    if (!x || !warm) {
        fprintf(stderr, "darknet fxq bench: out of memory\n");
        return 1;
    }
    srand(1);
    for (int i = 0; i < net->inputs; ++i) x[i] = rand() / (float)RAND_MAX;
    const long f1 = fxq_faults();
    double s = omp_get_wtime();
    network_predict(net, x);
    const double t_first = omp_get_wtime() - s;
    const long f2 = fxq_faults();
    for (int r = 0; r < runs; ++r) {
        s = omp_get_wtime();
        network_predict(net, x);
        warm[r] = omp_get_wtime() - s;
    }
    const long f3 = fxq_faults();
    qsort(warm, (size_t)runs, sizeof *warm, fxq_dcmp);
    const double med = warm[runs / 2];
    printf("cold %s %s load_s %.4f first_ms %.3f warm_ms %.3f first_over_warm %.2f faults_load %ld faults_first %ld "
           "faults_warm %.1f\n",
           model, label, t_load, t_first * 1e3, med * 1e3, t_first / med, f1 - f0, f2 - f1, (double)(f3 - f2) / runs);
    free(x);
    free(warm);
    free_network(net);
    return 0;
}
