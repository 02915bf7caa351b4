/* The pass table (pipeline order, what each pass reads and changes, which
 * passes it needs or excludes) and the presets: the one place that orders
 * `fxq quantize`'s work. See fxq_pass.h. */
#include <stdio.h>
#include <string.h>

#include "fxq_pass.h"
#include "fxq_pass_impl.h"

#define B FXQ_PASS_BIT
/* the passes that assume least-error formats (paper's rule has no windows,
 * no real-valued steps) */
#define FXQ_NOT_PAPER (B(FXQ_PASS_WINDOWS) | B(FXQ_PASS_ACT_CHANNELS) | B(FXQ_PASS_ACT_SCALES) | \
                       B(FXQ_PASS_REFINE) | B(FXQ_PASS_LOGIT_WINDOW) | B(FXQ_PASS_FORMATS))

const fxq_pass fxq_passes[FXQ_PASS_COUNT] = {
    [FXQ_PASS_WINDOWS] = {"windows", 0, FXQ_CHANGES_POLICY, B(FXQ_PASS_FORMATS), 0,
                          "activations of <= 10 bits get zero-point windows (in_zero/out_zero) by least error",
                          NULL, fxq_pass_windows},
    [FXQ_PASS_STATS] = {"stats", FXQ_READS_WEIGHTS | FXQ_READS_IMAGES, FXQ_CHANGES_STATS, 0, 0,
                        "calibration statistics of every layer (or the .stats file given)", NULL,
                        fxq_pass_record_stats},
    [FXQ_PASS_FORMATS] = {"formats", FXQ_READS_STATS, FXQ_CHANGES_FORMATS, B(FXQ_PASS_STATS), B(FXQ_PASS_PAPER),
                          "bit-widths by the budget, every frac by least squared error on the histograms "
                          "(unsigned codes for inputs >= 0)",
                          NULL, fxq_pass_formats},
    [FXQ_PASS_PAPER] = {"paper", FXQ_READS_STATS, FXQ_CHANGES_FORMATS, B(FXQ_PASS_STATS), FXQ_NOT_PAPER,
                        "bit-widths by the budget, every frac by the section 3.3 rule (--xi, --dist)", NULL,
                        fxq_pass_paper},
    [FXQ_PASS_ACT_CHANNELS] = {"act-channels", FXQ_READS_WEIGHTS | FXQ_READS_IMAGES | FXQ_READS_PLAN,
                               FXQ_CHANGES_NETWORK | FXQ_CHANGES_WEIGHTS, B(FXQ_PASS_ACT_SCALES), 0,
                               "each activation channel scaled toward its group's largest (factor >= 0.5), "
                               "folded into the float weights",
                               NULL, fxq_pass_act_channels},
    [FXQ_PASS_ACT_SCALES] = {"act-scales", FXQ_READS_WEIGHTS | FXQ_READS_STATS | FXQ_READS_PLAN,
                             FXQ_CHANGES_NETWORK | FXQ_CHANGES_WEIGHTS, B(FXQ_PASS_FORMATS), 0,
                             "every activation tensor scaled by c in [1, 2) folded into the float weights: "
                             "real-valued steps c 2^-frac",
                             NULL, fxq_pass_act_scales},
    [FXQ_PASS_PER_CHANNEL] = {"per-channel", FXQ_READS_WEIGHTS | FXQ_READS_PLAN, FXQ_CHANGES_FORMATS, 0, 0,
                              "one weight frac per output channel (least error on the folded weights)", NULL,
                              fxq_pass_per_channel},
    [FXQ_PASS_REFINE] = {"refine", FXQ_READS_WEIGHTS | FXQ_READS_HELD_OUT | FXQ_READS_STATS | FXQ_READS_PLAN,
                         FXQ_CHANGES_FORMATS, B(FXQ_PASS_FORMATS), 0,
                         "each tensor's frac moved by -1/+1 where the measured output SQNR on held-out images rises",
                         NULL, fxq_pass_refine},
    [FXQ_PASS_LOGIT_WINDOW] = {"logit-window", FXQ_READS_WEIGHTS | FXQ_READS_IMAGES | FXQ_READS_PLAN,
                               FXQ_CHANGES_FORMATS, B(FXQ_PASS_FORMATS), 0,
                               "a classifier's logits (<= 10 bits, read by a final [softmax]): frac and window "
                               "by the softmax's KL divergence from float",
                               fxq_pass_logit_window_skip, fxq_pass_logit_window},
    [FXQ_PASS_ROUND_OPT] = {"round-opt", FXQ_READS_WEIGHTS | FXQ_READS_IMAGES | FXQ_READS_PLAN, FXQ_CHANGES_WEIGHTS,
                            0, B(FXQ_PASS_BIAS_CORRECT),
                            "weights rounded layer by layer to the codes of least output error on the images, "
                            "biases corrected",
                            NULL, fxq_pass_round_opt},
    [FXQ_PASS_BIAS_CORRECT] = {"bias-correct", FXQ_READS_WEIGHTS | FXQ_READS_IMAGES | FXQ_READS_PLAN,
                               FXQ_CHANGES_WEIGHTS, 0, B(FXQ_PASS_ROUND_OPT) | B(FXQ_PASS_ACT_SCALES),
                               "biases corrected for the mean output shift quantization causes, layer by layer",
                               NULL, fxq_pass_bias_correct},
};

