/* Minimal test protocol shared with tests/run.sh: every check prints one
 * line "ok <name>" or "FAIL <name>: <why>", or "skip <name>: <why>" when it
 * cannot run on this machine (e.g. the CPU lacks a kernel set); the runner
 * counts them, a skip never as a pass. */
#ifndef FXQ_TEST_H
#define FXQ_TEST_H
#include <stdio.h>

static int fxq_test_failures;

#define FXQ_CHECK(name, cond, ...)                                   \
    do {                                                             \
        if (cond) {                                                  \
            printf("ok %s\n", name);                                 \
        } else {                                                     \
            ++fxq_test_failures;                                     \
            printf("FAIL %s: ", name);                               \
            printf(__VA_ARGS__);                                     \
            printf("\n");                                            \
        }                                                            \
        fflush(stdout);                                              \
    } while (0)

#define FXQ_TEST_END() return fxq_test_failures ? 1 : 0

#endif
