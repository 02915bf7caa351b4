# Post-training weight rounding (fxq quantize's round-opt pass) on the reference
# models through the patched ./darknet: the written weights land on the chosen
# codes, the formats do not change, agreement does not drop, bad input fails
# cleanly. The solver itself: tests/unit/test_roundopt.c.
. tests/lib.sh
. tests/lib_wout.sh
R=weights/fmnist-res.weights
head -n 48 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R "$TMP/c.list" -q -o "$TMP/r.stats" 2>/dev/null
q() { "$DARKNET" fxq quantize cfg/fmnist-res.cfg $R "$@"; }

q "$TMP/r.stats" -o "$TMP/plain.cfg" --wbits 8 --abits 8 --passes per-channel >/dev/null 2>&1
OMP_NUM_THREADS=1 q "$TMP/r.stats" -o "$TMP/ro.cfg" --wbits 8 --abits 8 --passes per-channel,round-opt \
    --images "$TMP/c.list" -b 7 >/dev/null 2>"$TMP/ro.err"
expect_eq ro.exit $? 0
check ro.weights_written test -s "$TMP/ro.weights"
expect_eq ro.cfg_formats_unchanged "$(grep -v '^#' "$TMP/ro.cfg" | md5sum)" "$(grep -v '^#' "$TMP/plain.cfg" | md5sum)"
expect_eq ro.weights_same_size "$(wc -c <"$TMP/ro.weights")" "$(wc -c <$R)"
check ro.progress_per_layer grep -q "layer   9 ([0-9]*/[0-9]*): K 64, .* codes moved; [0-9]* s, about [0-9]* s left" "$TMP/ro.err"
# every layer's output error on the calibration images is no worse than round-to-nearest
awk '/codes moved/ { sub(/ dB.*-> /, " "); split($0, f, "SNR "); split(f[2], v, " ");
     if (v[2] + 1e-9 < v[1]) bad = bad " " $2 } END { if (bad) { print bad; exit 1 } }' "$TMP/ro.err" >"$TMP/worse"
expect_eq ro.layer_error_not_worse "$(cat "$TMP/worse")" ""
# deterministic for any batch size and thread count
OMP_NUM_THREADS=2 q "$TMP/r.stats" -o "$TMP/ro2.cfg" --wbits 8 --abits 8 --passes per-channel,round-opt \
    --images "$TMP/c.list" -b 32 -q >/dev/null 2>&1
check ro.deterministic cmp "$TMP/ro.weights" "$TMP/ro2.weights"

# The weights land on the codes: the same cfg with 16-bit weights 8 fractional
# bits finer (every w_frac + 8) must compute exactly what the 8-bit cfg does,
# which holds only when each folded weight is a multiple of its 8-bit step.
fine() { # fine IN OUT: w_bits=16, every w_frac + 8
    awk -F= '/^w_bits=/ { print "w_bits=16"; next }
             /^w_frac=/ { n = split($2, f, ","); s = ""; for (i = 1; i <= n; ++i) s = s (i > 1 ? "," : "") f[i] + 8;
                          print "w_frac=" s; next } { print }' "$1" >"$2"
}
fine "$TMP/ro.cfg" "$TMP/ro16.cfg"
V() { # V REF_CFG FX_CFG WEIGHTS: agreement and |dlogit| of FX against REF, both with WEIGHTS
    "$DARKNET" fxq valid cfg/fmnist.data "$1" "$3" "$2" -n 64 -q --csv 2>/dev/null |
        awk -F, 'NR==3{print ($6 == 1 && $7 == 0) ? "identical" : "agreement " $6 ", |dlogit| " $7}'
}
expect_eq ro.weights_on_codes "$(V "$TMP/ro.cfg" "$TMP/ro16.cfg" "$TMP/ro.weights")" identical
# (and the check can fail: the original weights are not on the 8-bit grid)
if [ "$(V "$TMP/ro.cfg" "$TMP/ro16.cfg" $R)" != identical ]; then ok ro.grid_check_can_fail
else fail ro.grid_check_can_fail "the original weights look like codes too"; fi

# fmnist: per-tensor formats, a connected layer, batch norm folded
F=weights/fmnist.weights
"$DARKNET" fxq quantize cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/f.cfg" --wbits 8 --abits 8 \
    --passes round-opt >/dev/null 2>"$TMP/f.err"
expect_eq ro.fmnist_exit $? 0
check ro.fmnist_connected_layer grep -q "layer   6 ([0-9]*/[0-9]*): K 32, 48 positions" "$TMP/f.err"
fine "$TMP/f.cfg" "$TMP/f16.cfg"
expect_eq ro.fmnist_weights_on_codes "$(V "$TMP/f.cfg" "$TMP/f16.cfg" "$TMP/f.weights")" identical

# Agreement with the float network on 300 test images (not the calibration
# images) is not worse than without the optimizer
A() { "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg $R "$@" -n 300 -q --csv 2>/dev/null |
      awk -F, 'NR==3{print $6}'; }
a0=$(A "$TMP/plain.cfg"); a1=$(A "$TMP/ro.cfg" --fx-weights "$TMP/ro.weights")
echo "# agreement with float on 300 test images: $a0 without, $a1 with round-opt"
expect_ge ro.agreement_not_worse "$a1" "$a0"

# --- bad input: one line, non-zero exit, neither cfg nor weights written ------
S="cfg/fmnist-res.cfg $R $TMP/r.stats -o $TMP/bad.cfg --wbits 8 -q"
# shellcheck disable=SC2086
bad_wout unwritable "$TMP/nodir/x.cfg" cfg/fmnist-res.cfg $R $TMP/r.stats -o "$TMP/nodir/x.cfg" --wbits 8 -q \
    --passes round-opt --images "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout same_outputs "name the same file" $S --passes round-opt --images "$TMP/c.list" --csv "$TMP/bad.weights"
# shellcheck disable=SC2086
bad_wout missing_list "$TMP/none.list" $S --passes round-opt --images "$TMP/none.list"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout bad_image "nonexistent.png" $S --passes round-opt --images "$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout stats_without_list "pass round-opt runs the network on images: with a .stats file give --images FILE" $S --passes round-opt
