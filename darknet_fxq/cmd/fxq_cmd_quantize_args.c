/* `darknet fxq quantize`'s command line: see fxq_cmd_quantize_args.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxq_cli.h"
#include "fxq_cmd_quantize_args.h"
#include "fxq_pass.h"

enum {
    O_OUT, O_WBITS, O_BETA0, O_SQNR, O_SIZE, O_ABITS, O_HEAD, O_PRESET, O_PASSES, O_IMAGES, O_HELD_OUT, O_DRY_RUN,
    O_CSV, O_N, O_T, O_Q,
    /* the allocation's and the paper rule's finer controls: --help-all */
    O_OBJECTIVE, O_KAPPA, O_ALLOC_ACTS, O_FC_BITS, O_BBITS, O_MIN_BITS, O_MAX_BITS, O_XI, O_DIST, O_B
};

typedef struct fxq_qopt {
    int id;
    const char *name, *arg; /* arg NULL: a flag */
    int more;               /* 0: --help, 1: --help-all only */
    const char *help;       /* the usage line(s) */
    const char *doc;        /* the docs' table cell (NULL: help) */
} fxq_qopt;

/* The one option table: usage, docs and parser. */
static const fxq_qopt fxq_qopts_table[] = {
    {O_OUT, "-o", "FILE", 0, "the fixed-point cfg; FILE's .weights sibling too when a pass changes weights",
     "the fixed-point cfg. When a pass changes weights, the `.weights` it goes with is written beside it (`out.cfg` "
     "-> `out.weights`; refused when that file is an input). Required unless `--dry-run`"},
    {O_WBITS, "--wbits", "B", 0, "budget: B bits for every layer's weights (the paper's baseline)", NULL},
    {O_BETA0, "--beta0", "B", 0, "budget: the first layer's weights get B bits, the rest Eq. 15/16",
     "budget: the first quantized layer's weights get B bits; every other step follows Eq. 15/16: "
     "β_i = β0 − round(10·log10(ρ_i/ρ_0)/κ)"},
    {O_SQNR, "--sqnr", "DB", 0, "budget: least bits for a predicted output SQNR of DB (Eq. 12/13)",
     "budget: minimum predicted output SQNR γ_min (dB): the exact water-filling solution of Eq. 12/13, rounded"},
    {O_SIZE, "--size-mbits", "M", 0, "budget: highest predicted SQNR whose weights fit in M Mbits", NULL},
    {O_ABITS, "--abits", "B", 0, "activation bits (default 16)", NULL},
    {O_HEAD, "--head-bits", "B", 0, "bits of the outputs only float layers read (logits, [yolo] inputs)",
     "B bits instead of `--abits` for the outputs of quantized layers that only float layers or the caller read "
     "(a classifier's logits, the convolutions before `[yolo]`). Default: `--abits`; on a detector 16 (except "
     "`--preset paper`)"},
    {O_PRESET, "--preset", "NAME", 0, "accurate | fast | paper (above; default: accurate with a calibration list)",
     "a pipeline of passes: `accurate` (default with a calibration list), `fast` (default with a `.stats` file), "
     "`paper` (tables below)"},
    {O_PASSES, "--passes", "LIST", 0, "the passes to run, comma-separated (above); not with --preset",
     "the passes to run, comma-separated, e.g. `windows,per-channel,round-opt`; they run in the table's order, "
     "`stats` and `formats` are added. Not with `--preset`"},
    {O_IMAGES, "--images", "FILE", 0, "images for the passes that run the network (default: the calibration list)",
     "images for the passes that run the network (default: the calibration list; needed with a `.stats` file)"},
    {O_HELD_OUT, "--held-out", "FILE", 0, "pass refine's held-out images (not calibration images)", NULL},
    {O_DRY_RUN, "--dry-run", NULL, 0, "print the allocation and the passes with what each reads and writes",
     "print the allocation (with a `.stats` file, the formats) and the expanded passes with what each reads and "
     "changes; write nothing"},
    {O_CSV, "--csv", "FILE", 0, "also write the allocation as CSV (- = stdout, instead of the table)", NULL},
    {O_N, "-n", "N", 0, "use the first N images of every list", NULL},
    {O_T, "-t", "T", 0, "threads recording statistics (default: OpenMP's)", NULL},
    {O_Q, "-q", NULL, 0, "no progress on stderr", NULL},
    {O_OBJECTIVE, "--objective", "O", 1, "size (rho = weights per layer, default) | ops (multiply-accumulates)",
     "`size`: ρ_i = weights of layer i (default), `ops`: its multiply-accumulates per image. Used by `--beta0` "
     "and `--sqnr`"},
    {O_KAPPA, "--kappa", "K", 1, "quantization efficiency in dB/bit (default 3) | measured",
     "quantization efficiency κ in dB/bit for every step (default 3), or `measured`: per step from the statistics"},
    {O_ALLOC_ACTS, "--alloc-acts", NULL, 1, "activations take part in the allocation (not with --abits, --wbits)",
     NULL},
    {O_FC_BITS, "--fc-bits", "B", 1, "connected layers' weights fixed at B bits, outside the allocation", NULL},
    {O_BBITS, "--bbits", "B", 1, "bias bits (default 16; up to 32)", NULL},
    {O_MIN_BITS, "--min-bits", "B", 1, "narrowest bit-width allowed (default 2)", NULL},
    {O_MAX_BITS, "--max-bits", "B", 1, "widest bit-width allowed (default 16)", NULL},
    {O_XI, "--xi", "K", 1, "paper: xi = K sigma (default 3)", "pass `paper`: the section 3.3 rule's ξ = K·σ (default 3)"},
    {O_DIST, "--dist", "D", 1, "paper: step sizes of gaussian (default) | laplacian | uniform | gamma | empirical",
     NULL},
    {O_B, "-b", "B", 1, "images per forward pass (default: up to 32, fewer where activations are large)", NULL},
};
#define FXQ_NQOPTS ((int)(sizeof fxq_qopts_table / sizeof fxq_qopts_table[0]))

