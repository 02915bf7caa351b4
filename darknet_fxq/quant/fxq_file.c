/* See fxq_file.h. The temp-file, device and signal rules are fxq_outfile's. */
#include "fxq_file.h"
#include "fxq_outfile.h"

int fxq_file_write(const char *path, int (*emit)(FILE *f, void *ctx), void *ctx, char *why, size_t why_len)
{
    fxq_outfile o;
    if (!fxq_out_open(&o, path, why, why_len)) return 0;
    if (!emit(o.f, ctx)) {
        fxq_out_abort(&o);
        snprintf(why, why_len, "%s: cannot write", path);
        return 0;
    }
    return fxq_out_commit(&o, why, why_len);
}
