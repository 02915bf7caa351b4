#!/bin/sh
# make compare: on the reference models, top-1 and agreement with Darknet
# float top-1 on the test images for Darknet float, OpenCV DNN float and int8
# (scripts/opencv_eval.py) and darknet-fxq under each format policy.
#   CONFIGS  ";"-separated "name:fxq quantize budget options" (default 8/8)
#   N        first N test images (default: all 10000)
#   MODELS   default "fmnist fmnist-res fmnist-t5" (the third: a network the
#            policies were not developed on)
#   OUT      working directory (default build/compare); the table is $OUT/table.md
#   POLICIES default "paper mse refine bc bcw row asr bcwh asrh asc ascl asch"; bc = mse with $BC_OPTS
#            (default "--per-channel") and --bias-correct: its cfg runs with
#            the corrected weights (fxq valid --fx-weights), the reference
#            with the original ones; bcw = bc with --windows (zero points)
#            ro = mse with $RO_OPTS (default "--per-channel") and --round-opt
#            (weights rounded layer by layer to minimise each layer's output
#            error, biases corrected): run with its own weights like bc.
#            Not in the default list (1-3 min per model and budget); add it:
#            POLICIES="paper mse refine bc ro"
#            row = ro with --windows (zero points), in the default list
#            asr = row with --act-scales (real-valued activation steps folded
#            into the float weights; its statistics recorded again on
#            $CALIB), asb = bcw with --act-scales: run with their own weights;
#            asr is in the default list, asb not (it measured below bcw)
#            asc = asr with --act-channels 0.5 (per-channel activation
#            factors before the groups' c), in the default list; asch (asc
#            with --head-bits 16) is what fxq quantize --accurate writes
#            Any policy name + "h" (bcwh, asrh, ...) adds --head-bits 16: the
#            outputs only float layers read (the logits) at 16 bits; bcwh,
#            asrh and asch are in the default list. Any policy name + "l"
#            (ascl, ...) adds --logit-window: the logits stay 8-bit, their
#            frac and window chosen by the softmax's error; ascl is in the
#            default list
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
POLICIES=${POLICIES:-paper mse refine bc bcw row asr bcwh asrh asc ascl asch}
BC_OPTS=${BC_OPTS:---per-channel}
RO_OPTS=${RO_OPTS:---per-channel}
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
            p=$f hb=""
            case $f in *h) p=${f%h} hb="--head-bits 16" ;; *l) p=${f%l} hb="--logit-window" ;; esac
            extra="--formats $p"
            [ "$p" = refine ] && extra="$extra --refine-list $OUT/refine1k.list"
            [ "$p" = bc ] && extra="--formats mse $BC_OPTS --bias-correct $OUT/$m-$tag-$f.weights --bias-list $CALIB"
            [ "$p" = bcw ] && extra="--formats mse $BC_OPTS --windows --bias-correct $OUT/$m-$tag-$f.weights --bias-list $CALIB"
            [ "$p" = ro ] && extra="--formats mse $RO_OPTS --round-opt $OUT/$m-$tag-$f.weights --round-list $CALIB"
            [ "$p" = row ] && extra="--formats mse $RO_OPTS --windows --round-opt $OUT/$m-$tag-$f.weights --round-list $CALIB"
            as="--windows --act-scales $OUT/$m-$tag-$f.weights --act-list $CALIB"
            [ "$p" = asr ] && extra="--formats mse $RO_OPTS $as --round-opt $OUT/$m-$tag-$f.weights --round-list $CALIB"
            [ "$p" = asc ] && extra="--formats mse $RO_OPTS $as --act-channels 0.5 --round-opt $OUT/$m-$tag-$f.weights --round-list $CALIB"
            [ "$p" = asb ] && extra="--formats mse $BC_OPTS $as --bias-correct $OUT/$m-$tag-$f.weights --bias-list $CALIB"
            echo "compare: $m: $name $extra" >&2
            # shellcheck disable=SC2086
            "$DARKNET" fxq quantize "$cfg" "$w" "$OUT/$m.stats" -o "$OUT/$m-$tag-$f.cfg" $opts $extra $hb \
                >/dev/null 2>"$OUT/$m-$tag-$f.log"
            case $p in bc | bcw | ro | row | asr | asc | asb) bcs="$bcs $m-$tag-$f" ;; *) cfgs="$cfgs $OUT/$m-$tag-$f.cfg" ;; esac
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
