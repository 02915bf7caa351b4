# The act-scales and act-channels passes (fxq quantize): the groups a
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

OMP_NUM_THREADS=1 q "$TMP/c.list" -o "$TMP/a.cfg" --wbits 8 --abits 8 --passes per-channel,windows,act-scales \
    -b 7 >/dev/null 2>"$TMP/a.err"
expect_eq as.exit $? 0
expect_eq as.weights_same_size "$(wc -c <"$TMP/a.weights" 2>/dev/null)" "$(wc -c <$R)"
expect_eq as.no_temp_left "$(ls "$TMP" | grep -c '^fxq-pass')" 0
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
OMP_NUM_THREADS=2 q "$TMP/c.list" -o "$TMP/b.cfg" --wbits 8 --abits 8 --passes per-channel,windows,act-scales \
    -b 32 -q >/dev/null 2>&1
check as.deterministic_weights cmp "$TMP/a.weights" "$TMP/b.weights"
expect_eq as.deterministic_cfg "$(grep -v '^#' "$TMP/a.cfg" | md5sum)" "$(grep -v '^#' "$TMP/b.cfg" | md5sum)"

# with bias-correct: refused (it measured below bias-correct alone: docs/quantize.md)
q "$TMP/c.list" -o "$TMP/c.cfg" --wbits 8 --abits 8 --passes act-scales,bias-correct -q >/dev/null 2>"$TMP/c.err"
expect_eq as.bc_refused "$?:$(cat "$TMP/c.err")" \
    "2:darknet fxq quantize: passes bias-correct and act-scales do not go together (see darknet fxq quantize --help)"

# fmnist: relu, a [connected] consumer (its columns fold the last conv's c)
"$DARKNET" fxq quantize cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/m.cfg" --wbits 8 --abits 8 \
    --passes per-channel,act-scales >/dev/null 2>"$TMP/m.err"
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
    --passes windows,act-scales >/dev/null 2>"$TMP/s.err"
expect_eq as.synthetic_exit $? 0
check as.group_maxpool grep -q "act group { 0 out 2 in }" "$TMP/s.err"
check as.group_route_block grep -q "act group { 3 out }" "$TMP/s.err"
check as.group_upsample_shortcut grep -q "act group { 5 out 7 out 7 in 10 in }" "$TMP/s.err"
V "$TMP/s.cfg" "$TMP/s.weights" "$TMP/s.cfg" --fx-weights "$TMP/s8.weights" >"$TMP/sf.csv"
expect_eq as.synthetic_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/sf.csv")" 1.0000
expect_le as.synthetic_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/sf.csv")" 1e-4
# act-channels: each channel of a group gets a factor of its own first
# (tests/unit/test_actchan.c checks every factor on fmnist-res); the float
# network with W still computes the original logits through [maxpool], a
# [route] of two groups, [upsample] + [shortcut], and fmnist's [connected] columns
"$DARKNET" fxq quantize "$TMP/s.cfg" "$TMP/s.weights" "$TMP/c.list" -n 32 -o "$TMP/s10.cfg" --wbits 8 --abits 8 \
    --passes windows,per-channel,act-scales,act-channels >/dev/null 2>"$TMP/s10.err"
expect_eq ch.synthetic_exit $? 0
expect_eq ch.synthetic_groups "$(grep -c 'act channels of layer' "$TMP/s10.err")" 4
check ch.synthetic_scaled grep -q "activation channels: [1-9][0-9]* groups scaled per channel (floor 0.5)" "$TMP/s10.err"
V "$TMP/s.cfg" "$TMP/s.weights" "$TMP/s.cfg" --fx-weights "$TMP/s10.weights" >"$TMP/s10.csv"
expect_eq ch.synthetic_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/s10.csv")" 1.0000
expect_le ch.synthetic_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/s10.csv")" 1e-4
"$DARKNET" fxq quantize cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/m2.cfg" --wbits 8 --abits 8 \
    --passes per-channel,act-scales,act-channels >/dev/null 2>"$TMP/m2.err"
expect_eq ch.fmnist_exit $? 0
expect_eq ch.fmnist_groups "$(grep -c 'act channels of layer' "$TMP/m2.err")" 6
V cfg/fmnist.cfg $F cfg/fmnist.cfg --fx-weights "$TMP/m2.weights" >"$TMP/m2.csv"
expect_eq ch.fmnist_float_same_top1 "$(awk -F, 'NR==3{printf "%.4f", $6}' "$TMP/m2.csv")" 1.0000
expect_le ch.fmnist_float_same_logits "$(awk -F, 'NR==3{print $7}' "$TMP/m2.csv")" 1e-4

