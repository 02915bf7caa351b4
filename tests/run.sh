#!/bin/sh
# darknet-fxq test runner: builds the unit tests and weights tools, runs every tests/unit/*.c
# binary and tests/test_*.sh script, counts "ok" / "FAIL" / "skip" lines and
# ends with "N passed, N failed, N skipped". A skip ("skip NAME: why": a tool or
# CPU feature this machine lacks) is listed and counted, never as a pass; a test
# that runs no check and skips none fails. Exit status is non-zero iff
# something failed.
#   tests/run.sh [PATTERN]   runs only tests whose name contains PATTERN
# SAN=1 runs against the ASan+UBSan build.
set -u
cd "$(dirname "$0")/.."
SAN=${SAN:-0}
BUILD=${BUILD:-build}
export BUILD SAN
if [ "$SAN" = 1 ]; then
    export DARKNET=./darknet-san TESTBIN=$BUILD/tests-san
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
    export DARKNET=./darknet TESTBIN=$BUILD/tests
fi
PATTERN=${1:-}
LOG=$BUILD/test-logs$([ "$SAN" = 1 ] && echo -san) # a SAN run beside a plain one keeps its own logs
mkdir -p "$LOG"

# the weights tools too: scripts call them, and one test run after a change
# to the plugin's API must not find a stale build/bin/fxq-*
if ! make --no-print-directory -f mk/build.mk unit-tests weights-tools >"$LOG/build.log" 2>&1; then
    cat "$LOG/build.log" >&2
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

passed=0; failed=0; skipped=0
run_one() { # name command...
    name=$1; shift
    start=$(date +%s)
    "$@" >"$LOG/$name.out" 2>"$LOG/$name.err"
    rc=$?
    p=$(grep -c '^ok ' "$LOG/$name.out")
    f=$(grep -c '^FAIL ' "$LOG/$name.out")
    s=$(grep -c '^skip ' "$LOG/$name.out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exited $rc without a FAIL line" >>"$LOG/$name.out"; f=1
        tail -n 5 "$LOG/$name.err" | sed 's/^/    /' >>"$LOG/$name.out"
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
        echo "FAIL $name: ran no check" >>"$LOG/$name.out"; f=1
    fi
    grep -E '^(FAIL|skip) ' "$LOG/$name.out"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    echo "  $name: $p passed, $f failed, $s skipped ($(( $(date +%s) - start ))s)"
}

for src in tests/unit/*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c)
    case "$name" in *"$PATTERN"*) ;; *) continue ;; esac
    run_one "$name" "$TESTBIN/$name"
done
for t in tests/test_*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    case "$name" in *"$PATTERN"*) ;; *) continue ;; esac
    run_one "$name.sh" sh "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
