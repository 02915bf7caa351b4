/* fxq_s8_gemm_ukernel_6x16c4__avx2: int8 GEMM on CPUs without VNNI.
 *
 * Tile: MR = 6 filters x NR = 16 output positions (2 ymm of 8 int32), KR = 4.
 * Packed A: int32 bias[6] (pre-corrected by -128 * sum_k w for signed
 *   inputs), then s8 weights [kc/4][6][4] (a row's 4 k's as one dword,
 *   broadcast). Packed B: u8 [kc/4][16][4] = code + 128 (signed codes) or
 *   the code (unsigned ones) -- the layout of the VNNI set's s8 kernel.
 * Per 4 k's: vpmaddubsw (u8 B x s8 A -> 2 int16 pair sums per column),
 *   vpmaddwd with ones (-> one int32 per column), vpaddd into the tile:
 *   3 instructions for 32 multiply-adds (vpmaddwd on int16 does 16).
 * Exactness. vpmaddubsw SATURATES each pair sum B0*w0 + B1*w1 to int16,
 *   and |B| <= 255, |w| <= 128 allows 2 * 255 * 128 = 65280 > 32767. The
 *   kernel set declares s8_pair_limit = 32767 (pair stride 1) and the plan
 *   picks this kernel only when 255 * (|w_k| + |w_k+1|) <= 32767 on every
 *   pair, i.e. |w_k| + |w_k+1| <= 128 (every 7-bit weight set, 8-bit ones
 *   whose codes stay in -64..64, and a few more): then no pair
 *   saturates, vpmaddwd(ones) adds the two pairs exactly (|sum| < 2^16), and
 *   the int32 lanes wrap mod 2^32 like vpdpbusd -- exact under the int32
 *   rule of fxq_qconv.h. Other 8-bit weights (8/8 in general) take the
 *   exact s16 vpmaddwd kernel instead (fxq_s16_gemm_6x16c2__avx2.c), as
 *   no cheap operand split keeps both the speed and the exactness.
 *   The scalar twin (fxq_qgemm_scalar.c) saturates pairs the same way, so
 *   the kernel test compares them on full-range data too.
 * The k loop is inline asm (fxq_gemm_6x16_avx2.h: no accumulator spills).
 * Epilogue: fxq_rq_avx2.h (round half away from zero, saturate, act; row i
 *   with fxq_rq_row(rq, i)).
 * Preconditions: 1 <= mr <= 6, 1 <= nr <= 16, kc % 4 == 0.
 */
#if defined(__x86_64__)
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "fxq_gemm_6x16_avx2.h"
#include "fxq_rq_avx2.h"

FXQ_DECL_I32(fxq_s8_gemm_ukernel_6x16c4__avx2)
{
    assert(mr >= 1 && mr <= 6 && nr >= 1 && nr <= 16 && kc % 4 == 0);
    const int32_t *bias = (const int32_t *)a;
    const unsigned char *w = (const unsigned char *)(bias + 6);
    const unsigned char *x = (const unsigned char *)b;
    __m256i acc[12];
    size_t n = kc / 4;
    FXQ_AVX2_LOOP_6X16(FXQ_AVX2_ROW_S8, 24, x, w, n, bias, acc);
    fxq_rq_avx2_store_6x16(c, c_stride, acc, mr, nr, rq);
}
#endif
