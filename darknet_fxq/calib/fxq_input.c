/* List files and image decoding for the fxq verbs (see fxq_input.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h> /* implementation compiled into Darknet's image.c */

#include "darknet.h"
#include "fxq_input.h"

char **fxq_list_read(const char *path, int max, int *n, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char **paths = NULL, *line = NULL;
    size_t cap = 0, have = 0;
    int count = 0;
    ssize_t len;
    while ((max <= 0 || count < max) && (len = getline(&line, &cap, f)) >= 0) {
        char *s = line;
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
            s[--len] = 0;
        while (*s == ' ' || *s == '\t') ++s;
        if (!*s) continue;
        if ((size_t)count == have) {
            size_t nh = have ? 2 * have : 256;
            char **np = realloc(paths, nh * sizeof *np);
            if (!np) goto oom;
            paths = np, have = nh;
        }
        if (!(paths[count] = strdup(s))) goto oom;
        ++count;
    }
    if (ferror(f)) {
        snprintf(why, why_len, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!count) {
        snprintf(why, why_len, "%s: empty list (no image paths)", path);
        goto fail;
    }
    free(line);
    fclose(f);
    *n = count;
    return paths;

oom:
    snprintf(why, why_len, "%s: out of memory", path);
fail:
    fxq_list_free(paths, count);
    free(line);
    fclose(f);
    return NULL;
}

void fxq_list_free(char **paths, int n)
{
    if (!paths) return;
    for (int i = 0; i < n; ++i) free(paths[i]);
    free(paths);
}

int fxq_input_decode(const char *path, int c, image *out, char *why, size_t why_len)
{
    int iw, ih, ic;
    unsigned char *data = stbi_load(path, &iw, &ih, &ic, c);
    if (!data) {
        /* stb's reason is thread-local in this stb version */
        snprintf(why, why_len, "%s: cannot decode image (%s)", path, stbi_failure_reason());
        return 0;
    }
    image im = make_image(iw, ih, c);
    for (int k = 0; k < c; ++k)
        for (int y = 0; y < ih; ++y)
            for (int x = 0; x < iw; ++x)
                im.data[x + iw * y + iw * ih * k] = (float)((double)data[k + c * x + c * iw * y] / 255.); /* as Darknet */
    stbi_image_free(data);
    *out = im;
    return 1;
}

int fxq_input_load(const char *path, int w, int h, int c, float *dst, char *why, size_t why_len)
{
    image im;
    if (!fxq_input_decode(path, c, &im, why, why_len)) return 0;
    /* validate_classifier_single's preprocessing; identity at the net's size */
    image crop = center_crop_image(im, w, h);
    memcpy(dst, crop.data, sizeof(float) * (size_t)w * h * c);
    free_image(crop);
    free_image(im);
    return 1;
}
