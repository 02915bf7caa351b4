# Integer codes between layers, whole networks. For each model the
# fixed-point network in int mode and with FXQ_MODE=emulate give the same
# output bit for bit, every layer equals its emulation (floats everywhere),
# and the codes hand-over gives what the float hand-over gives
# ($TESTBIN/test_pipe net). The fmnist models also through Darknet's own
# `classifier valid` / `classifier predict`: identical stdout in both modes.
. tests/lib.sh
. tests/lib_fxcfg.sh

# Formats that change from layer to layer (so producers' and consumers'
# formats differ and codes are converted on the way): for random weights.
fx_cfg_vary() { # OUT CFG WBITS ABITS
    awk -v w="$3" -v a="$4" '
        function fmt() { k++; printf "w_bits=%d\nw_frac=%d\nin_bits=%d\nin_frac=%d\nout_bits=%d\nout_frac=%d\n", w, w - 2 - k % 3, a, a - 5 + k % 3, a, a - 4 - k % 2 }
        /^\[(convolutional|conv)\]/ { print "[fxconvolutional]"; fmt(); next }
        /^\[(connected|conn)\]/     { print "[fxconnected]"; fmt(); next }
        { print }' "$2" >"$1"
}

net_check() { # CFG WEIGHTS [BATCH]
    "$TESTBIN/test_pipe" net "$@" 2>"$TMP/net.err" || tail -n 3 "$TMP/net.err" >&2
}

head -n 100 data/fmnist/test1k.list >"$TMP/t.list"
sed "s#^valid=.*#valid=$TMP/t.list#" cfg/fmnist.data >"$TMP/t.data"
img=$(head -n 1 "$TMP/t.list")
for m in fmnist fmnist-res; do
    fx=$TMP/$m-q88.cfg
    "$DARKNET" fxq quantize cfg/$m.cfg weights/$m.weights data/fmnist/calib1k.list -n 64 --wbits 8 --abits 8 --preset fast \
        -o "$fx" >"$TMP/q.out" 2>&1
    expect_eq "pipe.$m.quantize" $? 0
    net_check "$fx" weights/$m.weights 3
    "$DARKNET" classifier valid "$TMP/t.data" "$fx" weights/$m.weights >"$TMP/int.out" 2>/dev/null
    FXQ_MODE=emulate "$DARKNET" classifier valid "$TMP/t.data" "$fx" weights/$m.weights >"$TMP/emu.out" 2>/dev/null
    if [ -s "$TMP/int.out" ] && cmp -s "$TMP/int.out" "$TMP/emu.out"; then ok "pipe.$m.classifier_valid_int_equals_emulate"
    else fail "pipe.$m.classifier_valid_int_equals_emulate" "$(diff "$TMP/int.out" "$TMP/emu.out" | head -n 3)"; fi
    "$DARKNET" classifier predict "$TMP/t.data" "$fx" weights/$m.weights "$img" >"$TMP/int.out" 2>/dev/null
    FXQ_MODE=emulate "$DARKNET" classifier predict "$TMP/t.data" "$fx" weights/$m.weights "$img" >"$TMP/emu.out" 2>/dev/null
    if [ -s "$TMP/int.out" ] && cmp -s "$TMP/int.out" "$TMP/emu.out"; then ok "pipe.$m.classifier_predict_int_equals_emulate"
    else fail "pipe.$m.classifier_predict_int_equals_emulate" "$(diff "$TMP/int.out" "$TMP/emu.out" | head -n 3)"; fi
done

# Darknet's own darknet.cfg (256^2: maxpool) and yolov3-tiny.cfg (416^2:
# maxpool stride 1 and 2, route, upsample, yolo) with random weights
DNCFG=$BUILD/darknet/cfg
for m in darknet yolov3-tiny; do
    w=$TMP/$m.weights
    "$DARKNET" partial "$DNCFG/$m.cfg" "" "$w" 100000 >/dev/null 2>&1
    expect_eq "pipe.$m.random_weights" "$([ -s "$w" ] && echo yes)" yes
    fx_cfg_vary "$TMP/$m-88.cfg" "$DNCFG/$m.cfg" 8 8
    net_check "$TMP/$m-88.cfg" "$w"
done
# the trained detector with 16-bit codes between layers: its yolo layers
# read 16-bit heads (the team's logistic memo of 65536 codes)
fx_cfg_vary "$TMP/fmnist-yolo-816.cfg" cfg/fmnist-yolo.cfg 8 16
net_check "$TMP/fmnist-yolo-816.cfg" weights/fmnist-yolo.weights
