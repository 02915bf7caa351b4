# Bias correction (fxq quantize --bias-correct W), fxq valid --fx-weights,
# and refine's agreement objective (--refine-objective agree).
. tests/lib.sh
. tests/lib_wout.sh
R=weights/fmnist-res.weights
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R "$TMP/c.list" -q -o "$TMP/r.stats" 2>/dev/null
q() { "$DARKNET" fxq quantize cfg/fmnist-res.cfg $R "$@"; }

q "$TMP/r.stats" -o "$TMP/plain.cfg" --wbits 8 --abits 8 >/dev/null 2>&1
OMP_NUM_THREADS=1 q "$TMP/r.stats" -o "$TMP/bc.cfg" --wbits 8 --abits 8 --bias-correct "$TMP/bc.weights" \
    --bias-list "$TMP/c.list" -b 7 >/dev/null 2>"$TMP/bc.err"
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
# the calibration list itself is the default image source; batch and threads do not matter
OMP_NUM_THREADS=2 q "$TMP/c.list" -o "$TMP/bc2.cfg" --wbits 8 --abits 8 --bias-correct "$TMP/bc2.weights" -b 32 -q \
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
# shellcheck disable=SC2086
bad_wout list_without_correct "--bias-list needs --bias-correct" $S --bias-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout stats_without_list "--bias-correct with a .stats file needs --bias-list" $S --bias-correct "$TMP/bad.weights"
# shellcheck disable=SC2086
bad_wout overwrite_weights "the output would overwrite an input" $S --bias-correct $R --bias-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout same_outputs "name the same file" $S --bias-correct "$TMP/bad.cfg" --bias-list "$TMP/c.list"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout bad_image "nonexistent.png" $S --bias-correct "$TMP/bad.weights" --bias-list "$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout objective_unknown "--refine-objective wants sqnr or agree: top5" $S --formats refine \
    --refine-list "$TMP/c.list" --refine-objective top5
# shellcheck disable=SC2086
bad_wout objective_without_refine "need --formats refine" $S --refine-objective agree

# --- refine with the agreement objective: deterministic, never fewer agreeing
# held-out images than mse (every move must add one, or tie and lower the error)
tail -n 48 data/fmnist/calib1k.list >"$TMP/held.list"
for t in 1 2; do
    OMP_NUM_THREADS=$t q "$TMP/r.stats" -o "$TMP/ra$t.cfg" --wbits 6 --abits 6 --formats refine \
        --refine-list "$TMP/held.list" --refine-objective agree -b $((t * 5)) >/dev/null 2>"$TMP/ra$t.err"
done
# (the header records the command line, which differs in -b)
expect_eq refine_agree.deterministic "$(grep -v '^#' "$TMP/ra1.cfg" | md5sum)" "$(grep -v '^#' "$TMP/ra2.cfg" | md5sum)"
ag=$(sed -n 's/.*start .* top-1 agreement \([0-9.]*\) %.*/\1/p; s/.*refine: .* top-1 agreement \([0-9.]*\) %.*/\1/p' \
     "$TMP/ra1.err" | tr '\n' ' ')
if [ -n "$ag" ] && awk -v a="${ag% * }" -v b="$(echo "$ag" | awk '{print $2}')" 'BEGIN{exit !(b >= a)}'; then
    ok refine_agree.not_fewer
else fail refine_agree.not_fewer "agreement start/end: '$ag'"; fi
