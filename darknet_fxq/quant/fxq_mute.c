/* See fxq_mute.h. */
#include <fcntl.h>
#include <unistd.h>

#include "fxq_mute.h"

void fxq_mute_begin(fxq_mute *m, FILE *stream)
{
    fflush(stream);
    m->stream = stream;
    m->saved = dup(fileno(stream)), m->null = open("/dev/null", O_WRONLY);
    if (m->saved >= 0 && m->null >= 0) dup2(m->null, fileno(stream));
}

void fxq_mute_end(fxq_mute *m)
{
    fflush(m->stream);
    if (m->saved >= 0 && m->null >= 0) dup2(m->saved, fileno(m->stream));
    if (m->saved >= 0) close(m->saved);
    if (m->null >= 0) close(m->null);
    m->saved = m->null = -1;
}
