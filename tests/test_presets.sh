# fxq quantize's presets and passes: the help and the docs' tables come from
# one option table, --dry-run shows the pipeline, and the outputs a user
# cannot get wrong (out.weights beside -o, refused when it is an input; cfg,
# weights and CSV all or nothing; a fixed-point cfg refused in any line
# ending; the next command printed).
. tests/lib.sh
W=weights/fmnist.weights
head -n 32 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist.cfg $W "$TMP/c.list" -q -o "$TMP/c.stats" 2>/dev/null

# --- one option table: --help lists at most 20 options; the docs are generated from it
"$DARKNET" fxq quantize --help >"$TMP/help.txt"
nopt=$(sed -n '/^options/,/^more options/p' "$TMP/help.txt" | grep -c '^  -')
if [ "$nopt" -ge 10 ] && [ "$nopt" -le 20 ]; then ok presets.help_at_most_20_options; else fail presets.help_at_most_20_options "$nopt"; fi
for p in accurate fast paper; do check "presets.help_lists_$p" grep -q "^  $p " "$TMP/help.txt"; done
check presets.help_lists_passes grep -q "^  round-opt " "$TMP/help.txt"
if DARKNET="$DARKNET" ./scripts/docs-options.sh --check 2>"$TMP/docs.err"; then ok presets.docs_table_up_to_date
else fail presets.docs_table_up_to_date "$(cat "$TMP/docs.err")"; fi
# ... and the check can fail
sed 's/^| `--wbits B` |.*/| `--wbits B` | stale |/' docs/quantize.md >"$TMP/stale.md"
if DOC="$TMP/stale.md" DARKNET="$DARKNET" ./scripts/docs-options.sh --check 2>/dev/null; then
    fail presets.docs_check_can_fail "a stale table passed"; else ok presets.docs_check_can_fail; fi
"$DARKNET" fxq quantize --help-markdown | grep -c '^| `-' >"$TMP/nrows"
expect_eq presets.markdown_every_option "$(cat "$TMP/nrows")" "$("$DARKNET" fxq quantize --help-all | sed -n '/^options/,/^$/p' | grep -c '^  -')"

# --- --dry-run: the expanded pipeline, nothing written
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.list" --wbits 8 --abits 8 -o "$TMP/d.cfg" --dry-run >"$TMP/d.out" 2>&1
expect_eq presets.dry_run "$?:$(ls "$TMP" | grep -c '^d\.\(cfg\|weights\)')" "0:0"
check presets.dry_run_default_accurate grep -q "^passes (preset accurate):" "$TMP/d.out"
expect_eq presets.dry_run_order "$(sed -n '/^passes/,$s/^ *[0-9][0-9]* \([a-z-]*\) .*/\1/p' "$TMP/d.out" | tr '\n' ' ')" \
    "windows stats formats act-channels stats formats act-scales stats formats per-channel logit-window round-opt "
check presets.dry_run_reads_writes grep -q "act-scales    reads weights, statistics, formats; changes float network, out .weights" "$TMP/d.out"
# with a .stats file alone the default is fast; --passes runs in the table's order whatever the list's order
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 --abits 8 --dry-run >"$TMP/f.out" 2>&1
check presets.stats_default_fast grep -q "^passes (preset fast):" "$TMP/f.out"
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.list" --wbits 8 --dry-run --passes round-opt,windows,per-channel \
    >"$TMP/o.out" 2>&1
expect_eq presets.passes_sorted "$(sed -n '/^passes/,$s/^ *[0-9][0-9]* \([a-z-]*\) .*/\1/p' "$TMP/o.out" | tr '\n' ' ')" \
    "windows stats formats per-channel round-opt "

# --- paper: the same cfg as the paper pass named alone
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 --abits 8 -o "$TMP/p1.cfg" --preset paper >/dev/null 2>&1
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 --abits 8 -o "$TMP/p2.cfg" --passes paper >/dev/null 2>&1
expect_eq presets.paper_is_pass_paper "$(sed 2d "$TMP/p1.cfg" | md5sum)" "$(sed 2d "$TMP/p2.cfg" | md5sum)"
check presets.paper_header_has_no_passes sh -c "! grep -q '^# passes' '$TMP/p1.cfg'"

