/* Throughput loops for `darknet fxq info --bench` (AVX-512): 16 independent
 * zmm chains of fp32 FMA (vfmadd) / int8 dot products (vpdpbusd) / int16 ones (vpdpwssd), enough to
 * cover the latency on current cores (fxq_peak_loop.inc). */
#if defined(__x86_64__)
#include <immintrin.h>

#include "fxq_kernels.h"

#define FXQ_REP16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

#define FXQ_PEAK_NAME fxq_f32_fma_loop__avx512vnni
#define FXQ_PEAK_SINK float
#define FXQ_PEAK_VEC __m512
#define FXQ_PEAK_XY const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f)
#define FXQ_PEAK_INIT(i) _mm512_set1_ps(1.0f + (float)(i) * 0.01f)
#define FXQ_PEAK_STEP(a) _mm512_fmadd_ps(a, x, y)
#define FXQ_PEAK_ZERO _mm512_setzero_ps()
#define FXQ_PEAK_ADD(s, a) _mm512_add_ps(s, a)
#define FXQ_PEAK_REDUCE(s) _mm512_reduce_add_ps(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 16
#include "fxq_peak_loop.inc"

#define FXQ_PEAK_NAME fxq_s8_dot_loop__avx512vnni
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC __m512i
#define FXQ_PEAK_XY const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2)
#define FXQ_PEAK_INIT(i) _mm512_set1_epi32(i)
#define FXQ_PEAK_STEP(a) _mm512_dpbusd_epi32(a, x, y)
#define FXQ_PEAK_ZERO _mm512_setzero_si512()
#define FXQ_PEAK_ADD(s, a) _mm512_add_epi32(s, a)
#define FXQ_PEAK_REDUCE(s) _mm512_reduce_add_epi32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 64
#include "fxq_peak_loop.inc"

/* the s16 kernels' instruction (16-bit codes: 2 MACs per int32 lane) */
#define FXQ_PEAK_NAME fxq_s16_dot_loop__avx512vnni
#define FXQ_PEAK_SINK int32_t
#define FXQ_PEAK_VEC __m512i
#define FXQ_PEAK_XY const __m512i x = _mm512_set1_epi16(3), y = _mm512_set1_epi16(-2)
#define FXQ_PEAK_INIT(i) _mm512_set1_epi32(i)
#define FXQ_PEAK_STEP(a) _mm512_dpwssd_epi32(a, x, y)
#define FXQ_PEAK_ZERO _mm512_setzero_si512()
#define FXQ_PEAK_ADD(s, a) _mm512_add_epi32(s, a)
#define FXQ_PEAK_REDUCE(s) _mm512_reduce_add_epi32(s)
#define FXQ_PEAK_REP FXQ_REP16
#define FXQ_PEAK_MACS 32
#include "fxq_peak_loop.inc"
#endif
