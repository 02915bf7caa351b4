/* TEMPORARY: weak stand-ins for the fxq_qconv plan API (wrapping the scalar
 * reference) so the layers link before the packed kernels land. */
#include <stdlib.h>
#include <string.h>
#include "fxq_qconv.h"

struct fxq_qconv_plan_weak { fxq_qconv_desc d; int32_t *w; int64_t *b; };

__attribute__((weak)) fxq_qconv_plan *fxq_qconv_plan_create(const fxq_qconv_desc *d, const int32_t *w_codes,
                                                            const int64_t *bias_acc, char *why, size_t why_len)
{
    (void)why; (void)why_len;
    struct fxq_qconv_plan_weak *p = calloc(1, sizeof *p);
    size_t nw = (size_t)d->m * d->c * d->ksize * d->ksize;
    p->d = *d;
    p->w = malloc(nw * sizeof *p->w);
    p->b = malloc((size_t)d->m * sizeof *p->b);
    memcpy(p->w, w_codes, nw * sizeof *p->w);
    memcpy(p->b, bias_acc, (size_t)d->m * sizeof *p->b);
    return (fxq_qconv_plan *)p;
}
__attribute__((weak)) void fxq_qconv_plan_free(fxq_qconv_plan *pp)
{
    struct fxq_qconv_plan_weak *p = (struct fxq_qconv_plan_weak *)pp;
    if (!p) return;
    free(p->w); free(p->b); free(p);
}
__attribute__((weak)) void fxq_qconv_run(const fxq_qconv_plan *pp, const int16_t *in, int16_t *out)
{
    const struct fxq_qconv_plan_weak *p = (const struct fxq_qconv_plan_weak *)pp;
    fxq_qconv_ref(&p->d, p->w, p->b, in, out);
}
