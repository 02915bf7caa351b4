/* fmnist_det_gen: Fashion-MNIST IDX files -> a seeded object-detection set in
 * Darknet's layout (PNG images, YOLO label files).
 *
 *   fmnist_det_gen <images.idx3> <labels.idx1> <outdir> <split> <count> <seed> <list> <listprefix>
 *
 * Writes <outdir>/images/<split>/NNNNNN.png and <outdir>/labels/<split>/NNNNNN.txt
 * (Darknet finds a label file by replacing "images" with "labels" and the
 * extension with ".txt") and appends <listprefix>/images/<split>/NNNNNN.png to
 * <list>, so the list can name the final directory while the files are written
 * to a temporary one.
 *
 * Each canvas is FXQ_DET_SIZE pixels square: a smooth coloured background with
 * noise, faded fragments of other items (clutter that is not an object), then
 * 0-8 tinted items scaled from 16 to 100 pixels, placed so that no two boxes
 * overlap much. A label is the tight box of the item's visible pixels, class
 * = the Fashion-MNIST label. Only integer-seeded splitmix64 draws and plain
 * double arithmetic are used, so a seed gives the same bytes on every x86-64
 * build of this file.
 */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FXQ_DET_SIZE 160
#define FXQ_DET_MAX_OBJ 8
#define FXQ_DET_MIN_SIDE 16.0
#define FXQ_DET_MAX_SIDE 100.0
#define FXQ_DET_EMPTY_PCT 6     /* share of images with no object at all */
#define FXQ_DET_MAX_IOU 0.15    /* two boxes may overlap this much ... */
#define FXQ_DET_MAX_COVER 0.25  /* ... and hide this much of an earlier one */
#define FXQ_DET_ALPHA_MIN 0.12  /* a pixel counts in the box from this opacity */
#define FXQ_DET_MIN_CONTRAST 0.5  /* L1 distance of a tint from the mean beneath it */
#define FXQ_DET_ALPHA_GAIN 3.0  /* item intensity -> opacity: solid silhouettes, texture kept in the shade */

typedef struct { uint64_t s; } rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }
static double rng_range(rng_t *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }
static unsigned rng_below(rng_t *r, unsigned n) { return (unsigned)(rng_next(r) % n); }

typedef struct {
    unsigned n;
    unsigned char *px;    /* n * 28 * 28 */
    unsigned char *label; /* n */
} idx_set;

typedef struct { double x0, y0, x1, y1; int cls; } box_t;

static int die(const char *file, const char *why)
{
    fprintf(stderr, "fmnist_det_gen: %s: %s\n", file, why);
    return 1;
}

static int read_be32(FILE *f, unsigned *v)
{
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4) return 0;
    *v = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
    return 1;
}

static int load_idx(const char *img_path, const char *lab_path, idx_set *s)
{
    unsigned magic, rows, cols, nl;
    int rc = 1;
    FILE *fi = fopen(img_path, "rb"), *fl = NULL;
    if (!fi) return die(img_path, "cannot open");
    fl = fopen(lab_path, "rb");
    if (!fl) { rc = die(lab_path, "cannot open"); goto close_files; }
    if (!read_be32(fi, &magic) || magic != 0x803) { rc = die(img_path, "not an IDX3 ubyte file"); goto close_files; }
    if (!read_be32(fi, &s->n) || !read_be32(fi, &rows) || !read_be32(fi, &cols) || rows != 28 || cols != 28 ||
        s->n == 0 || s->n > 1000000) {
        rc = die(img_path, "bad IDX3 header (expected 28x28 images)");
        goto close_files;
    }
    if (!read_be32(fl, &magic) || magic != 0x801) { rc = die(lab_path, "not an IDX1 ubyte file"); goto close_files; }
    if (!read_be32(fl, &nl) || nl != s->n) { rc = die(lab_path, "label count differs from image count"); goto close_files; }
    s->px = malloc((size_t)s->n * 784);
    s->label = malloc(s->n);
    if (!s->px || !s->label) { rc = die(img_path, "out of memory"); goto close_files; }
    if (fread(s->px, 784, s->n, fi) != s->n) { rc = die(img_path, "truncated"); goto close_files; }
    if (fread(s->label, 1, s->n, fl) != s->n) { rc = die(lab_path, "truncated"); goto close_files; }
    for (unsigned i = 0; i < s->n; ++i)
        if (s->label[i] > 9) { rc = die(lab_path, "label out of range 0..9"); goto close_files; }
    rc = 0;
close_files:
    if (fl) fclose(fl);
    fclose(fi);
    return rc;
}

