/* `fxq quantize` as a pipeline of passes over one shared context.
 *
 * A pass is a named unit with one entry point. It declares what it reads
 * (the weights, calibration images, held-out images, the statistics, the
 * plan's formats) and what it changes (the format policy, the formats, the
 * float network's weights, the weights written beside the cfg). The driver,
 * not the passes, knows the order: the pass table (fxq_pass_table.c) is in
 * pipeline order, a pipeline is a set of its entries, and the driver runs
 * them in table order. A pass that changes the float network (the
 * activation-scale passes) invalidates the statistics and the formats; the
 * driver records and chooses them again before the next pass that reads them.
 * The same expansion prints the pipeline for --dry-run, so what it prints is
 * what runs.
 *
 * Presets name pipelines:
 *   accurate  the most accurate strict 8-bit path measured (docs/quantize.md)
 *   fast      formats from the calibration statistics alone; the same .weights
 *   paper     Lin et al. 2016 section 3.3 exactly */
#ifndef FXQ_PASS_H
#define FXQ_PASS_H

#include <stddef.h>
#include <stdio.h>

#include "fxq_cfgtext.h"
#include "fxq_qplan.h"
#include "fxq_stats.h"

/* what a pass reads */
enum {
    FXQ_READS_WEIGHTS = 1 << 0,  /* the float .weights (the current network's) */
    FXQ_READS_IMAGES = 1 << 1,   /* calibration images (a list, not a .stats file) */
    FXQ_READS_HELD_OUT = 1 << 2, /* --held-out images */
    FXQ_READS_STATS = 1 << 3,    /* the statistics of the current network */
    FXQ_READS_PLAN = 1 << 4      /* the plan with its formats */
};

/* what a pass changes */
enum {
    FXQ_CHANGES_POLICY = 1 << 0,  /* how the formats pass chooses fracs */
    FXQ_CHANGES_STATS = 1 << 1,   /* the statistics */
    FXQ_CHANGES_FORMATS = 1 << 2, /* the plan's formats */
    FXQ_CHANGES_NETWORK = 1 << 3, /* the float network's weights: statistics and formats are stale */
    FXQ_CHANGES_WEIGHTS = 1 << 4  /* the .weights written beside the cfg */
};

typedef enum fxq_pass_id {
    FXQ_PASS_WINDOWS,
    FXQ_PASS_STATS,
    FXQ_PASS_FORMATS,
    FXQ_PASS_PAPER,
    FXQ_PASS_ACT_CHANNELS,
    FXQ_PASS_ACT_SCALES,
    FXQ_PASS_PER_CHANNEL,
    FXQ_PASS_REFINE,
    FXQ_PASS_LOGIT_WINDOW,
    FXQ_PASS_ROUND_OPT,
    FXQ_PASS_BIAS_CORRECT,
    FXQ_PASS_COUNT
} fxq_pass_id;

#define FXQ_PASS_BIT(id) (1u << (id))

/* Everything the passes share. The cmd fills the inputs; the passes fill the
 * state. */
typedef struct fxq_pass_ctx {
    /* inputs */
    const char *cfg;             /* the float cfg */
    const char *weights0;        /* the user's .weights */
    const char *calib;           /* the third argument: image list or .stats file */
    const char *images;          /* images for the passes that run the network (a list) */
    const char *held_out;        /* refine's held-out images (may be NULL) */
    int n, batch, threads, quiet; /* n: first n images (0: all); batch 0: chosen by memory */
    fxq_qplan_opts o;
    const fxq_cfgtext *text;
    const fxq_netshape *shapes;  /* the cfg's layers (the plans point into it) */
    int detector;                /* the cfg has [yolo], [region] or [detection] */
    unsigned set;                /* the pipeline (FXQ_PASS_BIT of each pass) */
    /* state */
    const char *weights;         /* the current float network's weights: weights0 or tmp_w */
    fxq_stats *stats;
    fxq_qplan *plan;
    unsigned writes;             /* FXQ_CHANGES_* of the passes run so far */
    char tmpdir[256];            /* the network's temporary weights (removed by fxq_pass_ctx_free) */
    char tmp_w[2][300];
    int tmp_next;
} fxq_pass_ctx;

