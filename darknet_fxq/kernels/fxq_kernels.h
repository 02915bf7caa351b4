/* Internal: the kernel-set table (not part of the public API).
 *
 * One const fxq_kernel_set per ISA (fxq_kernels__scalar.c,
 * x86/fxq_kernels__avx2.c, x86/fxq_kernels__avx512vnni.c), registered in
 * fxq_kernels.c best first. The table drives
 *   - dispatch: the first registered set whose features the CPU has, chosen
 *     once per process (FXQ_ISA=<name> read then caps it to a named set the
 *     CPU supports); fxq_qconv_force_isa overrides it for tests;
 *   - `darknet fxq info` (names, features, kernels, peak loops);
 *   - the kernel unit tests: every registered set's kernels are compared
 *     with its scalar twins, so registering a kernel is what tests it.
 * Adding an ISA = its __isa kernel files, one table file, one line in the
 * registry (and a build rule for the __isa suffix).
 */
#ifndef FXQ_KERNELS_H
#define FXQ_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "fxq_pool.h"
#include "fxq_qgemm.h"

/* Phase 1 of a qconv run: one channel of input codes (h x w) into its
 * st x st phase planes of the padded polyphase image: element (y, x) goes to
 * plane ((y + pad) % st, (x + pad) % st), row (y + pad) / st, column
 * (x + pad) / st; planes are `phase` elements apart, rows `ws`.
 * esz 2: s16 codes as they are. esz 1: the s8 kernels' B byte
 *   (uint8_t)(clamp(code, lo8, lo8 + 255) + off8), lo8 in {-128, 0},
 *   off8 in {0, 128}: signed codes for u8 B (-128, 128), unsigned codes
 *   (0, 0), signed codes for s8 B (-128, 0). */
typedef void (*fxq_convert_plane_fn)(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                                     unsigned char *dst, size_t phase, int ws);

/* Phase 2 (im2col): rows x `bytes` bytes from src (rows `step` apart) to dst
 * (contiguous). May read and write up to 15 bytes past each run (the
 * buffers have slack; later writes overwrite the excess). */
typedef void (*fxq_im2col_row_fn)(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows);

/* Phase 2 (pack B), k-group g of every panel: KR source rows r[], n_tiles
 * panels of nr columns (nr % 16 == 0), panel t at o + t * panel.
 *   u8 c4:  o[t][n][j] = r[j][t * nr + n], j < 4
 *   s16 c2: o[t][n][j] = r[j][t * nr + n], j < 2; lo != 0 (split 16-bit
 *           activations): the high byte (arithmetic >> 8) there and the
 *           low byte (& 0xff) at o + t * panel + lo. */
typedef void (*fxq_pack_u8c4_fn)(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o,
                                 size_t panel);
typedef void (*fxq_pack_s16c2_fn)(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o,
                                  size_t panel, size_t lo);
/* Phase 2 in one pass for 8-bit B (im2col rows never written): k-group g
 * of n_tiles panels straight from the image, panel t at o + t * panel,
 *   o[t][n][j] = r[j][base[t] + idx[t * nr + n]],  j < 4, n < nr
 * r[j]: the image at k-row j's source (img + off_k); base[t] + idx[..]:
 * where output position t * nr + n of the GEMM's grid reads (oy * ws +
 * ox), idx < 128. The kernel may read r[j] + base[t] .. + 127 (the image
 * has that slack). */
typedef void (*fxq_pack_gather_u8c4_fn)(const unsigned char *const *r, const int32_t *base, const uint8_t *idx,
                                        size_t n_tiles, size_t nr, unsigned char *o, size_t panel);

/* floats -> codes = fxq_quantize_ref per element (scale = 2^frac, lo/hi =
 * code range); codes -> floats: y = code * scale (exact). */
typedef void (*fxq_f32_quantize_fn)(size_t n, const float *x, float scale, float lo, float hi, int16_t *c);
typedef void (*fxq_f32_dequantize_fn)(size_t n, const int16_t *c, float scale, float *y);

/* Throughput loops for `fxq info --bench`: `iters` iterations of
 * independent multiply-adds; return the multiply-accumulates done (and a
 * value derived from the result via *sink, so the loop stays). */
/* The team's one-thread bar measured on AVX-512 VNNI (fmnist, 1.1e7 MACs,
 * lost on two threads; paper-cifar10, 1.3e8, gained 1.48x): the default,
 * and the size below which only a slower set puts a network on the team. */
#define FXQ_TEAM_MIN_MACS_VNNI 3.2e7

typedef double (*fxq_peak_f32_fn)(long iters, float *sink);
typedef double (*fxq_peak_s8_fn)(long iters, int32_t *sink);

