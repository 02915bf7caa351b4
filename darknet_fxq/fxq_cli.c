#include <errno.h>
#include <stdlib.h>

#include "fxq_cli.h"

int fxq_cli_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}

int fxq_cli_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v != v) return 0;
    *out = v;
    return 1;
}

int fxq_cli_pos_double(const char *s, double *out)
{
    double v;
    if (!fxq_cli_double(s, &v) || !(v > 0) || v > 1e6) return 0;
    *out = v;
    return 1;
}
