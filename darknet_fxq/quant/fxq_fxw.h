/* .fxw: bit-packed fixed-point weights (docs/fxw.md).
 *
 * All integers little-endian. A file is
 *   header (32 bytes)
 *     "FXQW"  magic
 *     u16     version (1, or 2 when a record has per-channel weight fracs)
 *     u16     header bytes (32; a reader skips what it does not know)
 *     u32     layers in the cfg it was packed from
 *     u32     records
 *     u64     images seen in training (Darknet's header field)
 *     u32     flags (0)
 *     u32     reserved (0)
 *   records, in layer order, one per layer that has weights:
 *     u8 kind (1 fixed, 2 float)   u8 type (FXQ_FXW_T_*)   u16 flags (bit 0:
 *     the layer has batch norm, so its upstream record carries scales, mean,
 *     variance; bit 1, version 2 only: per-channel weight fracs follow)
 *     u32 layer index
 *     fixed: u32 units, u32 fan_in, 8 x i16 (w bits, w frac, b bits, b frac,
 *            in bits, in frac, out bits, out frac), with flag bit 1 then
 *            units x i16 weight fracs, one per output row (w frac = their
 *            minimum, as in the cfg), then units*fan_in weight
 *            codes at w bits each and units bias codes at b bits each, each
 *            array packed LSB first, two's complement, zero-padded to a byte
 *     float: u32 count, then count float32: exactly the upstream record
 *   u32 CRC-32 (IEEE) of every byte before it.
 *
 * Version 2 differs from version 1 only by the per-channel flag; a writer
 * uses version 1 when no record needs it, so such files still load in
 * version-1 readers, and this reader loads both.
 *
 * Weight codes are those of the fixed-point layer after batch-norm folding
 * (fxq_layer_state.w_codes); bias codes are in the b format, and
 * fxq_fxw_bias_acc() turns them into the accumulator value exactly as
 * loading the float file does, so a .fxw load is bit-identical to it. */
#ifndef FXQ_FXW_H
#define FXQ_FXW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fxq_format.h"

#define FXQ_FXW_MAGIC "FXQW"
#define FXQ_FXW_VERSION 2      /* the newest this build reads and writes */
#define FXQ_FXW_VERSION_MIN 1  /* the oldest it reads */
#define FXQ_FXW_HEADER_BYTES 32

enum { FXQ_FXW_FIXED = 1, FXQ_FXW_FLOAT = 2 };
/* record flags */
enum { FXQ_FXW_F_BN = 1, FXQ_FXW_F_PERCHAN = 2 };
/* layer types a record may come from (file codes, not Darknet's enum) */
enum { FXQ_FXW_T_CONV = 1, FXQ_FXW_T_CONNECTED = 2, FXQ_FXW_T_DECONV = 3, FXQ_FXW_T_BATCHNORM = 4 };

typedef struct fxq_fxw_record {
    int kind;        /* FXQ_FXW_FIXED | FXQ_FXW_FLOAT */
    int type;        /* FXQ_FXW_T_* */
    int bn;          /* upstream record has batch-norm parameters */
    int layer;       /* cfg layer index */
    /* fixed */
    int units, fan_in;
    fxq_format w, b, in, out;
    int16_t *w_fracs; /* NULL, or units per-row weight fracs (w.frac = their minimum) */
    int16_t *w_codes; /* units x fan_in, row u in format (w.bits, w_fracs[u] or w.frac) */
    int64_t *b_codes; /* units, in format b */
    /* float */
    float *floats;
    size_t nfloats;
} fxq_fxw_record;

typedef struct fxq_fxw {
    int version;      /* as read; the writer picks the oldest that holds the records */
    int net_layers;
    uint64_t seen;
    int n;
    fxq_fxw_record *rec;
} fxq_fxw;

/* 1 if the stream starts with the magic; the position is restored. */
int fxq_is_fxw(FILE *fp);

/* Parses and validates a whole file image (magic, version, sizes, CRC,
 * formats, padding). `name` is used in messages. NULL + why on failure. */
fxq_fxw *fxq_fxw_parse(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len);
/* Reads the rest of `fp` from its current position (or the named file). */
fxq_fxw *fxq_fxw_read_fp(FILE *fp, const char *name, char *why, size_t why_len);
fxq_fxw *fxq_fxw_read(const char *path, char *why, size_t why_len);

/* Row u's weight frac. */
static inline int fxq_fxw_row_frac(const fxq_fxw_record *r, int u) { return r->w_fracs ? r->w_fracs[u] : r->w.frac; }
/* The version fxq_fxw_serialize writes for f: 2 when a record has per-row
 * weight fracs, else 1. */
int fxq_fxw_needed_version(const fxq_fxw *f);

/* Serialized form; *len receives its size. NULL + why when a record is not
 * representable (formats out of range, codes outside their bits). */
unsigned char *fxq_fxw_serialize(const fxq_fxw *f, size_t *len, char *why, size_t why_len);
/* Serializes to `path` through a temp file and rename. 0 + why on failure. */
int fxq_fxw_write(const fxq_fxw *f, const char *path, char *why, size_t why_len);

void fxq_fxw_free(fxq_fxw *f);

/* Bias code in format b -> accumulator units 2^-acc_frac, the same
 * arithmetic as quantizing a float bias at load time. */
int64_t fxq_fxw_bias_acc(int64_t code, fxq_format b, int acc_frac);

/* Payload bytes of one fixed record's codes, and the bits they carry. */
size_t fxq_fxw_code_bytes(size_t count, int bits);

/* What the payload costs: sum of params * bits over fixed records (weights
 * and biases apart) and the float records' bytes. file_bytes - ideal bytes is
 * the format's overhead (headers, byte padding, CRC). */
typedef struct fxq_fxw_sizes {
    uint64_t weight_bits, bias_bits; /* fixed records */
    uint64_t fixed_params;           /* weights + biases of fixed records */
    uint64_t float_bytes, float_params;
    uint64_t file_bytes;             /* serialized size */
} fxq_fxw_sizes;
void fxq_fxw_measure(const fxq_fxw *f, fxq_fxw_sizes *s);

uint32_t fxq_crc32(const unsigned char *p, size_t n);

#endif