const fxq_preset fxq_presets[] = {
    {"accurate",
     B(FXQ_PASS_WINDOWS) | B(FXQ_PASS_STATS) | B(FXQ_PASS_FORMATS) | B(FXQ_PASS_ACT_CHANNELS) |
         B(FXQ_PASS_ACT_SCALES) | B(FXQ_PASS_PER_CHANNEL) | B(FXQ_PASS_LOGIT_WINDOW) | B(FXQ_PASS_ROUND_OPT),
     "the most accurate strict 8-bit path measured; writes out.weights (default with a calibration list)"},
    {"fast", B(FXQ_PASS_STATS) | B(FXQ_PASS_FORMATS),
     "formats from the calibration statistics alone; runs with the same .weights (default with a .stats file)"},
    {"paper", B(FXQ_PASS_STATS) | B(FXQ_PASS_PAPER), "Lin et al. 2016 section 3.3 exactly; the same .weights"},
};
const int fxq_npresets = (int)(sizeof fxq_presets / sizeof fxq_presets[0]);

const fxq_preset *fxq_preset_find(const char *name)
{
    for (int i = 0; i < fxq_npresets; ++i)
        if (!strcmp(fxq_presets[i].name, name)) return &fxq_presets[i];
    return NULL;
}

int fxq_pass_find(const char *name)
{
    for (int i = 0; i < FXQ_PASS_COUNT; ++i)
        if (!strcmp(fxq_passes[i].name, name)) return i;
    return -1;
}

int fxq_passes_parse(const char *list, unsigned *set, char *why, size_t why_len)
{
    *set = 0;
    const char *s = list;
    while (*s) {
        const char *e = strchr(s, ',');
        const size_t len = e ? (size_t)(e - s) : strlen(s);
        char name[32];
        if (len == 0 || len >= sizeof name) {
            snprintf(why, why_len, "--passes: '%.*s' is not a pass (fxq quantize --help lists them)", (int)len, s);
            return 0;
        }
        memcpy(name, s, len);
        name[len] = 0;
        const int id = fxq_pass_find(name);
        if (id < 0) {
            snprintf(why, why_len, "--passes: '%s' is not a pass (fxq quantize --help lists them)", name);
            return 0;
        }
        *set |= B(id);
        s += len + (e != NULL);
    }
    if (!*set) {
        snprintf(why, why_len, "--passes: no pass named");
        return 0;
    }
    /* the formats come from the statistics: a list without either gets them */
    if (!(*set & (B(FXQ_PASS_FORMATS) | B(FXQ_PASS_PAPER)))) *set |= B(FXQ_PASS_FORMATS);
    *set |= B(FXQ_PASS_STATS);
    return 1;
}

