#!/bin/sh
# Quantize a Darknet classifier with a chosen budget and compare it with the
# float network on your own data: the three commands a user would type, in
# order (docs/evaluate.md).
#
#   scripts/fxq-eval-classifier.sh <data> <cfg> <weights> <calib.list> [budget] [quantize options]
#
#   <data>        Darknet data file: valid=, labels=, classes= (top= optional)
#   <cfg>         the float cfg, <weights> its .weights
#   <calib.list>  calibration images (a few hundred typical inputs, not the test set)
#   budget        one of --wbits B | --beta0 B | --sqnr DB | --size-mbits M
#                 (default --sqnr 30); further options go to `fxq quantize`
#                 unchanged (e.g. --abits 8, --kappa measured)
#
# Environment: DARKNET (default ./darknet), OUT (output folder, default
# fxq-eval/ next to the cfg's name), N (calibration images, default 1000),
# FXQ_PACK (path of fxq-pack; when present, also writes the packed .fxw and
# reports its size).
#
# Writes $OUT/<name>.stats, $OUT/<name>-fx.cfg (and .fxw), then prints the
# side-by-side table of `darknet fxq valid`. Darknet's layer listings and
# progress go to $OUT/log (shown when a step fails).
set -eu
if [ $# -lt 4 ]; then
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
DATA=$1 CFG=$2 W=$3 CALIB=$4
shift 4
DARKNET=${DARKNET:-./darknet}
NAME=$(basename "$CFG" .cfg)
OUT=${OUT:-fxq-eval}
N=${N:-1000}
PACK=${FXQ_PACK:-build/bin/fxq-pack}
[ $# -gt 0 ] || set -- --sqnr 30
for f in "$DATA" "$CFG" "$W" "$CALIB"; do
    [ -r "$f" ] || { echo "fxq-eval-classifier: $f: cannot read" >&2; exit 1; }
done
[ -x "$DARKNET" ] || { echo "fxq-eval-classifier: $DARKNET: not built (run make)" >&2; exit 1; }
mkdir -p "$OUT"
LOG=$OUT/log
: >"$LOG"
step() { # runs a command with its stderr in the log; on failure shows the log's end
    "$@" 2>>"$LOG" && return 0
    echo "fxq-eval-classifier: failed: $*" >&2
    tail -n 5 "$LOG" >&2
    exit 1
}

echo "== 1. calibration statistics: $N images of $CALIB"
step "$DARKNET" fxq stats "$CFG" "$W" "$CALIB" -n "$N" -q -o "$OUT/$NAME.stats" >/dev/null

echo "== 2. quantize: $*"
step "$DARKNET" fxq quantize "$CFG" "$W" "$OUT/$NAME.stats" -o "$OUT/$NAME-fx.cfg" "$@"

if [ -x "$PACK" ]; then
    echo "== packed weights"
    step "$PACK" "$OUT/$NAME-fx.cfg" "$W" -o "$OUT/$NAME-fx.fxw"
fi

echo "== 3. float vs fixed point on the data file's valid list"
step "$DARKNET" fxq valid "$DATA" "$CFG" "$W" "$OUT/$NAME-fx.cfg"
