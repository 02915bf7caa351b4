# Activation scales (fxq quantize --act-scales W): the groups a
# [shortcut] ties, the float network with W computes the original logits,
# the fixed-point cfg runs with W under classifier valid and fxq valid,
# determinism, combinations, bad input.
. tests/lib.sh
. tests/lib_wout.sh
R=weights/fmnist-res.weights
F=weights/fmnist.weights
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"
sed "s#^valid=.*#valid=$TMP/c.list#" cfg/fmnist.data >"$TMP/t.data"
export TMPDIR="$TMP" # quantize's temporary directory must not survive
q() { "$DARKNET" fxq quantize cfg/fmnist-res.cfg $R "$@"; }

OMP_NUM_THREADS=1 q "$TMP/c.list" -o "$TMP/a.cfg" --wbits 8 --abits 8 --per-channel --windows \
    --act-scales "$TMP/a.weights" -b 7 >/dev/null 2>"$TMP/a.err"
expect_eq as.exit $? 0
expect_eq as.weights_same_size "$(wc -c <"$TMP/a.weights" 2>/dev/null)" "$(wc -c <$R)"
expect_eq as.no_temp_left "$(ls "$TMP" | grep -c '^fxq-act')" 0
# fmnist-res: layer 4 = [shortcut] from=-3 ties layers 1 and 3 and the input
# of layer 5; layer 8 ties 5, 7 and layer 9's input. The image (layer 0's
# input) and layer 9's output (the logits, read by [avgpool] -> [softmax]) keep c = 1.
check as.group_shortcut_1 grep -q "act group { 1 out 2 in 3 out 5 in }" "$TMP/a.err"
check as.group_shortcut_2 grep -q "act group { 5 out 6 in 7 out 9 in }" "$TMP/a.err"
check as.group_plain grep -q "act group { 0 out 1 in }" "$TMP/a.err"
expect_eq as.image_and_logits_pinned "$(grep -c 'act group.*\( 0 in\| 9 out\)' "$TMP/a.err")" 0
expect_eq as.groups_counted "$(grep -c 'act group' "$TMP/a.err")" 5
check as.header_names_weights grep -q "^# from: cfg/fmnist-res.cfg -- load it with $TMP/a.weights" "$TMP/a.cfg"

# the float network with W: the same logits within float rounding (every scale
# is folded back); with the original weights the fixed-point cfg is wrong
V() { "$DARKNET" fxq valid cfg/fmnist.data "$@" -n 96 -q --csv 2>/dev/null | sed 's/,[^,]*$//'; }
V cfg/fmnist-res.cfg $R cfg/fmnist-res.cfg --fx-weights "$TMP/a.weights" >"$TMP/f.csv"
expect_eq as.float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/f.csv")" 1.0000
expect_le as.float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/f.csv")" 1e-4
V cfg/fmnist-res.cfg $R "$TMP/a.cfg" --fx-weights "$TMP/a.weights" >"$TMP/x.csv"
V cfg/fmnist-res.cfg $R "$TMP/a.cfg" >"$TMP/x0.csv"
expect_ge as.fixed_agrees "$(awk -F, 'NR==3{print $6}' "$TMP/x.csv")" 0.95
expect_ge as.needs_its_weights "$(awk -F, 'NR==3{print $7}' "$TMP/x0.csv")" "$(awk -F, 'NR==3{print $7 * 2}' "$TMP/x.csv")"
# classifier valid runs the cfg with W: its top-1 is fxq valid's on the same images
"$DARKNET" classifier valid "$TMP/t.data" "$TMP/a.cfg" "$TMP/a.weights" >"$TMP/cv.out" 2>/dev/null
"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist-res.cfg $R "$TMP/a.cfg" --fx-weights "$TMP/a.weights" -q --csv \
    2>/dev/null >"$TMP/fv.csv"
expect_eq as.classifier_valid_top1 "$(tail -n 1 "$TMP/cv.out" | sed 's/.*top 1: \([0-9.]*\),.*/\1/' | cut -c1-6)" \
    "$(awk -F, 'NR==3{printf "%.4f", $4}' "$TMP/fv.csv")"