static void fxq_usage_opts(FILE *f, int more)
{
    for (int i = 0; i < FXQ_NQOPTS; ++i) {
        const fxq_qopt *o = &fxq_qopts_table[i];
        if (o->more != more) continue;
        char head[40];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-17s %s\n", head, o->help);
    }
}

void fxq_quantize_usage(FILE *f, int all)
{
    fputs("usage: darknet fxq quantize <cfg> <weights> <calib.list|file.stats> -o <out.cfg> <budget> [options]\n"
          "       darknet fxq quantize <cfg> <budget> --dry-run     (bit-widths from the cfg alone)\n"
          "\n"
          "Chooses every layer's bit-width (Lin et al., ICML 2016, section 4) and Q-formats, writes a cfg\n"
          "whose [convolutional]/[connected] sections run in fixed point and, when a pass changes weights,\n"
          "the .weights beside it; prints the command to run next.\n"
          "\n"
          "presets (--preset):\n",
          f);
    for (int i = 0; i < fxq_npresets; ++i) fprintf(f, "  %-9s %s\n", fxq_presets[i].name, fxq_presets[i].what);
    fputs("passes (--passes, run in this order):\n", f);
    for (int i = 0; i < FXQ_PASS_COUNT; ++i) fprintf(f, "  %-13s %s\n", fxq_passes[i].name, fxq_passes[i].what);
    fputs("options (one budget: --wbits, --beta0, --sqnr or --size-mbits):\n", f);
    fxq_usage_opts(f, 0);
    if (all) {
        fputs("allocation and paper-rule options:\n", f);
        fxq_usage_opts(f, 1);
    } else {
        fputs("more options (--help-all): ", f);
        for (int i = 0, k = 0; i < FXQ_NQOPTS; ++i)
            if (fxq_qopts_table[i].more) fprintf(f, "%s%s", k++ ? ", " : "", fxq_qopts_table[i].name);
        fputc('\n', f);
    }
    fputs("\nSee docs/quantize.md.\n", f);
}

