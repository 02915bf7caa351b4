/* The NEON sets' layouts run by their scalar twins, on any CPU (tests
 * only, like the x86 twins of fxq_kernels__scalar.c): 4x16 tiles, s8 x s8
 * B (input offset 0: code - lowest code - 128), KR 4 (sdot, smull/smlal
 * with int16 pairs) or 8 (smmla), one-column kernels. On x86 they check
 * the plans' signed-B, c8 and pair-limit paths without an ARM CPU; on
 * AArch64 they are what each NEON kernel is compared with bit for bit. */
#include "fxq_kernels.h"

#define FXQ_NEON_TWIN_COMMON                                                                       \
    .features = 0, .dispatch = 0, .mr = 4, .nr = 16, .s8_in_offset = 0,                            \
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_4x16c2__scalar),                                          \
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_4x16c2__scalar),                                  \
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),                                             \
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,                                      \
    FXQ_KERNEL(gemv_s8, fxq_s8s8_gemv_ukernel_16c64__scalar),                                      \
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__scalar),                                      \
    .convert = fxq_convert_plane__scalar, .im2col_row = fxq_im2col_row__scalar,                    \
    .pack_s16c2 = fxq_pack_s16c2__scalar,                                                          \
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__scalar),                                        \
    FXQ_KERNEL(dequantize, fxq_f32_dequantize_ukernel__scalar),                                    \
    FXQ_KERNEL(maxpool_2x2, fxq_s16_maxpool_2x2_ukernel__scalar),                                  \
    FXQ_KERNEL(maxpool_s1, fxq_s16_maxpool_s1_ukernel__scalar)

const fxq_kernel_set fxq_kernels_neon_twin = {
    .name = "neon-twin", FXQ_NEON_TWIN_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c4_mlal__scalar), .s8_pair_limit = 32767, .s8_pair_stride = 4,
    .pack_u8c4 = fxq_pack_u8c4__scalar,
};

const fxq_kernel_set fxq_kernels_neondot_twin = {
    .name = "neondot-twin", FXQ_NEON_TWIN_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c4__scalar),
    .pack_u8c4 = fxq_pack_u8c4__scalar,
};

const fxq_kernel_set fxq_kernels_neoni8mm_twin = {
    .name = "neoni8mm-twin", FXQ_NEON_TWIN_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c8__scalar), .s8_kr = 8,
    .pack_u8c4 = fxq_pack_u8c8__scalar,
};
