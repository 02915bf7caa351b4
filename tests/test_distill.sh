# `darknet fxq finetune --distill`: the float teacher's softmax as targets.
# A few steps move agreement with the teacher up; the agreement and top-1 it
# prints are what `fxq valid` / `classifier valid` give on the saved file;
# bad teachers are refused with one line and nothing written; the committed
# distilled fmnist-res 8/8 network agrees with float as documented.
. tests/lib.sh
. tests/lib_fxcfg.sh

W=weights/fmnist.weights
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
ft_setup 300

"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/kd.weights" --distill --max-batches 8 \
    --lr 0.002 --seed 7 >"$TMP/kd.out" 2>"$TMP/kd.err"
expect_eq distill.exit $? 0
line=$(cat "$TMP/kd.out")
num() { echo "$line" | sed -n "s/.*$1 \([0-9.]*\)%.*/\1/p"; }
after=$(num 'fixed after')
ab=$(echo "$line" | sed -n 's/.*agreement[^:]*: before \([0-9.]*\)%, after \([0-9.]*\)%.*/\1/p')
aa=$(echo "$line" | sed -n 's/.*agreement[^:]*: before \([0-9.]*\)%, after \([0-9.]*\)%.*/\2/p')
expect_ge distill.teacher_is_float "$(num teacher)" 85
if [ -n "$ab" ] && [ -n "$aa" ] && awk -v a="$aa" -v b="$ab" 'BEGIN { exit !(a >= b + 10) }'; then
    ok distill.agreement_rises; else fail distill.agreement_rises "'$line'"; fi
loss=$(sed -n 's/^finetune: loss \([0-9.]*\) -> \([0-9.]*\) .*/\1 \2/p' "$TMP/kd.err")
if [ -n "$loss" ] && awk -v a="${loss% *}" -v b="${loss#* }" 'BEGIN { exit !(b < a) }'; then ok distill.kl_decreases;
else fail distill.kl_decreases "loss '$loss'"; fi
grep -q '^finetune: distilling from the float twin with ' "$TMP/kd.err" && ok distill.says_teacher ||
    fail distill.says_teacher "$(grep distilling "$TMP/kd.err")"

# what was saved, through the integer kernels: fxq valid's agreement column
# against the float network and classifier valid's top-1 equal the printed ones
agree=$("$DARKNET" fxq valid "$TMP/t.data" "$TMP/f32.cfg" "$W" "$TMP/fx.cfg" --fx-weights "$TMP/kd.weights" \
    --csv -q 2>/dev/null | awk -F, 'NR == 3 { printf "%.2f", 100 * $6 }')
expect_eq distill.saved_agreement_equals_printed "$agree" "$aa"
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx.cfg" "$TMP/kd.weights" 2>/dev/null | tail -n 1 |
    sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')
expect_eq distill.saved_top1_equals_printed "$(awk -v t="$got" 'BEGIN { printf "%.2f", 100 * t }')" "$after"

# without --distill the printed line is the one fine-tuning always printed
"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/plain.weights" --max-batches 1 -q \
    >"$TMP/plain.out" 2>/dev/null
case "$(cat "$TMP/plain.out")" in
    *"float "*"fixed after "*agreement*) fail distill.plain_line_unchanged "$(cat "$TMP/plain.out")" ;;
    *"float "*"fixed after "*) ok distill.plain_line_unchanged ;;
    *) fail distill.plain_line_unchanged "$(cat "$TMP/plain.out")" ;;
esac

# bad teachers: one line naming the file, exit 1 (2 usage), nothing written
printf '[net]\nbatch=32\nheight=28\nwidth=28\nchannels=3\n\n[avgpool]\n\n[softmax]\n' >"$TMP/t3.cfg"
head -c 20 "$W" >"$TMP/t3.weights" # header only: the 3-output teacher has no parameters
echo previous >"$TMP/keep.weights"
bad() { # name expected-rc file-named args...
    name=$1 want=$2 named=$3; shift 3
    "$DARKNET" fxq finetune "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/keep.weights" -q "$@" \
        >"$TMP/bad.out" 2>"$TMP/bad.err"
    expect_eq "distill.bad.$name.exit" "$?" "$want"
    expect_eq "distill.bad.$name.one_line" "$(wc -l <"$TMP/bad.err")" 1
    grep -qF -- "$named" "$TMP/bad.err" && ok "distill.bad.$name.names_file" ||
        fail "distill.bad.$name.names_file" "$(cat "$TMP/bad.err")"
    expect_eq "distill.bad.$name.output_untouched" "$(cat "$TMP/keep.weights")" previous
    expect_eq "distill.bad.$name.no_temp" "$(ls "$TMP" | grep -c 'keep.weights.tmp')" 0
}
bad missing_teacher 1 "$TMP/nope.cfg" --teacher "$TMP/nope.cfg"
bad missing_teacher_weights 1 "$TMP/nope.weights" --distill --teacher-weights "$TMP/nope.weights"
bad teacher_outputs_differ 1 "$TMP/t3.cfg" --teacher "$TMP/t3.cfg" --teacher-weights "$TMP/t3.weights"
grep -q 'teacher has 3 outputs per image' "$TMP/bad.err" && ok distill.bad.teacher_outputs_differ.says_why ||
    fail distill.bad.teacher_outputs_differ.says_why "$(cat "$TMP/bad.err")"
bad teacher_weights_misfit 1 weights/fmnist-res.weights --teacher cfg/fmnist.cfg \
    --teacher-weights weights/fmnist-res.weights
bad temperature_zero 2 --temperature --temperature 0
bad teacher_is_output 1 "$TMP/keep.weights" --teacher-weights "$TMP/keep.weights"
