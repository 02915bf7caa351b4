/* The plans' buffers (declared in fxq_qconv_impl.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fxq_qconv_impl.h"

/* Zeroed, 64-byte aligned buffers (freed with fxq_free64). Large ones are
 * fresh pages (mmap), zero without a memset and faulted in only where a
 * run touches them: a plan holds whole-image B panels in each thread's
 * copy, of which a thread's share of a batch-1 forward uses a part, so
 * building plans at load costs no memset of tens of MiB. A 64-byte header
 * before the buffer says how to free it. */
#define FXQ_BIG_ALLOC ((size_t)256 << 10)

void *fxq_alloc64(size_t bytes)
{
    const size_t len = (bytes ? (bytes + 63) / 64 * 64 : 64) + 64;
    unsigned char *b = NULL;
    if (len >= FXQ_BIG_ALLOC) {
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) return NULL;
        b = m;
    } else {
        void *m = NULL;
        if (posix_memalign(&m, 64, len)) return NULL;
        b = m;
        memset(b, 0, len);
    }
    ((size_t *)b)[0] = len;
    ((size_t *)b)[1] = len >= FXQ_BIG_ALLOC;
    return b + 64;
}

void fxq_free64(void *p)
{
    if (!p) return;
    unsigned char *b = (unsigned char *)p - 64;
    if (((size_t *)b)[1]) munmap(b, ((size_t *)b)[0]);
    else free(b);
}
