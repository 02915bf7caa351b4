/* PLACEHOLDER: `darknet fxq sweep` is not implemented yet (its owner replaces this file). */
#include <stdio.h>
#include "fxq_cmd.h"

int fxq_cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "darknet fxq sweep: not implemented yet\n");
    return 1;
}
