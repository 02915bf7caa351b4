/* See fxq_file.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fxq_file.h"

int fxq_file_write(const char *path, int (*emit)(FILE *f, void *ctx), void *ctx, char *why, size_t why_len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(why, why_len, "%s: cannot write: %s", path, strerror(errno));
        return 0;
    }
    errno = 0;
    const int ok = emit(f, ctx) && !ferror(f);
    if (fclose(f) || !ok || rename(tmp, path)) {
        snprintf(why, why_len, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
        remove(tmp);
        return 0;
    }
    return 1;
}
