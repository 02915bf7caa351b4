/* PLACEHOLDER: `darknet fxq sqnr` is not implemented yet (its owner replaces this file). */
#include <stdio.h>
#include "fxq_cmd.h"

int fxq_cmd_sqnr(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "darknet fxq sqnr: not implemented yet\n");
    return 1;
}
