/* Internal: the k loop of the 6x16 AVX2 GEMM kernels in inline asm (include
 * only from files compiled with -mavx2).
 *
 * Why asm: the tile needs 12 ymm accumulators + 2 B vectors + the weight
 * broadcast + a temporary = all 16 ymm registers, and GCC (12) spills three
 * accumulators to the stack every iteration (load + add + store each) when
 * it keeps the vpmaddwd "ones" constant in a register too. Here the
 * constant is a memory operand (loads are cheap; ALU ports are the limit)
 * and the register allocation is fixed (ymm0..15 clobbered).
 *
 * FXQ_AVX2_LOOP_6X16(ROW, KSTEP, x, w, n, bias, acc) (XP .. AP below):
 *   acc[12] = bias[row] (int32 bias[6]) + n iterations; each loads B (2 ymm
 *   at x), runs ROW for the 6 rows (weights dword at w + 4 * row), then
 *   x += 64 bytes, w += KSTEP bytes. The accumulators live in ymm0..11
 *   throughout and are stored to acc once at the end.
 * ROW bodies: FXQ_AVX2_ROW_S8 (vpmaddubsw, vpmaddwd with ones, vpaddd) and
 * FXQ_AVX2_ROW_S16 (vpmaddwd, vpaddd).
 */
#ifndef FXQ_GEMM_6X16_AVX2_H
#define FXQ_GEMM_6X16_AVX2_H

#include <immintrin.h>
#include <stdint.h>

static const int16_t fxq_avx2_ones16[16] __attribute__((aligned(32))) = {1, 1, 1, 1, 1, 1, 1, 1,
                                                                          1, 1, 1, 1, 1, 1, 1, 1};

/* ymm0..11: the accumulators (row i: ymm 2i, 2i+1), ymm12/13: B,
 * ymm14: the weight broadcast, ymm15: temporary. */
#define FXQ_AVX2_ROW_S8(A0, A1, OFF)                                                               \
    "vpbroadcastd " OFF "(%[w]), %%ymm14\n\t"                                                      \
    "vpmaddubsw %%ymm14, %%ymm12, %%ymm15\n\t"                                                     \
    "vpmaddwd %[ones], %%ymm15, %%ymm15\n\t"                                                       \
    "vpaddd %%ymm15, %%ymm" A0 ", %%ymm" A0 "\n\t"                                                 \
    "vpmaddubsw %%ymm14, %%ymm13, %%ymm15\n\t"                                                     \
    "vpmaddwd %[ones], %%ymm15, %%ymm15\n\t"                                                       \
    "vpaddd %%ymm15, %%ymm" A1 ", %%ymm" A1 "\n\t"

#define FXQ_AVX2_ROW_S16(A0, A1, OFF)                                                              \
    "vpbroadcastd " OFF "(%[w]), %%ymm14\n\t"                                                      \
    "vpmaddwd %%ymm14, %%ymm12, %%ymm15\n\t"                                                       \
    "vpaddd %%ymm15, %%ymm" A0 ", %%ymm" A0 "\n\t"                                                 \
    "vpmaddwd %%ymm14, %%ymm13, %%ymm15\n\t"                                                       \
    "vpaddd %%ymm15, %%ymm" A1 ", %%ymm" A1 "\n\t"

#define FXQ_AVX2_BIAS(R, A0, A1, OFF)                                                              \
    "vpbroadcastd " OFF "(%[bias]), %%ymm" A0 "\n\t"                                               \
    "vmovdqa %%ymm" A0 ", %%ymm" A1 "\n\t"
#define FXQ_AVX2_STORE(A, OFF) "vmovdqu %%ymm" A ", " OFF "(%[acc])\n\t"

/* acc[12] (row i: acc[2i], acc[2i+1]) = bias[i] + the k loop's sums. */
#define FXQ_AVX2_LOOP_6X16(ROW, KSTEP, XP, WP, NP, BP, AP)                                         \
    __asm__ volatile(FXQ_AVX2_BIAS(0, "0", "1", "0") FXQ_AVX2_BIAS(1, "2", "3", "4")               \
                     FXQ_AVX2_BIAS(2, "4", "5", "8") FXQ_AVX2_BIAS(3, "6", "7", "12")              \
                     FXQ_AVX2_BIAS(4, "8", "9", "16") FXQ_AVX2_BIAS(5, "10", "11", "20")           \
                     "test %[n], %[n]\n\t"                                                         \
                     "jz 2f\n\t"                                                                   \
                     ".p2align 4\n"                                                                \
                     "1:\n\t"                                                                      \
                     "vmovdqu (%[x]), %%ymm12\n\t"                                                 \
                     "vmovdqu 32(%[x]), %%ymm13\n\t"                                               \
                     ROW("0", "1", "0") ROW("2", "3", "4") ROW("4", "5", "8")                      \
                     ROW("6", "7", "12") ROW("8", "9", "16") ROW("10", "11", "20")                 \
                     "add $64, %[x]\n\t"                                                           \
                     "add $" #KSTEP ", %[w]\n\t"                                                   \
                     "dec %[n]\n\t"                                                                \
                     "jnz 1b\n"                                                                    \
                     "2:\n\t"                                                                      \
                     FXQ_AVX2_STORE("0", "0") FXQ_AVX2_STORE("1", "32") FXQ_AVX2_STORE("2", "64")  \
                     FXQ_AVX2_STORE("3", "96") FXQ_AVX2_STORE("4", "128") FXQ_AVX2_STORE("5", "160") \
                     FXQ_AVX2_STORE("6", "192") FXQ_AVX2_STORE("7", "224") FXQ_AVX2_STORE("8", "256") \
                     FXQ_AVX2_STORE("9", "288") FXQ_AVX2_STORE("10", "320") FXQ_AVX2_STORE("11", "352") \
                     : [x] "+r"(XP), [w] "+r"(WP), [n] "+r"(NP)                                       \
                     : [bias] "r"(BP), [acc] "r"(AP), [ones] "m"(*(const __m256i *)fxq_avx2_ones16) \
                     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")

#endif
