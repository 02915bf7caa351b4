/* Runs one of fxq's command functions (fxq_cmd_quantize, ...) inside a test
 * binary with its stdout off: its tables are not test lines, and tests/run.sh
 * counts every "ok"/"FAIL" line on stdout. */
#ifndef FXQ_TEST_CMD_H
#define FXQ_TEST_CMD_H

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int fxq_test_run_quiet(int (*cmd)(int, char **), int argc, char **argv)
{
    fflush(stdout);
    const int keep = dup(1), null = open("/dev/null", O_WRONLY);
    if (keep >= 0 && null >= 0) dup2(null, 1);
    const int rc = cmd(argc, argv);
    fflush(stdout);
    if (keep >= 0 && null >= 0) dup2(keep, 1);
    if (keep >= 0) close(keep);
    if (null >= 0) close(null);
    return rc;
}

#endif
