/* `darknet fxq quantize`'s command line: see fxq_cmd_quantize_args.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cli.h"
#include "fxq_cmd_quantize_args.h"
#include "fxq_roundopt_net.h"

const char fxq_quantize_usage[] =
    "usage: darknet fxq quantize <cfg> [<weights> <calib.list|file.stats>] -o <out.cfg> <budget> [options]\n"
    "\n"
    "Allocates bit-widths across layers (Lin et al., ICML 2016, section 4), picks every\n"
    "Q-format from calibration statistics (section 3.3) and writes a cfg whose\n"
    "[convolutional]/[connected] sections become [fxconvolutional]/[fxconnected]; it loads\n"
    "the original .weights file unchanged.\n"
    "\n"
    "budget (exactly one):\n"
    "  --beta0 B        first quantized layer's weights get B bits, the rest follow Eq. 15/16\n"
    "  --sqnr DB        minimum predicted output SQNR: exact water-filling (Eq. 12/13), rounded\n"
    "  --size-mbits M   highest predicted output SQNR whose weights fit in M Mbits (1e6 bits)\n"
    "  --wbits B        B bits for every layer's weights (the paper's baseline)\n"
    "options:\n"
    "  -o FILE          the rewritten cfg (not needed with --dry-run)\n"
    "  --objective O    size (rho = weights per layer, default) | ops (rho = multiply-accumulates)\n"
    "  --kappa K        quantization efficiency in dB/bit (default 3) | measured (per step, from\n"
    "                   the statistics)\n"
    "  --abits B        activation bits (default 16)   | --alloc-acts: allocate them too\n"
    "  --fc-bits B      fix connected layers' weights at B bits, outside the allocation\n"
    "  --head-bits B    B bits for the outputs that only float layers or the caller read (the\n"
    "                   logits, yolo inputs) instead of --abits\n"
    "  --bbits B        bias bits (default 16; up to 32)\n"
    "  --min-bits B, --max-bits B   bit-widths allowed (default 2..16, what the kernels support)\n"
    "  --csv FILE       also write the allocation as CSV (- = stdout, instead of the table)\n"
    "  --dry-run        print the allocation, write no cfg\n"
    "  -n N, -b B, -t T recording statistics from a list: first N images, batch, threads\n"
    "  --xi K, --dist D the section 3.3 rule: xi = K sigma (default 3), step sizes of D (default gaussian)\n"
    "  --formats P      fractional bits: mse (least squared error on the histogram, clipping\n"
    "                   included; default) | paper (the section 3.3 rule) | refine (mse, then each tensor's\n"
    "                   frac moved by -1/+1 where the measured output SQNR rises)\n"
    "  --refine-list F  refine: held-out images (not the calibration images); --refine-n N: first N\n"
    "  --refine-objective O  refine: sqnr (logit error, default) | agree (top-1 agreement with\n"
    "                   float on the held-out images, ties by logit error)\n"
    "  --per-channel    one weight frac per output channel (least error on the folded weights;\n"
    "                   needs <weights>); bit-widths stay per layer\n"
    "  --signed-inputs  mse/refine: signed input codes even for inputs recorded >= 0 (default:\n"
    "                   those get unsigned codes, in_unsigned=1; also turns windows off)\n"
    "  --windows, --no-windows  mse/refine: activations of <= 10 bits get zero-point windows\n"
    "                   (in_zero=/out_zero=: frac and window by least error on what the next layer\n"
    "                   sees) | none (signed/unsigned only)\n"
    "  --bias-correct W also write W, the .weights with biases corrected for the mean shift that\n"
    "                   quantization causes per output channel (measured layer by layer on the\n"
    "                   calibration images); use W with the written cfg\n"
    "  --bias-list F    --bias-correct's images (default: the calibration list; needed with .stats)\n"
    "  --round-opt W    also write W, the .weights whose weights round to codes chosen layer by layer\n"
    "                   to minimise each layer's output error on the calibration images (integer\n"
    "                   coordinate descent from round-to-nearest), biases corrected for the mean;\n"
    "                   use W with the written cfg. Not with --bias-correct (it corrects biases itself)\n"
    "  --round-list F   --round-opt's images (default: the calibration list; needed with .stats)\n"
    "  --round-target T --round-opt's target: float (w^T of the float network's input, default) |\n"
    "                   fixed (w^T of the fixed network's own input)\n"
    "  --round-damp L   --round-opt: pull toward the float weights, L x each input's energy (default 0.01)\n"
    "  --round-sweeps N --round-opt: at most N coordinate-descent sweeps per row (default 50)\n"
    "  --act-scales W   also write W, the float .weights with every activation tensor scaled by a\n"
    "                   c in [1, 2) folded into its producer and consumers (same float logits), so\n"
    "                   its power-of-two codes have the real-valued step c 2^-frac of least error;\n"
    "                   the statistics are recorded again on W. mse/refine only. With --bias-correct\n"
    "                   or --round-opt give them the same W (one file carries both)\n"
    "  --act-list F     --act-scales: images to record W's statistics on (default: the calibration\n"
    "                   list; needed with .stats)\n"
    "  --act-grid N     --act-scales: N values of c per octave (default 32)\n"
    "  --act-channels F --act-scales: first scale each channel toward its group's largest (max|x| on\n"
    "                   the --act-list images) by a factor of its own, at least F (0 < F < 1)\n"
    "  --act-objective O --act-scales: c by the noise-to-signal ratio of the activations (acts,\n"
    "                   default) | of all (also the weights whose rows the scales move)\n"
    "  --logit-window   mse/refine: the logits' frac and zero-point window (the output of a linear\n"
    "                   last layer that a final [softmax] reads, through a global [avgpool] at most;\n"
    "                   <= 10 bits) by the softmax's KL divergence from float on calibration images\n"
    "                   instead of squared error: the low logits clip, the top ones get a finer step\n"
    "  --logit-list F   --logit-window's images (default: --round-list, --act-list or the\n"
    "                   calibration list; needed with .stats)\n"
    "  --accurate W     the most accurate 8-bit result measured (docs/quantize.md, policy asch):\n"
    "                   --per-channel --windows --act-scales W --act-channels 0.5 --round-opt W\n"
    "                   --head-bits 16 --logit-window (every GEMM operand at --abits, the logits at\n"
    "                   16 bits; with --head-bits 8 after it the logits stay 8-bit in the softmax's\n"
    "                   window: policy ascl); use W with the cfg.\n"
    "                   Options after it still apply (--no-windows, --act-grid, --round-list, ...)\n"
    "  -q               no progress line while recording\n"
    "\n"
    "See docs/quantize.md.\n";

int fxq_quantize_fail(const char *why) { return fxq_cli_fail("quantize", why); }

int fxq_quantize_usage_error(const char *what, const char *arg)
{
    return fxq_cli_usage_error("quantize", what, arg);
}

/* An option that runs the network on images needs <weights> and images: the
 * third argument, or its own list (list_given) when that is a .stats file.
 * 0, or the usage error's status. */
