# `darknet detector train` on a fixed-point cfg of the trained detector (fmnist-yolo, 4-bit
# weights / 8-bit activations): a few steps of Darknet's own trainer on real detection images
# fine-tune the float masters inside the formats; what it saves loads into the same cfg, runs on
# the integer kernels (bit-identical to the formats' emulation) and gives boxes. Zero-point windows
# train too; random=1 (resizing while training) is refused with one line.
. tests/lib.sh

W=${DET_WEIGHTS:-weights/fmnist-yolo.weights}
CFG=cfg/fmnist-yolo.cfg
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [ ! -s "$W" ] || [ ! -s data/fmnist-det/train.list ]; then
    fail detector_train.inputs "needs $W and data/fmnist-det (make data)"
    exit 1
fi

# images with objects: 8 to train on, 4 to detect on (detector valid reads at least 4)
with_objects() { # LIST N
    while read -r p; do
        l=$(echo "$p" | sed -e 's|images|labels|' -e 's|\.png$|.txt|')
        [ -s "$l" ] && echo "$p"
    done <"$1" | head -n "$2"
}
with_objects data/fmnist-det/train.list 8 >"$TMP/train.list"
with_objects data/fmnist-det/test.list 4 >"$TMP/valid.list"
mkdir -p "$TMP/backup" "$TMP/res"
cat >"$TMP/t.data" <<EOF
classes=10
train=$TMP/train.list
valid=$TMP/valid.list
names=cfg/fmnist-det.names
backup=$TMP/backup
results=$TMP/res
EOF

"$DARKNET" fxq stats "$CFG" "$W" "$TMP/train.list" -q -o "$TMP/det.stats" >/dev/null 2>&1
"$DARKNET" fxq quantize "$CFG" "$W" "$TMP/det.stats" --wbits 4 --abits 8 -o "$TMP/fx.cfg" >/dev/null 2>"$TMP/q.err"
expect_eq detector_train.quantize "$(grep -c '^\[fxconvolutional\]' "$TMP/fx.cfg" 2>/dev/null)" 13

# the trainer's schedule for a smoke run: 4 images a step, constant rate, no burn-in
train_cfg() { # IN STEPS OUT
    sed -e 's/^batch=.*/batch=4/' -e 's/^subdivisions=.*/subdivisions=1/' -e "s/^max_batches=.*/max_batches=$2/" \
        -e 's/^burn_in=.*/burn_in=0/' -e 's/^learning_rate=.*/learning_rate=0.001/' -e 's/^policy=.*/policy=constant/' \
        "$1" >"$3"
}
train_cfg "$TMP/fx.cfg" 0 "$TMP/ft0.cfg"
train_cfg "$TMP/fx.cfg" 2 "$TMP/ft.cfg"

# 0 steps: the masters as loaded (batch norm folded), the start of the run below
"$DARKNET" detector train "$TMP/t.data" "$TMP/ft0.cfg" "$W" -clear >"$TMP/t0.out" 2>&1
expect_eq detector_train.zero_steps_exit $? 0
"$DARKNET" detector train "$TMP/t.data" "$TMP/ft.cfg" "$W" -clear >"$TMP/t.out" 2>"$TMP/t.err"
rc=$?
expect_eq detector_train.exit "$rc" 0
[ "$rc" = 0 ] || tail -n 3 "$TMP/t.err" | sed 's/^/    /'
expect_eq detector_train.steps "$(grep -c '^[12]: [0-9.]*, [0-9.]* avg' "$TMP/t.out")" 2
expect_eq detector_train.trainable "$(grep -c 'trainable' "$TMP/t.err")" 13
S=$TMP/backup/ft_final.weights
check detector_train.saved test -s "$S"
expect_eq detector_train.saved_size "$(wc -c <"$S")" "$(wc -c <"$W")"
if cmp -s "$S" "$TMP/backup/ft0_final.weights"; then fail detector_train.masters_changed "identical to the start";
else ok detector_train.masters_changed; fi

# the saved masters in the fixed-point cfg: integer kernels, boxes; the same as the formats'
# emulation bit for bit; different from the float network of the same masters
valid() { # NAME CFG WEIGHTS [ENV]
    rm -f "$TMP"/res/*.txt
    env ${4:-FXQ_X=} "$DARKNET" detector valid "$TMP/t.data" "$2" "$3" >/dev/null 2>"$TMP/v.err"
    mkdir -p "$TMP/$1" && cat "$TMP"/res/comp4_det_test_*.txt >"$TMP/$1/all.txt"
}
valid int "$TMP/fx.cfg" "$S"
expect_ge detector_train.int_boxes "$(wc -l <"$TMP/int/all.txt")" 1
expect_ge detector_train.int_boxes_confident "$(awk '$2 >= 0.25' "$TMP/int/all.txt" | wc -l)" 1
valid emu "$TMP/fx.cfg" "$S" FXQ_MODE=emulate
if [ -s "$TMP/int/all.txt" ] && cmp -s "$TMP/int/all.txt" "$TMP/emu/all.txt"; then ok detector_train.int_equals_emulate;
else fail detector_train.int_equals_emulate "result files differ"; fi
valid flt "$CFG" "$S"
if cmp -s "$TMP/int/all.txt" "$TMP/flt/all.txt"; then fail detector_train.quantized "float cfg gives the same boxes";
else ok detector_train.quantized; fi
valid start "$TMP/fx.cfg" "$TMP/backup/ft0_final.weights"
if cmp -s "$TMP/int/all.txt" "$TMP/start/all.txt"; then fail detector_train.boxes_changed "same boxes as before training";
else ok detector_train.boxes_changed; fi

# zero-point windows (a leaky output's window reaching 20 codes below 0) train too
awk '{ print } /^\[fxconvolutional\]/ && !done { print "out_zero=20"; done = 1 }' "$TMP/ft.cfg" >"$TMP/fw.cfg"
sed -i 's/^max_batches=.*/max_batches=1/' "$TMP/fw.cfg"
"$DARKNET" detector train "$TMP/t.data" "$TMP/fw.cfg" "$W" -clear >"$TMP/w.out" 2>"$TMP/w.err"
expect_eq detector_train.window_exit $? 0
check detector_train.window_saved test -s "$TMP/backup/fw_final.weights"
valid win "$TMP/fw.cfg" "$TMP/backup/fw_final.weights"
expect_ge detector_train.window_boxes "$(wc -l <"$TMP/win/all.txt")" 1

# [yolo] random=1 resizes the network while it trains: one line naming cfg and layer, exit 1
sed 's/^random=0/random=1/' "$TMP/ft.cfg" >"$TMP/fr.cfg"
"$DARKNET" detector train "$TMP/t.data" "$TMP/fr.cfg" "$W" -clear >/dev/null 2>"$TMP/r.err"
expect_eq detector_train.random_refused $? 1
last=$(tail -n 1 "$TMP/r.err")
case "$last" in
*"fr.cfg: layer 0 [fxconvolutional]: "*"random=1"*"set random=0") ok detector_train.random_says_why ;;
*) fail detector_train.random_says_why "$last" ;;
esac
expect_eq detector_train.random_nothing_saved "$(ls "$TMP/backup" | grep -c '^fr')" 0
