/* Kernel sets that run on any CPU: the portable scalar set (the fallback and
 * the reference set; its small-P s16 tile is the AVX2 set's layout, so
 * plans on it take the same igemm path), and the AVX-512 VNNI layouts run by their scalar twins
 * (tests only: it checks the 8x32 tiling, the s8 input offset and the GEMV
 * paths of the driver on machines without AVX-512), and the AVX2 layouts
 * likewise. */
#include "fxq_kernels.h"

#define FXQ_PORTABLE_MOVES                                                                         \
    .convert = fxq_convert_plane__scalar, .im2col_row = fxq_im2col_row__scalar,                    \
    .pack_u8c4 = fxq_pack_u8c4__scalar, .pack_s16c2 = fxq_pack_s16c2__scalar,                      \
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__scalar), FXQ_KERNEL(dequantize, fxq_f32_dequantize_ukernel__scalar), \
    FXQ_KERNEL(maxpool_2x2, fxq_s16_maxpool_2x2_ukernel__scalar),                                    \
    FXQ_KERNEL(maxpool_s1, fxq_s16_maxpool_s1_ukernel__scalar)

const fxq_kernel_set fxq_kernels_scalar = {
    .name = "scalar", .features = 0, .dispatch = 1, .mr = 6, .nr = 16, .team_min_macs = 1e6,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_6x16c2__scalar),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__scalar),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),
    .s16_igemm_mr = 16, .s16_igemm_nr = 4, .s16_igemm_max_p = FXQ_S16_IGEMM_MAX_P,
    FXQ_KERNEL(s16_igemm, fxq_s16_igemm_ukernel_16x4c2__scalar),
    FXQ_PORTABLE_MOVES,
};

/* The AVX2 set's layouts run by scalar twins (tests only, like the VNNI
 * twin): 6x16 tiles, the s8 kernel with int16 pair saturation, the small-P
 * s16 tile, GEMV. */
const fxq_kernel_set fxq_kernels_avx2_twin = {
    .name = "avx2-twin", .features = 0, .dispatch = 0, .mr = 6, .nr = 16,
    FXQ_KERNEL(s8, fxq_s8_gemm_ukernel_6x16c4__scalar), .s8_in_offset = 128, .s8_pair_limit = 32767, .s8_pair_stride = 1,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_6x16c2__scalar),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__scalar),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),
    .s16_igemm_mr = 16, .s16_igemm_nr = 4, .s16_igemm_max_p = FXQ_S16_IGEMM_MAX_P,
    FXQ_KERNEL(s16_igemm, fxq_s16_igemm_ukernel_16x4c2__scalar),
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,
    FXQ_KERNEL(gemv_s8, fxq_s8_gemv_ukernel_16c64__scalar),
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__scalar),
    FXQ_PORTABLE_MOVES,
};

const fxq_kernel_set fxq_kernels_avx512vnni_twin = {
    .name = "avx512vnni-twin", .features = 0, .dispatch = 0, .mr = 8, .nr = 32,
    FXQ_KERNEL(s8, fxq_s8_gemm_ukernel_8x32c4__scalar), .s8_in_offset = 128,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_8x32c2__scalar),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_8x32c2__scalar),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),
    .n16_mr = 16, FXQ_KERNEL(s8_n16, fxq_s8_gemm_ukernel_16x16c4__scalar),
    FXQ_KERNEL(s16_n16, fxq_s16_gemm_ukernel_16x16c2__scalar),
    FXQ_KERNEL(s16_i64_n16, fxq_s16_gemm_i64_ukernel_16x16c2__scalar),
    FXQ_KERNEL(s16_split, fxq_s16_gemm_split_ukernel_8x32c2__scalar),
    .igemm_mr = 64, .igemm_nr = 4, .igemm_max_p = FXQ_IGEMM_MAX_P,
    FXQ_KERNEL(s8_igemm, fxq_s8_igemm_ukernel_64x4c4__scalar),
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,
    FXQ_KERNEL(gemv_s8, fxq_s8_gemv_ukernel_16c64__scalar),
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__scalar),
    FXQ_KERNEL(gemv_i64, fxq_s16_gemv_i64_ukernel_16c32__scalar),
    FXQ_KERNEL(pack_gather, fxq_pack_gather_u8c4__scalar), .pack_gather_nr = 32,
    FXQ_KERNEL(s8_dconv, fxq_s8_dconv_ukernel_16x16c4__scalar),
    FXQ_KERNEL(s8_dconv_pool, fxq_s8_dconv_maxpool2_ukernel_16x16c4__scalar),
    FXQ_KERNEL(pack_u8c4_x, fxq_pack_u8c4__scalar),
    FXQ_PORTABLE_MOVES,
};