int fxq_passes_check(unsigned set, const fxq_pass_ctx *c, char *why, size_t why_len)
{
    for (int i = 0; i < FXQ_PASS_COUNT; ++i) {
        if (!(set & B(i))) continue;
        const fxq_pass *p = &fxq_passes[i];
        for (int j = 0; j < FXQ_PASS_COUNT; ++j)
            if ((p->conflicts & B(j)) && (set & B(j))) {
                snprintf(why, why_len, "passes %s and %s do not go together", p->name, fxq_passes[j].name);
                return 0;
            }
    }
    for (int i = 0; i < FXQ_PASS_COUNT; ++i) {
        if (!(set & B(i))) continue;
        const fxq_pass *p = &fxq_passes[i];
        for (int j = 0; j < FXQ_PASS_COUNT; ++j)
            if ((p->requires & B(j)) && !(set & B(j))) {
                snprintf(why, why_len, "pass %s needs pass %s", p->name, fxq_passes[j].name);
                return 0;
            }
        if ((p->reads & FXQ_READS_HELD_OUT) && !c->held_out) {
            snprintf(why, why_len, "pass %s needs --held-out FILE (images that are not calibration images)", p->name);
            return 0;
        }
        /* a pass that changes the float network makes the driver record the
         * statistics again: that needs the images, not the .stats file */
        if ((p->reads & FXQ_READS_IMAGES || p->changes & FXQ_CHANGES_NETWORK) && !c->images && i != FXQ_PASS_STATS) {
            snprintf(why, why_len, "pass %s runs the network on images: with a .stats file give --images FILE", p->name);
            return 0;
        }
    }
    return 1;
}

int fxq_pipeline_expand(unsigned set, int *order, int max)
{
    int n = 0, stale = 0; /* stale: the network changed since the statistics */
    for (int i = 0; i < FXQ_PASS_COUNT && n < max; ++i) {
        if (!(set & B(i))) continue;
        const fxq_pass *p = &fxq_passes[i];
        if (stale && (p->reads & (FXQ_READS_STATS | FXQ_READS_PLAN)) && n + 2 < max) {
            order[n++] = FXQ_PASS_STATS;
            order[n++] = set & B(FXQ_PASS_PAPER) ? FXQ_PASS_PAPER : FXQ_PASS_FORMATS;
            stale = 0;
        }
        order[n++] = i;
        if (p->changes & FXQ_CHANGES_NETWORK) stale = 1;
    }
    if (stale && n + 2 <= max) { /* the cfg's formats are those of the final network */
        order[n++] = FXQ_PASS_STATS;
        order[n++] = set & B(FXQ_PASS_PAPER) ? FXQ_PASS_PAPER : FXQ_PASS_FORMATS;
    }
    return n;
}

static void fxq_flags(char *buf, size_t len, unsigned f, int reads, const fxq_pass_ctx *c)
{
    static const char *const rd[] = {"weights", "images", "held-out images", "statistics", "formats"};
    static const char *const ch[] = {"format policy", "statistics", "formats", "float network", "out .weights"};
    size_t k = 0;
    buf[0] = 0;
    for (int b = 0; b < 5; ++b) {
        if (!(f & (1u << b))) continue;
        const char *name = reads ? rd[b] : ch[b];
        const char *src = NULL;
        if (reads && b == 1) src = c->images ? c->images : c->calib;
        if (reads && b == 2) src = c->held_out;
        k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "%s%s%s%s%s", k ? ", " : "", name, src ? " (" : "",
                              src ? src : "", src ? ")" : "");
    }
    if (!k) snprintf(buf, len, "-");
}

void fxq_pipeline_print(FILE *f, unsigned set, const fxq_pass_ctx *c)
{
    int order[FXQ_PASS_COUNT * 3];
    const int n = fxq_pipeline_expand(set, order, FXQ_PASS_COUNT * 3);
    int first_stats = 1;
    for (int k = 0; k < n; ++k) {
        const fxq_pass *p = &fxq_passes[order[k]];
        char r[512], w[256];
        if (order[k] == FXQ_PASS_STATS && first_stats && fxq_pass_stats_from_file(c))
            snprintf(r, sizeof r, "the .stats file (%s)", c->calib);
        else
            fxq_flags(r, sizeof r, p->reads, 1, c);
        if (order[k] == FXQ_PASS_STATS) first_stats = 0;
        fxq_flags(w, sizeof w, p->changes, 0, c);
        const char *skip = p->skip ? p->skip(c) : NULL;
        fprintf(f, "  %2d %-13s reads %s; changes %s%s%s%s\n", k + 1, p->name, r, w, skip ? " (skipped: " : "",
                skip ? skip : "", skip ? ")" : "");
    }
}
