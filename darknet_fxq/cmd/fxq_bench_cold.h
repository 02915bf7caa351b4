/* `darknet fxq bench --cold` (fxq_bench_cold.c): load time, first forward
 * and warm forwards of one cfg in this process; prints one line
 *   cold <model> <label> load_s <s> first_ms <ms> warm_ms <ms> first_over_warm <x>
 *        faults_load <n> faults_first <n> faults_warm <n>
 * (warm: the median of `runs` forwards after the first; faults: page faults
 * while loading, in the first forward, per warm forward). 0 on success. */
#ifndef FXQ_BENCH_COLD_H
#define FXQ_BENCH_COLD_H

int fxq_bench_cold(const char *cfg, const char *weights, const char *label, const char *model, int runs);

#endif
