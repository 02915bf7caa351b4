/* See fxq_qwrite.h. */
#include <stdlib.h>

#include "fxq_qreport.h"
#include "fxq_qwrite.h"

int fxq_qplan_finish(fxq_qplan *p, const fxq_qplan_opts *o, const fxq_stats *st, FILE *warn, char *why, size_t why_len)
{
    if (!fxq_qplan_allocate(p, o, st, warn, why, why_len)) return 0;
    return !st || fxq_qplan_formats(p, st, &o->q, why, why_len);
}

int fxq_qplan_cfg_conflict(const fxq_cfgtext *text, const fxq_qplan *p, const char *cfg, char *why, size_t why_len)
{
    static const char *const keys[] = {"w_bits", "w_frac", "b_bits", "b_frac", "in_bits", "in_frac", "out_bits", "out_frac", "in_unsigned", "out_unsigned", "in_zero", "out_zero"};
    for (int i = 0; i < p->nl; ++i) {
        const int sec = p->layers[i].index + 1;
        if (sec <= 0 || sec >= text->nsec) {
            snprintf(why, why_len, "%s: layer %d has no section", cfg, p->layers[i].index);
            return 0;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k)
            if (fxq_cfgtext_get(text, sec, keys[k])) {
                snprintf(why, why_len, "%s:%d: layer %d already has a '%s' key", cfg, text->sec[sec].header + 1,
                         p->layers[i].index, keys[k]);
                return 0;
            }
    }
    return 1;
}

/* Each quantized section's added keys (NULL entries elsewhere), or NULL. */
static char **fxq_qplan_added(const fxq_cfgtext *text, const fxq_qplan *p)
{
    char **added = calloc((size_t)text->nsec, sizeof *added);
    for (int i = 0; added && i < p->nl; ++i)
        if (!(added[p->layers[i].index + 1] = fxq_qreport_cfg_keys(p, i))) {
            for (int k = 0; k < text->nsec; ++k) free(added[k]);
            free(added);
            return NULL;
        }
    return added;
}

int fxq_qplan_write_cfg(const fxq_cfgtext *text, const fxq_qplan *p, const char *header, const char *cfg,
                        const char *path, char *why, size_t why_len)
{
    if (!fxq_qplan_cfg_conflict(text, p, cfg, why, why_len)) return 0;
    char **added = fxq_qplan_added(text, p);
    if (!added) {
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    const int ok = fxq_cfgtext_write(text, path, header, added, why, why_len);
    for (int i = 0; i < text->nsec; ++i) free(added[i]);
    free(added);
    return ok;
}

int fxq_qplan_print_cfg(FILE *f, const fxq_cfgtext *text, const fxq_qplan *p, const char *header, const char *cfg,
                        char *why, size_t why_len)
{
    if (!fxq_qplan_cfg_conflict(text, p, cfg, why, why_len)) return 0;
    char **added = fxq_qplan_added(text, p);
    if (!added) {
        snprintf(why, why_len, "out of memory");
        return 0;
    }
    const int ok = fxq_cfgtext_print(text, f, header, added);
    if (!ok) snprintf(why, why_len, "out of memory");
    for (int i = 0; i < text->nsec; ++i) free(added[i]);
    free(added);
    return ok;
}