# --- the default with a calibration list is --preset accurate: exactly its passes; strict
# 8-bit (the head at --abits, its logits in the softmax's window); --head-bits still applies ---
head -n 16 "$TMP/c.list" >"$TMP/c16.list" # what is compared is the options, not the quality: few images
A8="cfg/fmnist-res.cfg $R $TMP/c16.list --wbits 8 --abits 8 -q"
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/acc.cfg" >"$TMP/acc.out" 2>&1
expect_eq acc.exit $? 0
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/four.cfg" \
    --passes windows,per-channel,act-scales,act-channels,round-opt,logit-window >/dev/null 2>&1
check acc.same_weights_as_its_passes cmp -s "$TMP/acc.weights" "$TMP/four.weights"
grep -v '^#' "$TMP/acc.cfg" >"$TMP/acc.body"
grep -v '^#' "$TMP/four.cfg" >"$TMP/four.body"
check acc.same_cfg_as_its_passes cmp -s "$TMP/acc.body" "$TMP/four.body"
check acc.cfg_has_windows grep -q "^in_zero=" "$TMP/acc.cfg"
check acc.cfg_has_row_fracs grep -q "^w_frac=[0-9-]*,[0-9-]*," "$TMP/acc.cfg"
expect_eq acc.strict_8_bit "$(grep -c '^out_bits=16' "$TMP/acc.cfg")" 0
# the head (layer 9, the last section with filters=10) takes a window
expect_eq acc.head_8_has_window "$(sed -n '/^filters=10/,$p' "$TMP/acc.cfg" | grep -c '^out_zero=')" 1
check acc.header_names_weights grep -q "^# from: cfg/fmnist-res.cfg -- load it with $TMP/acc.weights" "$TMP/acc.cfg"
check acc.header_names_passes grep -q "^# passes: windows stats formats act-channels stats formats act-scales stats formats per-channel logit-window round-opt$" "$TMP/acc.cfg"
expect_eq acc.next_line "$(tail -n 1 "$TMP/acc.out")" \
    "next: ./darknet fxq valid cfg/fmnist.data cfg/fmnist-res.cfg $R $TMP/acc.cfg --fx-weights $TMP/acc.weights"
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/acc16.cfg" --head-bits 16 >/dev/null 2>&1
expect_eq acc.head_bits_given "$(grep -c '^out_bits=16' "$TMP/acc16.cfg")" 1
# --dry-run: the passes, what each reads and changes; nothing written
# shellcheck disable=SC2086
"$DARKNET" fxq quantize $A8 -o "$TMP/dry.cfg" --dry-run >"$TMP/dry.out" 2>&1
expect_eq acc.dry_run "$?:$(ls "$TMP" | grep -c '^dry')" "0:1"
check acc.dry_run_lists_passes grep -q "^  12 round-opt     reads weights, images ($TMP/c16.list), formats; changes out .weights" "$TMP/dry.out"

# --- bad input: one line, non-zero exit, neither cfg nor weights written ------
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R "$TMP/c.list" -q -o "$TMP/r.stats" 2>/dev/null
S="cfg/fmnist-res.cfg $R $TMP/r.stats -o $TMP/bad.cfg --wbits 8 --abits 8 -q"
# shellcheck disable=SC2086
bad_wout stats_without_list "pass act-scales runs the network on images: with a .stats file give --images FILE" \
    $S --passes act-scales
# shellcheck disable=SC2086
bad_wout channels_without_scales "pass act-channels needs pass act-scales" $S --passes act-channels --images "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout paper "passes paper and act-scales do not go together" $S --passes paper,act-scales --images "$TMP/c.list"
# shellcheck disable=SC2086
bad_wout accurate_stats "pass act-channels runs the network on images: with a .stats file give --images FILE" $S \
    --preset accurate
# shellcheck disable=SC2086
bad_wout missing_list "no-such.list" $S --passes act-scales --images "$TMP/no-such.list"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
# shellcheck disable=SC2086
bad_wout bad_image "nonexistent.png" $S --passes act-scales --images "$TMP/badimg.list"
expect_eq bad.no_temp_left "$(ls "$TMP" | grep -c '^fxq-pass')" 0