static int fxq_needs_images(const fxq_quantize_args *a, const char *opt, int list_given, const char *list_opt,
                            const char *why)
{
    char what[256];
    if (a->npos < 3) {
        snprintf(what, sizeof what, "%s needs <weights> <calib.list|file.stats>", opt);
        return fxq_quantize_usage_error(what, NULL);
    }
    if (!list_given && fxq_is_stats_file(a->pos[2])) {
        snprintf(what, sizeof what, "%s with a .stats file needs %s FILE (images%s)", opt, list_opt, why);
        return fxq_quantize_usage_error(what, NULL);
    }
    return 0;
}

/* Bit-width options must name a width the kernels support. */
static int fxq_bits_arg(const char *opt, const char *v, int *out)
{
    if (fxq_cli_int(v, FXQ_MIN_BITS, FXQ_MAX_BITS, out)) return 0;
    char what[128];
    snprintf(what, sizeof what, "%s wants a bit-width in %d..%d", opt, FXQ_MIN_BITS, FXQ_MAX_BITS);
    return fxq_quantize_usage_error(what, v);
}

int fxq_quantize_parse_args(int argc, char **argv, fxq_quantize_args *a)
{
    int rc; /* a usage error from fxq_needs_images */
    *a = (fxq_quantize_args){.batch = FXQ_QUANTIZE_BATCH, .round_damp = FXQ_ROUNDOPT_DAMP_DEFAULT,
                             .round_sweeps = FXQ_ROUNDOPT_SWEEPS_DEFAULT, .act_grid = 32};
    a->o = (fxq_qplan_opts){.kappa = 3.0, .abits = 16, .bbits = 16, .lo = FXQ_MIN_BITS, .hi = FXQ_MAX_BITS,
                            .q = FXQ_QOPTS_DEFAULT};
    /* mse by default: measured on both reference models (docs/quantize.md),
     * it beats the paper rule at 8/8 and 6/8; --formats paper keeps §3.3 */
    a->o.q.formats = FXQ_FORMATS_MSE;
    a->o.q.unsigned_in = 1; /* ignored by --formats paper */
    for (int i = 1; i < argc; ++i) {
        const char *o = argv[i];
        if (o[0] != '-' || !o[1]) {
            if (a->npos == 3) return fxq_quantize_usage_error("too many arguments", o);
            a->pos[a->npos++] = o;
            continue;
        }
        if (!strcmp(o, "--dry-run")) { a->dry_run = 1; continue; }
        if (!strcmp(o, "--per-channel")) { a->per_channel = 1; continue; }
        if (!strcmp(o, "--signed-inputs")) { a->o.q.unsigned_in = 0; continue; }
        if (!strcmp(o, "--windows")) { a->o.q.windows = 1; continue; }
        if (!strcmp(o, "--no-windows")) { a->o.q.windows = 0; continue; }
        if (!strcmp(o, "--alloc-acts")) { a->o.alloc_acts = 1; continue; }
        if (!strcmp(o, "--logit-window")) { a->logit_window = 1; continue; }
        if (!strcmp(o, "-q")) { a->quiet = 1; continue; }
        if (i + 1 >= argc) return fxq_quantize_usage_error("option needs a value", o);
        const char *v = argv[++i];
        int rc = 0;
        if (!strcmp(o, "-o")) {
            a->out = v;
        } else if (!strcmp(o, "--accurate")) {
            a->accurate = a->act_out = a->round_out = v;
            a->per_channel = a->o.q.windows = 1;
            a->act_floor = FXQ_ACCURATE_ACT_FLOOR;
            a->logit_window = 1; /* acts only on logits of <= 10 bits: with --head-bits 8 */
        } else if (!strcmp(o, "--csv")) {
            a->csv = v;
        } else if (!strcmp(o, "--objective")) {
            if (!strcmp(v, "size")) a->o.objective_ops = 0;
            else if (!strcmp(v, "ops")) a->o.objective_ops = 1;
            else return fxq_quantize_usage_error("--objective wants size or ops", v);
        } else if (!strcmp(o, "--kappa")) {
            if (!strcmp(v, "measured")) {
                a->o.kappa_measured = 1;
            } else if (!fxq_cli_double(v, &a->o.kappa) || !(a->o.kappa > 0) || a->o.kappa > 100) {
                return fxq_quantize_usage_error("--kappa wants a positive number of dB/bit (at most 100) or 'measured'", v);
            }
        } else if (!strcmp(o, "--beta0") || !strcmp(o, "--wbits")) {
            int b = 0;
            if ((rc = fxq_bits_arg(o, v, &b))) return rc;
            a->o.budget = o[2] == 'b' ? FXQ_BUDGET_BETA0 : FXQ_BUDGET_WBITS;
            a->o.budget_value = b;
            if (a->nbudget < 4) a->budget_flag[a->nbudget] = o;
            a->nbudget++;
        } else if (!strcmp(o, "--sqnr")) {
            if (!fxq_cli_double(v, &a->o.budget_value) || a->o.budget_value < -100 || a->o.budget_value > 200)
                return fxq_quantize_usage_error("--sqnr wants a number of dB", v);
            a->o.budget = FXQ_BUDGET_SQNR;
            if (a->nbudget < 4) a->budget_flag[a->nbudget] = o;
            a->nbudget++;
        } else if (!strcmp(o, "--size-mbits")) {
            if (!fxq_cli_double(v, &a->o.budget_value) || !(a->o.budget_value > 0) || a->o.budget_value > 1e9)
                return fxq_quantize_usage_error("--size-mbits wants a positive number of Mbits", v);
            a->o.budget = FXQ_BUDGET_SIZE;
            if (a->nbudget < 4) a->budget_flag[a->nbudget] = o;
            a->nbudget++;
        } else if (!strcmp(o, "--abits")) {
            if ((rc = fxq_bits_arg(o, v, &a->o.abits))) return rc;
            a->abits_given = 1;
        } else if (!strcmp(o, "--fc-bits")) {
            if ((rc = fxq_bits_arg(o, v, &a->o.fc_bits))) return rc;
        } else if (!strcmp(o, "--head-bits")) {
            if ((rc = fxq_bits_arg(o, v, &a->o.head_bits))) return rc;
        } else if (!strcmp(o, "--bbits")) {
            /* biases live next to the accumulator: the layers take up to 32 */
            if (!fxq_cli_int(v, FXQ_MIN_BITS, 32, &a->o.bbits))
                return fxq_quantize_usage_error("--bbits wants a bit-width in 2..32", v);
        } else if (!strcmp(o, "--min-bits")) {
            if ((rc = fxq_bits_arg(o, v, &a->o.lo))) return rc;
        } else if (!strcmp(o, "--max-bits")) {
            if ((rc = fxq_bits_arg(o, v, &a->o.hi))) return rc;
        } else if (!strcmp(o, "-n")) {
            if (!fxq_cli_int(v, 1, INT_MAX, &a->n)) return fxq_quantize_usage_error("-n wants a positive count", v);
        } else if (!strcmp(o, "-b")) {
            if (!fxq_cli_int(v, 1, 4096, &a->batch)) return fxq_quantize_usage_error("-b wants 1..4096", v);
        } else if (!strcmp(o, "-t")) {
            if (!fxq_cli_int(v, 1, 1024, &a->threads)) return fxq_quantize_usage_error("-t wants 1..1024", v);
        } else if (!strcmp(o, "--xi")) {
            if (!fxq_cli_double(v, &a->o.q.xi_sigmas) || !(a->o.q.xi_sigmas > 0) || a->o.q.xi_sigmas > 1e6)
                return fxq_quantize_usage_error("--xi wants a positive number", v);
        } else if (!strcmp(o, "--formats")) {
            if (!fxq_formats_parse(v, &a->o.q.formats))
                return fxq_quantize_usage_error("--formats wants paper, mse or refine", v);
        } else if (!strcmp(o, "--bias-correct")) {
            a->bias_out = v;
        } else if (!strcmp(o, "--bias-list")) {
            a->bias_list = v;
        } else if (!strcmp(o, "--round-opt")) {
            a->round_out = v;
        } else if (!strcmp(o, "--round-list")) {
            a->round_list = v;
            a->round_given = 1;
        } else if (!strcmp(o, "--round-target")) {
            if (!strcmp(v, "fixed")) a->round_target_fixed = 1;
            else if (strcmp(v, "float")) return fxq_quantize_usage_error("--round-target wants float or fixed", v);
            a->round_given = 1;
        } else if (!strcmp(o, "--round-damp")) {
            if (!fxq_cli_double(v, &a->round_damp) || !(a->round_damp >= 0) || a->round_damp > 1e6)
                return fxq_quantize_usage_error("--round-damp wants a number >= 0", v);
            a->round_given = 1;
        } else if (!strcmp(o, "--round-sweeps")) {
            if (!fxq_cli_int(v, 0, 100000, &a->round_sweeps))
                return fxq_quantize_usage_error("--round-sweeps wants 0..100000", v);
            a->round_given = 1;
        } else if (!strcmp(o, "--act-scales")) {
            a->act_out = v;
        } else if (!strcmp(o, "--act-list")) {
            a->act_list = v;
            a->act_given = 1;
        } else if (!strcmp(o, "--act-objective")) {
            if (!strcmp(v, "all")) a->act_all = 1;
            else if (strcmp(v, "acts")) return fxq_quantize_usage_error("--act-objective wants all or acts", v);
            a->act_given = 1;
        } else if (!strcmp(o, "--act-channels")) {
            if (!fxq_cli_double(v, &a->act_floor) || !(a->act_floor > 0) || !(a->act_floor < 1))
                return fxq_quantize_usage_error("--act-channels wants a floor 0 < F < 1", v);
            a->act_given = 1;
        } else if (!strcmp(o, "--act-grid")) {
            if (!fxq_cli_int(v, 1, 1024, &a->act_grid)) return fxq_quantize_usage_error("--act-grid wants 1..1024", v);
            a->act_given = 1;
        } else if (!strcmp(o, "--logit-list")) {
            a->logit_list = v;
        } else if (!strcmp(o, "--refine-list")) {
            a->o.refine_list = v;
        } else if (!strcmp(o, "--refine-objective")) {
            if (!strcmp(v, "agree")) a->o.refine_agree = 1;
            else if (strcmp(v, "sqnr"))
                return fxq_quantize_usage_error("--refine-objective wants sqnr or agree", v);
            a->refine_objective = 1;
        } else if (!strcmp(o, "--refine-n")) {
            if (!fxq_cli_int(v, 1, INT_MAX, &a->o.refine_n))
                return fxq_quantize_usage_error("--refine-n wants a positive count", v);
        } else if (!strcmp(o, "--dist")) {
            if (!fxq_dist_parse(v, &a->o.q.dist))
                return fxq_quantize_usage_error("--dist wants gaussian|laplacian|uniform|gamma|empirical", v);
        } else {
            return fxq_quantize_usage_error("unknown option", o);
        }
    }
    if (a->npos == 0) return fxq_quantize_usage_error("expected <cfg> [<weights> <calib.list|file.stats>]", NULL);
    if (a->npos == 2) return fxq_quantize_usage_error("<weights> needs <calib.list|file.stats> after it", a->pos[1]);
    if (a->nbudget == 0)
        return fxq_quantize_usage_error("give exactly one budget: --beta0, --sqnr, --size-mbits or --wbits", NULL);
    if (a->nbudget > 1) {
        char what[128];
        snprintf(what, sizeof what, "conflicting budgets %s and %s: give exactly one", a->budget_flag[0],
                 a->budget_flag[1]);
        return fxq_quantize_usage_error(what, NULL);
    }
    if (a->o.lo > a->o.hi) return fxq_quantize_usage_error("--min-bits is above --max-bits", NULL);
    if (a->o.alloc_acts && a->abits_given) return fxq_quantize_usage_error("--abits and --alloc-acts conflict", NULL);
    if (a->o.alloc_acts && a->o.budget == FXQ_BUDGET_WBITS)
        return fxq_quantize_usage_error("--alloc-acts needs a budget that allocates (--beta0, --sqnr, --size-mbits)", NULL);
    if (!a->o.alloc_acts && (a->o.abits < a->o.lo || a->o.abits > a->o.hi))
        return fxq_quantize_usage_error("--abits is outside --min-bits..--max-bits", NULL);
    /* --accurate's 16-bit head, unless --head-bits chose or the options leave no room for it */
    if (a->accurate && !a->o.head_bits && !a->o.alloc_acts && FXQ_ACCURATE_HEAD_BITS >= a->o.lo &&
        FXQ_ACCURATE_HEAD_BITS <= a->o.hi)
        a->o.head_bits = FXQ_ACCURATE_HEAD_BITS;
    if (a->o.alloc_acts && a->o.head_bits)
        return fxq_quantize_usage_error("--head-bits and --alloc-acts conflict", NULL);
    if (a->o.head_bits && (a->o.head_bits < a->o.lo || a->o.head_bits > a->o.hi))
        return fxq_quantize_usage_error("--head-bits is outside --min-bits..--max-bits", NULL);
    if (a->o.fc_bits && (a->o.fc_bits < a->o.lo || a->o.fc_bits > a->o.hi))
        return fxq_quantize_usage_error("--fc-bits is outside --min-bits..--max-bits", NULL);
    if (a->o.kappa_measured && a->npos < 3)
        return fxq_quantize_usage_error("--kappa measured needs <weights> <calib.list|file.stats>", NULL);
    if (a->o.q.formats == FXQ_FORMATS_REFINE && !a->o.refine_list)
        return fxq_quantize_usage_error("--formats refine needs --refine-list FILE (held-out images)", NULL);
    if (a->o.q.formats == FXQ_FORMATS_REFINE && a->npos < 3)
        return fxq_quantize_usage_error("--formats refine needs <weights> <calib.list|file.stats>", NULL);
    if (a->o.q.formats != FXQ_FORMATS_REFINE && (a->o.refine_list || a->o.refine_n || a->refine_objective))
        return fxq_quantize_usage_error("--refine-list, --refine-n and --refine-objective need --formats refine", NULL);
    if (!a->dry_run && !a->out) return fxq_quantize_usage_error("-o <out.cfg> is required (or --dry-run)", NULL);
    if (a->accurate && a->bias_out)
        return fxq_quantize_usage_error("--accurate optimizes the rounding and corrects the biases itself: not with "
                                        "--bias-correct", NULL);
    if (a->accurate && a->o.q.formats == FXQ_FORMATS_PAPER)
        return fxq_quantize_usage_error("--accurate needs --formats mse or refine (its activation scales are real-valued "
                                        "steps that paper's rule ignores)", NULL);
    if (a->accurate && a->npos == 3 && fxq_is_stats_file(a->pos[2]) && (!a->act_list || !a->round_list))
        return fxq_quantize_usage_error("--accurate with a .stats file needs --act-list FILE and --round-list FILE "
                                        "(images: it records statistics again and optimizes the rounding on them)", NULL);
    if (a->round_out && a->bias_out)
        return fxq_quantize_usage_error("--round-opt corrects the biases itself: not with --bias-correct", NULL);
    if (a->bias_list && !a->bias_out) return fxq_quantize_usage_error("--bias-list needs --bias-correct", NULL);
    if (a->bias_out && (rc = fxq_needs_images(a, "--bias-correct", !!a->bias_list, "--bias-list", ""))) return rc;
    if (a->round_given && !a->round_out)
        return fxq_quantize_usage_error("--round-list, --round-target, --round-damp and --round-sweeps need --round-opt",
                                        NULL);
    if (a->round_out && (rc = fxq_needs_images(a, "--round-opt", !!a->round_list, "--round-list", ""))) return rc;
    if (a->act_given && !a->act_out) return fxq_quantize_usage_error("--act-list, --act-grid, --act-objective and --act-channels need --act-scales", NULL);
    if (a->act_out && a->o.q.formats == FXQ_FORMATS_PAPER)
        return fxq_quantize_usage_error("--act-scales needs --formats mse or refine (paper's rule ignores the scale)",
                                        NULL);
    if (a->act_out && (rc = fxq_needs_images(a, "--act-scales", !!a->act_list, "--act-list",
                                             ": the statistics are recorded again on the scaled network")))
        return rc;
    if (a->act_out && ((a->bias_out && strcmp(a->bias_out, a->act_out)) || (a->round_out && strcmp(a->round_out, a->act_out))))
        return fxq_quantize_usage_error("--act-scales writes one weights file with --bias-correct/--round-opt: give "
                                        "them the same path", NULL);
    if (a->logit_list && !a->logit_window) return fxq_quantize_usage_error("--logit-list needs --logit-window", NULL);
    if (a->logit_window && a->o.q.formats == FXQ_FORMATS_PAPER)
        return fxq_quantize_usage_error("--logit-window needs --formats mse or refine (paper's rule has no windows)",
                                        NULL);
    /* its images default to --round-list's or --act-list's */
    if (a->logit_window && (rc = fxq_needs_images(a, "--logit-window", a->logit_list || a->round_list || a->act_list,
                                                  "--logit-list", "")))
        return rc;
    if (a->per_channel && a->npos < 3)
        return fxq_quantize_usage_error("--per-channel needs <weights> <calib.list|file.stats>", NULL);
    if (!a->dry_run && a->npos < 3)
        return fxq_quantize_usage_error("writing a cfg needs fractional bits: give <weights> <calib.list|file.stats>, "
                                        "or --dry-run for the bit-widths alone", NULL);
    return 0;
}

int fxq_is_stats_file(const char *path)
{
    const size_t n = strlen(path);
    return n > 6 && !strcmp(path + n - 6, ".stats");
}
