#!/bin/sh
# The main job on the bundled model (make demo): float evaluation of the
# reference model, calibration, two quantizations -- the paper's equal
# bit-width baseline at 8/8 and the cross-layer allocation for model size --
# and a side-by-side float vs fixed-point evaluation on the 10000 test images,
# plus the bit-packed deployment file of the optimized model.
set -eu
DARKNET=${DARKNET:-./darknet}
W=weights/fmnist.weights
OUT=${DEMO_OUT:-build/demo}
mkdir -p "$OUT"

step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }

step "float reference model (upstream Darknet)" "$DARKNET classifier valid cfg/fmnist.data cfg/fmnist.cfg $W"
"$DARKNET" classifier valid cfg/fmnist.data cfg/fmnist.cfg "$W" 2>/dev/null | tail -n 1

step "calibration statistics, 1000 training images" \
    "$DARKNET fxq stats cfg/fmnist.cfg $W data/fmnist/calib1k.list -o $OUT/fmnist.stats"
"$DARKNET" fxq stats cfg/fmnist.cfg "$W" data/fmnist/calib1k.list -q -o "$OUT/fmnist.stats"

step "quantize: 8-bit weights, 8-bit activations (equal bit-widths)" \
    "$DARKNET fxq quantize cfg/fmnist.cfg $W $OUT/fmnist.stats --wbits 8 --abits 8 -o $OUT/fmnist-8x8.cfg"
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$OUT/fmnist.stats" --wbits 8 --abits 8 -o "$OUT/fmnist-8x8.cfg"

step "quantize: cross-layer allocation for model size (paper Eq. 15/16, beta0 = 10)" \
    "$DARKNET fxq quantize cfg/fmnist.cfg $W $OUT/fmnist.stats --objective size --beta0 10 --abits 8 -o $OUT/fmnist-opt.cfg"
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$OUT/fmnist.stats" --objective size --beta0 10 --abits 8 \
    -o "$OUT/fmnist-opt.cfg"

step "float vs fixed point on the 10000 test images" \
    "$DARKNET fxq valid cfg/fmnist.data cfg/fmnist.cfg $W $OUT/fmnist-8x8.cfg $OUT/fmnist-opt.cfg"
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$OUT/fmnist-8x8.cfg" "$OUT/fmnist-opt.cfg" 2>/dev/null

if [ -x build/bin/fxq-pack ]; then
    step "bit-packed weights of the optimized model" "build/bin/fxq-pack $OUT/fmnist-opt.cfg $W -o $OUT/fmnist-opt.fxw"
    build/bin/fxq-pack "$OUT/fmnist-opt.cfg" "$W" -o "$OUT/fmnist-opt.fxw"
    echo "float .weights: $(wc -c < "$W") bytes, packed .fxw: $(wc -c < "$OUT/fmnist-opt.fxw") bytes"
fi
echo
echo "The fixed-point cfgs run with the original weights in any Darknet command, e.g.:"
echo "  $DARKNET classifier predict cfg/fmnist.data $OUT/fmnist-opt.cfg $W data/fmnist/test/00000_boot.png"
