# fxq map end to end on the trained detector (cfg/fmnist-yolo.cfg,
# weights/fmnist-yolo.weights) and the Fashion-MNIST detection set:
# - its mAP@0.5 and mAP@[.5:.95], overall and per class, equal (to 0.01 pt)
#   those scripts/det_ap.py computes independently from `detector valid`'s
#   result files, for the float cfg and a fixed-point cfg from fxq quantize;
# - `detector map` is the same command; -n, --fx-weights;
# - `detector test` on the fixed-point cfg reports exactly the boxes >= 0.5
#   that detector valid writes for that image, `detector recall` runs on it;
# - the reference agrees with itself, the float mAP is not that of an
#   untrained network, and 16-bit fixed point stays within 1 pt of float.
# MAP_WEIGHTS / MAP_N override the weights and the number of test images.
. tests/lib.sh

CFG=cfg/fmnist-yolo.cfg
DATA=cfg/fmnist-det.data
W=${MAP_WEIGHTS:-weights/fmnist-yolo.weights}
N=${MAP_N:-40}
if [ ! -s "$W" ] || [ ! -s data/fmnist-det/test500.list ]; then
    fail map.inputs "needs $W and data/fmnist-det (make data)"
    exit 0
fi
command -v python3 >/dev/null || { fail map.inputs "needs python3 (scripts/det_ap.py)"; exit 0; }
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} # results do not depend on it; a busy machine does

# absolute image paths: detector test runs in another directory
sed "s#^#$PWD/#" data/fmnist-det/test500.list | head -n "$N" >"$TMP/test.list"
mkdir -p "$TMP/res"
# the data file as users write it, with the short list and a results folder
sed -e "s#^valid=.*#valid=$TMP/test.list#" -e "s#^names=#names=$PWD/#" "$DATA" >"$TMP/t.data"
echo "results=$TMP/res" >>"$TMP/t.data"

# fixed-point cfgs: 8-bit with the default preset (its own .weights beside
# the cfg), 16-bit from the statistics alone (the float .weights)
head -n 32 data/fmnist-det/calib1k.list >"$TMP/calib.list"
"$DARKNET" fxq quantize "$CFG" "$W" "$TMP/calib.list" --wbits 8 --abits 8 -q -o "$TMP/fx8.cfg" >"$TMP/q8.out" 2>"$TMP/q.err"
expect_eq map.quantize_8 "$([ -s "$TMP/fx8.cfg" ] && [ -s "$TMP/fx8.weights" ] && echo yes)" yes
check map.quantize_8_next_is_map grep -q "^next: ./darknet fxq map cfg/fmnist-det.data $CFG $W $TMP/fx8.cfg --fx-weights $TMP/fx8.weights\$" "$TMP/q8.out"
"$DARKNET" fxq quantize "$CFG" "$W" "$TMP/calib.list" --wbits 16 --abits 16 --preset fast -q -o "$TMP/fx16.cfg" >/dev/null 2>>"$TMP/q.err"
expect_eq map.quantize_16 "$([ -s "$TMP/fx16.cfg" ] && [ ! -e "$TMP/fx16.weights" ] && echo yes)" yes

# one --fx-weights per fixed-point cfg ("-": the reference's)
"$DARKNET" fxq map "$TMP/t.data" "$CFG" "$W" "$TMP/fx8.cfg" "$TMP/fx16.cfg" --csv --per-class -q \
    --fx-weights "$TMP/fx8.weights" --fx-weights - >"$TMP/map.csv" 2>"$TMP/map.err"
expect_eq map.runs "$?" 0
expect_eq map.rows "$(wc -l <"$TMP/map.csv")" 4
col() { # col ROW NAME: value of column NAME in CSV row ROW (1 = first cfg)
    awk -F, -v r="$1" -v n="$2" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == n) c = i } NR == r + 1 { print $c }' "$TMP/map.csv"
}
expect_eq map.images "$(col 1 images)" "$N"
expect_eq map.reference_agrees_with_itself "$(col 1 agree)" 1.000000
expect_ge map.float_map50_trained "$(col 1 map50)" 0.30
m16=$(col 3 map50)
expect_near map.fx16_map50_near_float "$m16" "$(col 1 map50)" 0.01