# deterministic for any thread count and batch
OMP_NUM_THREADS=2 q "$TMP/c.list" -o "$TMP/b.cfg" --wbits 8 --abits 8 --per-channel --windows \
    --act-scales "$TMP/b.weights" -b 32 -q >/dev/null 2>&1
check as.deterministic_weights cmp "$TMP/a.weights" "$TMP/b.weights"
expect_eq as.deterministic_cfg "$(grep -v '^#' "$TMP/a.cfg" | md5sum)" "$(grep -v '^#' "$TMP/b.cfg" | md5sum)"

# with --bias-correct into the same W: the formats of --act-scales alone, only biases move
q "$TMP/c.list" -o "$TMP/c.cfg" --wbits 8 --abits 8 --per-channel --windows --act-scales "$TMP/c.weights" \
    --bias-correct "$TMP/c.weights" -q >/dev/null 2>&1
expect_eq as.bc_exit $? 0
expect_eq as.bc_formats "$(grep -v '^#' "$TMP/c.cfg" | md5sum)" "$(grep -v '^#' "$TMP/a.cfg" | md5sum)"
nb=$(cmp -l "$TMP/a.weights" "$TMP/c.weights" | wc -l)
if [ "$nb" -gt 0 ] && [ "$nb" -le 1224 ]; then ok as.bc_only_biases
else fail as.bc_only_biases "$nb bytes differ"; fi

# fmnist: relu, a [connected] consumer (its columns fold the last conv's c)
"$DARKNET" fxq quantize cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/m.cfg" --wbits 8 --abits 8 --per-channel \
    --act-scales "$TMP/m.weights" >/dev/null 2>"$TMP/m.err"
expect_eq as.fmnist_exit $? 0
check as.fmnist_connected_folds grep -q "act group { 5 out 6 in }" "$TMP/m.err"
V cfg/fmnist.cfg $F cfg/fmnist.cfg --fx-weights "$TMP/m.weights" >"$TMP/mf.csv"
expect_eq as.fmnist_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/mf.csv")" 1.0000
expect_le as.fmnist_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/mf.csv")" 1e-4

# [maxpool] and [upsample] pass c, a [route] of two groups gives its consumer
# one c per channel block (no input point: its histogram mixes them), a
# [shortcut] after [upsample] ties both; random weights (Darknet's partial)
cat >"$TMP/s.cfg" <<'CFG'
[net]
batch=1
height=28
width=28
channels=3

[convolutional]
filters=8
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[convolutional]
filters=8
size=3
stride=1
pad=1
activation=leaky

[convolutional]
filters=6
size=1
stride=1
pad=1
activation=relu

[route]
layers=-1,-2

[convolutional]
filters=12
size=3
stride=1
pad=1
activation=leaky

[upsample]
stride=2

[convolutional]
filters=12
size=1
stride=1
pad=1
activation=linear

[shortcut]
from=-2
activation=leaky

[avgpool]

[connected]
output=10
activation=linear

[softmax]
CFG
"$DARKNET" partial "$TMP/s.cfg" "" "$TMP/s.weights" 100000 >/dev/null 2>&1
"$DARKNET" fxq quantize "$TMP/s.cfg" "$TMP/s.weights" "$TMP/c.list" -n 32 -o "$TMP/s8.cfg" --wbits 8 --abits 8 \
    --windows --act-scales "$TMP/s8.weights" >/dev/null 2>"$TMP/s.err"
expect_eq as.synthetic_exit $? 0
check as.group_maxpool grep -q "act group { 0 out 2 in }" "$TMP/s.err"
check as.group_route_block grep -q "act group { 3 out }" "$TMP/s.err"
check as.group_upsample_shortcut grep -q "act group { 5 out 7 out 7 in 10 in }" "$TMP/s.err"
V "$TMP/s.cfg" "$TMP/s.weights" "$TMP/s.cfg" --fx-weights "$TMP/s8.weights" >"$TMP/sf.csv"
expect_eq as.synthetic_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/sf.csv")" 1.0000
expect_le as.synthetic_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/sf.csv")" 1e-4
# --act-objective all (the weights' rounding counted too): the same network, per-channel rows
"$DARKNET" fxq quantize "$TMP/s.cfg" "$TMP/s.weights" "$TMP/c.list" -n 32 -o "$TMP/s9.cfg" --wbits 8 --abits 8 \
    --windows --per-channel --act-scales "$TMP/s9.weights" --act-objective all >/dev/null 2>"$TMP/s9.err"
