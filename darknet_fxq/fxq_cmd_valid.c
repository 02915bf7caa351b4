/* PLACEHOLDER: `darknet fxq valid` is not implemented yet (its owner replaces this file). */
#include <stdio.h>
#include "fxq_cmd.h"

int fxq_cmd_valid(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "darknet fxq valid: not implemented yet\n");
    return 1;
}
