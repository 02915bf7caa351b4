/* The AArch64 NEON kernel sets, best first in the registry (fxq_kernels.c):
 *   neoni8mm  Armv8.6 SMMLA s8 GEMM (4x16c8), SDOT GEMV   Neoverse V1/V2, Cortex-A710+, Graviton3
 *   neondot   Armv8.2 SDOT s8 GEMM (4x16c4) and GEMV       Cortex-A76/A78 (Pi 5, Orin), Neoverse N1
 *   neon      Armv8.0 SMULL/SMLAL+SADALP s8 GEMM (4x16c4,   Cortex-A53/A72 (Pi 3/4)
 *             no k pair of two -128, else s16), exact widening GEMV
 * and common to all three: s16 GEMM (SMLAL by element, int32 and int64
 * chunks), int64 requantization, s16 GEMV, input conversion, im2col and
 * B interleaves, float <-> code conversion, maxpool. B of the s8 kernels
 * is s8 (input offset 0). Each set's twin (fxq_kernels__neon_twin.c) runs
 * the same layouts in scalar C. Chosen from HWCAP / HWCAP2 (fxq_cpu.c). */
#if defined(__aarch64__)
#include "fxq_cpu.h"
#include "fxq_kernels.h"

#define FXQ_NEON_COMMON                                                                            \
    .dispatch = 1, .mr = 4, .nr = 16, .s8_in_offset = 0,                                           \
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_4x16c2__neon),                                            \
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_4x16c2__neon),                                    \
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__neon),                                               \
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,                                      \
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__neon),                                        \
    .convert = fxq_convert_plane__neon, .im2col_row = fxq_im2col_row__neon,                        \
    .pack_s16c2 = fxq_pack_s16c2__neon,                                                            \
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__neon),                                          \
    FXQ_KERNEL(dequantize, fxq_f32_dequantize_ukernel__neon),                                      \
    .peak_f32 = fxq_f32_fma_loop__neon, .peak_f32_how = "fmla .4s, 16 chains", .peak_s8_direct = 1, .team_min_macs = 3e6, \
    .peak_s16 = fxq_s16_mlal_loop__neon, .peak_s16_how = "smlal+smlal2 .8h, 16 chains",            \
    FXQ_KERNEL(maxpool_2x2, fxq_s16_maxpool_2x2_ukernel__neon),                                    \
    FXQ_KERNEL(maxpool_s1, fxq_s16_maxpool_s1_ukernel__neon)

const fxq_kernel_set fxq_kernels_neoni8mm = {
    .name = "neoni8mm", .features = FXQ_FEAT_NEON | FXQ_FEAT_DOTPROD | FXQ_FEAT_I8MM,
    .twin = &fxq_kernels_neoni8mm_twin, FXQ_NEON_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c8__neoni8mm), .s8_kr = 8,
    FXQ_KERNEL(gemv_s8, fxq_s8s8_gemv_ukernel_16c64__neondot),
    .pack_u8c4 = fxq_pack_u8c8__neon,
    .peak_s8 = fxq_s8_mmla_loop__neoni8mm, .peak_s8_how = "smmla, 16 chains",
};

const fxq_kernel_set fxq_kernels_neondot = {
    .name = "neondot", .features = FXQ_FEAT_NEON | FXQ_FEAT_DOTPROD,
    .twin = &fxq_kernels_neondot_twin, FXQ_NEON_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c4__neondot),
    FXQ_KERNEL(gemv_s8, fxq_s8s8_gemv_ukernel_16c64__neondot),
    .pack_u8c4 = fxq_pack_u8c4__neon,
    .peak_s8 = fxq_s8_dot_loop__neondot, .peak_s8_how = "sdot, 16 chains",
};

const fxq_kernel_set fxq_kernels_neon = {
    .name = "neon", .features = FXQ_FEAT_NEON,
    .twin = &fxq_kernels_neon_twin, FXQ_NEON_COMMON,
    FXQ_KERNEL(s8, fxq_s8s8_gemm_ukernel_4x16c4_mlal__neon), .s8_pair_limit = 32767, .s8_pair_stride = 4,
    FXQ_KERNEL(gemv_s8, fxq_s8s8_gemv_ukernel_16c64__neon),
    .pack_u8c4 = fxq_pack_u8c4__neon,
    .peak_s8 = fxq_s8_mlal_loop__neon, .peak_s8_how = "smull+smlal+sadalp, 16 chains",
};
#endif