# independent AP from detector valid's files, float and 8-bit
k=0
for c in "$CFG" "$TMP/fx8.cfg"; do
    k=$((k + 1))
    rm -f "$TMP"/res/*
    w=$W; [ $k = 2 ] && w=$TMP/fx8.weights
    "$DARKNET" detector valid "$TMP/t.data" "$c" "$w" >/dev/null 2>"$TMP/valid.err"
    expect_eq "map.detector_valid_$k" "$?" 0
    python3 scripts/det_ap.py "$TMP/test.list" cfg/fmnist-det.names "$TMP/res" --per-class >"$TMP/ap$k.txt"
    expect_near "map.map50_equals_detector_valid_$k" "$(col $k map50)" "$(awk '$1 == "map50" { print $2 }' "$TMP/ap$k.txt")" 0.0001
    expect_near "map.map50_95_equals_detector_valid_$k" "$(col $k map50_95)" \
        "$(awk '$1 == "map50_95" { print $2 }' "$TMP/ap$k.txt")" 0.0001
    worst=$(awk -F, -v r="$k" 'NR == 1 { for (i = 1; i <= NF; ++i) h[i] = $i } NR == r + 1 { for (i = 1; i <= NF; ++i) v[h[i]] = $i }
        END { while ((getline l < "'"$TMP/ap$k.txt"'") > 0) { split(l, f, " "); if (f[1] == "ap50" || f[1] == "ap50_95") {
            d = v[f[1] "_" f[2]] - f[3]; if (d < 0) d = -d; if (d > w) w = d; n++ } } print n, w + 0 }' "$TMP/map.csv")
    expect_eq "map.per_class_compared_$k" "${worst%% *}" 20
    expect_near "map.per_class_equal_detector_valid_$k" "${worst#* }" 0 0.0001
    [ $k = 2 ] && cp "$TMP/res/comp4_det_test_tee.txt" "$TMP/fx8-tee.txt" && cp -r "$TMP/res" "$TMP/res8"
done

# the alias, -n and --fx-weights
"$DARKNET" detector map "$TMP/t.data" "$CFG" "$W" "$TMP/fx8.cfg" --csv -q -n 10 >"$TMP/alias.csv" 2>/dev/null
"$DARKNET" fxq map "$TMP/t.data" "$CFG" "$W" "$TMP/fx8.cfg" --csv -q -n 10 --fx-weights "$W" >"$TMP/fxw.csv" 2>/dev/null
expect_eq map.alias_equals_fxq_map "$(cut -d, -f1-8 "$TMP/alias.csv" | md5sum)" "$(cut -d, -f1-8 "$TMP/fxw.csv" | md5sum)"
expect_eq map.n_images "$(awk -F, 'NR == 2 { print $3 }' "$TMP/alias.csv")" 10

# detector test on the fixed-point cfg: the boxes >= 0.5 of detector valid
# (run in Darknet's tree, as `make` links data/labels, the font it draws with)
img=$(sed -n 1p "$TMP/test.list")
id=$(basename "$img" .png)
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
dn=$(abs "$DARKNET") wa=$(abs "$TMP/fx8.weights")
(cd "${BUILD:-build}/darknet" && "$dn" detector test "$TMP/t.data" "$TMP/fx8.cfg" "$wa" "$img" -thresh 0.5 \
    -out "$TMP/pred") >"$TMP/test.out" 2>"$TMP/test.err"
expect_eq map.detector_test_runs "$?" 0
grep -E '^[a-z]+: [0-9]+%$' "$TMP/test.out" | sort >"$TMP/test.boxes"
for f in "$TMP"/res8/comp4_det_test_*.txt; do
    name=$(basename "$f" .txt | sed 's/^comp4_det_test_//')
    awk -v id="$id" -v n="$name" '$1 == id && $2 > 0.5 { printf "%s: %.0f%%\n", n, $2 * 100 }' "$f"
done | sort >"$TMP/valid.boxes"
expect_ge map.detector_test_found_boxes "$(wc -l <"$TMP/test.boxes")" 1
expect_eq map.detector_test_equals_valid "$(md5sum <"$TMP/test.boxes")" "$(md5sum <"$TMP/valid.boxes")"

# detector recall on the fixed-point cfg: one line per image of the data file's list
"$DARKNET" detector recall "$TMP/t.data" "$TMP/fx8.cfg" "$TMP/fx8.weights" >/dev/null 2>"$TMP/recall.err"
expect_eq map.detector_recall_runs "$?" 0
expect_eq map.detector_recall_images "$(grep -c 'Recall:' "$TMP/recall.err")" "$N"