typedef struct fxq_kernel_set {
    const char *name;           /* "avx512vnni", "avx2", "scalar", ... (FXQ_ISA) */
    unsigned features;          /* FXQ_FEAT_* the CPU must have (fxq_cpu.h) */
    int dispatch;               /* 0: for tests only, never chosen (scalar twins of another set's layouts) */
    const struct fxq_kernel_set *twin; /* the set of scalar twins on the same layouts, which every kernel
                                        * here must match bit for bit (NULL: this set is scalar) */
    int mr, nr;                 /* GEMM tile (all GEMM kernels of the set) */

    /* s8 x 8-bit int32 GEMM, KR = 4 (NULL: 8-bit data is widened to s16).
     * s8_in_offset is added to signed input codes to form its B operand:
     * 128 where B is u8 (vpdpbusd multiplies u8 x s8; the plan corrects the
     * bias by -128 * sum_k w), 0 for a signed x signed ISA (NEON sdot,
     * smmla, smull): B = code - lowest code - 128, so unsigned codes and
     * windows of 256 codes feed it too (the bias corrected likewise).
     * Where it is non-zero, unsigned codes of <= 8 bits feed B as they are.
     * s8_kr: k values per group of the s8 layouts (0: 4; NEON smmla: 8,
     * its pack_u8c4 then interleaves 8 rows, r[0..7]). */
    fxq_gemm_i32_fn s8;
    const char *s8_name;
    int s8_in_offset;
    int s8_kr;
    /* 0: the s8 kernel's sums are exact mod 2^32 (vpdpbusd). Else it adds
     * pairs of products in int16 first (AVX2 vpmaddubsw saturating, NEON
     * smlal wrapping): k and k + s8_pair_stride for k % (2 * stride) <
     * stride (AVX2: adjacent k, stride 1; NEON mlal: k-groups 2i, 2i + 1,
     * stride 4). The plan uses it only when no pair can pass the limit:
     * max|B| * (|w_k| + |w_k+stride|) <= s8_pair_limit on every row's
     * actual pairs (max|B| = 255 for u8 B, 128 for s8 B). */
    int s8_pair_limit;
    int s8_pair_stride;
    /* s16 int32 GEMM and int64 chunked GEMM + int64 requantization, KR = 2 */
    fxq_gemm_i32_fn s16;
    const char *s16_name;
    fxq_gemm_i64_fn s16_i64;
    const char *s16_i64_name;
    fxq_rq_i64_fn rq64;
    const char *rq64_name;

    /* narrow-N int32 tile n16_mr x 16, for plans with 2 <= P <= 16 where the
     * nr-wide tile would idle (NULL: the kernels above); s8 / s16 layouts
     * as above with MR = n16_mr, NR = 16 */
    int n16_mr;
    fxq_gemm_i32_fn s8_n16, s16_n16;
    const char *s8_n16_name, *s16_n16_name;
    fxq_gemm_i64_fn s16_i64_n16;       /* the int64 path's (rq64 as above) */
    const char *s16_i64_n16_name;
    /* int64 path, split activations, kc within one chunk: the whole tile
     * in one call, MR x NR as s16 (fxq_qgemm.h; NULL: chunked kernels) */
    fxq_gemm_i32_fn s16_split;
    const char *s16_split_name;

    /* small-P indirect tile (8-bit data, KR = 4, B u8 = code + s8_in_offset):
     * igemm_mr filters x igemm_nr positions per call, the positions read in
     * place from a 4-channel-interleaved image (fxq_qgemm.h); the plan uses
     * it for 2 <= P <= igemm_max_p (NULL: the tiles above) */
    int igemm_mr, igemm_nr, igemm_max_p;
    fxq_igemm_fn s8_igemm;
    const char *s8_igemm_name;
    /* the same on the s16 int32 path (KR = 2, s16 codes, a 2-channel-
     * interleaved image; fxq_qgemm.h): s16_igemm_mr x s16_igemm_nr, for
     * 2 <= P <= s16_igemm_max_p (NULL: the s16 tiles above) */
    int s16_igemm_mr, s16_igemm_nr, s16_igemm_max_p;
    fxq_igemm_fn s16_igemm;
    const char *s16_igemm_name;

    /* one output column (P == 1), gemv_mr rows per call, k padded to the
     * step; NULL: the GEMM kernels */
    int gemv_mr, gemv_s8_kstep, gemv_s16_kstep;
    fxq_gemv_fn gemv_s8, gemv_s16;
    const char *gemv_s8_name, *gemv_s16_name;
    fxq_gemv_i64_fn gemv_i64;
    const char *gemv_i64_name;

    /* data movement of a run, and the layers' float <-> code conversion */
    fxq_convert_plane_fn convert;
    fxq_im2col_row_fn im2col_row;
    fxq_pack_u8c4_fn pack_u8c4;
    fxq_pack_s16c2_fn pack_s16c2;
    /* im2col + pack_u8c4 in one pass (NULL: none), and a pack_u8c4 that
     * replaces the one above (NULL: none), used only on CPUs with
     * pack_gather_features too, and only for nr == pack_gather_nr */
    fxq_pack_gather_u8c4_fn pack_gather;
    const char *pack_gather_name;
    fxq_pack_u8c4_fn pack_u8c4_x;
    const char *pack_u8c4_x_name;
    unsigned pack_gather_features;
    int pack_gather_nr;
    /* direct s8 convolution for small-K first layers, stride 1, reading
     * the converted image with no B panels (fxq_qgemm.h; NULL: none), used
     * only on CPUs with dconv_features too; MR 16, 16 positions a tile */
    fxq_dconv_fn s8_dconv;
    const char *s8_dconv_name;
    fxq_dconv_pool_fn s8_dconv_pool; /* the same with a 2x2 / 2 max pool fused (NULL: none) */
    const char *s8_dconv_pool_name;
    unsigned dconv_features;
    fxq_f32_quantize_fn quantize;
    const char *quantize_name;
    fxq_f32_dequantize_fn dequantize;
    const char *dequantize_name;

    /* peak loops for `fxq info --bench` (NULL: none on this ISA) */
    fxq_peak_f32_fn peak_f32;
    const char *peak_f32_how;
    fxq_peak_s8_fn peak_s8;      /* the s8 GEMM's instruction sequence */
    const char *peak_s8_how;
    fxq_peak_s8_fn peak_s16;     /* the s16 GEMM's (NULL: not measured) */
    const char *peak_s16_how;
    int peak_s8_direct;          /* 1: the int8 peak is the peak_s8 loop as measured (NEON: sdot and
                                  * smmla do not run at a fixed multiple of fmla), 0: 4 x fp32 FMA */
    double team_min_macs;        /* multiply-accumulates per image below which a network runs on
                                  * one thread (fxq_team.c): the team's barriers cost about the
                                  * same time on every set, a layer's work does not; 0:
                                  * FXQ_TEAM_MIN_MACS_VNNI */

    /* integer pooling between fixed layers (fxq_pool.h; NULL: the scalar
     * ukernels) */
    fxq_s16_maxpool_2x2_fn maxpool_2x2;
    const char *maxpool_2x2_name;
    fxq_s16_maxpool_s1_fn maxpool_s1;
    const char *maxpool_s1_name;
} fxq_kernel_set;

