/* libFuzzer: the cfg validator (fxq_cfgcheck_text) on arbitrary bytes. It
 * must never crash, hang or report a sanitizer error; and whatever it
 * accepts must be accepted again (no state kept between calls). */
#include <stdint.h>
#include <stdlib.h>

#include "fxq_cfgcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[1024];
    const int a = fxq_cfgcheck_text("fuzz.cfg", (const char *)data, size, why, sizeof why);
    const int b = fxq_cfgcheck_text("fuzz.cfg", (const char *)data, size, why, sizeof why);
    if (a != b) abort();
    return 0;
}