/* Bilinear sample of a 28x28 item (sub-rectangle [sx0,sx0+sw) x [sy0,sy0+sh))
 * at fractional position (u, v) in [0,1)^2 of that rectangle; 0..1. */
static double sample_item(const unsigned char *px, double sx0, double sy0, double sw, double sh, double u, double v)
{
    double x = sx0 + u * sw - 0.5, y = sy0 + v * sh - 0.5;
    int x0 = (int)floor(x), y0 = (int)floor(y);
    double fx = x - x0, fy = y - y0, acc = 0.0;
    for (int dy = 0; dy <= 1; ++dy)
        for (int dx = 0; dx <= 1; ++dx) {
            int xx = x0 + dx, yy = y0 + dy;
            double w = (dx ? fx : 1.0 - fx) * (dy ? fy : 1.0 - fy);
            if (xx >= 0 && xx < 28 && yy >= 0 && yy < 28) acc += w * px[yy * 28 + xx];
        }
    return acc / 255.0;
}

static void random_colour(rng_t *r, double lo, double hi, double rgb[3])
{
    for (int c = 0; c < 3; ++c) rgb[c] = rng_range(r, lo, hi);
}

/* Smooth background: a colour, a linear gradient and bilinear value noise on
 * a coarse grid, so that the detector cannot find items by "anything not flat". */
static void draw_background(rng_t *r, double *img)
{
    enum { G = 6 };
    double base[3], grad[3][2], grid[3][G][G];
    random_colour(r, 0.05, 0.65, base);
    for (int c = 0; c < 3; ++c) {
        grad[c][0] = rng_range(r, -0.25, 0.25);
        grad[c][1] = rng_range(r, -0.25, 0.25);
        for (int i = 0; i < G; ++i)
            for (int j = 0; j < G; ++j) grid[c][i][j] = rng_range(r, -0.18, 0.18);
    }
    for (int y = 0; y < FXQ_DET_SIZE; ++y)
        for (int x = 0; x < FXQ_DET_SIZE; ++x) {
            double u = (double)x / FXQ_DET_SIZE, v = (double)y / FXQ_DET_SIZE;
            double gx = u * (G - 1), gy = v * (G - 1);
            int ix = (int)gx, iy = (int)gy;
            if (ix > G - 2) ix = G - 2;
            if (iy > G - 2) iy = G - 2;
            double fx = gx - ix, fy = gy - iy;
            for (int c = 0; c < 3; ++c) {
                double n = grid[c][iy][ix] * (1 - fx) * (1 - fy) + grid[c][iy][ix + 1] * fx * (1 - fy) +
                           grid[c][iy + 1][ix] * (1 - fx) * fy + grid[c][iy + 1][ix + 1] * fx * fy;
                img[(y * FXQ_DET_SIZE + x) * 3 + c] = base[c] + grad[c][0] * (u - 0.5) + grad[c][1] * (v - 0.5) + n;
            }
        }
}

/* Paints item `px` (its sub-rectangle) tinted with `rgb` into the square
 * [ox, ox+side) x [oy, oy+side), at the given opacity. When `box` is given,
 * it receives the tight box of the pixels painted at FXQ_DET_ALPHA_MIN or
 * more (in canvas pixels); returns 0 if no pixel reached it. */
