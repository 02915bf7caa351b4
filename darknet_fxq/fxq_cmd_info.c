/* PLACEHOLDER: `darknet fxq info` is not implemented yet (its owner replaces this file). */
#include <stdio.h>
#include "fxq_cmd.h"

int fxq_cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "darknet fxq info: not implemented yet\n");
    return 1;
}
