# The bias-correct pass (fxq quantize --passes bias-correct writes out.weights
# beside out.cfg) and fxq valid --fx-weights.
. tests/lib.sh
. tests/lib_wout.sh
R=weights/fmnist-res.weights
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R "$TMP/c.list" -q -o "$TMP/r.stats" 2>/dev/null
q() { "$DARKNET" fxq quantize cfg/fmnist-res.cfg $R "$@"; }

q "$TMP/r.stats" -o "$TMP/plain.cfg" --wbits 8 --abits 8 --preset fast >/dev/null 2>&1
OMP_NUM_THREADS=1 q "$TMP/r.stats" -o "$TMP/bc.cfg" --wbits 8 --abits 8 --passes bias-correct \
    --images "$TMP/c.list" -b 7 >/dev/null 2>"$TMP/bc.err"
expect_eq bc.exit $? 0
check bc.weights_written test -s "$TMP/bc.weights"
# the formats are not touched: the cfgs differ in the recorded command line only
expect_eq bc.cfg_formats_unchanged "$(grep -v '^#' "$TMP/bc.cfg" | md5sum)" "$(grep -v '^#' "$TMP/plain.cfg" | md5sum)"
expect_eq bc.weights_same_size "$(wc -c <"$TMP/bc.weights")" "$(wc -c <$R)"
# only biases move: fmnist-res has 306 biases (4 bytes each), 67 k weights
nb=$(cmp -l $R "$TMP/bc.weights" | wc -l)
if [ "$nb" -gt 0 ] && [ "$nb" -le 1224 ]; then ok bc.only_biases_changed
else fail bc.only_biases_changed "$nb bytes differ"; fi
check bc.progress_per_layer grep -q "layer   9: mean |bias shift|" "$TMP/bc.err"
# the cfg's header names the weights it goes with: W, not the original
check bc.header_names_weights grep -q "^# from: cfg/fmnist-res.cfg -- load it with $TMP/bc.weights, written with it" "$TMP/bc.cfg"
check bc.plain_header_original grep -q "^# from: cfg/fmnist-res.cfg -- load it with that cfg's original .weights" "$TMP/plain.cfg"
# the calibration list itself is the default image source (and the default preset
# would be accurate: bias-correct named alone); batch and threads do not matter
OMP_NUM_THREADS=2 q "$TMP/c.list" -o "$TMP/bc2.cfg" --wbits 8 --abits 8 --passes bias-correct -b 32 -q \
    >/dev/null 2>&1
check bc.deterministic cmp "$TMP/bc.weights" "$TMP/bc2.weights"

# fxq valid --fx-weights: the reference keeps <weights>, the fixed-point cfgs load the file
# (the last column, images/s, is a timing)
V() { "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg $R "$TMP/bc.cfg" -n 96 -q --csv "$@" 2>/dev/null |
      sed 's/,[^,]*$//'; }
V >"$TMP/v0.csv"; V --fx-weights $R >"$TMP/v1.csv"; V --fx-weights "$TMP/bc.weights" >"$TMP/v2.csv"
check fxweights.same_file_same_result cmp "$TMP/v0.csv" "$TMP/v1.csv"
expect_same fxweights.reference_unchanged "$(sed -n 2p "$TMP/v2.csv")" "$(sed -n 2p "$TMP/v0.csv")"
expect_eq fxweights.fx_row_names_file "$(awk -F, 'NR==3{print $2}' "$TMP/v2.csv")" "$TMP/bc.weights"
if [ "$(awk -F, 'NR==3{print $7}' "$TMP/v2.csv")" != "$(awk -F, 'NR==3{print $7}' "$TMP/v0.csv")" ]; then
    ok fxweights.fx_uses_the_file
else fail fxweights.fx_uses_the_file "same |dlogit| with the corrected weights"; fi
expect_ge bc.agreement "$(awk -F, 'NR==3{print $6}' "$TMP/v2.csv")" 0.95

# --- bad input: one line, non-zero exit, neither cfg nor weights written ------
S="cfg/fmnist-res.cfg $R $TMP/r.stats -o $TMP/bad.cfg --wbits 8 -q"
R0=$(md5sum <$R)
# shellcheck disable=SC2086
bad_wout stats_without_list "pass bias-correct runs the network on images: with a .stats file give --images FILE" $S --passes bias-correct
bad_wout overwrite_weights "the .weights beside -o would overwrite an input" cfg/fmnist-res.cfg $R "$TMP/r.stats" \
    -o "${R%.weights}.cfg" --wbits 8 -q --passes bias-correct --images "$TMP/c.list"
expect_eq bad.overwrite_weights_kept "$(md5sum <$R)" "$R0"
# shellcheck disable=SC2086
bad_wout same_outputs "name the same file" $S --passes bias-correct --images "$TMP/c.list" --csv "$TMP/bad.weights"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout bad_image "nonexistent.png" $S --passes bias-correct --images "$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout with_round_opt "passes round-opt and bias-correct do not go together" $S --passes round-opt,bias-correct \
    --images "$TMP/c.list"
