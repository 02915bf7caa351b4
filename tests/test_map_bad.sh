# fxq map on bad detection data: a data file without names, label files with
# a class out of range, coordinates outside [0, 1] or not numbers, an image
# without a label file, a set with no object at all, an undecodable image,
# a network that is not a detector or detects another number of classes.
# Each: exit status 1 (2 for usage), no crash or sanitizer report, and the
# message (the last line on stderr; the only one when the data is checked
# before any network loads) names the file. An empty label file is a valid
# image without objects. The images are Fashion-MNIST PNGs (data/fmnist).
. tests/lib.sh

# random weights: without batch norm (whose fresh rolling variance of 0
# multiplies by 1000 per layer) they give finite outputs
CFG=$TMP/nobn.cfg
sed '/^batch_normalize=1/d' cfg/fmnist-yolo.cfg >"$CFG"
W=$TMP/rand.weights
"$DARKNET" partial "$CFG" "" "$W" 100000 >/dev/null 2>&1
expect_eq map_bad.random_weights "$([ -s "$W" ] && echo yes)" yes
"$DARKNET" partial cfg/fmnist-yolo.cfg "" "$TMP/nan.weights" 100000 >/dev/null 2>&1

D=$TMP/set
mkdir -p "$D/images" "$D/labels"
i=0
for f in $(head -n 3 data/fmnist/test1k.list); do
    cp "$f" "$D/images/$i.png"
    i=$((i + 1))
