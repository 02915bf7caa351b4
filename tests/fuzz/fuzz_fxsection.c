/* libFuzzer: a [fxconvolutional]/[fxconnected] section's keys. The fuzzer's
 * bytes become the body of a fixed-point section after a valid [net] (the
 * first byte picks the section and the input shape), then go through the
 * validator and through fxq_cfgtext_read, the line reader `fxq quantize`
 * and `fxq sweep` use on the same file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fxq_cfgcheck.h"
#include "fxq_cfgtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char *const head[] = {
        "[net]\nheight=8\nwidth=8\nchannels=3\n[fxconvolutional]\n",
        "[net]\nheight=1\nwidth=1\nchannels=16\n[fxconnected]\n",
        "[net]\nheight=8\nwidth=8\nchannels=3\n[convolutional]\nfilters=4\nsize=3\n[fxconv]\n",
        "[net]\ninputs=32\n[fxconn]\n",
    };
    const char *h = head[data[0] % 4];
    const size_t hl = strlen(h), n = hl + size - 1;
    char *text = malloc(n + 1);
    if (!text) return 0;
    memcpy(text, h, hl);
    memcpy(text + hl, data + 1, size - 1);
    text[n] = 0;
    char why[1024];
    fxq_cfgcheck_text("fuzz.cfg", text, n, why, sizeof why);
    /* the file reader, on the same bytes (a memfd: no file on disk) */
    const int fd = memfd_create("fuzz.cfg", 0);
    if (fd >= 0) {
        if (write(fd, text, n) == (ssize_t)n) {
            char path[64];
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            fxq_cfgtext *c = fxq_cfgtext_read(path, why, sizeof why);
            if (c) {
                for (int s = 0; s < c->nsec; ++s) {
                    fxq_cfgtext_quantizable(c, s);
                    fxq_cfgtext_get(c, s, "w_bits");
                }
                fxq_cfgtext_free(c);
            }
        }
        close(fd);
    }
    free(text);
    return 0;
}
