/* fxq_s8_gemm_ukernel_8x32c4__avx512vnni
 *
 * Tile: MR = 8 filters x NR = 32 output positions (2 zmm of 16), KR = 4.
 * Packed A: int32 bias[8], then s8 weights [kc/4][8][4] (each row's 4
 *   consecutive k as one dword, broadcast to all lanes).
 * Packed B: u8 activations [kc/4][32][4], stored as code + the set's input
 *   offset (128) because vpdpbusd multiplies u8 x s8; the bias was
 *   pre-corrected at pack time to bias - 128 * sum_k w[m][k], so acc = bias
 *   + sum_k w * code exactly. Unsigned 8-bit codes are stored as they are
 *   (offset 0, no correction).
 * Accumulator: int32, wrap-around (vpdpbusd does not saturate); the plan
 *   uses this kernel only when the int32 rule of fxq_qconv.h holds, so the
 *   final value is the exact sum.
 * Epilogue: fxq_rq_avx512_store_8x32 (round half away from zero, saturate,
 *   act; row i with fxq_rq_row(rq, i)), masked int16 stores of mr x nr.
 * Preconditions: 1 <= mr <= 8, 1 <= nr <= 32, kc % 4 == 0.
 */
#define FXQ_GEMM_NAME fxq_s8_gemm_ukernel_8x32c4__avx512vnni
#define FXQ_GEMM_OP "vpdpbusd"
#define FXQ_GEMM_KR 4
#include "fxq_gemm_8x32__avx512vnni.inc"
