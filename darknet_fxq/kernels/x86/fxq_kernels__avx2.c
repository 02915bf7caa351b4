/* The AVX2 + FMA kernel set: 6x16 s16 tiles (8-bit data is widened to s16:
 * AVX2 has no int8 dot product worth the u8 offset), SSE2 data movement. */
#if defined(__x86_64__)
#include "fxq_cpu.h"
#include "fxq_kernels.h"

const fxq_kernel_set fxq_kernels_avx2 = {
    .name = "avx2", .features = FXQ_FEAT_AVX2 | FXQ_FEAT_FMA, .dispatch = 1, .twin = &fxq_kernels_scalar,
    .mr = 6, .nr = 16,
    FXQ_KERNEL(s16, fxq_s16_gemm_ukernel_6x16c2__avx2),
    FXQ_KERNEL(s16_i64, fxq_s16_gemm_i64_ukernel_6x16c2__avx2),
    FXQ_KERNEL(rq64, fxq_i64_requant_ukernel__scalar),
    .convert = fxq_convert_plane__sse2, FXQ_KERNELS_X86_MOVES,
    FXQ_KERNEL(quantize, fxq_f32_quantize_ukernel__scalar),
    .peak_f32 = fxq_f32_fma_loop__avx2, .peak_f32_how = "ymm vfmadd, 12 chains",
};
#endif
