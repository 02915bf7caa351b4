/* .fxw packed weights: container round trips on synthetic records (every
 * bit-width, tails), rejection of corrupt/truncated images, and on the real
 * model: loading the .fxw gives the codes and outputs of loading the float
 * file bit for bit, including float layers and a bias finer than the
 * accumulator; unpacking gives the bytes save_weights writes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "darknet.h"
#include "list.h"
#include "fxq_fxw.h"
#include "fxq_fxw_net.h"
#include "fxq_layer.h"
#include "fxq_test.h"

#define WEIGHTS "weights/fmnist.weights"
#define CFG "cfg/fmnist.cfg"

/* cfg/fmnist.cfg with conv/connected sections made fixed point; layer
 * `float_layer` stays float; `bias_extra` adds b_bits/b_frac lines;
 * `perchan` gives every fixed layer a w_frac list (row u: frac + u % 3). */
static int write_cfg(const char *path, int float_layer, const char *bias_extra, int perchan)
{
    FILE *in = fopen(CFG, "r"), *out = fopen(path, "w");
    if (!in || !out) {
        if (in) fclose(in);
        if (out) fclose(out);
        return 0;
    }
    static char lines[1024][512];
    int n = 0;
    while (n < 1024 && fgets(lines[n], sizeof lines[n], in)) ++n;
    fclose(in);
    int layer = -1;
    for (int i = 0; i < n; ++i) {
        const char *line = lines[i];
        if (line[0] == '[' && strncmp(line, "[net]", 5)) ++layer;
        int conv = !strncmp(line, "[convolutional]", 15), conn = !strncmp(line, "[connected]", 11);
        if ((conv || conn) && layer != float_layer) {
            const int frac = conv ? 6 : 4;
            int units = 0;
            for (int j = i + 1; j < n && lines[j][0] != '['; ++j)
                if (sscanf(lines[j], conv ? "filters=%d" : "output=%d", &units) == 1) break;
            fprintf(out, "%s\nw_bits=%d\nw_frac=", conv ? "[fxconvolutional]" : "[fxconnected]", conv ? 7 : 5);
            for (int u = 0; u < (perchan ? units : 1); ++u) fprintf(out, "%s%d", u ? "," : "", frac + u % 3);
            fprintf(out, "\nin_bits=8\nin_frac=4\nout_bits=8\nout_frac=3\n%s", bias_extra ? bias_extra : "");
        } else {
            fputs(line, out);
        }
    }
    return fclose(out) == 0;
}

