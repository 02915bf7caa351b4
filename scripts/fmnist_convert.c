/* fmnist_convert: Fashion-MNIST IDX files -> Darknet classifier layout.
 *
 *   fmnist_convert <images.idx3> <labels.idx1> <outdir> <list> <labels.txt>
 *
 * Writes one PNG per image (stb_image_write) as <outdir>/<index>_<label>.png
 * and appends its path to <list>. Darknet assigns a class when the label name
 * is a substring of the path, so the names below are chosen so that none is a
 * substring of another or of the directory names ("tshirt" would contain
 * "shirt", hence "tee").
 */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fmnist_labels[10] = {
    "tee", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "boot",
};

static int die(const char *file, const char *why)
{
    fprintf(stderr, "fmnist_convert: %s: %s\n", file, why);
    return 1;
}

static int read_be32(FILE *f, unsigned *v)
{
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4) return 0;
    *v = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s <images.idx3> <labels.idx1> <outdir> <list> <labels.txt>\n", argv[0]);
        return 2;
    }
    const char *img_path = argv[1], *lab_path = argv[2], *outdir = argv[3];
    FILE *fi = fopen(img_path, "rb");
    if (!fi) return die(img_path, "cannot open");
    FILE *fl = fopen(lab_path, "rb");
    if (!fl) { fclose(fi); return die(lab_path, "cannot open"); }

    unsigned magic, n, rows, cols, nl;
    if (!read_be32(fi, &magic) || magic != 0x803) return die(img_path, "not an IDX3 ubyte file");
    if (!read_be32(fi, &n) || !read_be32(fi, &rows) || !read_be32(fi, &cols) || rows != 28 || cols != 28)
        return die(img_path, "bad IDX3 header (expected 28x28 images)");
    if (!read_be32(fl, &magic) || magic != 0x801) return die(lab_path, "not an IDX1 ubyte file");
    if (!read_be32(fl, &nl) || nl != n) return die(lab_path, "label count differs from image count");

    FILE *list = fopen(argv[4], "w");
    if (!list) return die(argv[4], "cannot write");
    unsigned char px[28 * 28];
    char path[4096];
    for (unsigned i = 0; i < n; ++i) {
        int lab = fgetc(fl);
        if (fread(px, 1, sizeof px, fi) != sizeof px) return die(img_path, "truncated");
        if (lab < 0) return die(lab_path, "truncated");
        if (lab > 9) return die(lab_path, "label out of range 0..9");
        snprintf(path, sizeof path, "%s/%05u_%s.png", outdir, i, fmnist_labels[lab]);
        if (!stbi_write_png(path, 28, 28, 1, px, 28)) return die(path, "cannot write PNG");
        fprintf(list, "%s\n", path);
    }
    if (fclose(list) != 0) return die(argv[4], "write failed");
    fclose(fi);
    fclose(fl);

    FILE *lt = fopen(argv[5], "w");
    if (!lt) return die(argv[5], "cannot write");
    for (int k = 0; k < 10; ++k) fprintf(lt, "%s\n", fmnist_labels[k]);
    fclose(lt);
    return 0;
}
