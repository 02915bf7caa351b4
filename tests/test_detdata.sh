#!/bin/sh
# The Fashion-MNIST detection set (scripts/fmnist_det_gen.c, make data):
# deterministic bytes, valid Darknet labels, splits kept apart, bad input refused.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
GEN=$BUILD/fmnist-det-gen
IDX=$BUILD/idx
DET=data/fmnist-det

# Digest of 24 test-split images (seed 2) and their labels, as make data
# writes them: any change to the generator's drawing or its random stream
# changes it. Regenerate with the loop below when the set is changed on purpose.
WANT_DIGEST=72b3e4f05a6812941b5a97082b8c4ade11f0430eca45bf75c87e175ee70729ca

"$GEN" "$IDX/t10k-images-idx3-ubyte" "$IDX/t10k-labels-idx1-ubyte" "$TMP/a" test 24 2 "$TMP/a.list" "$DET" 2>/dev/null
"$GEN" "$IDX/t10k-images-idx3-ubyte" "$IDX/t10k-labels-idx1-ubyte" "$TMP/b" test 24 2 "$TMP/b.list" "$DET" 2>/dev/null
digest() { (cd "$1" && find images labels -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-64; }
da=$(digest "$TMP/a"); db=$(digest "$TMP/b")
expect_eq detdata_same_seed_same_bytes "$da" "$db"
expect_eq detdata_digest "$da" "$WANT_DIGEST"
"$GEN" "$IDX/t10k-images-idx3-ubyte" "$IDX/t10k-labels-idx1-ubyte" "$TMP/c" test 24 3 "$TMP/c.list" "$DET" 2>/dev/null
dc=$(digest "$TMP/c")
if [ "$dc" != "$da" ]; then ok detdata_other_seed_other_bytes; else fail detdata_other_seed_other_bytes "seed 3 = seed 2"; fi
expect_eq detdata_list "$(head -n 1 "$TMP/a.list")" "$DET/images/test/000000.png"

# The set make data wrote is the generator's: image i does not depend on the count.
same=1
for i in 000000 000007 000023; do
    cmp -s "$TMP/a/images/test/$i.png" "$DET/images/test/$i.png" || same=0
    cmp -s "$TMP/a/labels/test/$i.txt" "$DET/labels/test/$i.txt" || same=0
done
expect_eq detdata_make_data_matches_generator "$same" 1
expect_ge detdata_test_images "$(wc -l < "$DET/test.list")" 2000
expect_eq detdata_calib_from_train "$(grep -vc '/images/train/' "$DET/calib1k.list")" 0
expect_eq detdata_test_from_test "$(grep -vc '/images/test/' "$DET/test.list")" 0
# Test images are drawn from the t10k split: regenerating them from the
# training split's IDX files gives other pixels.
"$GEN" "$IDX/train-images-idx3-ubyte" "$IDX/train-labels-idx1-ubyte" "$TMP/d" test 2 2 "$TMP/d.list" "$DET" 2>/dev/null
if cmp -s "$TMP/d/images/test/000001.png" "$DET/images/test/000001.png"; then
    fail detdata_test_split_source "test image equals one drawn from the training split"
else ok detdata_test_split_source; fi

# Every label line: class 0..9, centre and size inside [0,1], box inside the canvas;
# some images have no object, none has more than 8.
bad=$(for f in "$DET"/labels/test/*.txt; do cat "$f"; done | awk '
    NF != 5 || $1 !~ /^[0-9]$/ || $4 <= 0 || $5 <= 0 || $2 - $4/2 < -1e-6 || $2 + $4/2 > 1 + 1e-6 ||
    $3 - $5/2 < -1e-6 || $3 + $5/2 > 1 + 1e-6 { n++ } END { print n + 0 }')
expect_eq detdata_labels_valid "$bad" 0
empty=0; most=0
for f in "$DET"/labels/test/*.txt; do
    n=$(wc -l < "$f"); [ "$n" -eq 0 ] && empty=$((empty + 1)); [ "$n" -gt "$most" ] && most=$n
done
expect_ge detdata_some_negative_images "$empty" 20
expect_eq detdata_at_most_8_objects "$most" 8
# Sizes from ~16 to ~100 px on the 160-px canvas: both ends are present.
small=$(cat "$DET"/labels/test/*.txt | awk '{ if ($4 * 160 <= 16 && $5 * 160 <= 16) n++ } END { print n + 0 }')
large=$(cat "$DET"/labels/test/*.txt | awk '{ if ($4 * 160 >= 80 || $5 * 160 >= 80) n++ } END { print n + 0 }')
expect_ge detdata_small_items "$small" 100
expect_ge detdata_large_items "$large" 100

# Bad input: one line naming the file, non-zero exit, no crash.
printf 'not an idx file' > "$TMP/bad.idx"
out=$("$GEN" "$TMP/bad.idx" "$IDX/t10k-labels-idx1-ubyte" "$TMP/e" test 2 2 "$TMP/e.list" "$DET" 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && printf '%s' "$out" | grep -q "bad.idx: not an IDX3"; then
    ok detdata_bad_idx; else fail detdata_bad_idx "rc=$rc: $out"; fi
out=$("$GEN" "$IDX/t10k-images-idx3-ubyte" "$IDX/train-labels-idx1-ubyte" "$TMP/e" test 2 2 "$TMP/e.list" "$DET" 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q "train-labels-idx1-ubyte: label count differs"; then
    ok detdata_mismatched_labels; else fail detdata_mismatched_labels "rc=$rc: $out"; fi
out=$("$GEN" "$IDX/t10k-images-idx3-ubyte" "$IDX/t10k-labels-idx1-ubyte" "$TMP/e" test 0 2 "$TMP/e.list" "$DET" 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q "count must be"; then ok detdata_bad_count; else fail detdata_bad_count "rc=$rc: $out"; fi
