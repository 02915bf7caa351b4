/* PLACEHOLDER: `darknet fxq stepsizes` is not implemented yet (its owner replaces this file). */
#include <stdio.h>
#include "fxq_cmd.h"

int fxq_cmd_stepsizes(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "darknet fxq stepsizes: not implemented yet\n");
    return 1;
}
