/* The AVX2 + FMA kernel set (CPUs without VNNI: Zen 2/3, Haswell..Skylake
 * client): 6x16 tiles; s8 via vpmaddubsw + vpmaddwd (u8 B = code + 128 like
 * the VNNI set) where no int16 pair can saturate (adjacent |w| summing to
 * <= 128: see fxq_s8_gemm_6x16c4__avx2.c), else 8-bit data widened to s16 for the exact
 * vpmaddwd kernel; the small-P s16 tile (filters in lanes, the input read in
 * place: fxq_s16_igemm_16x4c2__avx2.c); one-column GEMV kernels; AVX2 float -> code
 * quantization; SSE2 data movement. */
#if defined(__x86_64__)
#include "fxq_cpu.h"
#include "fxq_kernels.h"

const fxq_kernel_set fxq_kernels_avx2 = {
    .name = "avx2", .features = FXQ_FEAT_AVX2 | FXQ_FEAT_FMA, .dispatch = 1, .twin = &fxq_kernels_avx2_twin,
    .mr = 6, .nr = 16,
    FXQ_KERNEL(s8, fxq_s8_gemm_ukernel_6x16c4__avx2), .s8_in_offset = 128, .s8_pair_limit = 32767, .s8_pair_stride = 1,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_6x16c2__avx2),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__avx2),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),
    .s16_igemm_mr = 16, .s16_igemm_nr = 4, .s16_igemm_max_p = FXQ_S16_IGEMM_MAX_P,
    FXQ_KERNEL(s16_igemm, fxq_s16_igemm_ukernel_16x4c2__avx2),
    .gemv_mr = 16, .gemv_s8_kstep = 64, .gemv_s16_kstep = 32,
    FXQ_KERNEL(gemv_s8, fxq_s8_gemv_ukernel_16c64__avx2),
    FXQ_KERNEL(gemv_s16, fxq_s16_gemv_ukernel_16c32__avx2),
    .convert = fxq_convert_plane__sse2, FXQ_KERNELS_X86_MOVES,
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__avx2),
    FXQ_KERNEL(dequantize, fxq_f32_dequantize_ukernel__avx2),
    .peak_f32 = fxq_f32_fma_loop__avx2, .peak_f32_how = "ymm vfmadd, 12 chains",
    .peak_s8 = fxq_s8_madd_loop__avx2, .peak_s8_how = "ymm vpmaddubsw+vpmaddwd+vpaddd, 8 chains",
    .peak_s16 = fxq_s16_madd_loop__avx2, .peak_s16_how = "ymm vpmaddwd+vpaddd, 8 chains",
    /* no VNNI: the int8 sequence does not run at 4 x the FMA rate (Zen 3:
     * 194 GMAC/s measured against 4 x 103 GFMA/s) */
    .peak_s8_direct = 1,
    /* fmnist (1.1e7 MACs, 8/8): 0.254 ms on one thread, 0.150 on two
     * (Zen 3, 2026-12-07): a forward costs several times what it does on
     * VNNI, the barriers the same */
    .team_min_macs = 3e6,
    FXQ_KERNEL(maxpool_2x2, fxq_s16_maxpool_2x2_ukernel__avx2),
    FXQ_KERNEL(maxpool_s1, fxq_s16_maxpool_s1_ukernel__avx2),
};
#endif