# --- outputs: fast writes no .weights, says what to run next
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 --abits 8 -o "$TMP/fast.cfg" >"$TMP/fast.out" 2>/dev/null
expect_eq presets.fast_no_weights "$(ls "$TMP" | grep -c '^fast\.weights')" 0
expect_eq presets.fast_next "$(tail -n 1 "$TMP/fast.out")" \
    "next: ./darknet fxq valid cfg/fmnist.data cfg/fmnist.cfg $W $TMP/fast.cfg"
# a pass that changes weights writes out.weights beside out.cfg; the next line names it and it runs
"$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.list" -n 16 --wbits 8 --abits 8 -o "$TMP/bc.cfg" --passes bias-correct \
    >"$TMP/bc.out" 2>/dev/null
check presets.weights_beside test -s "$TMP/bc.weights"
expect_eq presets.weights_next "$(tail -n 1 "$TMP/bc.out")" \
    "next: ./darknet fxq valid cfg/fmnist.data cfg/fmnist.cfg $W $TMP/bc.cfg --fx-weights $TMP/bc.weights"
nxt=$(tail -n 1 "$TMP/bc.out" | sed 's/^next: //; s#^\./darknet#'"$DARKNET"'#')
# shellcheck disable=SC2086
if $nxt -n 32 -q >"$TMP/next.txt" 2>&1; then ok presets.next_runs; else fail presets.next_runs "$(tail -n 1 "$TMP/next.txt")"; fi

# --- bad outputs: one line, nothing left behind, the inputs untouched
mkdir "$TMP/err"
bad() { # NAME WANT ARGS...
    name=$1 want=$2; shift 2
    before=$(ls "$TMP" | md5sum)
    "$DARKNET" fxq quantize "$@" >/dev/null 2>"$TMP/err/bad.err"; rc=$?
    n=$(grep -vc '^ \|^Loading\|^layer  *filters\|^fxq quantize: \|^fxq stats:\|^Saving weights' "$TMP/err/bad.err")
    if [ $rc -ne 0 ] && [ "$n" -eq 1 ] && grep -q -- "$want" "$TMP/err/bad.err" && [ "$(ls "$TMP" | md5sum)" = "$before" ]
    then ok "presets.bad.$name"; else fail "presets.bad.$name" "rc=$rc lines=$n $(tail -n 1 "$TMP/err/bad.err")"; fi
}
cp $W "$TMP/in.weights"
bad weights_beside_is_input "the .weights beside -o would overwrite an input" cfg/fmnist.cfg "$TMP/in.weights" "$TMP/c.list" \
    -n 8 --wbits 8 -o "$TMP/in.cfg" --passes bias-correct
expect_eq presets.bad.input_weights_kept "$(md5sum <"$TMP/in.weights")" "$(md5sum <$W)"
bad csv_is_input "would overwrite an input" cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 -o "$TMP/x.cfg" --csv "$TMP/c.stats"
bad images_is_output "would overwrite an input" cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 -o "$TMP/c.list" --images "$TMP/c.list" \
    --passes bias-correct
bad csv_unwritable "not writable" cfg/fmnist.cfg $W "$TMP/c.stats" --wbits 8 -o "$TMP/y.cfg" --csv "$TMP/nodir/y.csv"
# the CSV fails after the work (a full device): neither the cfg nor its weights stay (all or nothing)
if [ -w /dev/full ]; then
    bad csv_fails_late "/dev/full" cfg/fmnist.cfg $W "$TMP/c.list" -n 8 --wbits 8 -o "$TMP/z.cfg" --passes bias-correct \
        --csv /dev/full
else fail presets.bad.csv_fails_late "no /dev/full"
fi
# a fixed-point cfg as input is refused with LF and with CRLF line ends
sed 's/$/\r/' "$TMP/fast.cfg" >"$TMP/crlf.cfg"
bad fixed_cfg_lf "fxconvolutional" "$TMP/fast.cfg" $W "$TMP/c.stats" --wbits 8 -o "$TMP/w.cfg"
bad fixed_cfg_crlf "fxconvolutional" "$TMP/crlf.cfg" $W "$TMP/c.stats" --wbits 8 -o "$TMP/w.cfg"
