/* See fxq_fixed_rule.h. */
#include <stdio.h>
#include <string.h>

#include "fxq_fixed_rule.h"

int fxq_fixed_rule(const char *act, int conv, long groups, int binary, int xnor, long size, long stride, char *why,
                   size_t why_len)
{
    if (strcmp(act, "linear") && strcmp(act, "relu") && strcmp(act, "leaky")) {
        snprintf(why, why_len, "activation=%s has no fixed-point version (linear, relu, leaky)", act);
        return 0;
    }
    if (!conv) return 1;
    if (groups != 1 || binary || xnor) {
        snprintf(why, why_len, "%s convolutions have no fixed-point version", groups != 1 ? "grouped" : "binary/xnor");
        return 0;
    }
    if (size == 1 && stride != 1) {
        /* upstream's float path ignores a 1x1 convolution's stride */
        snprintf(why, why_len, "1x1 convolutions with stride %ld have no fixed-point version (upstream's float path "
                 "ignores their stride)", stride);
        return 0;
    }
    return 1;
}
