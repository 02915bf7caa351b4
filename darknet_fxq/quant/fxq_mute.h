/* A stream's file descriptor sent to /dev/null around a call and back:
 * Darknet's own chatter (its layer table, "Loading weights ...") off where a
 * command was asked to be quiet, or a command's table off inside a test
 * binary whose stdout is read for test lines. */
#ifndef FXQ_MUTE_H
#define FXQ_MUTE_H

#include <stdio.h>

typedef struct fxq_mute {
    FILE *stream;
    int saved, null; /* the descriptor's copy and /dev/null; -1 if not opened */
} fxq_mute;

/* Flushes `stream` and points its descriptor at /dev/null (left as it was
 * if either descriptor cannot be opened). */
void fxq_mute_begin(fxq_mute *m, FILE *stream);
/* Flushes and restores the descriptor; closes the copies. */
void fxq_mute_end(fxq_mute *m);

#endif
