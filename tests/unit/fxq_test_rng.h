/* Reproducible random test cases: xorshift64, one state per test binary.
 * A test that wants its own sequence sets rng_state before the first rnd(). */
#ifndef FXQ_TEST_RNG_H
#define FXQ_TEST_RNG_H
#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#endif
