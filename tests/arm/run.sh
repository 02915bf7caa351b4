#!/bin/sh
# `make test-arm`: the AArch64 build under qemu-user (docs/arm.md). Every
# kernel of every NEON set against its scalar twin (test_qgemm_ukernel) on
# an emulated Cortex-A72 (Armv8.0) and on qemu's "max" CPU (dotprod, i8mm),
# the run-time choice of the set, test_pipe (maxpool kernels, pipelines)
# on the A72, the NEON sets' plans on random convolutions (test_qconv and
# test_qconv_small_p, max CPU), and the aarch64
# ./darknet against the x86 one on every reference model's fixed-point
# cfgs (1000 images, each set forced). Ends with "N passed, N failed".
#   tests/arm/run.sh [N]   N images in the end-to-end check (default 1000)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DARKNET=${DARKNET:-./darknet}
. tests/lib.sh
. tests/arm/lib.sh
N=${1:-1000}
LOG=$BUILD/test-logs-arm
mkdir -p "$LOG"
rm -f "$LOG"/*.out

why=$(arm_missing)
if [ -n "$why" ]; then
    echo "FAIL arm.setup: $why"
    echo "0 passed, 1 failed"
    exit 1
fi
T=$ARM_BUILD/tests
run() { # NAME COMMAND... -> its lines in $LOG/NAME.out, a summary here
    name=$1; shift
    start=$(date +%s)
    "$@" >"$LOG/$name.out" 2>&1
    grep '^FAIL ' "$LOG/$name.out"
    echo "  $name: $(grep -c '^ok ' "$LOG/$name.out") passed, $(grep -c '^FAIL ' "$LOG/$name.out") failed ($(( $(date +%s) - start ))s)"
}
run ukernel.a72 arm_unit ukernel.a72 $ARM_BASE_CPU "$T/test_qgemm_ukernel"
run ukernel.max arm_unit ukernel.max $ARM_MAX_CPU "$T/test_qgemm_ukernel"
run dispatch arm_dispatch
run e2e arm_e2e "$N"
# the longest under emulation last: whole pipelines (the maxpool row
# kernels are the same in the three sets: one CPU), and the plans of the
# three NEON sets (qemu runs them at about a tenth of native speed)
run pipe.a72 arm_unit pipe.a72 $ARM_BASE_CPU "$T/test_pipe"
export FXQ_QCONV_SETS="neon neondot neoni8mm"
run qconv.max arm_unit qconv.max $ARM_MAX_CPU "$T/test_qconv"
run qconv_small_p.max arm_unit qconv_small_p.max $ARM_MAX_CPU "$T/test_qconv_small_p"
passed=$(cat "$LOG"/*.out | grep -c '^ok ')
failed=$(cat "$LOG"/*.out | grep -c '^FAIL ')
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