expect_eq as.objective_all_exit $? 0
check as.objective_all_named grep -q "activations and weights): summed NSR" "$TMP/s9.err"
V "$TMP/s.cfg" "$TMP/s.weights" "$TMP/s.cfg" --fx-weights "$TMP/s9.weights" >"$TMP/s9.csv"
expect_le as.objective_all_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/s9.csv")" 1e-4

# --act-channels F: each channel of a group gets a factor of its own first
# (tests/unit/test_actchan.c checks every factor on fmnist-res); the float
# network with W still computes the original logits through [maxpool], a
# [route] of two groups, [upsample] + [shortcut], and fmnist's [connected] columns
"$DARKNET" fxq quantize "$TMP/s.cfg" "$TMP/s.weights" "$TMP/c.list" -n 32 -o "$TMP/s10.cfg" --wbits 8 --abits 8 \
    --windows --per-channel --act-scales "$TMP/s10.weights" --act-channels 0.5 >/dev/null 2>"$TMP/s10.err"
expect_eq ch.synthetic_exit $? 0
expect_eq ch.synthetic_groups "$(grep -c 'act channels of layer' "$TMP/s10.err")" 4
check ch.synthetic_scaled grep -q "activation channels: [1-9][0-9]* groups scaled per channel (floor 0.5)" "$TMP/s10.err"
V "$TMP/s.cfg" "$TMP/s.weights" "$TMP/s.cfg" --fx-weights "$TMP/s10.weights" >"$TMP/s10.csv"
expect_eq ch.synthetic_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/s10.csv")" 1.0000
expect_le ch.synthetic_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/s10.csv")" 1e-4
"$DARKNET" fxq quantize cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/m2.cfg" --wbits 8 --abits 8 --per-channel \
    --act-scales "$TMP/m2.weights" --act-channels 0.5 >/dev/null 2>"$TMP/m2.err"
expect_eq ch.fmnist_exit $? 0
expect_eq ch.fmnist_groups "$(grep -c 'act channels of layer' "$TMP/m2.err")" 6
V cfg/fmnist.cfg $F cfg/fmnist.cfg --fx-weights "$TMP/m2.weights" >"$TMP/m2.csv"
expect_eq ch.fmnist_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/m2.csv")" 1.0000
expect_le ch.fmnist_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/m2.csv")" 1e-4

# --- --accurate W: exactly --per-channel --windows --act-scales W --act-channels 0.5 --round-opt W
# --head-bits 16 --logit-window (the head only where the options leave room for it; the logit
# window only where the head stays <= 10 bits) ---
head -n 16 "$TMP/c.list" >"$TMP/c16.list" # what is compared is the options, not the quality: few images
A8="cfg/fmnist-res.cfg $R $TMP/c16.list --wbits 8 --abits 8 -q"
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/acc.cfg" --accurate "$TMP/acc.weights" >/dev/null 2>&1
expect_eq acc.exit $? 0
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/four.cfg" --per-channel --windows --act-scales "$TMP/four.weights" \
    --act-channels 0.5 --round-opt "$TMP/four.weights" --head-bits 16 --logit-window >/dev/null 2>&1
