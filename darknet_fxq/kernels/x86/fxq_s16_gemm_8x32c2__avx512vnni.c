/* fxq_s16_gemm_ukernel_8x32c2__avx512vnni
 *
 * Tile: MR = 8 filters x NR = 32 output positions (2 zmm of 16), KR = 2.
 * Packed A: int32 bias[8], then s16 weights [kc/2][8][2] (a row's 2
 *   consecutive k as one dword, broadcast).
 * Packed B: s16 activations [kc/2][32][2].
 * Accumulator: int32 via vpdpwssd (pairwise s16 x s16 products summed, no
 *   saturation, wrap-around). A pair of (-32768)*(-32768) products is 2^31,
 *   which wraps -- but arithmetic mod 2^32 stays exact, and the plan uses
 *   this kernel only when the int32 rule of fxq_qconv.h holds (the true
 *   final sum fits), so the result is exact.
 * Epilogue: fxq_rq_avx512_store_8x32 (round half away from zero, saturate,
 *   act; row i with fxq_rq_row(rq, i)).
 * Preconditions: 1 <= mr <= 8, 1 <= nr <= 32, kc % 2 == 0.
 */
#define FXQ_GEMM_NAME fxq_s16_gemm_ukernel_8x32c2__avx512vnni
#define FXQ_GEMM_OP "vpdpwssd"
#define FXQ_GEMM_KR 2
#include "fxq_gemm_8x32__avx512vnni.inc"
