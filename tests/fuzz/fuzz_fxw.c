/* libFuzzer: the .fxw parser (fxq_fxw_parse) on arbitrary bytes, CRC and
 * all; a file it accepts must serialize and parse back. */
#include <stdint.h>
#include <stdlib.h>

#include "fxq_fxw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[1024];
    fxq_fxw *f = fxq_fxw_parse(data, size, "fuzz.fxw", why, sizeof why);
    if (!f) return 0;
    fxq_fxw_sizes s;
    fxq_fxw_measure(f, &s);
    size_t len;
    unsigned char *p = fxq_fxw_serialize(f, &len, why, sizeof why);
    if (p) {
        fxq_fxw *g = fxq_fxw_parse(p, len, "again.fxw", why, sizeof why);
        if (!g) abort();
        fxq_fxw_free(g);
        free(p);
    }
    fxq_fxw_free(f);
    return 0;
}
