# Zero points (in_zero / out_zero windows on the
# power-of-two format) on the real fmnist-res network: fxq quantize
# --windows/--no-windows, int == emulate per image, the logit error they
# lower, sqnr, .fxw, training inside them (and --requantize's refusal) and
# bad cfgs.
. tests/lib.sh

W=weights/fmnist-res.weights
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
head -n 128 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist-res.cfg "$W" "$TMP/c.list" -q -o "$TMP/c.stats" 2>/dev/null
q() { # OUT OPTIONS...
    o=$1; shift
    "$DARKNET" fxq quantize cfg/fmnist-res.cfg "$W" "$TMP/c.stats" -o "$TMP/$o.cfg" --wbits 8 --abits 8 "$@" \
        >/dev/null 2>"$TMP/$o.err"
}
q w --passes windows; expect_eq windows.quantize_exit $? 0
q n --preset fast; expect_eq windows.quantize_no_windows_exit $? 0
# every leaky layer's output and every signed input gets a window; the image stays unsigned
expect_ge windows.out_zero_keys "$(grep -c '^out_zero=' "$TMP/w.cfg")" 7
expect_ge windows.in_zero_keys "$(grep -c '^in_zero=' "$TMP/w.cfg")" 6
expect_eq windows.image_unsigned "$(grep -c '^in_unsigned=1' "$TMP/w.cfg")" 1
expect_eq windows.none_without "$(grep -c '_zero=' "$TMP/n.cfg")" 0
# the paper preset is the paper pass: the same cfg (past the header's command line)
"$DARKNET" fxq quantize cfg/fmnist-res.cfg "$W" "$TMP/c.stats" -o "$TMP/p1.cfg" --passes paper >/dev/null 2>&1
"$DARKNET" fxq quantize cfg/fmnist-res.cfg "$W" "$TMP/c.stats" -o "$TMP/p2.cfg" --preset paper >/dev/null 2>&1
grep -v '^#' "$TMP/p1.cfg" >"$TMP/p1.x"; grep -v '^#' "$TMP/p2.cfg" >"$TMP/p2.x"
check windows.paper_unchanged cmp "$TMP/p1.x" "$TMP/p2.x"

# the integer kernels and the emulation agree image for image; classifier valid runs the cfg
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg "$W" "$TMP/n.cfg" "$TMP/w.cfg" -n 300 -q \
    --pred "$TMP/i.csv" >"$TMP/i.txt" 2>/dev/null
expect_eq windows.valid_exit $? 0
FXQ_MODE=emulate "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg "$W" "$TMP/n.cfg" "$TMP/w.cfg" -n 300 -q \
    --pred "$TMP/e.csv" >/dev/null 2>&1
check windows.int_equals_emulate_predictions cmp "$TMP/i.csv" "$TMP/e.csv"
# the windows' purpose: the leaky outputs' codes go to the positive side (measured on
# 10000 images: mean |dlogit| 0.151 -> 0.099); here 300 images, a margin of 20 %
dn=$(awk -v c="$TMP/n.cfg" '$1 == c {print $5}' "$TMP/i.txt"); dw=$(awk -v c="$TMP/w.cfg" '$1 == c {print $5}' "$TMP/i.txt")
if awk -v a="$dw" -v b="$dn" 'BEGIN{exit !(a > 0 && a < 0.8 * b)}'; then ok windows.lower_logit_error;
else fail windows.lower_logit_error "windows $dw, none $dn"; fi
head -n 50 data/fmnist/test1k.list >"$TMP/v.list"
sed "s#^valid=.*#valid=$TMP/v.list#" cfg/fmnist.data >"$TMP/v.data"
"$DARKNET" classifier valid "$TMP/v.data" "$TMP/w.cfg" "$W" >"$TMP/cv.out" 2>&1
expect_eq windows.classifier_valid_exit $? 0
check windows.load_shows_zero_points grep -q "in 8\.[0-9]* z[0-9]*  out 8\.[0-9]* z[0-9]*" "$TMP/cv.out"

# fxq sqnr: window steps (the measured output SQNR of the last layer beats the no-window cfg's)
s_last() { "$DARKNET" fxq sqnr cfg/fmnist-res.cfg "$1" "$W" data/fmnist/test1k.list -n 64 2>/dev/null |
    awk '$2 == "fxconvolutional" {v = $6} END {print v}'; }
sw=$(s_last "$TMP/w.cfg"); sn=$(s_last "$TMP/n.cfg")
if ! num_args windows.sqnr_higher "$sw" "$sn"; then :
elif awk -v a="$sw" -v b="$sn" 'BEGIN{exit !(a > b + 1)}'; then ok windows.sqnr_higher; else fail windows.sqnr_higher "windows $sw dB, none $sn dB"; fi

