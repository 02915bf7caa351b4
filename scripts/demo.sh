#!/bin/sh
# The main job on the bundled model (make demo), as README.md teaches it:
# float evaluation of the reference model; the default quantization at 8/8
# from 1000 calibration images (cfg + the .weights its passes wrote); the
# paper's cross-layer allocation for model size from calibration statistics
# (a cfg that runs with the original .weights); float vs both fixed-point
# cfgs on the 10000 test images; the bit-packed deployment file of the
# allocated model.
set -eu
DARKNET=${DARKNET:-./darknet}
W=weights/fmnist.weights
OUT=${DEMO_OUT:-build/demo}
mkdir -p "$OUT"

step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "float reference model (upstream Darknet)" "$DARKNET classifier valid cfg/fmnist.data cfg/fmnist.cfg $W"
"$DARKNET" classifier valid cfg/fmnist.data cfg/fmnist.cfg "$W" 2>/dev/null | tail -n 1

step "quantize with the default preset: 8-bit weights, 8-bit activations, 1000 calibration images" \
    "$DARKNET fxq quantize cfg/fmnist.cfg $W data/fmnist/calib1k.list --wbits 8 --abits 8 -o $OUT/fmnist-8x8.cfg"
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" data/fmnist/calib1k.list --wbits 8 --abits 8 -o "$OUT/fmnist-8x8.cfg"

step "calibration statistics, 1000 training images" \
    "$DARKNET fxq stats cfg/fmnist.cfg $W data/fmnist/calib1k.list -o $OUT/fmnist.stats"
"$DARKNET" fxq stats cfg/fmnist.cfg "$W" data/fmnist/calib1k.list -q -o "$OUT/fmnist.stats"

step "quantize: cross-layer allocation for model size (paper Eq. 15/16, beta0 = 10), from the statistics" \
    "$DARKNET fxq quantize cfg/fmnist.cfg $W $OUT/fmnist.stats --objective size --beta0 10 --abits 8 -o $OUT/fmnist-opt.cfg"
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$OUT/fmnist.stats" --objective size --beta0 10 --abits 8 \
    -o "$OUT/fmnist-opt.cfg"

step "float vs fixed point on the 10000 test images (each cfg with its weights; -: the original)" \
    "$DARKNET fxq valid cfg/fmnist.data cfg/fmnist.cfg $W $OUT/fmnist-8x8.cfg $OUT/fmnist-opt.cfg --fx-weights $OUT/fmnist-8x8.weights --fx-weights -"
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$OUT/fmnist-8x8.cfg" "$OUT/fmnist-opt.cfg" \
    --fx-weights "$OUT/fmnist-8x8.weights" --fx-weights - 2>/dev/null

if [ -x build/bin/fxq-pack ]; then
    step "bit-packed weights of the optimized model" "build/bin/fxq-pack $OUT/fmnist-opt.cfg $W -o $OUT/fmnist-opt.fxw"
    build/bin/fxq-pack "$OUT/fmnist-opt.cfg" "$W" -o "$OUT/fmnist-opt.fxw"
    echo "float .weights: $(wc -c < "$W") bytes, packed .fxw: $(wc -c < "$OUT/fmnist-opt.fxw") bytes"
fi
echo
echo "The fixed-point cfgs run in any Darknet command with their weights, e.g.:"
echo "  $DARKNET classifier predict cfg/fmnist.data $OUT/fmnist-8x8.cfg $OUT/fmnist-8x8.weights data/fmnist/test/00000_boot.png"
echo "  $DARKNET classifier predict cfg/fmnist.data $OUT/fmnist-opt.cfg $W data/fmnist/test/00000_boot.png"
