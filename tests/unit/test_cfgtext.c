/* The one cfg line reader (quant/fxq_cfgtext.h): CR LF line endings and a
 * UTF-8 byte-order mark mean what the same cfg saved with LF means, and a
 * rewrite keeps every line byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_cfgtext.h"
#include "fxq_test.h"

static const char *const lf =
    "[net]\nheight=8\n# a comment\n[convolutional]\nfilters = 2\nsize=3\nactivation=relu\n\n[softmax]\n";

static int put(const char *path, const char *prefix, const char *text, int crlf)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(prefix, f);
    for (const char *p = text; *p; ++p) {
        if (*p == '\n' && crlf) fputc('\r', f);
        fputc(*p, f);
    }
    return fclose(f) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 4096);
    if (buf) fread(buf, 1, 4095, f);
    fclose(f);
    return buf;
}

static int same_view(const fxq_cfgtext *a, const fxq_cfgtext *b)
{
    if (a->nlines != b->nlines || a->nsec != b->nsec) return 0;
    for (int i = 0; i < a->nlines; ++i)
        if (strcmp(a->stripped[i], b->stripped[i])) return 0;
    for (int s = 0; s < a->nsec; ++s)
        if (strcmp(a->sec[s].type, b->sec[s].type) || a->sec[s].header != b->sec[s].header) return 0;
    return 1;
}

int main(void)
{
    char dir[] = "/tmp/fxq-cfgtext.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char p_lf[64], p_crlf[64], p_bom[64], p_out[64], why[256] = "";
    snprintf(p_lf, sizeof p_lf, "%s/lf.cfg", dir);
    snprintf(p_crlf, sizeof p_crlf, "%s/crlf.cfg", dir);
    snprintf(p_bom, sizeof p_bom, "%s/bom.cfg", dir);
    snprintf(p_out, sizeof p_out, "%s/out.cfg", dir);
    put(p_lf, "", lf, 0);
    put(p_crlf, "", lf, 1);
    put(p_bom, "\xEF\xBB\xBF", lf, 1);

    fxq_cfgtext *a = fxq_cfgtext_read(p_lf, why, sizeof why);
    FXQ_CHECK("cfgtext.lf_reads", a != NULL, "%s", why);
    fxq_cfgtext *b = fxq_cfgtext_read(p_crlf, why, sizeof why);
    FXQ_CHECK("cfgtext.crlf_reads", b != NULL, "%s", why);
    fxq_cfgtext *c = fxq_cfgtext_read(p_bom, why, sizeof why);
    FXQ_CHECK("cfgtext.bom_crlf_reads", c != NULL, "%s", why);
    if (a && b && c) {
        FXQ_CHECK("cfgtext.crlf_same_view", same_view(a, b), "CRLF lines read differently from LF ones");
        FXQ_CHECK("cfgtext.bom_same_view", same_view(a, c), "a BOM changes the first line");
        const char *v = fxq_cfgtext_get(b, 1, "filters");
        FXQ_CHECK("cfgtext.crlf_value", v && !strcmp(v, "2"), "filters='%s'", v ? v : "(none)");
        FXQ_CHECK("cfgtext.quantizable", fxq_cfgtext_quantizable(c, 1) && !fxq_cfgtext_quantizable(c, 2),
                  "section types misread");
        /* unchanged lines stay byte for byte, CRs and BOM included */
        char *const added[3] = {NULL, NULL, NULL};
        const int wrote = fxq_cfgtext_write(c, p_out, NULL, added, why, sizeof why);
        char *in = slurp(p_bom), *out = slurp(p_out);
        FXQ_CHECK("cfgtext.rewrite_bytes", wrote && in && out && !strcmp(in, out), "%s", wrote ? "bytes differ" : why);
        free(in), free(out);
    }
    fxq_cfgtext_free(a), fxq_cfgtext_free(b), fxq_cfgtext_free(c);

    /* load keeps every rule to its caller; read still refuses a bad line */
    put(p_lf, "", "[net]\r\nnot a key\r\n[maxpool]\r\n", 0);
    fxq_cfgtext *d = fxq_cfgtext_load(p_lf, why, sizeof why);
    FXQ_CHECK("cfgtext.load_lenient", d && d->nsec == 2 && !strcmp(d->sec[1].type, "[maxpool]"), "%s", why);
    fxq_cfgtext_free(d);
    d = fxq_cfgtext_read(p_lf, why, sizeof why);
    FXQ_CHECK("cfgtext.read_refuses", !d && strstr(why, ":2: expected key=value"), "why='%s'", why);
    fxq_cfgtext_free(d);

    unlink(p_lf), unlink(p_crlf), unlink(p_bom), unlink(p_out);
    rmdir(dir);
    FXQ_TEST_END();
}
