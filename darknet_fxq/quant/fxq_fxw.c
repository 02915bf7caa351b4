/* .fxw container: bit packing, serialization, validation (no Darknet types;
 * the network side is fxq_fxw_net.c). Layout in fxq_fxw.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_fxw.h"
#include "fxq_outfile.h"

#define FXQ_FXW_REC_HEAD 8    /* kind, type, flags, layer */
#define FXQ_FXW_FIXED_HEAD 24 /* units, fan_in, 8 x i16 */
#define FXQ_FXW_MAX_COUNT ((size_t)1 << 31)

uint32_t fxq_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

size_t fxq_fxw_code_bytes(size_t count, int bits)
{
    return (count * (size_t)bits + 7) / 8;
}

int64_t fxq_fxw_bias_acc(int64_t code, fxq_format b, int acc_frac)
{
    return fxq_align_frac(code, b.frac, acc_frac); /* what fxq_layer_weights.c does with a float bias */
}

int fxq_is_fxw(FILE *fp)
{
    char m[4];
    long pos = ftell(fp);
    if (pos < 0) return 0;
    size_t got = fread(m, 1, 4, fp);
    fseek(fp, pos, SEEK_SET);
    return got == 4 && !memcmp(m, FXQ_FXW_MAGIC, 4);
}

/* --- little-endian growable buffer ------------------------------------- */

typedef struct fxq_buf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} fxq_buf;

static void fxq_put(fxq_buf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void fxq_put_le(fxq_buf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; ++i) t[i] = (unsigned char)(v >> (8 * i));
    fxq_put(b, t, (size_t)bytes);
}

static uint64_t fxq_get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Codes LSB first at `bits` each, two's complement, last byte zero-padded. */
static void fxq_put_codes(fxq_buf *b, const int16_t *c16, const int64_t *c64, size_t n, int bits)
{
    uint64_t acc = 0;
    int have = 0;
    const uint64_t mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
    for (size_t i = 0; i < n; ++i) {
        const uint64_t v = (uint64_t)(c16 ? (int64_t)c16[i] : c64[i]) & mask;
        acc |= v << have;
        have += bits;
        while (have >= 8) {
            unsigned char byte = (unsigned char)acc;
            fxq_put(b, &byte, 1);
            acc >>= 8;
            have -= 8;
        }
        /* bits <= 32, so what is left fits after the shift */
    }
    if (have) {
        unsigned char byte = (unsigned char)acc;
        fxq_put(b, &byte, 1);
    }
}

/* Inverse of fxq_put_codes; 0 if the padding bits are not zero. */
static int fxq_get_codes(const unsigned char *p, size_t n, int bits, int16_t *c16, int64_t *c64)
{
    uint64_t acc = 0;
    int have = 0;
    size_t at = 0;
    const uint64_t mask = (1ull << bits) - 1, sign = 1ull << (bits - 1);
    for (size_t i = 0; i < n; ++i) {
        while (have < bits) {
            acc |= (uint64_t)p[at++] << have;
            have += 8;
        }
        uint64_t v = acc & mask;
        acc >>= bits;
        have -= bits;
        const int64_t s = (int64_t)((v ^ sign) - sign); /* sign extension */
        if (c16) c16[i] = (int16_t)s;
        else c64[i] = s;
    }
    return acc == 0;
}

/* --- validation ---------------------------------------------------------- */

static int fxq_fmt_ok(fxq_format f, int max_bits)
{
    return f.bits >= FXQ_MIN_BITS && f.bits <= max_bits && f.frac >= -32 && f.frac <= 48;
}

static int fxq_type_ok(int t)
{
    return t >= FXQ_FXW_T_CONV && t <= FXQ_FXW_T_BATCHNORM;
}

static const char *fxq_check_fixed(const fxq_fxw_record *r)
{
    if (r->units < 1 || r->fan_in < 1 || (size_t)r->units * (size_t)r->fan_in > FXQ_FXW_MAX_COUNT)
        return "bad units/fan_in";
    if (r->type != FXQ_FXW_T_CONV && r->type != FXQ_FXW_T_CONNECTED) return "fixed record of a layer type without one";
    if (!fxq_fmt_ok(r->w, FXQ_MAX_BITS)) return "weight format out of range";
    if (!fxq_fmt_ok(r->b, 32)) return "bias format out of range";
    if (!fxq_fmt_ok(r->in, FXQ_MAX_BITS) || !fxq_fmt_ok(r->out, FXQ_MAX_BITS)) return "activation format out of range";
    return NULL;
}

