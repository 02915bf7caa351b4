/* s8 x s8 GEMM microkernel, 4x16 tile, KR = 8, Armv8.6 SMMLA: one smmla
 * multiplies a 2x8 block of A (rows m, m+1: one register of the c8
 * layout) by the 8x2 block of B (columns n, n+1: one register) into a 2x2
 * int32 block -- 32 MACs. A k-step of 8 is 2 A registers and 8 B
 * registers: 16 smmla, 3 loads. 16 accumulators (2 row pairs x 8 column
 * pairs) + 10 operand registers: no spills. The epilogue unzips the 2x2
 * blocks into rows (zip1/zip2 on 64-bit lanes). B holds code - lowest
 * code - 128, sums wrap mod 2^32 as the twin's
 * (fxq_s8s8_gemm_ukernel_4x16c8__scalar). Compiled with +i8mm, called
 * only where HWCAP2_I8MM says the CPU has it. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fxq_rq_neon.h"

/* Accumulators are named variables (c<row pair><column pair>), not an
 * array: an array whose address reaches the epilogue is stored to the
 * stack on every iteration. */
#define FXQ_MM_PAIR(p, va)                                                                         \
    c##p##0 = vmmlaq_s32(c##p##0, va, b0.val[0]);                                                  \
    c##p##1 = vmmlaq_s32(c##p##1, va, b0.val[1]);                                                  \
    c##p##2 = vmmlaq_s32(c##p##2, va, b0.val[2]);                                                  \
    c##p##3 = vmmlaq_s32(c##p##3, va, b0.val[3]);                                                  \
    c##p##4 = vmmlaq_s32(c##p##4, va, b1.val[0]);                                                  \
    c##p##5 = vmmlaq_s32(c##p##5, va, b1.val[1]);                                                  \
    c##p##6 = vmmlaq_s32(c##p##6, va, b1.val[2]);                                                  \
    c##p##7 = vmmlaq_s32(c##p##7, va, b1.val[3]);
/* one k-step of 8: A rows 0-1 and 2-3, B column pairs 0..7 */
#define FXQ_MM_STEP                                                                                \
    {                                                                                              \
        const int8x16x2_t va = vld1q_s8_x2(w);                                                     \
        const int8x16x4_t b0 = vld1q_s8_x4(x);                                                     \
        x += 64;                                                                                   \
        const int8x16x4_t b1 = vld1q_s8_x4(x);                                                     \
        x += 64;                                                                                   \
        w += 32;                                                                                   \
        FXQ_MM_PAIR(0, va.val[0])                                                                  \
        FXQ_MM_PAIR(1, va.val[1])                                                                  \
    }
/* rows 2p, 2p+1: lanes [m n, m n+1, m+1 n, m+1 n+1] start at the biases */
#define FXQ_INIT_PAIR(p)                                                                           \
    int32x4_t c##p##0 = vcombine_s32(vdup_n_s32(bias[2 * p]), vdup_n_s32(bias[2 * p + 1]));        \
    int32x4_t c##p##1 = c##p##0, c##p##2 = c##p##0, c##p##3 = c##p##0, c##p##4 = c##p##0,          \
              c##p##5 = c##p##0, c##p##6 = c##p##0, c##p##7 = c##p##0;

FXQ_DECL_I32(fxq_s8s8_gemm_ukernel_4x16c8__neoni8mm)
{
    const int32_t *bias = (const int32_t *)a;
    const int8_t *w = (const int8_t *)(bias + 4);
    const int8_t *x = (const int8_t *)b;
    FXQ_INIT_PAIR(0) FXQ_INIT_PAIR(1)
    /* one k-step per iteration: unrolled twice, the 16 + 20 operand
     * registers do not fit and the compiler shuffles them (measured: 32 of
     * 57 instructions smmla, against 16 of 21 here) */
    for (size_t g = kc / 8; g; --g) FXQ_MM_STEP
    /* 2x2 blocks -> rows: row 2p, columns 4q..4q+3 = the low halves of
     * blocks (p, 2q) and (p, 2q+1), row 2p+1 their high halves */
    const int32x4_t blk[16] = {c00, c01, c02, c03, c04, c05, c06, c07, c10, c11, c12, c13, c14, c15, c16, c17};
    int32x4_t rows[16];
    for (int p = 0; p < 2; ++p)
        for (int q = 0; q < 4; ++q) {
            const int64x2_t l = vreinterpretq_s64_s32(blk[8 * p + 2 * q]), h = vreinterpretq_s64_s32(blk[8 * p + 2 * q + 1]);
            rows[4 * (2 * p) + q] = vreinterpretq_s32_s64(vzip1q_s64(l, h));
            rows[4 * (2 * p + 1) + q] = vreinterpretq_s32_s64(vzip2q_s64(l, h));
        }
    fxq_rq_neon_store_4x16(c, c_stride, rows, mr, nr, rq);
}
#endif