static void fxq_md_cell(FILE *f, const char *s)
{
    for (; *s; ++s) {
        if (*s == '|') fputc('\\', f);
        fputc(*s, f);
    }
}

static void fxq_md_set(FILE *f, unsigned set)
{
    for (int i = 0, k = 0; i < FXQ_PASS_COUNT; ++i)
        if (set & FXQ_PASS_BIT(i)) fprintf(f, "%s`%s`", k++ ? ", " : "", fxq_passes[i].name);
}

void fxq_quantize_markdown(FILE *f)
{
    static const char *const rd[] = {"weights", "images", "held-out images", "statistics", "formats"};
    static const char *const ch[] = {"format policy", "statistics", "formats", "float network", "out `.weights`"};
    fputs("| preset | passes | what |\n| --- | --- | --- |\n", f);
    for (int i = 0; i < fxq_npresets; ++i) {
        fprintf(f, "| `%s` | ", fxq_presets[i].name);
        fxq_md_set(f, fxq_presets[i].passes);
        fputs(" | ", f);
        fxq_md_cell(f, fxq_presets[i].what);
        fputs(" |\n", f);
    }
    fputs("\n| pass (in running order) | reads | changes | needs / excludes | what |\n| --- | --- | --- | --- | --- |\n", f);
    for (int i = 0; i < FXQ_PASS_COUNT; ++i) {
        const fxq_pass *p = &fxq_passes[i];
        fprintf(f, "| `%s` | ", p->name);
        for (int b = 0, k = 0; b < 5; ++b)
            if (p->reads & (1u << b)) fprintf(f, "%s%s", k++ ? ", " : "", rd[b]);
        fputs(" | ", f);
        for (int b = 0, k = 0; b < 5; ++b)
            if (p->changes & (1u << b)) fprintf(f, "%s%s", k++ ? ", " : "", ch[b]);
        fputs(" | ", f);
        if (p->requires) fputs("needs ", f), fxq_md_set(f, p->requires);
        if (p->requires && p->conflicts) fputs("; ", f);
        if (p->conflicts) fputs("not with ", f), fxq_md_set(f, p->conflicts);
        fputs(" | ", f);
        fxq_md_cell(f, p->what);
        fputs(" |\n", f);
    }
    fputs("\n| option | meaning |\n| --- | --- |\n", f);
    for (int more = 0; more < 2; ++more)
        for (int i = 0; i < FXQ_NQOPTS; ++i) {
            const fxq_qopt *o = &fxq_qopts_table[i];
            if (o->more != more) continue;
            fprintf(f, "| `%s%s%s` | ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            if (more) fputs("(`--help-all`) ", f);
            fxq_md_cell(f, o->doc ? o->doc : o->help);
            fputs(" |\n", f);
        }
}

int fxq_quantize_fail(const char *why) { return fxq_cli_fail("quantize", why); }

int fxq_quantize_usage_error(const char *what, const char *arg)
{
    return fxq_cli_usage_error("quantize", what, arg);
}

/* Bit-width options must name a width the kernels support. */
static int fxq_bits_arg(const char *opt, const char *v, int *out)
{
    if (fxq_cli_int(v, FXQ_MIN_BITS, FXQ_MAX_BITS, out)) return 0;
    char what[128];
    snprintf(what, sizeof what, "%s wants a bit-width in %d..%d", opt, FXQ_MIN_BITS, FXQ_MAX_BITS);
    return fxq_quantize_usage_error(what, v);
}

static int fxq_budget_arg(fxq_quantize_args *a, const char *o, fxq_budget b)
{
    a->o.budget = b;
    if (a->nbudget < 4) a->budget_flag[a->nbudget] = o;
    a->nbudget++;
    return 0;
}

static int fxq_quantize_option(fxq_quantize_args *a, int id, const char *o, const char *v)
{
    int rc = 0, b = 0;
    switch (id) {
    case O_OUT: a->out = v; break;
    case O_CSV: a->csv = v; break;
    case O_DRY_RUN: a->dry_run = 1; break;
    case O_Q: a->quiet = 1; break;
    case O_ALLOC_ACTS: a->o.alloc_acts = 1; break;
    case O_PRESET:
        if (!fxq_preset_find(v)) return fxq_quantize_usage_error("--preset wants accurate, fast or paper", v);
        a->preset = v;
        break;
    case O_PASSES: a->passes = v; break;
    case O_IMAGES: a->images = v; break;
    case O_HELD_OUT: a->held_out = v; break;
    case O_OBJECTIVE:
        if (!strcmp(v, "size")) a->o.objective_ops = 0;
        else if (!strcmp(v, "ops")) a->o.objective_ops = 1;
        else return fxq_quantize_usage_error("--objective wants size or ops", v);
        break;
    case O_KAPPA:
        if (!strcmp(v, "measured")) a->o.kappa_measured = 1;
        else if (!fxq_cli_double(v, &a->o.kappa) || !(a->o.kappa > 0) || a->o.kappa > 100)
            return fxq_quantize_usage_error("--kappa wants a positive number of dB/bit (at most 100) or 'measured'", v);
        break;
    case O_WBITS:
    case O_BETA0:
        if ((rc = fxq_bits_arg(o, v, &b))) return rc;
        a->o.budget_value = b;
        return fxq_budget_arg(a, o, id == O_BETA0 ? FXQ_BUDGET_BETA0 : FXQ_BUDGET_WBITS);
    case O_SQNR:
        if (!fxq_cli_double(v, &a->o.budget_value) || a->o.budget_value < -100 || a->o.budget_value > 200)
            return fxq_quantize_usage_error("--sqnr wants a number of dB", v);
        return fxq_budget_arg(a, o, FXQ_BUDGET_SQNR);
    case O_SIZE:
        if (!fxq_cli_double(v, &a->o.budget_value) || !(a->o.budget_value > 0) || a->o.budget_value > 1e9)
            return fxq_quantize_usage_error("--size-mbits wants a positive number of Mbits", v);
        return fxq_budget_arg(a, o, FXQ_BUDGET_SIZE);
    case O_ABITS:
        a->abits_given = 1;
        return fxq_bits_arg(o, v, &a->o.abits);
    case O_FC_BITS: return fxq_bits_arg(o, v, &a->o.fc_bits);
    case O_HEAD:
        a->head_bits_given = 1;
        return fxq_bits_arg(o, v, &a->o.head_bits);
    case O_BBITS:
        /* biases live next to the accumulator: the layers take up to 32 */
        if (!fxq_cli_int(v, FXQ_MIN_BITS, 32, &a->o.bbits))
            return fxq_quantize_usage_error("--bbits wants a bit-width in 2..32", v);
        break;
    case O_MIN_BITS: return fxq_bits_arg(o, v, &a->o.lo);
    case O_MAX_BITS: return fxq_bits_arg(o, v, &a->o.hi);
    case O_N:
        if (!fxq_cli_int(v, 1, INT_MAX, &a->n)) return fxq_quantize_usage_error("-n wants a positive count", v);
        break;
    case O_B:
        if (!fxq_cli_int(v, 1, 4096, &a->batch)) return fxq_quantize_usage_error("-b wants 1..4096", v);
        break;
    case O_T:
        if (!fxq_cli_int(v, 1, 1024, &a->threads)) return fxq_quantize_usage_error("-t wants 1..1024", v);
        break;
    case O_XI:
        if (!fxq_cli_double(v, &a->o.q.xi_sigmas) || !(a->o.q.xi_sigmas > 0) || a->o.q.xi_sigmas > 1e6)
            return fxq_quantize_usage_error("--xi wants a positive number", v);
        break;
    case O_DIST:
        if (!fxq_dist_parse(v, &a->o.q.dist))
            return fxq_quantize_usage_error("--dist wants gaussian|laplacian|uniform|gamma|empirical", v);
        break;
    }
    return 0;
}

int fxq_quantize_parse_args(int argc, char **argv, fxq_quantize_args *a)
{
    *a = (fxq_quantize_args){0};
    a->o = (fxq_qplan_opts){.kappa = 3.0, .abits = 16, .bbits = 16, .lo = FXQ_MIN_BITS, .hi = FXQ_MAX_BITS,
                            .q = FXQ_QOPTS_DEFAULT};
    a->o.q.formats = FXQ_FORMATS_MSE;
    a->o.q.unsigned_in = 1; /* ignored by the paper rule */
    for (int i = 1; i < argc; ++i) {
        const char *o = argv[i];
        if (o[0] != '-' || !o[1]) {
            if (a->npos == 3) return fxq_quantize_usage_error("too many arguments", o);
            a->pos[a->npos++] = o;
            continue;
        }
        const fxq_qopt *q = NULL;
        for (int k = 0; k < FXQ_NQOPTS && !q; ++k)
            if (!strcmp(o, fxq_qopts_table[k].name)) q = &fxq_qopts_table[k];
        if (!q) return fxq_quantize_usage_error("unknown option (fxq quantize --help lists them)", o);
        const char *v = NULL;
        if (q->arg) {
            if (i + 1 >= argc) return fxq_quantize_usage_error("option needs a value", o);
            v = argv[++i];
        }
        const int rc = fxq_quantize_option(a, q->id, o, v);
        if (rc) return rc;
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
    if (a->preset && a->passes) return fxq_quantize_usage_error("--preset and --passes: give one", NULL);
    if (a->o.lo > a->o.hi) return fxq_quantize_usage_error("--min-bits is above --max-bits", NULL);
    if (a->o.alloc_acts && a->abits_given) return fxq_quantize_usage_error("--abits and --alloc-acts conflict", NULL);
    if (a->o.alloc_acts && a->o.budget == FXQ_BUDGET_WBITS)
        return fxq_quantize_usage_error("--alloc-acts needs a budget that allocates (--beta0, --sqnr, --size-mbits)", NULL);
    if (!a->o.alloc_acts && (a->o.abits < a->o.lo || a->o.abits > a->o.hi))
        return fxq_quantize_usage_error("--abits is outside --min-bits..--max-bits", NULL);
    if (a->o.alloc_acts && a->o.head_bits)
        return fxq_quantize_usage_error("--head-bits and --alloc-acts conflict", NULL);
    if (a->o.head_bits && (a->o.head_bits < a->o.lo || a->o.head_bits > a->o.hi))
        return fxq_quantize_usage_error("--head-bits is outside --min-bits..--max-bits", NULL);
    if (a->o.fc_bits && (a->o.fc_bits < a->o.lo || a->o.fc_bits > a->o.hi))
        return fxq_quantize_usage_error("--fc-bits is outside --min-bits..--max-bits", NULL);
    if (a->o.kappa_measured && a->npos < 3)
        return fxq_quantize_usage_error("--kappa measured needs <weights> <calib.list|file.stats>", NULL);
    if (!a->dry_run && !a->out) return fxq_quantize_usage_error("-o <out.cfg> is required (or --dry-run)", NULL);
    if (!a->dry_run && a->npos < 3)
        return fxq_quantize_usage_error("writing a cfg needs fractional bits: give <weights> <calib.list|file.stats>, "
                                        "or --dry-run for the bit-widths alone", NULL);
    if (a->npos < 3 && (a->preset || a->passes || a->images || a->held_out))
        return fxq_quantize_usage_error("--preset, --passes, --images and --held-out need <weights> "
                                        "<calib.list|file.stats>", NULL);
    return 0;
}
