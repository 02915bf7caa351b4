#!/bin/sh
# Fashion-MNIST (Debian's dataset-fashion-mnist) -> data/fmnist/ in Darknet's
# classifier layout, plus cfg/fmnist.data. Idempotent: a complete tree is kept.
set -eu
SRC=${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}
BUILD=${BUILD:-build}
OUT=data/fmnist
CONVERT=$BUILD/fmnist-convert

if [ -f "$OUT/.complete" ]; then exit 0; fi
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$SRC/$f.gz" ] || { echo "make-data: $SRC/$f.gz missing (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
done
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp/train" "$OUT.tmp/test" "$BUILD/idx"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gzip -dc "$SRC/$f.gz" > "$BUILD/idx/$f"
done
# Lists hold final paths (relative to the repo root, where ./darknet runs).
"$CONVERT" "$BUILD/idx/train-images-idx3-ubyte" "$BUILD/idx/train-labels-idx1-ubyte" "$OUT.tmp/train" "$OUT.tmp/train.list" "$OUT.tmp/labels.txt"
"$CONVERT" "$BUILD/idx/t10k-images-idx3-ubyte" "$BUILD/idx/t10k-labels-idx1-ubyte" "$OUT.tmp/test" "$OUT.tmp/test.list" "$OUT.tmp/labels.txt"
sed -i "s#^$OUT.tmp/#$OUT/#" "$OUT.tmp/train.list" "$OUT.tmp/test.list"
head -n 1000 "$OUT.tmp/test.list" > "$OUT.tmp/test1k.list"
head -n 1000 "$OUT.tmp/train.list" > "$OUT.tmp/calib1k.list"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
touch "$OUT/.complete"
echo "make-data: $(wc -l < $OUT/train.list) train, $(wc -l < $OUT/test.list) test images in $OUT" >&2
