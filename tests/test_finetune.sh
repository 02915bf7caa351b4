# `darknet fxq finetune` -- a short real fine-tuning run on a subset
# (loss decreases, the accuracy it prints equals `classifier valid` on what it
# saved with the same fx cfg), `classifier train` on a fixed-point cfg, and bad
# input (one line, non-zero exit, previous output untouched).
. tests/lib.sh
. tests/lib_fxcfg.sh

W=weights/fmnist.weights
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
ft_setup 200

"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/out.weights" --max-batches 12 --lr 0.002 \
    --seed 7 >"$TMP/ft.out" 2>"$TMP/ft.err"
expect_eq finetune.exit $? 0
expect_eq finetune.no_temp_left "$(ls "$TMP" | grep -c tmp)" 0
line=$(cat "$TMP/ft.out")
after=$(echo "$line" | sed -n 's/.*fixed after \([0-9.]*\)%.*/\1/p')
before=$(echo "$line" | sed -n 's/.*fixed before \([0-9.]*\)%.*/\1/p')
float=$(echo "$line" | sed -n 's/.*float \([0-9.]*\)%.*/\1/p')
loss=$(sed -n 's/^finetune: loss \([0-9.]*\) -> \([0-9.]*\) .*/\1 \2/p' "$TMP/ft.err")
if [ -n "$loss" ] && awk -v a="${loss% *}" -v b="${loss#* }" 'BEGIN { exit !(b < a) }'; then ok finetune.loss_decreases;
else fail finetune.loss_decreases "loss '$loss'"; fi
expect_ge finetune.progress_lines "$(grep -c '^finetune: step ' "$TMP/ft.err")" 12
if [ -n "$after" ] && [ -n "$before" ] && awk -v a="$after" -v b="$before" 'BEGIN { exit !(a > b) }'; then
    ok finetune.fixed_accuracy_improves; else fail finetune.fixed_accuracy_improves "'$line'"; fi
expect_ge finetune.float_reference "$float" 85

# what was saved, loaded with the same cfg through the integer kernels
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx.cfg" "$TMP/out.weights" 2>/dev/null | tail -n 1 |
    sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')
expect_eq finetune.saved_equals_printed "$(awk -v t="$got" 'BEGIN { printf "%.2f", 100 * t }')" "$after"

# the saved masters load into the same codes again: a second save is byte-identical
# (fxq-pack quantizes with the cfg; equal packed files = equal codes)
if [ -x "$BUILD/bin/fxq-pack" ]; then
    "$BUILD/bin/fxq-pack" "$TMP/fx.cfg" "$TMP/out.weights" -o "$TMP/a.fxw" >/dev/null 2>&1
    "$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx.cfg" "$TMP/a.fxw" 2>/dev/null | tail -n 1 >"$TMP/fxw.txt"
    expect_eq finetune.codes_in_format_pack "$(sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p' "$TMP/fxw.txt")" "$got"
fi

# classifier train on the fx cfg (Darknet's own loop): 2 steps, saves to backup=
sed 's/^max_batches=.*/max_batches=2/' "$TMP/fx.cfg" >"$TMP/fxtrain.cfg"
"$DARKNET" classifier train "$TMP/t.data" "$TMP/fxtrain.cfg" "$W" -clear >"$TMP/ct.out" 2>&1
expect_eq finetune.classifier_train_exit $? 0
check finetune.classifier_train_saved test -s "$TMP/fxtrain.weights"
got2=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx.cfg" "$TMP/fxtrain.weights" 2>/dev/null | tail -n 1)
case "$got2" in *"top 1:"*) ok finetune.classifier_train_loads ;; *) fail finetune.classifier_train_loads "$got2" ;; esac

# bad input: one line on stderr, exit 1 (2 usage), the previous output untouched
echo previous >"$TMP/keep.weights"
bad() { # name expected-rc args...
    name=$1 want=$2; shift 2
    "$DARKNET" fxq finetune "$@" -q >"$TMP/bad.out" 2>"$TMP/bad.err"
    rc=$?
    expect_eq "finetune.bad.$name.exit" "$rc" "$want"
    expect_eq "finetune.bad.$name.one_line" "$(wc -l <"$TMP/bad.err")" 1
    expect_eq "finetune.bad.$name.output_untouched" "$(cat "$TMP/keep.weights")" previous
    expect_eq "finetune.bad.$name.no_temp" "$(ls "$TMP" | grep -c 'keep.weights.tmp')" 0
}
bad float_cfg 1 "$TMP/t.data" "$TMP/f32.cfg" "$W" -o "$TMP/keep.weights"
grep -q 'no \[fxconvolutional\]' "$TMP/bad.err" && ok finetune.bad.float_cfg.says_why || fail finetune.bad.float_cfg.says_why "$(cat "$TMP/bad.err")"
grep -v -e '^momentum=' -e '^decay=' "$TMP/fx.cfg" >"$TMP/notrain.cfg"
bad no_training_settings 1 "$TMP/t.data" "$TMP/notrain.cfg" "$W" -o "$TMP/keep.weights"
grep -q 'notrain.cfg: \[net\] has no training settings' "$TMP/bad.err" && ok finetune.bad.no_training_settings.says_why ||
    fail finetune.bad.no_training_settings.says_why "$(cat "$TMP/bad.err")"
