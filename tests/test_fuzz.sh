# libFuzzer harnesses for the four parsers of untrusted files: the
# cfg validator, the [fx...] section keys (validator + fxq_cfgtext), the stats
# reader and the .fxw reader. Each runs FXQ_FUZZ_SECONDS (default 20) from the
# committed seed corpus in tests/fuzz/corpus/<name>/ (new inputs go to a
# scratch copy); any crash, leak, sanitizer report or timeout fails. Needs
# clang with libclang-rt (scripts/install-deps.sh installs them; without clang
# the fuzzers are skipped, and counted as skipped).
. tests/lib.sh
BUILD=${BUILD:-build}
SECS=${FXQ_FUZZ_SECONDS:-20}
if ! command -v "${FUZZCC:-clang}" >/dev/null 2>&1; then
    skip fuzz "clang not installed (scripts/install-deps.sh installs clang libclang-rt-dev)"
    exit 0
fi
if ! make --no-print-directory -f mk/fuzz.mk fuzzers BUILD="$BUILD" >"$TMP/build.log" 2>&1; then
    fail fuzz.build "$(tail -n 3 "$TMP/build.log" | tr '\n' '|')"
    exit 0
fi
ok fuzz.build
for f in cfg fxsection fxw stats; do
    mkdir -p "$TMP/corpus_$f"
    cp tests/fuzz/corpus/$f/* "$TMP/corpus_$f/" 2>/dev/null
    # one job, 2 s per input at most, 2 GB RSS; ASan/UBSan abort on the first report
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$BUILD/fuzz/fuzz_$f" -max_total_time="$SECS" -timeout=2 -rss_limit_mb=2048 -max_len=8192 \
        -artifact_prefix="$TMP/" -print_final_stats=1 "$TMP/corpus_$f" >"$TMP/$f.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$f.log")
    if [ $rc = 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then ok "fuzz.$f ($runs runs in ${SECS}s)"
    else
        fail "fuzz.$f" "exit $rc: $(grep -m1 -E 'ERROR|SUMMARY|runtime error|Timeout|crash' "$TMP/$f.log") (artifact: $(ls "$TMP" | grep -E '^(crash|leak|timeout|oom)-' | head -n 1))"
        mkdir -p "$BUILD/fuzz/artifacts" && cp "$TMP"/crash-* "$TMP"/leak-* "$TMP"/timeout-* "$TMP"/oom-* "$BUILD/fuzz/artifacts/" 2>/dev/null
    fi
done