# .fxw needs nothing: pack, inspect, same predictions
if [ "${SAN:-0}" = 1 ]; then BIN=${BUILD:-build}/bin-san; else BIN=${BUILD:-build}/bin; fi
"$BIN/fxq-pack" "$TMP/w.cfg" "$W" -o "$TMP/w.fxw" -q >/dev/null 2>&1
expect_eq windows.fxw_pack_exit $? 0
check windows.fxw_inspect "$BIN/fxq-inspect" "$TMP/w.fxw"
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg "$TMP/w.fxw" "$TMP/w.cfg" -n 300 -q --pred "$TMP/x.csv" >/dev/null 2>&1
expect_eq windows.fxw_same_predictions "$(cut -d, -f4 "$TMP/x.csv" | md5sum)" "$(cut -d, -f5 "$TMP/i.csv" | md5sum)"

# the trainers train inside the windows: fxq finetune's printed accuracy is
# classifier valid's on what it saved, classifier train runs a batch
head -n 64 data/fmnist/train.list >"$TMP/t.list"
sed -e "s#^train=.*#train=$TMP/t.list#" -e "s#^valid=.*#valid=$TMP/v.list#" -e "s#^backup=.*#backup=$TMP/#" \
    cfg/fmnist.data >"$TMP/t.data"
sed -e 's/^max_batches=.*/max_batches=1/' -e 's/^batch=.*/batch=8/' "$TMP/w.cfg" >"$TMP/wt.cfg"
"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/wt.cfg" "$W" -o "$TMP/ft.weights" --max-batches 3 --lr 0.001 --seed 5 \
    >"$TMP/ft.out" 2>"$TMP/ft.err"
expect_eq windows.finetune_exit $? 0
after=$(sed -n 's/.*fixed after \([0-9.]*\)%.*/\1/p' "$TMP/ft.out")
got=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/wt.cfg" "$TMP/ft.weights" 2>/dev/null | tail -n 1 |
    sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')
expect_eq windows.finetune_saved_equals_printed "$(awk -v t="$got" 'BEGIN { printf "%.2f", 100 * t }')" "$after"
check windows.finetune_changed_weights sh -c "! cmp -s '$TMP/ft.weights' '$W'"
"$DARKNET" classifier train "$TMP/t.data" "$TMP/wt.cfg" "$W" -clear </dev/null >"$TMP/ct.out" 2>&1
expect_eq windows.classifier_train_exit $? 0
check windows.classifier_train_saved test -s "$TMP/wt.weights"
# --requantize re-chooses fracs only: refused before anything is written
"$DARKNET" fxq finetune "$TMP/t.data" "$TMP/wt.cfg" "$W" -o "$TMP/rq.weights" --max-batches 1 \
    --requantize "$TMP/c.list" >"$TMP/rq.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -qE "wt.cfg:[0-9]+: layer [0-9]+ \[fxconvolutional\]: --requantize does not re-choose zero points" \
    "$TMP/rq.out" && [ ! -e "$TMP/rq.weights" ] && [ ! -e "$TMP/rq.cfg" ]; then ok windows.requantize_refused
else fail windows.requantize_refused "rc=$rc $(tail -n 1 "$TMP/rq.out")"; fi

# bad cfgs: one line naming the file (and line or layer), exit 1
badcfg() { # NAME MESSAGE SED-EXPR
    sed "$3" "$TMP/w.cfg" >"$TMP/bad-$1.cfg"
    "$DARKNET" classifier valid "$TMP/v.data" "$TMP/bad-$1.cfg" "$W" </dev/null >"$TMP/bad.out" 2>"$TMP/bad.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -qE "bad-$1.cfg(:[0-9]+)?: (layer [0-9]+ \[fxconvolutional\]: )?$2" "$TMP/bad.err"; then
        ok "windows.bad.$1"
    else fail "windows.bad.$1" "rc=$rc err='$(grep -v '^ ' "$TMP/bad.err" | tail -n 1)'"; fi
}
badcfg outside "in_zero=256: the window of 8-bit codes must hold 0 \(0 \.\. 255\)" '0,/^in_zero=/s/^in_zero=.*/in_zero=256/'
badcfg negative "'in_zero' in \[fxconvolutional\]: -1 is outside 0\.\.32767" '0,/^in_zero=/s/^in_zero=.*/in_zero=-1/'
badcfg not_number "'out_zero' in \[fxconvolutional\]: 'x' is not an integer" '0,/^out_zero=/s/^out_zero=.*/out_zero=x/'
badcfg bits16 "in_zero needs in_bits 2\.\.15 \(got 16\)" '/^in_bits=/{x;s/^/x/;/^xx$/{x;s/=.*/=16/;b};x}'
badcfg with_unsigned "in_zero and in_unsigned=1 both given" '0,/^in_unsigned=1/s/^in_unsigned=1/in_unsigned=1\nin_zero=4/'
badcfg out_outside "out_zero=300: the window of 8-bit codes must hold 0" '0,/^out_zero=/s/^out_zero=.*/out_zero=300/'
badcfg float_weights "zero points \(in_zero/out_zero windows\) need integer formats" '0,/^w_bits=/s/^w_bits=.*/w_bits=0/'
