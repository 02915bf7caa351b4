/* Runs one of fxq's command functions (fxq_cmd_quantize, ...) inside a test
 * binary with its stdout off: its tables are not test lines, and tests/run.sh
 * counts every "ok"/"FAIL" line on stdout. */
#ifndef FXQ_TEST_CMD_H
#define FXQ_TEST_CMD_H

#include "fxq_mute.h"

static int fxq_test_run_quiet(int (*cmd)(int, char **), int argc, char **argv)
{
    fxq_mute m;
    fxq_mute_begin(&m, stdout);
    const int rc = cmd(argc, argv);
    fxq_mute_end(&m);
    return rc;
}

#endif
