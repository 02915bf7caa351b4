/* libFuzzer: the statistics file reader (fxq_stats_read) on arbitrary bytes,
 * through a memfd (the reader takes a path); a file it accepts must merge
 * with itself. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fxq_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const int fd = memfd_create("fuzz.stats", 0);
    if (fd < 0) return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64], why[1024];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        fxq_stats *s = fxq_stats_read(path, why, sizeof why);
        if (s) {
            fxq_stats *t = fxq_stats_read(path, why, sizeof why);
            if (t) {
                fxq_stats_merge(s, t, why, sizeof why);
                fxq_stats_free(t);
            }
            fxq_stats_free(s);
        }
    }
    close(fd);
    return 0;
}