typedef struct fxq_pass {
    const char *name;
    unsigned reads, changes;
    unsigned requires;  /* FXQ_PASS_BIT of passes that must be in the pipeline too */
    unsigned conflicts; /* ... and that must not */
    const char *what;   /* one line: what it does (help, docs, --dry-run) */
    /* NULL when it runs; otherwise why it is skipped on this network */
    const char *(*skip)(const fxq_pass_ctx *c);
    int (*run)(fxq_pass_ctx *c, char *why, size_t why_len);
} fxq_pass;

extern const fxq_pass fxq_passes[FXQ_PASS_COUNT];

typedef struct fxq_preset {
    const char *name;
    unsigned passes;
    const char *what;
} fxq_preset;

extern const fxq_preset fxq_presets[];
extern const int fxq_npresets;

/* The preset called name, or NULL. */
const fxq_preset *fxq_preset_find(const char *name);
/* The pass called name, or -1. */
int fxq_pass_find(const char *name);

/* "a,b,c" into a set of passes: 0 + why naming an unknown pass. */
int fxq_passes_parse(const char *list, unsigned *set, char *why, size_t why_len);
/* The table's rules on a set: 0 + why ("act-channels needs act-scales",
 * "round-opt and bias-correct conflict", "refine needs --held-out" ...). */
int fxq_passes_check(unsigned set, const fxq_pass_ctx *c, char *why, size_t why_len);

/* The passes of `set` in running order, with the statistics and formats
 * passes repeated where a pass changed the network before one that reads
 * them: ids into order[] (at most FXQ_PASS_COUNT * 3), returns the count. */
int fxq_pipeline_expand(unsigned set, int *order, int max);

/* One line per pass of the expanded pipeline: what it reads and writes
 * (--dry-run and the start of every run). */
void fxq_pipeline_print(FILE *f, unsigned set, const fxq_pass_ctx *c);

/* Runs the pipeline on c. 0 + why on failure (nothing written). */
int fxq_pipeline_run(fxq_pass_ctx *c, unsigned set, char *why, size_t why_len);

/* A fresh temporary weights path in c->tmpdir (two alternate: a pass reads
 * the previous one while it writes the next). NULL + why. */
const char *fxq_pass_tmp_weights(fxq_pass_ctx *c, char *why, size_t why_len);

/* The statistics of the current network: from the .stats file while the
 * network is the user's, else recorded on c->images. */
int fxq_pass_record_stats(fxq_pass_ctx *c, char *why, size_t why_len);

/* Images per forward pass for cfg when c->batch is 0: at most 32, fewer
 * when a batch of the network's activations would pass FXQ_PASS_BATCH_BYTES
 * per replica (a 416x416 detector took 4 GB at 32). */
#define FXQ_PASS_BATCH_BYTES (256LL << 20)
int fxq_pass_batch(const fxq_pass_ctx *c);

/* Images for the passes that run the network once per layer or keep
 * per-image outputs (act-channels, logit-window, round-opt, bias-correct):
 * c->n (0: all), at most as many as keep them under FXQ_PASS_MACS
 * multiply-accumulates (at least FXQ_PASS_MIN_IMAGES): a 416x416 detector
 * takes 2.8e9 per image, a Fashion-MNIST classifier 1e7 (all of 1000). */
#define FXQ_PASS_MACS 1e11
#define FXQ_PASS_MIN_IMAGES 64
int fxq_pass_images(const fxq_pass_ctx *c);

void fxq_pass_ctx_free(fxq_pass_ctx *c);

/* The third argument names a .stats file (else an image list). */
int fxq_pass_is_stats_file(const char *path);
/* The cfg has a [yolo], [region] or [detection] section. */
int fxq_pass_is_detector(const fxq_cfgtext *text);

#endif
