#!/bin/sh
# make compare: on the reference models, top-1 and agreement with Darknet
# float top-1 on the test images for Darknet float, OpenCV DNN float and int8
# (scripts/opencv_eval.py) and darknet-fxq under each format policy.
#   CONFIGS  ";"-separated "name:fxq quantize budget options" (default 8/8)
#   N        first N test images (default: all 10000)
#   MODELS   default "fmnist fmnist-res fmnist-t5" (the third: a network the
#            policies were not developed on)
#   OUT      working directory (default build/compare); the table is $OUT/table.md
#   POLICIES default "accurate fast paper refine bcw row asr asc ascl asch bcwh asrh": the presets
#            (fxq quantize --preset NAME; accurate is the default) and named pass lists,
#            each run on the statistics of $CALIB with --images $CALIB:
#              refine = --passes refine (held-out images below)
#              bc  = --passes per-channel,bias-correct   bcw = bc with windows
#              ro  = --passes per-channel,round-opt      row = ro with windows
#              asr = row with act-scales                 asc = asr with act-channels
#            Any name + "h" adds --head-bits 16 (the logits at 16 bits), + "l" the
#            logit-window pass (ascl = asc + logit-window: the passes of accurate).
#            A pass list that changes weights writes its .weights beside its cfg;
#            the cfg runs with it (fxq valid --fx-weights), the reference with the
#            original weights.
#   DET_MODELS  detectors (default "fmnist-yolo"; "" skips them): mAP@0.5 and mAP@[.5:.95]
#            of Darknet float, OpenCV DNN float/int8 and fxq presets on
#            cfg/fmnist-det.data's test images (scripts/compare_det.sh, its
#            options there); the table is $OUT/det-table.md
# The refine policy's held-out images: 1000 training images that are not
# calibration images (every 59th of train.list minus calib1k.list).
set -eu
DARKNET=${DARKNET:-./darknet}
PY=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-build/compare}
MODELS=${MODELS:-fmnist fmnist-res fmnist-t5}
CONFIGS=${CONFIGS:-8/8:--wbits 8 --abits 8}
N=${N:-0}
POLICIES=${POLICIES:-accurate fast paper refine bcw row asr asc ascl asch bcwh asrh}
CALIB=data/fmnist/calib1k.list
mkdir -p "$OUT"
grep -vxFf "$CALIB" data/fmnist/train.list | awk 'NR % 59 == 0' | head -n 1000 >"$OUT/refine1k.list"
nopt=""; [ "$N" -gt 0 ] && nopt="-n $N"
: >"$OUT/table.md.tmp"
for m in $MODELS; do
    cfg=cfg/$m.cfg; w=weights/$m.weights
    echo "compare: $m: statistics of $CALIB" >&2
    "$DARKNET" fxq stats "$cfg" "$w" "$CALIB" -q -o "$OUT/$m.stats" 2>/dev/null
    cfgs=""; bcs=""
    IFS=';'
    for c in $CONFIGS; do
        IFS=' '
        name=${c%%:*}; opts=${c#*:}; tag=$(echo "$name" | tr '/ ' '-_')
        for f in $POLICIES; do
            p=$f hb="" lw=""
            case $f in accurate | fast | paper) ;; *h) p=${f%h} hb="--head-bits 16" ;; *l) p=${f%l} lw=",logit-window" ;; esac
            case $p in
            accurate | fast | paper) extra="--preset $p --images $CALIB" ;;
            refine) extra="--passes refine --held-out $OUT/refine1k.list" ;;
            bc) extra="--passes per-channel,bias-correct$lw --images $CALIB" ;;
            bcw) extra="--passes per-channel,windows,bias-correct$lw --images $CALIB" ;;
            ro) extra="--passes per-channel,round-opt$lw --images $CALIB" ;;
            row) extra="--passes per-channel,windows,round-opt$lw --images $CALIB" ;;
            asr) extra="--passes per-channel,windows,act-scales,round-opt$lw --images $CALIB" ;;
            asc) extra="--passes per-channel,windows,act-scales,act-channels,round-opt$lw --images $CALIB" ;;
            *) echo "compare: unknown policy $f" >&2; exit 2 ;;
            esac
            echo "compare: $m: $name $extra" >&2
            rm -f "$OUT/$m-$tag-$f.weights"
            # shellcheck disable=SC2086
            "$DARKNET" fxq quantize "$cfg" "$w" "$OUT/$m.stats" -o "$OUT/$m-$tag-$f.cfg" $opts $extra $hb \
                >/dev/null 2>"$OUT/$m-$tag-$f.log"
            if [ -s "$OUT/$m-$tag-$f.weights" ]; then bcs="$bcs $m-$tag-$f"; else cfgs="$cfgs $OUT/$m-$tag-$f.cfg"; fi
        done
        IFS=';'
    done
    IFS=' '
    echo "compare: $m: fxq valid" >&2
    # shellcheck disable=SC2086
    "$DARKNET" fxq valid cfg/fmnist.data "$cfg" "$w" $cfgs $nopt -q --pred "$OUT/$m.pred.csv" >"$OUT/$m.valid.txt" 2>"$OUT/$m.valid.log"
    # bias-corrected / rounding-optimized cfgs: their own weights; same images in the same order, columns appended
    for b in $bcs; do
        # shellcheck disable=SC2086
        "$DARKNET" fxq valid cfg/fmnist.data "$cfg" "$w" "$OUT/$b.cfg" --fx-weights "$OUT/$b.weights" $nopt -q \
            --pred "$OUT/$b.pred.csv" >"$OUT/$b.valid.txt" 2>"$OUT/$b.valid.log"
        cut -d, -f4 "$OUT/$b.pred.csv" | paste -d, "$OUT/$m.pred.csv" - >"$OUT/$m.pred.csv.tmp"
        mv "$OUT/$m.pred.csv.tmp" "$OUT/$m.pred.csv"
    done
    echo "compare: $m: OpenCV DNN" >&2
    "$PY" scripts/opencv_eval.py "$m" "$cfg" "$w" "$CALIB" "$OUT/$m.pred.csv" --cv-pred "$OUT/$m.opencv.csv" \
        >>"$OUT/table.md.tmp"
done
{
    echo "| model | system | top-1 | agrees with float top-1 |"
    echo "|---|---|---|---|"
    sed "s|\`$OUT/|\`|g" "$OUT/table.md.tmp"
} >"$OUT/table.md"
rm -f "$OUT/table.md.tmp"
cat "$OUT/table.md"
DET_MODELS=${DET_MODELS-fmnist-yolo}
if [ -n "$DET_MODELS" ]; then
    echo
    DET_MODELS=$DET_MODELS OUT=$OUT DARKNET=$DARKNET PYTHON=$PY ./scripts/compare_det.sh
fi