check acc.same_weights_as_six_options cmp -s "$TMP/acc.weights" "$TMP/four.weights"
grep -v '^#' "$TMP/acc.cfg" >"$TMP/acc.body"
grep -v '^#' "$TMP/four.cfg" >"$TMP/four.body"
check acc.same_cfg_as_six_options cmp -s "$TMP/acc.body" "$TMP/four.body"
check acc.cfg_has_windows grep -q "^in_zero=" "$TMP/acc.cfg"
check acc.cfg_has_row_fracs grep -q "^w_frac=[0-9-]*,[0-9-]*," "$TMP/acc.cfg"
check acc.cfg_has_16_bit_head grep -q "^out_bits=16" "$TMP/acc.cfg"
# --head-bits after it wins; --max-bits 12 leaves no room for a 16-bit head, --alloc-acts none for any
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/acc8.cfg" --accurate "$TMP/acc8.weights" --head-bits 8 >/dev/null 2>&1
expect_eq acc.head_bits_override "$(grep -c '^out_bits=16' "$TMP/acc8.cfg")" 0
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/eight.cfg" --per-channel --windows --act-scales "$TMP/eight.weights" \
    --act-channels 0.5 --round-opt "$TMP/eight.weights" --logit-window >/dev/null 2>&1
expect_eq acc.head_8_is_logit_window "$(grep -v '^#' "$TMP/acc8.cfg" | md5sum)" "$(grep -v '^#' "$TMP/eight.cfg" | md5sum)"
# the head (layer 9, the last section with filters=10) takes a window
expect_eq acc.head_8_has_window "$(sed -n '/^filters=10/,$p' "$TMP/acc8.cfg" | grep -c '^out_zero=')" 1
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/acc12.cfg" --accurate "$TMP/acc12.weights" --max-bits 12 >/dev/null 2>&1
expect_eq acc.no_head_above_max_bits "$?:$(grep -c '^out_bits=16' "$TMP/acc12.cfg")" 0:0

# --- bad input: one line, non-zero exit, neither cfg nor weights written ------
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R "$TMP/c.list" -q -o "$TMP/r.stats" 2>/dev/null
S="cfg/fmnist-res.cfg $R $TMP/r.stats -o $TMP/bad.cfg --wbits 8 --abits 8 -q"
# shellcheck disable=SC2086
bad_wout stats_without_list "--act-scales with a .stats file needs --act-list" $S --act-scales "$TMP/bad.weights"
# shellcheck disable=SC2086
bad_wout list_without_scales "--act-list, --act-grid, --act-objective and --act-channels need --act-scales" $S --act-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout channels_without_scales "--act-channels need --act-scales" $S --act-channels 0.5
# shellcheck disable=SC2086
bad_wout channels_floor_one "--act-channels wants a floor 0 < F < 1: 1" $S --act-scales "$TMP/bad.weights" \
    --act-list "$TMP/c.list" --act-channels 1
# shellcheck disable=SC2086
bad_wout channels_floor_text "--act-channels wants a floor 0 < F < 1: half" $S --act-scales "$TMP/bad.weights" \
    --act-list "$TMP/c.list" --act-channels half
# shellcheck disable=SC2086
bad_wout paper "--act-scales needs --formats mse or refine" $S --formats paper --act-scales "$TMP/bad.weights" \
    --act-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout two_weights "give them the same path" $S --act-scales "$TMP/bad.weights" --act-list "$TMP/c.list" \
    --round-opt "$TMP/bad2.weights" --round-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout grid "--act-grid wants 1..1024: 0" $S --act-scales "$TMP/bad.weights" --act-list "$TMP/c.list" --act-grid 0
# shellcheck disable=SC2086
bad_wout overwrite "the output would overwrite an input" $S --act-scales $R --act-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout missing_list "no-such.list" $S --act-scales "$TMP/bad.weights" --act-list "$TMP/no-such.list"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout bad_image "nonexistent.png" $S --act-scales "$TMP/bad.weights" --act-list "$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout accurate_paper "--accurate needs --formats mse or refine" $S --formats paper --accurate "$TMP/bad.weights" \
    --act-list "$TMP/c.list" --round-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout accurate_bias "--accurate optimizes the rounding and corrects the biases itself" $S \
    --accurate "$TMP/bad.weights" --bias-correct "$TMP/bad.weights" --act-list "$TMP/c.list" --round-list "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout accurate_stats "--accurate with a .stats file needs --act-list FILE and --round-list FILE" $S \
    --accurate "$TMP/bad.weights" --act-list "$TMP/c.list"
expect_eq bad.no_temp_left "$(ls "$TMP" | grep -c '^fxq-act')" 0
