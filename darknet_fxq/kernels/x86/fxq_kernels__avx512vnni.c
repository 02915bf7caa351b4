/* The AVX-512 VNNI kernel set: 8x32 tiles, s8 via vpdpbusd (u8 x s8, so
 * signed input codes are stored + 128: the set's input offset), s16 via
 * vpdpwssd, one-column GEMV kernels, AVX-512 input conversion and
 * quantization, SSE2 im2col / packing -- on CPUs that also have
 * AVX512_VBMI, im2col + packing in one pass and the B interleave on
 * vpermt2b (fxq_pack_gather__avx512vnni.c), and the first layers' direct
 * convolution (fxq_s8_dconv_16x16c4__avx512vnni.c). */
#if defined(__x86_64__)
#include "fxq_cpu.h"
#include "fxq_kernels.h"

const fxq_kernel_set fxq_kernels_avx512vnni = {
    .name = "avx512vnni",
    .features = FXQ_FEAT_AVX2 | FXQ_FEAT_FMA | FXQ_FEAT_AVX512F | FXQ_FEAT_AVX512BW | FXQ_FEAT_AVX512VL |
                FXQ_FEAT_AVX512DQ | FXQ_FEAT_AVX512VNNI,
    .dispatch = 1, .twin = &fxq_kernels_avx512vnni_twin, .mr = 8, .nr = 32,
    FXQ_KERNEL(s8, fxq_s8_gemm_ukernel_8x32c4__avx512vnni), .s8_in_offset = 128,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_8x32c2__avx512vnni),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_8x32c2__avx512vnni),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__avx512vnni),
    .n16_mr = 16, FXQ_KERNEL(s8_n16, fxq_s8_gemm_ukernel_16x16c4__avx512vnni),
    FXQ_KERNEL(s16_n16, fxq_s16_gemm_ukernel_16x16c2__avx512vnni),
    FXQ_KERNEL(s16_i64_n16, fxq_s16_gemm_i64_ukernel_16x16c2__avx512vnni),
    FXQ_KERNEL(s16_split, fxq_s16_gemm_split_ukernel_8x32c2__avx512vnni),
    .igemm_mr = 64, .igemm_nr = 4, .igemm_max_p = FXQ_IGEMM_MAX_P,
    FXQ_KERNEL(s8_igemm, fxq_s8_igemm_ukernel_64x4c4__avx512vnni),
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,
    FXQ_KERNEL(gemv_s8, fxq_s8_gemv_ukernel_16c64__avx512vnni),
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__avx512vnni),
    FXQ_KERNEL(gemv_i64, fxq_s16_gemv_i64_ukernel_16c32__avx512vnni),
    .convert = fxq_convert_plane_s2__avx512vnni, FXQ_KERNELS_X86_MOVES,
    FXQ_KERNEL(pack_gather, fxq_pack_gather_u8c4__avx512vbmi), .pack_gather_features = FXQ_FEAT_AVX512VBMI,
    FXQ_KERNEL(pack_u8c4_x, fxq_pack_u8c4__avx512vbmi),
    .pack_gather_nr = 32,
    FXQ_KERNEL(s8_dconv, fxq_s8_dconv_ukernel_16x16c4__avx512vbmi), .dconv_features = FXQ_FEAT_AVX512VBMI,
    FXQ_KERNEL(s8_dconv_pool, fxq_s8_dconv_maxpool2_ukernel_16x16c4__avx512vbmi),
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__avx512vnni),
    FXQ_KERNEL(dequantize, fxq_f32_dequantize_ukernel__avx512vnni),
    .peak_f32 = fxq_f32_fma_loop__avx512vnni, .peak_f32_how = "zmm vfmadd, 16 chains",
    .peak_s8 = fxq_s8_dot_loop__avx512vnni, .peak_s8_how = "zmm vpdpbusd, 16 chains",
    .peak_s16 = fxq_s16_dot_loop__avx512vnni, .peak_s16_how = "zmm vpdpwssd, 16 chains",
    .team_min_macs = FXQ_TEAM_MIN_MACS_VNNI,
    FXQ_KERNEL(maxpool_2x2, fxq_s16_maxpool_2x2_ukernel__avx512vnni),
    FXQ_KERNEL(maxpool_s1, fxq_s16_maxpool_s1_ukernel__avx512vnni),
};
#endif
