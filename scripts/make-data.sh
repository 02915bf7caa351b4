#!/bin/sh
# Fashion-MNIST (Debian's dataset-fashion-mnist) -> data/fmnist/ in Darknet's
# classifier layout, and data/fmnist-det/, the seeded detection set built from
# it (scripts/fmnist_det_gen.c, read by cfg/fmnist-det.data). Idempotent: a
# complete tree is kept.
set -eu
SRC=${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}
BUILD=${BUILD:-build}
OUT=data/fmnist
CONVERT=$BUILD/fmnist-convert

DET=data/fmnist-det
DETGEN=$BUILD/fmnist-det-gen
# Sizes and seeds of the detection set: changing them changes its digest
# (tests/test_detdata.sh).
DET_TRAIN=${DET_TRAIN:-12000}
DET_TEST=${DET_TEST:-2000}
DET_SEED_TRAIN=1
DET_SEED_TEST=2

# A tree made by another generator or with other sizes is made again: the
# marker holds what made it.
DET_STAMP="$(sha256sum scripts/fmnist_det_gen.c | cut -c1-64) $DET_TRAIN $DET_SEED_TRAIN $DET_TEST $DET_SEED_TEST"

make_det() {
    [ -f "$DET/.complete" ] && [ "$(cat "$DET/.complete")" = "$DET_STAMP" ] && return 0
    mkdir -p "$BUILD/idx"
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        [ -f "$BUILD/idx/$f" ] && continue
        [ -f "$SRC/$f.gz" ] || { echo "make-data: $SRC/$f.gz missing (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
        gzip -dc "$SRC/$f.gz" > "$BUILD/idx/$f.tmp" && mv "$BUILD/idx/$f.tmp" "$BUILD/idx/$f"
    done
    rm -rf "$DET.tmp" && mkdir -p "$DET.tmp"
    "$DETGEN" "$BUILD/idx/train-images-idx3-ubyte" "$BUILD/idx/train-labels-idx1-ubyte" "$DET.tmp" train \
        "$DET_TRAIN" "$DET_SEED_TRAIN" "$DET.tmp/train.list" "$DET"
    "$DETGEN" "$BUILD/idx/t10k-images-idx3-ubyte" "$BUILD/idx/t10k-labels-idx1-ubyte" "$DET.tmp" test \
        "$DET_TEST" "$DET_SEED_TEST" "$DET.tmp/test.list" "$DET"
    head -n 1000 "$DET.tmp/train.list" > "$DET.tmp/calib1k.list"
    head -n 500 "$DET.tmp/test.list" > "$DET.tmp/test500.list"
    rm -rf "$DET" && mv "$DET.tmp" "$DET"
    mkdir -p backup/fmnist-det # cfg/fmnist-det.data's backup= for detector train
    echo "$DET_STAMP" > "$DET/.complete"
    echo "make-data: $(wc -l < $DET/train.list) train, $(wc -l < $DET/test.list) test detection images in $DET" >&2
}

if [ -f "$OUT/.complete" ]; then make_det; exit 0; fi
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
make_det