static int paint_item(double *img, const unsigned char *px, double sx0, double sy0, double sw, double sh,
                      double ox, double oy, double side_w, double side_h, const double rgb[3], double opacity,
                      box_t *box)
{
    int x_lo = (int)floor(ox), y_lo = (int)floor(oy);
    int x_hi = (int)ceil(ox + side_w), y_hi = (int)ceil(oy + side_h);
    int found = 0;
    double bx0 = 1e9, by0 = 1e9, bx1 = -1e9, by1 = -1e9;
    for (int y = y_lo; y < y_hi; ++y) {
        if (y < 0 || y >= FXQ_DET_SIZE) continue;
        for (int x = x_lo; x < x_hi; ++x) {
            if (x < 0 || x >= FXQ_DET_SIZE) continue;
            double u = (x + 0.5 - ox) / side_w, v = (y + 0.5 - oy) / side_h;
            if (u < 0 || u >= 1 || v < 0 || v >= 1) continue;
            double p = sample_item(px, sx0, sy0, sw, sh, u, v);
            double a = p * FXQ_DET_ALPHA_GAIN;
            if (a > 1) a = 1;
            a *= opacity;
            if (a <= 0) continue;
            double shade = 0.40 + 0.60 * p;
            for (int c = 0; c < 3; ++c) {
                double *d = &img[(y * FXQ_DET_SIZE + x) * 3 + c];
                *d = *d * (1 - a) + rgb[c] * shade * a;
            }
            if (a >= FXQ_DET_ALPHA_MIN) {
                found = 1;
                if (x < bx0) bx0 = x;
                if (y < by0) by0 = y;
                if (x + 1 > bx1) bx1 = x + 1;
                if (y + 1 > by1) by1 = y + 1;
            }
        }
    }
    if (box && found) { box->x0 = bx0; box->y0 = by0; box->x1 = bx1; box->y1 = by1; }
    return found;
}

static double box_area(const box_t *b) { return (b->x1 - b->x0) * (b->y1 - b->y0); }

static double box_inter(const box_t *a, const box_t *b)
{
    double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0), h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
    return (w > 0 && h > 0) ? w * h : 0.0;
}

/* Item's own tight box inside its 28x28 square (pixels >= the box threshold),
 * so placement can keep the visible item, not its empty margin, on the canvas. */
static void item_extent(const unsigned char *px, double e[4])
{
    int x0 = 28, y0 = 28, x1 = 0, y1 = 0;
    for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x)
            if (px[y * 28 + x] * FXQ_DET_ALPHA_GAIN / 255.0 >= FXQ_DET_ALPHA_MIN) {
                if (x < x0) x0 = x;
                if (y < y0) y0 = y;
                if (x + 1 > x1) x1 = x + 1;
                if (y + 1 > y1) y1 = y + 1;
            }
    if (x1 <= x0) { x0 = 0; y0 = 0; x1 = 28; y1 = 28; }
    e[0] = x0 / 28.0; e[1] = y0 / 28.0; e[2] = x1 / 28.0; e[3] = y1 / 28.0;
}

static void draw_clutter(rng_t *r, double *img, const idx_set *s)
{
    unsigned nfrag = 3 + rng_below(r, 6);
    for (unsigned k = 0; k < nfrag; ++k) {
        const unsigned char *px = s->px + (size_t)rng_below(r, s->n) * 784;
        double sw = rng_range(r, 8, 17), sh = rng_range(r, 8, 17);
        double sx0 = rng_range(r, 0, 28 - sw), sy0 = rng_range(r, 0, 28 - sh);
        double side = rng_range(r, 14, 70);
        double ox = rng_range(r, -side / 3, FXQ_DET_SIZE - side * 2 / 3);
        double oy = rng_range(r, -side / 3, FXQ_DET_SIZE - side * 2 / 3);
        double rgb[3];
        random_colour(r, 0.2, 1.0, rgb);
        paint_item(img, px, sx0, sy0, sw, sh, ox, oy, side * sw / 28, side * sh / 28, rgb, rng_range(r, 0.10, 0.30),
                   NULL);
    }
    unsigned nline = rng_below(r, 4);
    for (unsigned k = 0; k < nline; ++k) {
        double x0 = rng_range(r, 0, FXQ_DET_SIZE), y0 = rng_range(r, 0, FXQ_DET_SIZE);
        double ang = rng_range(r, 0, 6.283185307179586), len = rng_range(r, 20, 120), a = rng_range(r, 0.15, 0.4);
        double rgb[3];
        random_colour(r, 0.1, 1.0, rgb);
        for (int t = 0; t < (int)len; ++t) {
            int x = (int)(x0 + t * cos(ang)), y = (int)(y0 + t * sin(ang));
            if (x < 0 || x >= FXQ_DET_SIZE || y < 0 || y >= FXQ_DET_SIZE) continue;
            for (int c = 0; c < 3; ++c) {
                double *d = &img[(y * FXQ_DET_SIZE + x) * 3 + c];
                *d = *d * (1 - a) + rgb[c] * a;
            }
        }
    }
}

