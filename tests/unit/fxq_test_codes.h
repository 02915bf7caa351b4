/* Random integer codes for the kernel tests: uniform, with the extremes
 * (and 0) drawn often, since saturation and overflow live there. */
#ifndef FXQ_TEST_CODES_H
#define FXQ_TEST_CODES_H

#include <stdint.h>

#include "fxq_format.h"
#include "fxq_test_rng.h"

static inline int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

/* A code of `bits`: mostly uniform, sometimes an extreme. */
static inline int32_t rnd_code(int bits)
{
    const int64_t lo = fxq_code_min(bits), hi = fxq_code_max(bits);
    switch (rnd() % 8) {
    case 0: return (int32_t)lo;
    case 1: return (int32_t)hi;
    case 2: return 0;
    default: return (int32_t)(lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)));
    }
}

/* An unsigned code of `bits`: mostly uniform, sometimes 0 or the maximum. */
static inline int32_t rnd_ucode(int bits)
{
    const int32_t hi = (1 << bits) - 1;
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return hi;
    default: return (int32_t)(rnd() % (uint64_t)(hi + 1));
    }
}

#endif
