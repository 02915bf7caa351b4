# weights_tools/ (fxq-pack, fxq-unpack, fxq-inspect) and .fxw
# loading through Darknet's own commands, on the reference model.
. tests/lib.sh
. tests/lib_fxcfg.sh

if [ "${SAN:-0}" = 1 ]; then BIN=${BUILD:-build}/bin-san; else BIN=${BUILD:-build}/bin; fi
make --no-print-directory -f mk/build.mk weights-tools >"$TMP/build.log" 2>&1 ||
    { fail fxw.tools_build "$(tail -n 3 "$TMP/build.log")"; exit 1; }
for t in pack unpack inspect; do check "fxw.tool_built.$t" test -x "$BIN/fxq-$t"; done

W=weights/fmnist.weights
fx_cfg "$TMP/fx8.cfg" 8 6 8 4 8 3
fx_cfg "$TMP/fx16.cfg" 16 12 16 9 16 9
head -n 50 data/fmnist/test1k.list >"$TMP/t50.list"
sed "s#^valid=.*#valid=$TMP/t50.list#" cfg/fmnist.data >"$TMP/t50.data"

# --- pack: size = sum(params * bits)/8 + small overhead -------------------
"$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/m8.fxw" >"$TMP/pack.out" 2>"$TMP/pack.err"
expect_eq fxw.pack_exit $? 0
size=$(wc -c <"$TMP/m8.fxw")
line=$(head -n 1 "$TMP/pack.out")
reported=$(echo "$line" | sed -n 's/.*: \([0-9]*\) bytes = .*/\1/p')
ideal=$(echo "$line" | sed -n 's/.*params \* bits)\/8 \([0-9]*\) bytes.*/\1/p')
expect_eq fxw.pack_reports_file_size "$reported" "$size"
# 7 layers: weights at 8 bits, biases at 32: (212992 * 8 + 330 * 32) / 8 bytes
expect_eq fxw.pack_payload_is_params_times_bits "$ideal" 214312
over=$((size - ideal))
if [ "$over" -gt 0 ] && [ "$over" -le 300 ]; then ok fxw.pack_overhead_small; else fail fxw.pack_overhead_small "$over bytes"; fi

# --- round trip: pack -> unpack -> pack gives the same bytes ---------------
"$BIN/fxq-unpack" "$TMP/m8.fxw" -o "$TMP/m8.weights" 2>"$TMP/unpack.err"
expect_eq fxw.unpack_exit $? 0
expect_eq fxw.unpack_is_float_size "$(wc -c <"$TMP/m8.weights")" "$(wc -c <"$W")"
"$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/m8.weights" -o "$TMP/m8b.fxw" -q 2>/dev/null
check fxw.pack_unpack_pack_same_bytes cmp "$TMP/m8.fxw" "$TMP/m8b.fxw"

# --- inspect ----------------------------------------------------------------
"$BIN/fxq-inspect" "$TMP/m8.fxw" >"$TMP/inspect.out" 2>&1
expect_eq fxw.inspect_exit $? 0
expect_eq fxw.inspect_layers "$(grep -c ' fixed ' "$TMP/inspect.out")" 7
expect_eq fxw.inspect_histograms "$(grep -c 'w codes, ' "$TMP/inspect.out")" 7
if grep -q "^0 .*convolutional .*fixed .*64x27 .*8\.6 " "$TMP/inspect.out"; then ok fxw.inspect_formats;
else fail fxw.inspect_formats "$(sed -n 4p "$TMP/inspect.out")"; fi
"$BIN/fxq-inspect" "$W" >"$TMP/inspect2.out" 2>&1
if grep -q "Darknet .weights, version 0.2" "$TMP/inspect2.out"; then ok fxw.inspect_upstream_file;
else fail fxw.inspect_upstream_file "$(cat "$TMP/inspect2.out")"; fi

