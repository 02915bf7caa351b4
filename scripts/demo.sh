#!/bin/sh
# The main job on the bundled model: float evaluation of the reference model,
# then calibration, quantization and a side-by-side float vs fixed-point
# evaluation on the 10000 Fashion-MNIST test images. Steps whose verb is not
# built yet are skipped with a note.
set -eu
DARKNET=${DARKNET:-./darknet}
W=weights/fmnist.weights
OUT=${DEMO_OUT:-build/demo}
mkdir -p "$OUT"

echo "== float reference model: ./darknet classifier valid cfg/fmnist.data cfg/fmnist.cfg $W"
"$DARKNET" classifier valid cfg/fmnist.data cfg/fmnist.cfg "$W" 2>/dev/null | tail -n 1

has_verb() { "$DARKNET" fxq "$1" --help >/dev/null 2>&1; }

if has_verb stats; then
    echo "== calibration statistics (1000 training images)"
    "$DARKNET" fxq stats cfg/fmnist.cfg "$W" data/fmnist/calib1k.list -o "$OUT/fmnist.stats"
fi
if has_verb quantize && [ -f "$OUT/fmnist.stats" ]; then
    echo "== quantize: 8-bit weights / 8-bit activations"
    "$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$OUT/fmnist.stats" --wbits 8 --abits 8 -o "$OUT/fmnist-8x8.cfg"
    echo "== quantize: water-filling allocation for model size (beta0 = 8)"
    "$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$OUT/fmnist.stats" --objective size --beta0 8 --abits 8 -o "$OUT/fmnist-alloc.cfg"
fi
if has_verb valid && [ -f "$OUT/fmnist-8x8.cfg" ]; then
    echo "== float vs fixed point, 10000 test images"
    "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$OUT/fmnist-8x8.cfg" "$OUT/fmnist-alloc.cfg"
fi