done
echo "2 0.5 0.5 0.6 0.8" >"$D/labels/0.txt"
echo "7 0.25 0.25 0.3 0.3" >"$D/labels/1.txt"
: >"$D/labels/2.txt" # an image without objects
ls "$D"/images/*.png >"$D/good.list"
mk_data() { # mk_data FILE LIST [names line]
    { echo "classes=10"; echo "valid=$2"; [ $# -ge 3 ] && echo "$3"; } >"$1"
}
mk_data "$TMP/good.data" "$D/good.list" "names=cfg/fmnist-det.names"

# case NAME WANT_RC PATTERN ONE_LINE command...
case_() {
    name=$1 want=$2 pat=$3 one=$4; shift 4
    timeout 120 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    last=$(grep -v '^ *$' "$TMP/err" | tail -n 1)
    if [ "$rc" != "$want" ]; then fail "map_bad.$name" "exit $rc, want $want: $last"
    elif grep -qE "Sanitizer|runtime error|Segmentation|Assertion" "$TMP/err"; then fail "map_bad.$name" "crash report"
    elif ! printf '%s\n' "$last" | grep -qE -- "$pat"; then fail "map_bad.$name" "last line '$last' does not match '$pat'"
    elif [ "$one" = 1 ] && [ "$(wc -l <"$TMP/err")" != 1 ]; then fail "map_bad.$name" "$(wc -l <"$TMP/err") lines on stderr"
    elif [ -s "$TMP/out" ] && [ "$want" != 0 ]; then fail "map_bad.$name" "wrote to stdout"
    else ok "map_bad.$name"; fi
}
MAP="$DARKNET fxq map"

# the good set runs (the empty label file is an image without objects)
case_ good 0 "" 0 $MAP "$TMP/good.data" "$CFG" "$W" -q
expect_eq map_bad.good_counts "$(sed -n 1p "$TMP/out" | cut -d, -f1-2)" "3 images, 2 objects"

mk_data "$TMP/nonames.data" "$D/good.list"
case_ no_names 1 "nonames.data: no 'names=' file" 1 $MAP "$TMP/nonames.data" "$CFG" "$W"
mk_data "$TMP/badnames.data" "$D/good.list" "names=$TMP/missing.names"
case_ names_missing 1 "missing.names" 1 $MAP "$TMP/badnames.data" "$CFG" "$W"

# one bad label file at a time, in image 1 (line 2: line numbers count)
bad_label() { # NAME PATTERN LINE
    name=$1 pat=$2; shift 2
    cp "$D/labels/1.txt" "$TMP/keep.txt"
    { echo "3 0.5 0.5 0.2 0.2"; echo "$1"; } >"$D/labels/1.txt"
    case_ "label_$name" 1 "$pat" 1 $MAP "$TMP/good.data" "$CFG" "$W"
    cp "$TMP/keep.txt" "$D/labels/1.txt"
}
bad_label class_range "labels/1.txt:2: class 10 outside 0..9" "10 0.5 0.5 0.2 0.2"
bad_label class_negative "labels/1.txt:2: class -1 outside" "-1 0.5 0.5 0.2 0.2"
bad_label class_text "labels/1.txt:2: class 'shirt' is not an integer" "shirt 0.5 0.5 0.2 0.2"
bad_label coord_above "labels/1.txt:2: cx 1.2 outside \[0, 1\]" "3 1.2 0.5 0.2 0.2"
bad_label coord_below "labels/1.txt:2: h -0.1 outside \[0, 1\]" "3 0.5 0.5 0.2 -0.1"
bad_label pixels "labels/1.txt:2: cx 40 outside \[0, 1\]" "3 40 40 20 20"
bad_label not_number "labels/1.txt:2: cy '0.5x' is not a number" "3 0.5 0.5x 0.2 0.2"
bad_label nan "labels/1.txt:2: w 'nan' is not a number" "3 0.5 0.5 nan 0.2"
bad_label fields "labels/1.txt:2: 4 fields, want 5" "3 0.5 0.5 0.2"
bad_label zero_size "labels/1.txt:2: w is 0" "3 0.5 0.5 0 0.2"

# a listed image that does not exist (its label file does): the image is named
cp "$D/good.list" "$TMP/gone.list"
echo "$D/images/7.png" >>"$TMP/gone.list"
echo "1 0.5 0.5 0.2 0.2" >"$D/labels/7.txt"
case_ image_missing 1 "images/7.png: no such image \(line 4 of .*gone.list\)" 1 $MAP "$TMP/good.data" "$CFG" "$W" \
    --list "$TMP/gone.list"
# an image without a label file
mv "$D/labels/2.txt" "$TMP/l2.txt"
case_ label_missing 1 "labels/2.txt: cannot open label file.*images/2.png" 1 $MAP "$TMP/good.data" "$CFG" "$W"
mv "$TMP/l2.txt" "$D/labels/2.txt"
# a path the images->labels rule does not change
mkdir -p "$D/pics"
cp "$D/images/0.png" "$D/pics/0.gif"
echo "$D/pics/0.gif" >"$TMP/norule.list"
case_ label_no_rule 1 "pics/0.gif: no label file" 1 $MAP "$TMP/good.data" "$CFG" "$W" --list "$TMP/norule.list"

# no object in any image: nothing to score
echo "$D/images/2.png" >"$TMP/empty.list"
case_ no_objects 1 "empty.list: none of the 1 images has an object" 1 $MAP "$TMP/good.data" "$CFG" "$W" --list "$TMP/empty.list"

# an image that does not decode (its label file is fine)
echo "not a png" >"$D/images/9.png"
echo "1 0.5 0.5 0.2 0.2" >"$D/labels/9.txt"
echo "$D/images/9.png" >"$TMP/undecodable.list"
case_ image_undecodable 1 "images/9.png: cannot decode image" 0 $MAP "$TMP/good.data" "$CFG" "$W" --list "$TMP/undecodable.list"

case_ list_missing 1 "nolist: No such file" 1 $MAP "$TMP/good.data" "$CFG" "$W" --list "$TMP/nolist"
# a classifier is not a detector; a detector of another class count
case_ not_detector 1 "cfg/fmnist.cfg: does not end in a \[yolo\]" 0 $MAP "$TMP/good.data" cfg/fmnist.cfg weights/fmnist.weights
# a fixed-point cfg of another network, with weights that fit it
case_ fx_not_detector 1 "cfg/fmnist-fx44.cfg: does not end in a \[yolo\]" 0 $MAP "$TMP/good.data" "$CFG" "$W" \
    cfg/fmnist-fx44.cfg --fx-weights weights/fmnist-fx44-ft.weights
sed 's/^classes=10/classes=9/' "$TMP/good.data" >"$TMP/nine.data"
case_ classes_mismatch 1 "nobn.cfg: detects 10 classes, .*nine.data has 9" 0 $MAP "$TMP/nine.data" "$CFG" "$W"
# weights whose outputs overflow to NaN: refused, not a crash in get_network_boxes
case_ nan_outputs 1 "fmnist-yolo.cfg: produced NaN/Inf on .*images/0.png: broken weights" 0 $MAP "$TMP/good.data" \
    cfg/fmnist-yolo.cfg "$TMP/nan.weights"
case_ bad_option 2 "unknown option: --thresh" 1 $MAP "$TMP/good.data" "$CFG" "$W" --thresh 0.3
case_ bad_n 2 "-n: not a positive integer in range: 0" 1 $MAP "$TMP/good.data" "$CFG" "$W" -n 0
case_ fx_weights_count 2 "2 --fx-weights for 3 fixed-point cfgs: give one for all, or one per cfg" 1 $MAP \
    "$TMP/good.data" "$CFG" "$W" "$CFG" "$CFG" "$CFG" --fx-weights "$W" --fx-weights "$W"
case_ fx_weights_alone 2 "--fx-weights without a fixed-point cfg" 1 $MAP "$TMP/good.data" "$CFG" "$W" --fx-weights "$W"
# the alias takes the same checks
case_ alias_no_names 1 "nonames.data: no 'names=' file" 1 "$DARKNET" detector map "$TMP/nonames.data" "$CFG" "$W"
