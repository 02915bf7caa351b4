/* The pipeline driver: runs the expanded pass list on the shared context.
 * See fxq_pass.h. */
#include <stdio.h>
#include <time.h>

#include "fxq_pass.h"

static int fxq_pass_count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, ch, last = '\n';
    if (!f) return 0;
    while ((ch = getc(f)) != EOF) {
        if (ch == '\n' && last != '\n') ++n;
        last = ch;
    }
    fclose(f);
    return n + (last != '\n');
}

static double fxq_pass_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int fxq_pipeline_run(fxq_pass_ctx *c, unsigned set, char *why, size_t why_len)
{
    int order[FXQ_PASS_COUNT * 3];
    const int n = fxq_pipeline_expand(set, order, FXQ_PASS_COUNT * 3);
    c->set = set;
    if (!c->weights) c->weights = c->weights0;
    const double t0 = fxq_pass_now();
    const int capped = fxq_pass_images(c);
    if (!c->quiet && capped > 0 && capped != c->n && c->images && fxq_pass_count_lines(c->images) > capped)
        fprintf(stderr, "fxq quantize: the passes that run the network per layer use the first %d images (%.0e "
                        "multiply-accumulates at most; -n N chooses)\n", capped, FXQ_PASS_MACS);
    for (int k = 0; k < n; ++k) {
        const fxq_pass *p = &fxq_passes[order[k]];
        const char *skip = p->skip ? p->skip(c) : NULL;
        if (!c->quiet)
            fprintf(stderr, "fxq quantize: pass %d/%d %s%s%s (%.0f s)\n", k + 1, n, p->name, skip ? ": skipped, " : "",
                    skip ? skip : "", fxq_pass_now() - t0);
        if (skip) continue;
        char inner[1024];
        /* a pass that runs the plan's network needs layers that accept its formats */
        if ((p->reads & FXQ_READS_PLAN) && (p->reads & (FXQ_READS_IMAGES | FXQ_READS_HELD_OUT)) &&
            !(p->changes & FXQ_CHANGES_NETWORK) &&
            !fxq_qplan_check_layers(c->plan, inner, sizeof inner)) {
            snprintf(why, why_len, "%.900s: %s", c->cfg, inner);
            return 0;
        }
        if (!p->run(c, why, why_len)) return 0;
        c->writes |= p->changes;
    }
    return 1;
}