# --- Darknet commands load .fxw: same output as the float file ------------
"$DARKNET" classifier valid "$TMP/t50.data" "$TMP/fx8.cfg" "$TMP/m8.fxw" >"$TMP/v_fxw" 2>/dev/null
"$DARKNET" classifier valid "$TMP/t50.data" "$TMP/fx8.cfg" "$W" >"$TMP/v_float" 2>/dev/null
if [ -s "$TMP/v_fxw" ] && cmp -s "$TMP/v_fxw" "$TMP/v_float"; then ok fxw.classifier_valid_fxw_equals_float_file;
else fail fxw.classifier_valid_fxw_equals_float_file "outputs differ: $(tail -n 1 "$TMP/v_fxw") vs $(tail -n 1 "$TMP/v_float")"; fi
# unpacked file in the fixed-point cfg: the same codes, so the same output
"$DARKNET" classifier valid "$TMP/t50.data" "$TMP/fx8.cfg" "$TMP/m8.weights" >"$TMP/v_unp" 2>/dev/null
check fxw.unpacked_file_same_output cmp "$TMP/v_unp" "$TMP/v_float"
# the float cfg takes the .fxw too (dequantized values, as from the unpacked file)
"$DARKNET" classifier valid "$TMP/t50.data" cfg/fmnist.cfg "$TMP/m8.fxw" >"$TMP/v_fl_fxw" 2>/dev/null
"$DARKNET" classifier valid "$TMP/t50.data" cfg/fmnist.cfg "$TMP/m8.weights" >"$TMP/v_fl_unp" 2>/dev/null
if [ -s "$TMP/v_fl_fxw" ] && cmp -s "$TMP/v_fl_fxw" "$TMP/v_fl_unp"; then ok fxw.float_cfg_loads_fxw;
else fail fxw.float_cfg_loads_fxw "differs from the unpacked file"; fi

# --- bad files: one line naming the file, non-zero exit, no output file ----
# expect_reject NAME PATTERN COMMAND...
expect_reject() {
    name=$1 pat=$2; shift 2
    "$@" >"$TMP/rej.out" 2>"$TMP/rej.err"; rc=$?
    msg=$(grep -v -e '^layer ' -e '^ *[0-9]* \(conv\|connected\|softmax\)' -e 'fixed point:' -e '^Loading weights' \
        -e '^ *$' -e 'Learning Rate' "$TMP/rej.err" | tail -n 1)
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && echo "$msg" | grep -q -- "$pat"; then ok "$name";
    else fail "$name" "exit $rc, message '$msg'"; fi
}
cp "$TMP/m8.fxw" "$TMP/corrupt.fxw"
printf '\377' | dd of="$TMP/corrupt.fxw" bs=1 seek=5000 conv=notrunc 2>/dev/null
head -c 100000 "$TMP/m8.fxw" >"$TMP/cut.fxw"
printf 'FXQW' >"$TMP/tiny.fxw"
expect_reject fxw.reject_corrupt_darknet "corrupt.fxw: checksum mismatch" \
    "$DARKNET" classifier predict "$TMP/t50.data" "$TMP/fx8.cfg" "$TMP/corrupt.fxw" data/fmnist/test/00000_boot.png
expect_reject fxw.reject_truncated_darknet "cut.fxw: truncated" \
    "$DARKNET" classifier predict "$TMP/t50.data" "$TMP/fx8.cfg" "$TMP/cut.fxw" data/fmnist/test/00000_boot.png
expect_reject fxw.reject_tiny "tiny.fxw: truncated" "$BIN/fxq-inspect" "$TMP/tiny.fxw"
expect_reject fxw.reject_mismatched_formats "m8.fxw: layer 0 \[fxconvolutional\]: packed with w 8.6" \
    "$DARKNET" classifier predict "$TMP/t50.data" "$TMP/fx16.cfg" "$TMP/m8.fxw" data/fmnist/test/00000_boot.png
# a cfg with one layer fewer (the softmax dropped)
sed '/^\[softmax\]/,$d' "$TMP/fx8.cfg" >"$TMP/short.cfg"
expect_reject fxw.reject_other_cfg "packed for a cfg with 8 layers, this cfg has 7" \
    "$DARKNET" classifier predict "$TMP/t50.data" "$TMP/short.cfg" "$TMP/m8.fxw" data/fmnist/test/00000_boot.png
expect_reject fxw.unpack_rejects_corrupt "corrupt.fxw: checksum mismatch" \
    "$BIN/fxq-unpack" "$TMP/corrupt.fxw" -o "$TMP/never.weights"
check fxw.no_half_written_output test ! -e "$TMP/never.weights"
expect_reject fxw.unpack_rejects_float_file "not a .fxw file" "$BIN/fxq-unpack" "$W" -o "$TMP/never.weights"
head -c 300000 "$W" >"$TMP/short.weights"
expect_reject fxw.pack_rejects_short_weights "short.weights: 300000 bytes, the cfg needs" \
    "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/short.weights" -o "$TMP/never.fxw"
expect_reject fxw.pack_missing_cfg "no-such.cfg: No such file" \
    "$BIN/fxq-pack" "$TMP/no-such.cfg" "$W" -o "$TMP/never.fxw"
check fxw.pack_no_output_on_failure test ! -e "$TMP/never.fxw"