static void region_mean(const double *img, const box_t *b, double m[3])
{
    double acc[3] = { 0, 0, 0 };
    long n = 0;
    for (int y = (int)b->y0; y < (int)b->y1; ++y)
        for (int x = (int)b->x0; x < (int)b->x1; ++x, ++n)
            for (int c = 0; c < 3; ++c) acc[c] += img[(y * FXQ_DET_SIZE + x) * 3 + c];
    for (int c = 0; c < 3; ++c) m[c] = n ? acc[c] / n : 0.5;
}

/* Places up to `want` items; returns how many were placed. */
static int draw_objects(rng_t *r, double *img, const idx_set *s, unsigned want, box_t *boxes)
{
    int n = 0;
    for (unsigned k = 0; k < want; ++k) {
        for (int attempt = 0; attempt < 30; ++attempt) {
            unsigned idx = rng_below(r, s->n);
            const unsigned char *px = s->px + (size_t)idx * 784;
            double e[4];
            item_extent(px, e);
            /* log-uniform visible size: as many small items as large ones */
            double vis = exp(rng_range(r, log(FXQ_DET_MIN_SIDE), log(FXQ_DET_MAX_SIDE)));
            double ext = fmax(e[2] - e[0], e[3] - e[1]);
            double side = vis / ext;
            double aspect = rng_range(r, 0.85, 1.15);
            double side_w = side * aspect, side_h = side / aspect;
            double vx0 = e[0] * side_w, vy0 = e[1] * side_h, vx1 = e[2] * side_w, vy1 = e[3] * side_h;
            if (vx1 - vx0 > FXQ_DET_SIZE - 2 || vy1 - vy0 > FXQ_DET_SIZE - 2) continue;
            double ox = rng_range(r, 1 - vx0, FXQ_DET_SIZE - 1 - vx1);
            double oy = rng_range(r, 1 - vy0, FXQ_DET_SIZE - 1 - vy1);
            box_t cand = { ox + vx0, oy + vy0, ox + vx1, oy + vy1, s->label[idx] };
            int ok = 1;
            for (int j = 0; j < n && ok; ++j) {
                double in = box_inter(&cand, &boxes[j]);
                double uni = box_area(&cand) + box_area(&boxes[j]) - in;
                if (in / uni > FXQ_DET_MAX_IOU || in / box_area(&boxes[j]) > FXQ_DET_MAX_COVER) ok = 0;
            }
            if (!ok) continue;
            double rgb[3], bg[3];
            region_mean(img, &cand, bg);
            /* a tint too close to what lies under it would make an object
             * nobody can see: redraw it (bounded, so the stream stays fixed) */
            for (int t = 0; t < 8; ++t) {
                random_colour(r, 0.25, 1.0, rgb);
                if (fabs(0.8 * rgb[0] - bg[0]) + fabs(0.8 * rgb[1] - bg[1]) + fabs(0.8 * rgb[2] - bg[2]) >= FXQ_DET_MIN_CONTRAST)
                    break; /* 0.8: the mean shade of an item's pixels */
            }
            box_t tight;
            if (!paint_item(img, px, 0, 0, 28, 28, ox, oy, side_w, side_h, rgb, rng_range(r, 0.7, 1.0), &tight))
                continue;
            tight.cls = s->label[idx];
            boxes[n++] = tight;
            break;
        }
    }
    return n;
}