head -c 100000 "$W" >"$TMP/short.weights"
bad mismatched_weights 1 "$TMP/t.data" "$TMP/fx.cfg" "$TMP/short.weights" -o "$TMP/keep.weights"
grep -q 'short.weights' "$TMP/bad.err" && ok finetune.bad.mismatched_weights.names_file ||
    fail finetune.bad.mismatched_weights.names_file "$(cat "$TMP/bad.err")"
bad unwritable_output 1 "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/no/such/dir/out.weights"
bad output_is_input 1 "$TMP/t.data" "$TMP/fx.cfg" "$TMP/keep.weights" -o "$TMP/keep.weights"
bad output_is_cfg 1 "$TMP/t.data" "$TMP/keep.weights" "$W" -o "$TMP/keep.weights"
bad no_output 2 "$TMP/t.data" "$TMP/fx.cfg" "$W"
bad bad_lr 2 "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/keep.weights" --lr 0x

# --requantize: fresh fractional bits, the cfg written next to -o, loads with the weights
"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/fx.cfg" "$W" -o "$TMP/rq.weights" --max-batches 2 --no-before \
    --requantize "$TMP/valid.list" >"$TMP/rq.out" 2>"$TMP/rq.err"
expect_eq finetune.requantize.exit $? 0
check finetune.requantize.cfg_written test -s "$TMP/rq.cfg"
expect_eq finetune.requantize.bits_kept "$(grep '_bits=' "$TMP/rq.cfg" | md5sum)" "$(grep '_bits=' "$TMP/fx.cfg" | md5sum)"
nchg=$(grep -c '^requantize: layer ' "$TMP/rq.err")
ndiff=$(diff "$TMP/fx.cfg" "$TMP/rq.cfg" | grep -c '^>')
expect_eq finetune.requantize.reports_each_change "$nchg" "$ndiff"
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/rq.cfg" "$TMP/rq.weights" 2>/dev/null | tail -n 1)
case "$got" in *"top 1:"*) ok finetune.requantize.loads ;; *) fail finetune.requantize.loads "$got" ;; esac

# unsigned codes and per-channel weight fracs (fxq quantize's least-error
# formats with the per-channel pass) train too; what is saved gives the printed
# accuracy through the integer kernels; --requantize keeps one frac per row
# and every tensor's signedness
"$DARKNET" fxq quantize "$TMP/f32.cfg" "$W" "$TMP/valid.list" -n 64 -q --wbits 4 --abits 4 --passes per-channel \
    -o "$TMP/pcu.cfg" >/dev/null 2>&1
expect_ge finetune.unsigned.cfg_has_unsigned_keys "$(grep -c '^in_unsigned=1' "$TMP/pcu.cfg")" 1
expect_ge finetune.unsigned.cfg_has_row_fracs "$(grep -c '^w_frac=.*,' "$TMP/pcu.cfg")" 1
"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/pcu.cfg" "$W" -o "$TMP/pcuft.weights" --max-batches 4 --lr 0.001 \
    --cosine --seed 3 --requantize "$TMP/valid.list" >"$TMP/pcu.out" 2>"$TMP/pcu.err"
expect_eq finetune.unsigned.exit $? 0
after=$(sed -n 's/.*fixed after \([0-9.]*\)%.*/\1/p' "$TMP/pcu.out")
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/pcu.cfg" "$TMP/pcuft.weights" 2>/dev/null | tail -n 1 |
    sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')
expect_eq finetune.unsigned.saved_equals_printed "$(awk -v t="$got" 'BEGIN { printf "%.2f", 100 * t }')" "$after"
rows() { grep '^w_frac=' "$1" | awk -F, '{ print NF }' | tr '\n' ' '; }
check finetune.unsigned.requantize_cfg_written test -s "$TMP/pcuft.cfg"
expect_same finetune.unsigned.requantize_keeps_rows "$(rows "$TMP/pcuft.cfg")" "$(rows "$TMP/pcu.cfg")"
expect_eq finetune.unsigned.requantize_keeps_signedness "$(grep '_unsigned=' "$TMP/pcuft.cfg" | md5sum)" \
    "$(grep '_unsigned=' "$TMP/pcu.cfg" | md5sum)"
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/pcuft.cfg" "$TMP/pcuft.weights" 2>/dev/null | tail -n 1)
case "$got" in *"top 1:"*) ok finetune.unsigned.requantize_loads ;; *) fail finetune.unsigned.requantize_loads "$got" ;; esac

# the committed fine-tuned 4-bit/4-bit network (docs/finetune.md, Table 2)
# loads with its cfg and, through the integer kernels on the 10000 test
# images, is clearly better than the same cfg with the weights it started from
top1() { "$DARKNET" classifier valid cfg/fmnist.data cfg/fmnist-fx44.cfg "$1" 2>/dev/null | tail -n 1 |
    sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p'; }
t_ft=$(top1 weights/fmnist-fx44-ft.weights)
t_0=$(top1 "$W")
if [ -n "$t_ft" ] && [ -n "$t_0" ] && awk -v a="$t_ft" -v b="$t_0" 'BEGIN { exit !(a >= b + 0.005) }'; then
    ok finetune.committed_4_4_beats_start; else fail finetune.committed_4_4_beats_start "fine-tuned '$t_ft', start '$t_0'"; fi
