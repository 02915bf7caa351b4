/* The checks upstream's load_weights_upto runs before it reads a .weights
 * file (patches/0012): the same ones the fxq verbs run (fxq_weights_check),
 * so `classifier train/valid/predict` on a fixed-point cfg refuse what
 * `fxq valid` refuses, with the same one line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fxq_hooks.h"
#include "fxq_layer_train.h"
#include "fxq_net.h"

static int fxq_has_fixed_layer(const network *net)
{
    for (int i = 0; i < net->n; ++i)
        if (net->layers[i].type == FXCONVOLUTIONAL || net->layers[i].type == FXCONNECTED) return 1;
    return 0;
}

/* The layers whose records lie wholly inside the file: finite numbers;
 * more bytes than the network needs: refused as fxq_weights_check does. */
static int fxq_weights_prefix_ok(network *net, FILE *fp, const char *filename, const int hdr[3], char *why,
                                 size_t why_len)
{
    struct stat st;
    if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) return 1; /* upstream's own reads decide */
    size_t *end = calloc((size_t)net->n, sizeof *end);
    if (!end) {
        snprintf(why, why_len, "%s: out of memory", filename);
        return 0;
    }
    const size_t need = fxq_weights_bytes(net, hdr[0], hdr[1], end);
    if ((size_t)st.st_size >= need) {
        free(end);
        return fxq_weights_check(net, filename, why, why_len);
    }
    int n = 0;
    while (n < net->n && end[n] <= (size_t)st.st_size) ++n;
    /* a float layer past the end keeps its initial weights, as upstream
     * lets it; a fixed-point one cannot start from nothing (its load reads
     * the whole record): refused here, in the words the fxq verbs use */
    for (int i = n; i < net->n; ++i) {
        const layer *l = &net->layers[i];
        if (l->dontload || (l->type != FXCONVOLUTIONAL && l->type != FXCONNECTED)) continue;
        snprintf(why, why_len, "%s: %lld bytes, the cfg needs %zu (layer %d's record is incomplete)", filename,
                 (long long)st.st_size, need, i);
        free(end);
        return 0;
    }
    const size_t header = fxq_weights_bytes(&(network){.n = 0}, hdr[0], hdr[1], NULL);
    const long pos = ftell(fp);
    const int ok = fxq_weights_finite(fp, filename, end, n, header, why, why_len);
    if (pos >= 0) fseek(fp, pos, SEEK_SET);
    free(end);
    return ok;
}

void fxq_weights_load_check(network *net, FILE *fp, const char *filename, int start, int cutoff)
{
    char why[1024];
    int hdr[3] = {0, 0, 0};
    long pos = ftell(fp);
    const size_t got = pos >= 0 ? fread(hdr, sizeof(int), 3, fp) : 0;
    if (pos >= 0) fseek(fp, pos, SEEK_SET);
    int ok = fxq_fxw_name_check(filename, why, sizeof why);
    if (ok && got == 3 && (hdr[0] < 0 || hdr[1] < 0 || hdr[0] > 100000 || hdr[1] > 100000)) {
        /* upstream computes major*10 + minor in int: a hostile header
         * overflows it (and no Darknet ever wrote such a version) */
        snprintf(why, sizeof why, "%s: version %d.%d.%d in its header: not a Darknet .weights file", filename,
                 hdr[0], hdr[1], hdr[2]);
        ok = 0;
    }
    /* a fixed-point network gets the fxq verbs' whole check: header, exact
     * size, every float finite; upstream would quantize whatever it read.
     * Training may start from a shorter file (a pretrained backbone, as
     * upstream's trainers allow): then the records it holds are checked,
     * and it must hold every fixed-point layer's. */
    if (ok && fxq_has_fixed_layer(net) && start == 0 && cutoff >= net->n) {
        if (fxq_training() && got == 3) ok = fxq_weights_prefix_ok(net, fp, filename, hdr, why, sizeof why);
        else ok = fxq_weights_check(net, filename, why, sizeof why);
    }
    if (!ok) {
        fprintf(stderr, "\n%s\n", why);
        exit(1);
    }
}

int fxq_train_list_ok(const char *datacfg, const char *train_list, char **paths, int n, char *why, size_t why_len)
{
    if (n < 1) {
        snprintf(why, why_len, "%s: its train list %s names no image", datacfg, train_list);
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        const char *p = paths[i];
        while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
        if (!*p) {
            snprintf(why, why_len, "%s:%d: a blank line in the train list of %s (not an image path)", train_list, i + 1,
                     datacfg);
            return 0;
        }
        struct stat st;
        /* st is only filled when stat succeeds: a failed stat must not read it */
        int missing = stat(paths[i], &st) != 0;
        if (missing || S_ISDIR(st.st_mode)) {
            snprintf(why, why_len, "%s:%d: %s: %s", train_list, i + 1, paths[i],
                     missing ? strerror(errno) : "a directory, not an image");
            return 0;
        }
    }
    return 1;
}

void fxq_train_list_check(const char *datacfg, const char *train_list, char **paths, int n)
{
    char why[8192];
    if (fxq_train_list_ok(datacfg, train_list, paths, n, why, sizeof why)) return;
    fprintf(stderr, "%s\n", why);
    exit(1);
}