static network *load(const char *cfg, const char *weights)
{
    network *net = load_network((char *)cfg, (char *)weights, 0);
    set_batch_network(net, 4);
    return net;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Synthetic file: one fixed record per (w bits, b bits) pair with odd counts
 * so every packing tail occurs; serialize -> parse -> serialize. */
static void test_container(void)
{
    const int wbits[] = {2, 3, 5, 7, 8, 11, 13, 16}, bbits[] = {2, 9, 17, 31, 32, 3, 16, 24};
    const int nrec = (int)(sizeof wbits / sizeof wbits[0]);
    fxq_fxw f = {FXQ_FXW_VERSION, 2 * nrec + 1, 12345, nrec + 1, calloc((size_t)nrec + 1, sizeof(fxq_fxw_record))};
    srand(7);
    for (int i = 0; i < nrec; ++i) {
        fxq_fxw_record *r = &f.rec[i];
        r->kind = FXQ_FXW_FIXED, r->type = i % 2 ? FXQ_FXW_T_CONNECTED : FXQ_FXW_T_CONV, r->bn = i % 3 == 0;
        r->layer = 2 * i, r->units = 1 + i, r->fan_in = 1 + 2 * i;
        r->w = (fxq_format){wbits[i], i - 2}, r->b = (fxq_format){bbits[i], 2 * i};
        r->in = (fxq_format){8, 4}, r->out = (fxq_format){16, -3};
        r->w_codes = malloc((size_t)r->units * r->fan_in * sizeof *r->w_codes);
        r->b_codes = malloc((size_t)r->units * sizeof *r->b_codes);
        const int64_t wlo = fxq_code_min(r->w.bits), whi = fxq_code_max(r->w.bits);
        for (int k = 0; k < r->units * r->fan_in; ++k)
            r->w_codes[k] = (int16_t)(k == 0 ? wlo : k == 1 ? whi : wlo + rand() % (whi - wlo + 1));
        for (int k = 0; k < r->units; ++k) {
            const int64_t lo = fxq_code_min(r->b.bits), hi = fxq_code_max(r->b.bits);
            r->b_codes[k] = k == 0 ? lo : k == 1 ? hi : lo + (int64_t)((double)rand() / RAND_MAX * (double)(hi - lo));
        }
    }
    fxq_fxw_record *fr = &f.rec[nrec];
    fr->kind = FXQ_FXW_FLOAT, fr->type = FXQ_FXW_T_BATCHNORM, fr->layer = 2 * nrec, fr->nfloats = 9;
    fr->floats = malloc(9 * sizeof(float));
    for (int k = 0; k < 9; ++k) fr->floats[k] = (float)k / 3 - 1;

    char why[512] = "";
    size_t len = 0, len2 = 0;
    unsigned char *a = fxq_fxw_serialize(&f, &len, why, sizeof why);
    FXQ_CHECK("fxw.serialize", a != NULL, "%s", why);
    if (!a) return;
    fxq_fxw *g = fxq_fxw_parse(a, len, "synthetic", why, sizeof why);
    FXQ_CHECK("fxw.parse", g != NULL, "%s", why);
    if (!g) return;
    int same = g->n == f.n && g->seen == f.seen && g->net_layers == f.net_layers;
    for (int i = 0; same && i < nrec; ++i) {
        const fxq_fxw_record *r = &f.rec[i], *q = &g->rec[i];
        same = q->units == r->units && q->fan_in == r->fan_in && q->w.bits == r->w.bits && q->w.frac == r->w.frac &&
               q->b.bits == r->b.bits && q->b.frac == r->b.frac && q->out.frac == r->out.frac && q->bn == r->bn &&
               !memcmp(q->w_codes, r->w_codes, (size_t)r->units * r->fan_in * sizeof *r->w_codes) &&
               !memcmp(q->b_codes, r->b_codes, (size_t)r->units * sizeof *r->b_codes);
    }
    same = same && g->rec[nrec].nfloats == 9 && !memcmp(g->rec[nrec].floats, fr->floats, 9 * sizeof(float));
    FXQ_CHECK("fxw.codes_round_trip_all_bit_widths", same, "decoded records differ");
    unsigned char *b = fxq_fxw_serialize(g, &len2, why, sizeof why);
    FXQ_CHECK("fxw.reserialize_same_bytes", b && len2 == len && !memcmp(a, b, len), "bytes differ");
    fxq_fxw_sizes sz;
    fxq_fxw_measure(&f, &sz);
    FXQ_CHECK("fxw.measured_size_is_file_size", sz.file_bytes == len, "%llu vs %zu", (unsigned long long)sz.file_bytes,
              len);

    /* every truncation and every single-byte change is rejected */
    int trunc_ok = 1, flip_ok = 1;
    for (size_t n = 0; n < len; ++n) {
        fxq_fxw *t = fxq_fxw_parse(a, n, "t", why, sizeof why);
        if (t) trunc_ok = 0;
        fxq_fxw_free(t);
    }
    for (size_t k = 0; k < len; ++k) {
        a[k] ^= 0x10;
        fxq_fxw *t = fxq_fxw_parse(a, len, "t", why, sizeof why);
        if (t) flip_ok = 0;
        fxq_fxw_free(t);
        a[k] ^= 0x10;
    }
    FXQ_CHECK("fxw.every_truncation_rejected", trunc_ok, "a truncated image parsed");
    FXQ_CHECK("fxw.every_byte_flip_rejected", flip_ok, "a corrupted image parsed");
    fxq_fxw *t = fxq_fxw_parse(a, len - 9, "cut.fxw", why, sizeof why);
    FXQ_CHECK("fxw.truncation_message", !t && strstr(why, "cut.fxw") && strstr(why, "truncated"), "'%s'", why);
    fxq_fxw_free(t);

    /* a code outside its bits is refused at write time */
    f.rec[0].w_codes[0] = (int16_t)(fxq_code_max(f.rec[0].w.bits) + 1);
    unsigned char *c = fxq_fxw_serialize(&f, &len2, why, sizeof why);
    FXQ_CHECK("fxw.out_of_range_code_refused", !c && strstr(why, "outside"), "'%s'", why);
    free(c);
    free(a);
    free(b);
    fxq_fxw_free(g);
    for (int i = 0; i <= nrec; ++i) {
        free(f.rec[i].w_codes);
        free(f.rec[i].b_codes);
        free(f.rec[i].floats);
    }
    free(f.rec);
}

/* Rewrites the CRC after a deliberate edit, so the parser sees the edit. */
static void fix_crc(unsigned char *a, size_t len)
{
    const uint32_t c = fxq_crc32(a, len - 4);
    for (int k = 0; k < 4; ++k) a[len - 4 + k] = (unsigned char)(c >> (8 * k));
}

/* Version 2: per-channel weight fracs round trip; a file without them stays
 * version 1; bad lists and the flag in a version-1 file are refused. */
static void test_container_v2(void)
{
    fxq_fxw_record rec[2] = {{0}};
    fxq_fxw f = {0, 4, 7, 2, rec};
    for (int i = 0; i < 2; ++i) {
        fxq_fxw_record *r = &rec[i];
        r->kind = FXQ_FXW_FIXED, r->type = FXQ_FXW_T_CONV, r->layer = i, r->units = 5, r->fan_in = 3;
        r->w = (fxq_format){7, 4}, r->b = (fxq_format){16, 9}, r->in = (fxq_format){8, 4}, r->out = (fxq_format){8, 3};
        r->w_codes = calloc(15, sizeof *r->w_codes);
        r->b_codes = calloc(5, sizeof *r->b_codes);
        for (int k = 0; k < 15; ++k) r->w_codes[k] = (int16_t)(k * 8 - 56);
    }
    char why[512] = "";
    size_t len = 0, len1 = 0, len2 = 0;
    unsigned char *v1 = fxq_fxw_serialize(&f, &len1, why, sizeof why);
    FXQ_CHECK("fxw.v2.plain_file_is_version_1", v1 && v1[4] == 1, "%s", why);
    int16_t fr[5] = {6, 4, 5, 9, 4};
    rec[1].w_fracs = fr;
    unsigned char *a = fxq_fxw_serialize(&f, &len, why, sizeof why);
    FXQ_CHECK("fxw.v2.per_channel_file_is_version_2", a && a[4] == 2 && len == len1 + 10, "%s (%zu vs %zu)", why, len,
              len1);
    fxq_fxw_sizes sz;
    fxq_fxw_measure(&f, &sz);
    FXQ_CHECK("fxw.v2.measured_size_is_file_size", sz.file_bytes == len, "%llu vs %zu",
              (unsigned long long)sz.file_bytes, len);
    fxq_fxw *g = a ? fxq_fxw_parse(a, len, "v2", why, sizeof why) : NULL;
    FXQ_CHECK("fxw.v2.parse", g && g->version == 2 && !g->rec[0].w_fracs && g->rec[1].w_fracs &&
                                  !memcmp(g->rec[1].w_fracs, fr, sizeof fr) && fxq_fxw_row_frac(&g->rec[1], 3) == 9 &&
                                  fxq_fxw_row_frac(&g->rec[0], 3) == 4,
              "%s", why);
    unsigned char *b = g ? fxq_fxw_serialize(g, &len2, why, sizeof why) : NULL;
    FXQ_CHECK("fxw.v2.reserialize_same_bytes", b && len2 == len && !memcmp(a, b, len), "bytes differ");
    int trunc_ok = 1;
    for (size_t n = 0; a && n < len; ++n) {
        fxq_fxw *t = fxq_fxw_parse(a, n, "t", why, sizeof why);
        trunc_ok &= t == NULL;
        fxq_fxw_free(t);
    }
    FXQ_CHECK("fxw.v2.every_truncation_rejected", trunc_ok, "a truncated image parsed");
    if (a) {
        /* the per-channel flag in a version-1 file */
        unsigned char *c = malloc(len);
        memcpy(c, a, len);
        c[4] = 1;
        fix_crc(c, len);
        fxq_fxw *t = fxq_fxw_parse(c, len, "old.fxw", why, sizeof why);
        FXQ_CHECK("fxw.v2.flag_refused_in_version_1", !t && strstr(why, "old.fxw") && strstr(why, "unknown record flags"),
                  "'%s'", why);
        fxq_fxw_free(t);
        /* a stored list whose minimum is not the record's w frac (offset:
         * header, record 0, record 1's head, then the list) */
        const size_t at = FXQ_FXW_HEADER_BYTES + 8 + 24 + fxq_fxw_code_bytes(15, 7) + fxq_fxw_code_bytes(5, 16) + 8 + 24;
        memcpy(c, a, len);
        c[at + 2] = 7, c[at + 8] = 7; /* rows 1 and 4: 4 -> 7, minimum now 5 */
        fix_crc(c, len);
        t = fxq_fxw_parse(c, len, "min.fxw", why, sizeof why);
        FXQ_CHECK("fxw.v2.list_minimum_checked", !t && strstr(why, "min.fxw: layer 1") && strstr(why, "minimum"), "'%s'",
                  why);
        fxq_fxw_free(t);
        memcpy(c, a, len);
        c[at + 6] = 100; /* row 3: frac 100 */
        fix_crc(c, len);
        t = fxq_fxw_parse(c, len, "range.fxw", why, sizeof why);
        FXQ_CHECK("fxw.v2.list_range_checked", !t && strstr(why, "out of range"), "'%s'", why);
        fxq_fxw_free(t);
        memcpy(c, a, len);
        c[4] = 3;
        fix_crc(c, len);
        t = fxq_fxw_parse(c, len, "new.fxw", why, sizeof why);
        FXQ_CHECK("fxw.v2.newer_version_refused", !t && strstr(why, "version 3"), "'%s'", why);
        fxq_fxw_free(t);
        free(c);
    }
    /* the writer refuses a list that does not match the record */
    fr[1] = 5, fr[4] = 5;
    unsigned char *d = fxq_fxw_serialize(&f, &len2, why, sizeof why);
    FXQ_CHECK("fxw.v2.writer_checks_minimum", !d && strstr(why, "layer 1") && strstr(why, "minimum"), "'%s'", why);
    free(d);
    free(v1);
    free(a);
    free(b);
    fxq_fxw_free(g);
    for (int i = 0; i < 2; ++i) free(rec[i].w_codes), free(rec[i].b_codes);
}

static int same_layers(network *a, network *b)
{
    for (int i = 0; i < a->n; ++i) {
        layer la = a->layers[i], lb = b->layers[i];
        if (la.type != lb.type) return 0;
        if (la.type == FXCONVOLUTIONAL || la.type == FXCONNECTED) {
            const struct fxq_layer_state *s = la.fxq, *t = lb.fxq;
            if (memcmp(s->w_codes, t->w_codes, (size_t)s->units * s->fan_in * sizeof *s->w_codes) ||
                memcmp(s->bias_acc, t->bias_acc, (size_t)s->units * sizeof *s->bias_acc))
                return 0;
        } else if (la.type == CONVOLUTIONAL) {
            if (memcmp(la.weights, lb.weights, (size_t)la.nweights * sizeof(float)) ||
                memcmp(la.biases, lb.biases, (size_t)la.n * sizeof(float)))
                return 0;
        }
    }
    return 1;
}

/* Packs `cfg` from the float file, loads the .fxw into the same cfg, and
 * compares codes and every layer's output on 8 images. */
static void test_model(const char *name, const char *cfg, const char *tmp, char **paths)
{
    char fxw[512], unpacked[512], saved[512], check[160], why[512] = "";
    snprintf(fxw, sizeof fxw, "%s.fxw", tmp);
    snprintf(unpacked, sizeof unpacked, "%s.unpacked.weights", tmp);
    snprintf(saved, sizeof saved, "%s.saved.weights", tmp);

    fxq_layer_set_keep_float(1);
    network *src = load(cfg, WEIGHTS);
    fxq_layer_set_keep_float(0);
    /* keep_float: the folded float masters stay beside the codes they made */
    long masters = 0, mbad = 0;
    for (int i = 0; i < src->n; ++i) {
        const struct fxq_layer_state *s = src->layers[i].fxq;
        if (!s) continue;
        ++masters;
        if (!s->keep_float || !s->w_master || !s->b_master || !s->b_codes) { ++mbad; continue; }
        for (size_t k = 0; k < (size_t)s->units * s->fan_in; ++k)
            mbad += s->w_codes[k] !=
                    fxq_quantize_ref(s->w_master[k], (fxq_format){s->w.bits, fxq_row_w_frac(s, (int)(k / s->fan_in))});
        for (int u = 0; u < s->units; ++u)
            mbad += s->b_codes[u] != fxq_quantize64_ref(s->b_master[u], s->b.frac, fxq_code_min(s->b.bits), fxq_code_max(s->b.bits));
    }
    snprintf(check, sizeof check, "fxw.%s.keep_float_masters", name);
    FXQ_CHECK(check, masters > 0 && mbad == 0, "%ld of %ld layers/codes disagree with their float masters", mbad, masters);
    fxq_fxw *f = fxq_fxw_from_network(src, why, sizeof why);
    snprintf(check, sizeof check, "fxw.%s.pack", name);
    FXQ_CHECK(check, f && fxq_fxw_write(f, fxw, why, sizeof why), "%s", why);
    if (!f) return;
    /* version 1 unless a layer has per-channel fracs */
    int perchan = 0;
    for (int i = 0; i < src->n; ++i) perchan |= src->layers[i].fxq && ((struct fxq_layer_state *)src->layers[i].fxq)->w_fracs;
    size_t vlen = 0;
    unsigned char *vb = slurp(fxw, &vlen);
    snprintf(check, sizeof check, "fxw.%s.version_%d", name, perchan ? 2 : 1);
    FXQ_CHECK(check, vb && vlen > 6 && vb[4] == (perchan ? 2 : 1) && vb[5] == 0, "version byte %d", vb && vlen > 6 ? vb[4] : -1);
    free(vb);

    network *nf = load(cfg, WEIGHTS), *nx = load(cfg, fxw);
    snprintf(check, sizeof check, "fxw.%s.load_same_codes", name);
    FXQ_CHECK(check, same_layers(nf, nx), "codes differ between float and .fxw loads");
    long diff = 0, vals = 0;
    for (int img = 0; img < 8; img += 4) {
        float *x = calloc((size_t)nf->inputs * 4, sizeof *x);
        for (int b = 0; b < 4; ++b) {
            image im = load_image_color(paths[img + b], 0, 0);
            memcpy(x + (size_t)b * nf->inputs, im.data, sizeof(float) * nf->inputs);
            free_image(im);
        }
        network_predict(nf, x);
        network_predict(nx, x);
        for (int i = 0; i < nf->n; ++i) {
            const size_t n = (size_t)nf->layers[i].outputs * 4;
            for (size_t k = 0; k < n; ++k) diff += memcmp(&nf->layers[i].output[k], &nx->layers[i].output[k], 4) != 0;
            vals += (long)n;
        }
        free(x);
    }
    snprintf(check, sizeof check, "fxw.%s.outputs_bit_identical", name);
    FXQ_CHECK(check, diff == 0 && vals > 10000, "%ld of %ld layer outputs differ", diff, vals);

    /* unpack == save_weights of the network loaded from the float file */
    save_weights(nf, saved);
    size_t la = 0, lb = 0;
    int wrote = fxq_fxw_write_weights(f, unpacked, why, sizeof why);
    unsigned char *a = slurp(saved, &la), *b = slurp(unpacked, &lb);
    /* (with a bias finer than the accumulator, unpack keeps the finer value) */
    if (strcmp(name, "mixed")) {
        snprintf(check, sizeof check, "fxw.%s.unpack_equals_save_weights", name);
        FXQ_CHECK(check, wrote && a && b && la == lb && !memcmp(a, b, la), "%s (%zu vs %zu bytes)", why, la, lb);
    }
    free(a);
    free(b);

    /* pack(unpack(pack)) == pack */
    fxq_layer_set_keep_float(1);
    network *nu = load(cfg, unpacked);
    fxq_layer_set_keep_float(0);
    snprintf(check, sizeof check, "fxw.%s.unpacked_loads_same_codes", name);
    FXQ_CHECK(check, wrote && same_layers(nf, nu), "codes differ after unpack");
    fxq_fxw *f2 = fxq_fxw_from_network(nu, why, sizeof why);
    size_t l1 = 0, l2 = 0;
    unsigned char *s1 = fxq_fxw_serialize(f, &l1, why, sizeof why), *s2 = f2 ? fxq_fxw_serialize(f2, &l2, why, sizeof why) : NULL;
    snprintf(check, sizeof check, "fxw.%s.pack_unpack_pack_same_bytes", name);
    FXQ_CHECK(check, s1 && s2 && l1 == l2 && !memcmp(s1, s2, l1), "%s (%zu vs %zu bytes)", why, l1, l2);
    free(s1);
    free(s2);
    fxq_fxw_free(f2);
    fxq_fxw_free(f);
    free_network(src);
    free_network(nf);
    free_network(nx);
    free_network(nu);
    remove(fxw);
    remove(unpacked);
    remove(saved);
}

int main(void)
{
    test_container();
    test_container_v2();
    FILE *w = fopen(WEIGHTS, "rb");
    FXQ_CHECK("fxw.weights_present", w != NULL, "%s missing", WEIGHTS);
    if (!w) FXQ_TEST_END();
    fclose(w);
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char cfg_all[512], cfg_mixed[512], cfg_pc[512], tmp[512];
    snprintf(cfg_all, sizeof cfg_all, "%s/fxq-test-fxw-all-%d.cfg", tmpdir, (int)getpid());
    snprintf(cfg_mixed, sizeof cfg_mixed, "%s/fxq-test-fxw-mixed-%d.cfg", tmpdir, (int)getpid());
    snprintf(tmp, sizeof tmp, "%s/fxq-test-fxw-%d", tmpdir, (int)getpid());
    /* mixed: layer 2 stays float; biases at 20 bits with 14 fractional bits,
     * finer than the accumulator (6+4 / 4+4): the rounding path */
    snprintf(cfg_pc, sizeof cfg_pc, "%s/fxq-test-fxw-pc-%d.cfg", tmpdir, (int)getpid());
    FXQ_CHECK("fxw.write_cfgs",
              write_cfg(cfg_all, -1, NULL, 0) && write_cfg(cfg_mixed, 2, "b_bits=20\nb_frac=14\n", 0) &&
                  write_cfg(cfg_pc, 2, NULL, 1),
              "cannot write temp cfgs");
    list *imgs = get_paths("data/fmnist/test1k.list");
    char **paths = (char **)list_to_array(imgs);
    test_model("all_fixed", cfg_all, tmp, paths);
    test_model("mixed", cfg_mixed, tmp, paths);
    test_model("per_channel", cfg_pc, tmp, paths);
    remove(cfg_pc);
    remove(cfg_all);
    remove(cfg_mixed);
    free(paths);
    free_list_contents(imgs);
    free_list(imgs);
    FXQ_TEST_END();
}