/* The VNNI sets' igemm_max_p: the igemm tile measured faster than the
 * 16x16 one at every P up to 16 and than the 8x32 one at 20 and 25, level
 * at 64 (fxq_qconv_plan.c, fxq_choose_path). */
#define FXQ_IGEMM_MAX_P 32
/* The AVX2 set's s16_igemm_max_p (and its twins'): the width of the 6x16
 * tile it replaces (fxq_qconv_path.c, where the 16x4 tile is chosen). */
#define FXQ_S16_IGEMM_MAX_P 16

/* Table entry "kernel and its name": .f = fn, .f_name = "fn". */
#define FXQ_KERNEL(field, fn) .field = fn, .field##_name = #fn

/* The x86 sets' common data movement: SSE2 im2col / packing (the x86-64
 * baseline). */
#define FXQ_KERNELS_X86_MOVES                                                                      \
    .im2col_row = fxq_im2col_row__sse2, .pack_u8c4 = fxq_pack_u8c4__sse2,                          \
    .pack_s16c2 = fxq_pack_s16c2__sse2

/* The registered sets, best first, NULL-terminated (dispatch-only and
 * test-only sets alike, whatever this CPU supports). */
const fxq_kernel_set *const *fxq_kernel_sets(void);

/* 1 if this CPU can run the set's kernels. */
int fxq_kernel_set_supported(const fxq_kernel_set *ks);

/* Registered set of that name, or NULL. */
const fxq_kernel_set *fxq_kernel_set_find(const char *name);

/* The set plans use: forced (fxq_kernel_set_force) or else the one chosen
 * once per process -- the best supported set, capped by $FXQ_ISA. */
const fxq_kernel_set *fxq_kernel_set_active(void);
/* The once-chosen set (ignores forcing); *capped = 1 if FXQ_ISA lowered it. */
const fxq_kernel_set *fxq_kernel_set_default(int *capped);
/* Forces the active set (NULL: back to the default). */
void fxq_kernel_set_force(const fxq_kernel_set *ks);

