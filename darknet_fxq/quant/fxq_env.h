/* On/off switches read from the environment (FXQ_TEAM, FXQ_FUSE, FXQ_PIPE,
 * FXQ_STEAL, FXQ_GATHER, FXQ_WIDE, FXQ_EAGER): one reading for all of them, so "0" and
 * "1" mean the same everywhere. */
#ifndef FXQ_ENV_H
#define FXQ_ENV_H

#include <stdlib.h>
#include <string.h>

/* Switch `name`: with dflt 1 on unless it is "0", with dflt 0 off unless it
 * is "1". cache (an int the caller keeps, -1 at first; or NULL) holds the
 * answer after the first call: the environment is read once. */
static inline int fxq_env_switch(const char *name, int dflt, int *cache)
{
    if (cache && *cache >= 0) return *cache;
    const char *e = getenv(name);
    const int on = !e ? dflt : dflt ? strcmp(e, "0") != 0 : strcmp(e, "1") == 0;
    if (cache) *cache = on;
    return on;
}

#endif
