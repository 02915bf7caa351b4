/* fxq sweep's pure parts: the equal-error size match (measured point and the
 * interpolated optimized front) and the SVG writer (well-formed XML, escaped
 * text, both series, clipped points, refusal of an empty plot). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxq_svgplot.h"
#include "fxq_sweep.h"
#include "fxq_test.h"

/* Minimal XML well-formedness: every tag closed in order, attributes quoted,
 * no raw '&' or '<' in text. Returns NULL or what is wrong. */
static const char *xml_check(const char *s)
{
    char stack[64][32];
    int depth = 0, root_seen = 0;
    if (strncmp(s, "<?xml", 5)) return "no XML declaration";
    s = strstr(s, "?>") + 2;
    while (*s) {
        if (*s == '&') {
            const char *e = strchr(s, ';');
            if (!e || e - s > 6) return "raw '&'";
            s = e + 1;
            continue;
        }
        if (*s != '<') {
            ++s;
            continue;
        }
        const int closing = s[1] == '/';
        const char *n = s + 1 + closing;
        size_t len = strcspn(n, " \t\n/>");
        if (!len || len >= 32) return "bad tag name";
        const char *p = n + len;
        while (*p && *p != '>') { /* attributes: name="value" */
            if (*p == '"') {
                const char *q = strchr(p + 1, '"');
                if (!q) return "unterminated attribute";
                if (memchr(p + 1, '<', (size_t)(q - p - 1))) return "'<' in an attribute";
                p = q + 1;
            } else if (*p == '=' && p[1] != '"') {
                return "unquoted attribute";
            } else {
                ++p;
            }
        }
        if (!*p) return "unterminated tag";
        const int empty = p[-1] == '/';
        if (closing) {
            if (!depth || strncmp(stack[depth - 1], n, len) || stack[depth - 1][len]) return "mismatched closing tag";
            --depth;
        } else if (!empty) {
            if (depth == 64) return "too deep";
            if (!depth && root_seen++) return "two root elements";
            memcpy(stack[depth], n, len);
            stack[depth++][len] = 0;
        }
        s = p + 1;
    }
    return depth ? "unclosed element" : NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (p) p[n] = 0;
    fclose(f);
    return p;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) ++n;
    return n;
}

int main(void)
{
    /* optimized points: (size, error) */
    const double s[] = {0.5, 0.7, 0.9, 1.2, 0.8}, e[] = {40, 12, 9, 9, 15};
    double m, in;
    fxq_sweep_match(s, e, 5, 10.0, &m, &in);
    /* smallest point with error <= 10 is 0.9; the front goes 0.7 (12) -> 0.9 (9): 10 at 0.7 + 2/3 * 0.2 */
    FXQ_CHECK("sweep.match_measured", m == 0.9, "got %g", m);
    FXQ_CHECK("sweep.match_interpolated", fabs(in - (0.7 + 0.2 * 2.0 / 3.0)) < 1e-12, "got %.15g", in);
    fxq_sweep_match(s, e, 5, 40.0, &m, &in);
    FXQ_CHECK("sweep.match_at_front_start", m == 0.5 && in == 0.5, "got %g %g", m, in);
    fxq_sweep_match(s, e, 5, 5.0, &m, &in);
    FXQ_CHECK("sweep.match_none_good_enough", isnan(m) && isnan(in), "got %g %g", m, in);
    fxq_sweep_match(s, e, 0, 5.0, &m, &in);
    FXQ_CHECK("sweep.match_no_points", isnan(m) && isnan(in), "got %g %g", m, in);

    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/fxq-test-plot-%d.svg", tmpdir, (int)getpid());
    const double xe[] = {0.4, 0.6, 0.9, 1.1}, ye[] = {90, 40, 12, 10};
    const double xo[] = {0.5, 0.7, NAN, 1.0}, yo[] = {80, 11, 5, 9.5};
    const char *lab[] = {"2b", "3b", "4b & more", "5b"};
    const fxq_plot_series series[2] = {
        {"equal <wbits>", "#1f77b4", FXQ_MARK_CIRCLE, 1, 4, xe, ye, lab},
        {"optimized \"beta0\"", "#e8710a", FXQ_MARK_SQUARE, 0, 4, xo, yo, NULL},
    };
    fxq_plot plot = {"size vs error: a&b <c>", "weights (Mbit)", "top-1 error (%)", 0, 30, 9.0, "float: 9%", 2, series, 0};
    char why[512] = "";
    FXQ_CHECK("svg.write", fxq_svgplot_write(&plot, path, why, sizeof why), "%s", why);
    char *svg = slurp(path);
    const char *bad = svg ? xml_check(svg) : "not written";
    FXQ_CHECK("svg.well_formed", !bad, "%s", bad);
    FXQ_CHECK("svg.two_series", svg && count(svg, "class=\"series\"") == 2, "series groups: %d", svg ? count(svg, "class=\"series\"") : -1);
    FXQ_CHECK("svg.text_escaped", svg && strstr(svg, "a&amp;b &lt;c&gt;") && strstr(svg, "4b &amp; more") &&
                                      strstr(svg, "&quot;beta0&quot;"),
              "escapes missing");
    /* three points above the 30% cap are pinned to the top with their value */
    FXQ_CHECK("svg.clipped_points_labelled", svg && strstr(svg, ">2b 90<") && strstr(svg, ">80<") && strstr(svg, ">3b 40<"),
              "clipped labels missing");
    /* 3 data squares (the NaN one skipped), the legend's square, frame, legend box */
    FXQ_CHECK("svg.nan_point_skipped", svg && count(svg, "<rect x=") == 3 + 1 + 1 + 1, "rects: %d", svg ? count(svg, "<rect x=") : -1);
    free(svg);

    /* log axis, no cap: still well formed */
    plot.log_y = 1, plot.ymax = NAN;
    FXQ_CHECK("svg.write_log", fxq_svgplot_write(&plot, path, why, sizeof why), "%s", why);
    svg = slurp(path);
    bad = svg ? xml_check(svg) : "not written";
    FXQ_CHECK("svg.log_well_formed", !bad, "%s", bad);
    free(svg);

    const double nx[] = {NAN}, ny[] = {1};
    const fxq_plot_series none = {"x", "#000", FXQ_MARK_CIRCLE, 0, 1, nx, ny, NULL};
    const fxq_plot empty = {"t", "x", "y", 0, NAN, NAN, NULL, 1, &none, 0};
    remove(path);
    FXQ_CHECK("svg.empty_refused", !fxq_svgplot_write(&empty, path, why, sizeof why) && strstr(why, "nothing to plot"),
              "'%s'", why);
    FXQ_CHECK("svg.empty_writes_nothing", access(path, F_OK) != 0, "file written");
    char bad_path[600];
    snprintf(bad_path, sizeof bad_path, "%s/no-such-dir/x.svg", tmpdir);
    FXQ_CHECK("svg.unwritable", !fxq_svgplot_write(&plot, bad_path, why, sizeof why) && strstr(why, "cannot write"),
              "'%s'", why);
    FXQ_TEST_END();
}
