#!/bin/sh
# Zero points (in_zero/out_zero windows): fxq quantize with and without windows on
# both reference models, 10000 test images, statistics of calib1k.list;
# top-1 (difference to float), agreement with float top-1, mean |dlogit|.
#   OUT      working directory (default build/windows); table: $OUT/table.md
#   N        first N test images (default: all)
#   CONFIGS  ";"-separated "name:budget options" (default 8/8 and 6/8)
# Policies: mse, mse --per-channel, bc (= mse --per-channel --bias-correct,
# as in scripts/compare.sh), each with --no-windows and --windows.
set -eu
DARKNET=${DARKNET:-./darknet}
OUT=${OUT:-build/windows}
N=${N:-0}
CONFIGS=${CONFIGS:-8/8:--wbits 8 --abits 8;6/8:--wbits 6 --abits 8}
MODELS=${MODELS:-fmnist fmnist-res}
CALIB=data/fmnist/calib1k.list
mkdir -p "$OUT"
nopt=""; [ "$N" -gt 0 ] && nopt="-n $N"
row() { # name valid-output-line float-top1
    echo "$2" | awk -v n="$1" -v f="$3" '{printf "| %s | %.2f %% (%+.2f) | %.2f %% | %.3f |\n", n, 100*$2, 100*($2-f), 100*$4, $5}'
}
: >"$OUT/table.md"
for m in $MODELS; do
    cfg=cfg/$m.cfg; w=weights/$m.weights
    "$DARKNET" fxq stats "$cfg" "$w" "$CALIB" -q -o "$OUT/$m.stats" 2>/dev/null
    IFS=';'
    for c in $CONFIGS; do
        unset IFS
        tag=$(echo "${c%%:*}" | tr / -); opts=${c#*:}
        for win in no-windows windows; do
            for pol in mse pc bc; do
                extra=""
                [ $pol = pc ] && extra="--per-channel"
                [ $pol = bc ] && extra="--per-channel --bias-correct $OUT/$m-$tag-$pol-$win.weights --bias-list $CALIB"
                # shellcheck disable=SC2086
                "$DARKNET" fxq quantize "$cfg" "$w" "$OUT/$m.stats" -o "$OUT/$m-$tag-$pol-$win.cfg" $opts --$win \
                    $extra -q 2>"$OUT/$m-$tag-$pol-$win.log"
            done
        done
        IFS=';'
    done
    unset IFS
    cfgs=""; for f in "$OUT/$m"-*-mse-*.cfg "$OUT/$m"-*-pc-*.cfg; do cfgs="$cfgs $f"; done
    # shellcheck disable=SC2086
    "$DARKNET" fxq valid cfg/fmnist.data "$cfg" "$w" $cfgs $nopt -q >"$OUT/$m.valid.txt" 2>/dev/null
    for f in "$OUT/$m"-*-bc-*.cfg; do
        # shellcheck disable=SC2086
        "$DARKNET" fxq valid cfg/fmnist.data "$cfg" "$w" "$f" --fx-weights "${f%.cfg}.weights" $nopt -q 2>/dev/null |
            tail -n 1 >>"$OUT/$m.valid.txt"
    done
    ftop=$(awk -v c="$cfg" '$1 == c {print $2; exit}' "$OUT/$m.valid.txt")
    echo "| $m ($ftop) | top-1 | agreement | mean abs dlogit |" >>"$OUT/table.md"
    echo "|---|---|---|---|" >>"$OUT/table.md"
    for f in $(awk 'NR > 1 && $1 ~ /[.]cfg$/ {print $1}' "$OUT/$m.valid.txt" | grep -v "^$cfg\$" | sort); do
        row "$(basename "$f" .cfg)" "$(awk -v c="$f" '$1 == c' "$OUT/$m.valid.txt" | tail -n 1)" "$ftop" >>"$OUT/table.md"
    done
done
cat "$OUT/table.md"
