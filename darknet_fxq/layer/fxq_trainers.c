/* Which upstream commands may meet a fixed-point layer while training (see
 * fxq_hooks.h, fxq_command_line). Upstream's other trainers (regressor,
 * segmenter, cifar, go, rnn, ...) would run fixed-point layers without float
 * masters or a backward: refused as the cfg is parsed, before any data is
 * read, rather than at the first forward or in a loader thread. */
#include <stdio.h>
#include <string.h>

#include "fxq_hooks.h"
#include "fxq_layer_train.h"

static char fxq_trainer[64];

void fxq_command_line(int argc, char **argv)
{
    fxq_trainer[0] = 0;
    if (argc < 3) return;
    const char *cmd = argv[1], *verb = argv[2];
    /* classifier train trains fixed-point layers (patches/0008); detector
     * train decides for itself; fxq verbs set training mode themselves */
    if (!strcmp(cmd, "classifier") || !strcmp(cmd, "detector") || !strcmp(cmd, "fxq")) return;
    if (strncmp(verb, "train", 5) && strcmp(verb, "distill")) return;
    snprintf(fxq_trainer, sizeof fxq_trainer, "darknet %.24s %.24s", cmd, verb);
}

const char *fxq_untrainable_command(void)
{
    return fxq_trainer[0] && !fxq_training() ? fxq_trainer : NULL;
}