/* The registered tables (one per ISA). */
extern const fxq_kernel_set fxq_kernels_scalar, fxq_kernels_avx512vnni_twin, fxq_kernels_avx2_twin;
extern const fxq_kernel_set fxq_kernels_neon_twin, fxq_kernels_neondot_twin, fxq_kernels_neoni8mm_twin;
#if defined(__x86_64__)
extern const fxq_kernel_set fxq_kernels_avx2, fxq_kernels_avx512vnni;
#endif
#if defined(__aarch64__)
extern const fxq_kernel_set fxq_kernels_neon, fxq_kernels_neondot, fxq_kernels_neoni8mm;
#endif

/* Kernels named by the tables (beside those of fxq_qgemm.h). */
void fxq_convert_plane__scalar(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                               unsigned char *dst, size_t phase, int ws);
void fxq_im2col_row__scalar(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows);
void fxq_pack_u8c4__scalar(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_pack_s16c2__scalar(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o,
                            size_t panel, size_t lo);
void fxq_pack_gather_u8c4__scalar(const unsigned char *const *r, const int32_t *base, const uint8_t *idx,
                                  size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_f32_quantize_ukernel__scalar(size_t n, const float *x, float scale, float lo, float hi, int16_t *c);
void fxq_f32_dequantize_ukernel__scalar(size_t n, const int16_t *c, float scale, float *y);
/* o[t][n][j] = r[j][t * nr + n], j < 8: the B interleave of the c8 layout */
void fxq_pack_u8c8__scalar(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
#if defined(__aarch64__)
void fxq_convert_plane__neon(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                             unsigned char *dst, size_t phase, int ws);
void fxq_im2col_row__neon(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows);
void fxq_pack_u8c4__neon(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_pack_u8c8__neon(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_pack_s16c2__neon(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o, size_t panel,
                          size_t lo);
void fxq_f32_quantize_ukernel__neon(size_t n, const float *x, float scale, float lo, float hi, int16_t *c);
void fxq_f32_dequantize_ukernel__neon(size_t n, const int16_t *c, float scale, float *y);
double fxq_f32_fma_loop__neon(long iters, float *sink);
double fxq_s8_mlal_loop__neon(long iters, int32_t *sink);
double fxq_s16_mlal_loop__neon(long iters, int32_t *sink);
double fxq_s8_dot_loop__neondot(long iters, int32_t *sink);
double fxq_s8_mmla_loop__neoni8mm(long iters, int32_t *sink);
#endif
#if defined(__x86_64__)
void fxq_convert_plane__sse2(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                             unsigned char *dst, size_t phase, int ws);
void fxq_im2col_row__sse2(unsigned char *dst, const unsigned char *src, size_t bytes, size_t step, int rows);
void fxq_pack_u8c4__sse2(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_pack_s16c2__sse2(const int16_t *r0, const int16_t *r1, size_t n_tiles, size_t nr, int16_t *o, size_t panel,
                          size_t lo);
void fxq_pack_gather_u8c4__avx512vbmi(const unsigned char *const *r, const int32_t *base, const uint8_t *idx,
                                      size_t n_tiles, size_t nr, unsigned char *o, size_t panel);
void fxq_pack_u8c4__avx512vbmi(const unsigned char *const *r, size_t n_tiles, size_t nr, unsigned char *o,
                               size_t panel);
void fxq_convert_plane__avx512vnni(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                                   unsigned char *dst, size_t phase, int ws);
void fxq_convert_plane_s2__avx512vnni(const int16_t *src, int h, int w, int st, int pad, int esz, int lo8, int off8,
                                      unsigned char *dst, size_t phase, int ws);
void fxq_f32_quantize_ukernel__avx512vnni(size_t n, const float *x, float scale, float lo, float hi, int16_t *c);
void fxq_f32_dequantize_ukernel__avx512vnni(size_t n, const int16_t *c, float scale, float *y);
void fxq_f32_dequantize_ukernel__avx2(size_t n, const int16_t *c, float scale, float *y);
double fxq_f32_fma_loop__avx512vnni(long iters, float *sink);
double fxq_s8_dot_loop__avx512vnni(long iters, int32_t *sink);
double fxq_s16_dot_loop__avx512vnni(long iters, int32_t *sink);
void fxq_f32_quantize_ukernel__avx2(size_t n, const float *x, float scale, float lo, float hi, int16_t *c);
double fxq_f32_fma_loop__avx2(long iters, float *sink);
double fxq_s8_madd_loop__avx2(long iters, int32_t *sink);
double fxq_s16_madd_loop__avx2(long iters, int32_t *sink);
#endif

#endif
