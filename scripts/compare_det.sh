#!/bin/sh
# make compare, detectors: mAP@0.5 (VOC, all-point) and mAP@[.5:.95] (COCO, 101-point) on the
# data file's test images for Darknet float, OpenCV DNN float and int8 (scripts/opencv_det.py)
# and darknet-fxq's presets. Every system's boxes are `detector valid`'s result files
# (letterbox, thresh 0.005, NMS 0.45; OpenCV's written in the same format by the same steps),
# and one scorer scores them all (scripts/det_ap.py, the scorer test_map checks `fxq map` against).
#   DET_MODELS  default "fmnist-yolo" (cfg/NAME.cfg, weights/NAME.weights)
#   DET_WEIGHTS weights file instead of weights/NAME.weights (one model)
#   DET_DATA    default cfg/fmnist-det.data (its valid= list, names=)
#   DET_CALIB   calibration images (default data/fmnist-det/calib1k.list; OpenCV's too)
#   DET_N       first N test images (default: all)
#   DET_BUDGETS ";"-separated "name:fxq quantize budget options" (default 8/8)
#   DET_PRESETS default "fast accurate paper": `--preset NAME` where fxq quantize has presets;
#               otherwise the same pipelines by their options (fast: mse formats from the
#               statistics, accurate: --accurate W, paper: --formats paper)
#   OUT         working directory (default build/compare); appends rows to $OUT/det-table.md
set -eu
DARKNET=${DARKNET:-./darknet}
PY=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-build/compare}
DET_MODELS=${DET_MODELS:-fmnist-yolo}
DET_DATA=${DET_DATA:-cfg/fmnist-det.data}
DET_CALIB=${DET_CALIB:-data/fmnist-det/calib1k.list}
DET_N=${DET_N:-0}
DET_BUDGETS=${DET_BUDGETS:-8/8:--wbits 8 --abits 8}
DET_PRESETS=${DET_PRESETS:-fast accurate paper}
D=$OUT/det
mkdir -p "$D"

key() { sed -n "s/^[ \t]*$1[ \t]*=[ \t]*//p" "$DET_DATA" | head -n 1; }
valid=$(key valid) names=$(key names) classes=$(key classes)
list=$D/test.list
if [ "$DET_N" -gt 0 ]; then head -n "$DET_N" "$valid" >"$list"; else cp "$valid" "$list"; fi
has_presets=0
"$DARKNET" fxq quantize --help 2>&1 | grep -q -- '--preset' && has_presets=1

# detector valid's result files for SYS into $D/SYS/, scored
score() { # SYS
    "$PY" scripts/det_ap.py "$list" "$names" "$D/$1" >"$D/$1.ap" &&
        awk '{ v[$1] = $2 } END { if (!("map50" in v)) exit 1; printf "map50 %.2f map50_95 %.2f\n", 100 * v["map50"], 100 * v["map50_95"] }' \
            "$D/$1.ap" >"$D/$1.map" ||
        echo "map50 n/a map50_95 n/a" >"$D/$1.map"
}
dk_valid() { # SYS CFG WEIGHTS
    mkdir -p "$D/$1"
    printf 'classes=%s\nvalid=%s\nnames=%s\nresults=%s\n' "$classes" "$list" "$names" "$D/$1" >"$D/$1.data"
    "$DARKNET" detector valid "$D/$1.data" "$2" "$3" >/dev/null 2>"$D/$1.log" || echo "compare: $1: detector valid failed ($D/$1.log)" >&2
    score "$1"
}
row() { # MODEL SYSTEM-TEXT SYS
    awk -v m="$1" -v s="$2" '{ p = $2 == "n/a" ? "" : " %"; printf "| %s | %s | %s%s | %s%s |\n", m, s, $2, p, $4, p }' \
        "$D/$3.map"
}

: >"$OUT/det-table.md.tmp"
for m in $DET_MODELS; do
    cfg=cfg/$m.cfg w=${DET_WEIGHTS:-weights/$m.weights}
    echo "compare: $m: Darknet float" >&2
    dk_valid "$m-float" "$cfg" "$w"
    row "$m" "Darknet float" "$m-float" >>"$OUT/det-table.md.tmp"
    echo "compare: $m: OpenCV DNN float and int8" >&2
    "$PY" scripts/opencv_det.py "$cfg" "$w" "$list" "$names" "$DET_CALIB" "$D/$m-ocv" >"$D/$m-ocv.log" 2>&1 ||
        echo "compare: $m: opencv_det.py failed: $(tail -n 1 "$D/$m-ocv.log") ($D/$m-ocv.log; make compare-deps installs python3-opencv)" >&2
    cv=$("$PY" -c 'import cv2; print(cv2.__version__)' 2>/dev/null || echo "?")
    for k in float int8; do
        if [ -d "$D/$m-ocv/opencv-$k" ]; then
            mkdir -p "$D/$m-ocv-$k" && cp "$D/$m-ocv/opencv-$k"/*.txt "$D/$m-ocv-$k/"
            score "$m-ocv-$k"
        else
            echo "map50 n/a map50_95 n/a" >"$D/$m-ocv-$k.map"
        fi
    done
    row "$m" "OpenCV DNN $cv float" "$m-ocv-float" >>"$OUT/det-table.md.tmp"
    row "$m" "OpenCV DNN $cv int8 (net.quantize, $(wc -l <"$DET_CALIB") calibration images)" "$m-ocv-int8" >>"$OUT/det-table.md.tmp"
    echo "compare: $m: statistics of $DET_CALIB" >&2
    "$DARKNET" fxq stats "$cfg" "$w" "$DET_CALIB" -q -o "$D/$m.stats" 2>/dev/null
    IFS=';'
    for b in $DET_BUDGETS; do
        IFS=' '
        name=${b%%:*} opts=${b#*:} tag=$(echo "$name" | tr '/ ' '-_')
        for p in $DET_PRESETS; do
            s=$m-$tag-$p fx=$D/$m-$tag-$p.cfg fw=$w
            if [ "$has_presets" = 1 ]; then
                src=$DET_CALIB extra="--preset $p"
                [ "$p" = fast ] && src=$D/$m.stats
            else
                src=$D/$m.stats extra=""
                [ "$p" = accurate ] && src=$DET_CALIB extra="--accurate $D/$s.weights"
                [ "$p" = paper ] && extra="--formats paper"
            fi
            echo "compare: $m: $name $p" >&2
            # shellcheck disable=SC2086
            if "$DARKNET" fxq quantize "$cfg" "$w" "$src" -o "$fx" $opts $extra >"$D/$s.qlog" 2>&1; then
                [ -s "$D/$s.weights" ] && fw=$D/$s.weights
                dk_valid "$s" "$fx" "$fw"
            else
                echo "compare: $m: fxq quantize $name $p failed ($D/$s.qlog)" >&2
                echo "map50 n/a map50_95 n/a" >"$D/$s.map"
            fi
            row "$m" "darknet-fxq $name \`$p\`" "$s" >>"$OUT/det-table.md.tmp"
        done
        IFS=';'
    done
    IFS=' '
    grep '^opencv-int8 ' "$D/$m-ocv.log" | sed "s/^/# $m: /" >&2 || true
done
{
    echo "| model | system | mAP@0.5 | mAP@[.5:.95] |"
    echo "|---|---|---|---|"
    cat "$OUT/det-table.md.tmp"
} >"$OUT/det-table.md"
rm -f "$OUT/det-table.md.tmp"
cat "$OUT/det-table.md"