/* Per-row fracs: each in range, their minimum the record's w frac. */
static const char *fxq_check_row_fracs(const fxq_fxw_record *r)
{
    int lo = r->w_fracs[0];
    for (int u = 0; u < r->units; ++u) {
        if (!fxq_fmt_ok((fxq_format){r->w.bits, r->w_fracs[u]}, FXQ_MAX_BITS)) return "per-channel weight frac out of range";
        if (r->w_fracs[u] < lo) lo = r->w_fracs[u];
    }
    return lo == r->w.frac ? NULL : "the weight frac is not the minimum of the per-channel fracs";
}

int fxq_fxw_needed_version(const fxq_fxw *f)
{
    for (int i = 0; i < f->n; ++i)
        if (f->rec[i].kind == FXQ_FXW_FIXED && f->rec[i].w_fracs) return 2;
    return 1;
}

unsigned char *fxq_fxw_serialize(const fxq_fxw *f, size_t *len, char *why, size_t why_len)
{
    fxq_buf b = {0};
    fxq_put(&b, FXQ_FXW_MAGIC, 4);
    fxq_put_le(&b, (uint64_t)fxq_fxw_needed_version(f), 2);
    fxq_put_le(&b, FXQ_FXW_HEADER_BYTES, 2);
    fxq_put_le(&b, (uint64_t)f->net_layers, 4);
    fxq_put_le(&b, (uint64_t)f->n, 4);
    fxq_put_le(&b, f->seen, 8);
    fxq_put_le(&b, 0, 4);
    fxq_put_le(&b, 0, 4);
    for (int i = 0; i < f->n; ++i) {
        const fxq_fxw_record *r = &f->rec[i];
        const char *bad = NULL;
        if (r->kind == FXQ_FXW_FIXED) bad = fxq_check_fixed(r);
        else if (r->kind != FXQ_FXW_FLOAT || !fxq_type_ok(r->type)) bad = "bad record kind or type";
        if (!bad && r->kind == FXQ_FXW_FIXED && r->w_fracs) bad = fxq_check_row_fracs(r);
        if (!bad && i && r->layer <= f->rec[i - 1].layer) bad = "records out of layer order";
        if (!bad && r->kind == FXQ_FXW_FIXED) {
            const size_t nw = (size_t)r->units * r->fan_in;
            for (size_t k = 0; k < nw && !bad; ++k)
                if (r->w_codes[k] < fxq_code_min(r->w.bits) || r->w_codes[k] > fxq_code_max(r->w.bits))
                    bad = "weight code outside its bits";
            for (int k = 0; k < r->units && !bad; ++k)
                if (r->b_codes[k] < fxq_code_min(r->b.bits) || r->b_codes[k] > fxq_code_max(r->b.bits))
                    bad = "bias code outside its bits";
        }
        if (bad) {
            snprintf(why, why_len, "layer %d: %s", r->layer, bad);
            free(b.p);
            return NULL;
        }
        fxq_put_le(&b, (uint64_t)r->kind, 1);
        fxq_put_le(&b, (uint64_t)r->type, 1);
        const int perchan = r->kind == FXQ_FXW_FIXED && r->w_fracs;
        fxq_put_le(&b, (r->bn ? FXQ_FXW_F_BN : 0) | (perchan ? FXQ_FXW_F_PERCHAN : 0), 2);
        fxq_put_le(&b, (uint64_t)r->layer, 4);
        if (r->kind == FXQ_FXW_FIXED) {
            fxq_put_le(&b, (uint64_t)r->units, 4);
            fxq_put_le(&b, (uint64_t)r->fan_in, 4);
            const fxq_format fm[4] = {r->w, r->b, r->in, r->out};
            for (int k = 0; k < 4; ++k) {
                fxq_put_le(&b, (uint64_t)(uint16_t)(int16_t)fm[k].bits, 2);
                fxq_put_le(&b, (uint64_t)(uint16_t)(int16_t)fm[k].frac, 2);
            }
            for (int u = 0; perchan && u < r->units; ++u) fxq_put_le(&b, (uint64_t)(uint16_t)r->w_fracs[u], 2);
            fxq_put_codes(&b, r->w_codes, NULL, (size_t)r->units * r->fan_in, r->w.bits);
            fxq_put_codes(&b, NULL, r->b_codes, (size_t)r->units, r->b.bits);
        } else {
            fxq_put_le(&b, (uint64_t)r->nfloats, 4);
            for (size_t k = 0; k < r->nfloats; ++k) {
                uint32_t u;
                memcpy(&u, &r->floats[k], 4);
                fxq_put_le(&b, u, 4);
            }
        }
    }
    if (!b.oom) fxq_put_le(&b, fxq_crc32(b.p, b.len), 4);
    if (b.oom) {
        free(b.p);
        snprintf(why, why_len, "out of memory serializing .fxw");
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* Walks the records of buf[0..end) (end excludes the CRC). With `out`, also
 * decodes them. Returns NULL or what is wrong (static text or `msg`). */
static const char *fxq_walk(const unsigned char *buf, size_t end, size_t at, fxq_fxw *out, int nrec, int net_layers,
                            int version, char *msg, size_t msg_len)
{
    int prev = -1;
    for (int i = 0; i < nrec; ++i) {
        if (end - at < FXQ_FXW_REC_HEAD) {
            snprintf(msg, msg_len, "truncated: file ends inside record %d of %d", i, nrec);
            return msg;
        }
        fxq_fxw_record r = {0};
        r.kind = buf[at];
        r.type = buf[at + 1];
        const unsigned flags = (unsigned)fxq_get_le(buf + at + 2, 2);
        r.bn = flags & FXQ_FXW_F_BN;
        r.layer = (int)fxq_get_le(buf + at + 4, 4);
        at += FXQ_FXW_REC_HEAD;
        if (r.layer < 0 || r.layer >= net_layers || r.layer <= prev) {
            snprintf(msg, msg_len, "record %d: layer index %d out of order or beyond the %d layers", i, r.layer,
                     net_layers);
            return msg;
        }
        const unsigned known = version >= 2 ? FXQ_FXW_F_BN | FXQ_FXW_F_PERCHAN : FXQ_FXW_F_BN;
        if (flags & ~known) {
            snprintf(msg, msg_len, "layer %d: unknown record flags 0x%x for version %d", r.layer, flags, version);
            return msg;
        }
        if ((flags & FXQ_FXW_F_PERCHAN) && r.kind != FXQ_FXW_FIXED) {
            snprintf(msg, msg_len, "layer %d: per-channel flag on a float record", r.layer);
            return msg;
        }
        prev = r.layer;
        size_t need;
        if (r.kind == FXQ_FXW_FIXED) {
            if (end - at < FXQ_FXW_FIXED_HEAD) {
                snprintf(msg, msg_len, "truncated: file ends inside the record of layer %d", r.layer);
                return msg;
            }
            r.units = (int)(uint32_t)fxq_get_le(buf + at, 4);
            r.fan_in = (int)(uint32_t)fxq_get_le(buf + at + 4, 4);
            fxq_format *fm[4] = {&r.w, &r.b, &r.in, &r.out};
            for (int k = 0; k < 4; ++k) {
                fm[k]->bits = (int16_t)fxq_get_le(buf + at + 8 + 4 * k, 2);
                fm[k]->frac = (int16_t)fxq_get_le(buf + at + 10 + 4 * k, 2);
            }
            at += FXQ_FXW_FIXED_HEAD;
            const char *bad = fxq_check_fixed(&r);
            if (bad) {
                snprintf(msg, msg_len, "layer %d: %s", r.layer, bad);
                return msg;
            }
            if (flags & FXQ_FXW_F_PERCHAN) {
                if ((end - at) / 2 < (size_t)r.units) {
                    snprintf(msg, msg_len, "truncated: file ends inside the per-channel fracs of layer %d", r.layer);
                    return msg;
                }
                if (!(r.w_fracs = malloc((size_t)r.units * sizeof *r.w_fracs))) return "out of memory";
                for (int u = 0; u < r.units; ++u) r.w_fracs[u] = (int16_t)fxq_get_le(buf + at + 2 * (size_t)u, 2);
                at += 2 * (size_t)r.units;
                bad = fxq_check_row_fracs(&r);
                if (bad || !out) free(r.w_fracs), r.w_fracs = NULL;
                if (bad) {
                    snprintf(msg, msg_len, "layer %d: %s", r.layer, bad);
                    return msg;
                }
            }
            const size_t nw = (size_t)r.units * r.fan_in;
            const size_t wb = fxq_fxw_code_bytes(nw, r.w.bits), bb = fxq_fxw_code_bytes((size_t)r.units, r.b.bits);
            need = wb + bb;
            if (end - at < need) {
                snprintf(msg, msg_len, "truncated: layer %d needs %zu bytes of codes, %zu left", r.layer, need,
                         end - at);
                free(r.w_fracs);
                return msg;
            }
            if (out) {
                r.w_codes = malloc(nw * sizeof *r.w_codes);
                r.b_codes = malloc((size_t)r.units * sizeof *r.b_codes);
                out->rec[i] = r;
                if (!r.w_codes || !r.b_codes) return "out of memory";
                if (!fxq_get_codes(buf + at, nw, r.w.bits, r.w_codes, NULL) ||
                    !fxq_get_codes(buf + at + wb, (size_t)r.units, r.b.bits, NULL, r.b_codes)) {
                    snprintf(msg, msg_len, "layer %d: non-zero padding bits", r.layer);
                    return msg;
                }
            }
        } else if (r.kind == FXQ_FXW_FLOAT) {
            if (!fxq_type_ok(r.type) || end - at < 4) {
                snprintf(msg, msg_len, "layer %d: bad float record", r.layer);
                return msg;
            }
            r.nfloats = (size_t)fxq_get_le(buf + at, 4);
            at += 4;
            need = r.nfloats * 4;
            if (r.nfloats > FXQ_FXW_MAX_COUNT || end - at < need) {
                snprintf(msg, msg_len, "truncated: layer %d needs %zu bytes of floats, %zu left", r.layer, need,
                         end - at);
                return msg;
            }
            if (out) {
                r.floats = malloc(r.nfloats ? r.nfloats * sizeof *r.floats : 1);
                out->rec[i] = r;
                if (!r.floats) return "out of memory";
                for (size_t k = 0; k < r.nfloats; ++k) {
                    uint32_t u = (uint32_t)fxq_get_le(buf + at + 4 * k, 4);
                    memcpy(&r.floats[k], &u, 4);
                }
            }
        } else {
            snprintf(msg, msg_len, "record %d: unknown kind %d", i, r.kind);
            return msg;
        }
        at += need;
    }
    if (at != end) {
        snprintf(msg, msg_len, "%zu unexpected bytes after the last record", end - at);
        return msg;
    }
    return NULL;
}

fxq_fxw *fxq_fxw_parse(const unsigned char *buf, size_t len, const char *name, char *why, size_t why_len)
{
    char msg[200];
    if (len < 4 || memcmp(buf, FXQ_FXW_MAGIC, 4)) {
        snprintf(why, why_len, "%s: not a .fxw file (no FXQW magic)", name);
        return NULL;
    }
    if (len < FXQ_FXW_HEADER_BYTES + 4) {
        snprintf(why, why_len, "%s: truncated: %zu bytes, shorter than the header", name, len);
        return NULL;
    }
    const int version = (int)fxq_get_le(buf + 4, 2), hbytes = (int)fxq_get_le(buf + 6, 2);
    if (version < FXQ_FXW_VERSION_MIN || version > FXQ_FXW_VERSION) {
        snprintf(why, why_len, "%s: .fxw version %d, this build reads versions %d..%d", name, version,
                 FXQ_FXW_VERSION_MIN, FXQ_FXW_VERSION);
        return NULL;
    }
    const uint32_t net_layers = (uint32_t)fxq_get_le(buf + 8, 4), nrec = (uint32_t)fxq_get_le(buf + 12, 4);
    const size_t end = len - 4;
    const uint32_t stored = (uint32_t)fxq_get_le(buf + end, 4), crc = fxq_crc32(buf, end);
    if (hbytes < FXQ_FXW_HEADER_BYTES || (size_t)hbytes > end || net_layers > 1000000 || nrec > net_layers) {
        snprintf(why, why_len, "%s: corrupt header", name);
        return NULL;
    }
    if (stored != crc) {
        /* say "truncated" when the records do not fit, else "corrupt" */
        const char *bad = fxq_walk(buf, end, (size_t)hbytes, NULL, (int)nrec, (int)net_layers, version, msg, sizeof msg);
        if (bad)
            snprintf(why, why_len, "%s: %s (file truncated or corrupt)", name, bad);
        else
            snprintf(why, why_len, "%s: checksum mismatch (stored %08x, computed %08x): file corrupt", name, stored,
                     crc);
        return NULL;
    }
    fxq_fxw *f = calloc(1, sizeof *f);
    if (!f || !(f->rec = calloc(nrec ? nrec : 1, sizeof *f->rec))) {
        free(f);
        snprintf(why, why_len, "%s: out of memory", name);
        return NULL;
    }
    f->version = version;
    f->net_layers = (int)net_layers;
    f->n = (int)nrec;
    f->seen = fxq_get_le(buf + 16, 8);
    const char *bad = fxq_walk(buf, end, (size_t)hbytes, f, (int)nrec, (int)net_layers, version, msg, sizeof msg);
    if (bad) {
        snprintf(why, why_len, "%s: %s", name, bad);
        fxq_fxw_free(f);
        return NULL;
    }
    return f;
}

fxq_fxw *fxq_fxw_read_fp(FILE *fp, const char *name, char *why, size_t why_len)
{
    fxq_buf b = {0};
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) fxq_put(&b, chunk, got);
    if (ferror(fp) || b.oom) {
        snprintf(why, why_len, "%s: %s", name, b.oom ? "out of memory" : "read error");
        free(b.p);
        return NULL;
    }
    fxq_fxw *f = fxq_fxw_parse(b.p ? b.p : (const unsigned char *)"", b.len, name, why, why_len);
    free(b.p);
    return f;
}

fxq_fxw *fxq_fxw_read(const char *path, char *why, size_t why_len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(why, why_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    fxq_fxw *f = fxq_fxw_read_fp(fp, path, why, why_len);
    fclose(fp);
    return f;
}

int fxq_fxw_write(const fxq_fxw *f, const char *path, char *why, size_t why_len)
{
    size_t len;
    unsigned char *p = fxq_fxw_serialize(f, &len, why, why_len);
    if (!p) return 0;
    const int ok = fxq_out_write_all(path, p, len, why, why_len);
    free(p);
    return ok;
}

void fxq_fxw_measure(const fxq_fxw *f, fxq_fxw_sizes *s)
{
    memset(s, 0, sizeof *s);
    s->file_bytes = FXQ_FXW_HEADER_BYTES + 4;
    for (int i = 0; i < f->n; ++i) {
        const fxq_fxw_record *r = &f->rec[i];
        s->file_bytes += FXQ_FXW_REC_HEAD;
        if (r->kind == FXQ_FXW_FIXED) {
            const uint64_t nw = (uint64_t)r->units * r->fan_in;
            s->weight_bits += nw * r->w.bits;
            s->bias_bits += (uint64_t)r->units * r->b.bits;
            s->fixed_params += nw + r->units;
            s->file_bytes += FXQ_FXW_FIXED_HEAD + (r->w_fracs ? 2 * (uint64_t)r->units : 0) +
                             fxq_fxw_code_bytes(nw, r->w.bits) +
                             fxq_fxw_code_bytes((size_t)r->units, r->b.bits);
        } else {
            s->float_bytes += 4 * (uint64_t)r->nfloats;
            s->float_params += r->nfloats;
            s->file_bytes += 4 + 4 * (uint64_t)r->nfloats;
        }
    }
}

void fxq_fxw_free(fxq_fxw *f)
{
    if (!f) return;
    for (int i = 0; i < f->n; ++i) {
        free(f->rec[i].w_fracs);
        free(f->rec[i].w_codes);
        free(f->rec[i].b_codes);
        free(f->rec[i].floats);
    }
    free(f->rec);
    free(f);
}