static void finish_pixels(rng_t *r, const double *img, unsigned char *out)
{
    double contrast = rng_range(r, 0.75, 1.1), bright = rng_range(r, -0.08, 0.08);
    double amp = rng_range(r, 0.02, 0.05);
    for (int i = 0; i < FXQ_DET_SIZE * FXQ_DET_SIZE * 3; ++i) {
        /* sum of uniforms: a cheap, exactly reproducible bell-shaped noise */
        double nz = (rng_unit(r) + rng_unit(r) + rng_unit(r) - 1.5) * amp;
        double v = (img[i] - 0.5) * contrast + 0.5 + bright + nz;
        long q = lround(v * 255.0);
        out[i] = (unsigned char)(q < 0 ? 0 : q > 255 ? 255 : q);
    }
}

static int mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; ++i)
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: %s <images.idx3> <labels.idx1> <outdir> <split> <count> <seed> <list> <listprefix>\n",
                argv[0]);
        return 2;
    }
    const char *outdir = argv[3], *split = argv[4], *listpath = argv[7], *prefix = argv[8];
    char *end;
    long count = strtol(argv[5], &end, 10);
    if (*end || count <= 0 || count > 1000000) return die(argv[5], "count must be 1..1000000");
    unsigned long long seed = strtoull(argv[6], &end, 10);
    if (*end) return die(argv[6], "seed must be a non-negative integer");

    idx_set s = { 0 };
    if (load_idx(argv[1], argv[2], &s)) return 1;

    char dir_img[4096], dir_lab[4096], path[4096 + 64];
    snprintf(dir_img, sizeof dir_img, "%s/images/%s", outdir, split);
    snprintf(dir_lab, sizeof dir_lab, "%s/labels/%s", outdir, split);
    if (mkdirs(dir_img) || mkdirs(dir_lab)) return die(outdir, "cannot create directories");
    FILE *list = fopen(listpath, "w");
    if (!list) return die(listpath, "cannot write");

    double *img = malloc(sizeof(double) * FXQ_DET_SIZE * FXQ_DET_SIZE * 3);
    unsigned char *out = malloc(FXQ_DET_SIZE * FXQ_DET_SIZE * 3);
    if (!img || !out) return die(outdir, "out of memory");
    stbi_write_png_compression_level = 4;
    long nobj = 0;
    for (long i = 0; i < count; ++i) {
        /* one stream per image: image i is the same whatever `count` is */
        rng_t r = { seed * 0x100000001B3ull + (uint64_t)i * 0x9E3779B97F4A7C15ull };
        rng_next(&r);
        draw_background(&r, img);
        draw_clutter(&r, img, &s);
        unsigned want = rng_below(&r, 100) < FXQ_DET_EMPTY_PCT ? 0 : 1 + rng_below(&r, FXQ_DET_MAX_OBJ);
        box_t boxes[FXQ_DET_MAX_OBJ];
        int n = draw_objects(&r, img, &s, want, boxes);
        finish_pixels(&r, img, out);

        snprintf(path, sizeof path, "%s/%06ld.png", dir_img, i);
        if (!stbi_write_png(path, FXQ_DET_SIZE, FXQ_DET_SIZE, 3, out, FXQ_DET_SIZE * 3)) return die(path, "cannot write");
        snprintf(path, sizeof path, "%s/%06ld.txt", dir_lab, i);
        FILE *lf = fopen(path, "w");
        if (!lf) return die(path, "cannot write");
        for (int j = 0; j < n; ++j) {
            const box_t *b = &boxes[j];
            fprintf(lf, "%d %.6f %.6f %.6f %.6f\n", b->cls, (b->x0 + b->x1) / 2 / FXQ_DET_SIZE,
                    (b->y0 + b->y1) / 2 / FXQ_DET_SIZE, (b->x1 - b->x0) / FXQ_DET_SIZE, (b->y1 - b->y0) / FXQ_DET_SIZE);
        }
        if (fclose(lf) != 0) return die(path, "write error");
        fprintf(list, "%s/images/%s/%06ld.png\n", prefix, split, i);
        nobj += n;
    }
    if (fclose(list) != 0) return die(listpath, "write error");
    fprintf(stderr, "fmnist_det_gen: %s: %ld images, %ld objects\n", split, count, nobj);
    free(img);
    free(out);
    free(s.px);
    free(s.label);
    return 0;
}
