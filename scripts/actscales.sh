#!/bin/sh
# Activation scales (fxq quantize --act-scales): both reference
# models, 10000 test images, statistics (and bias-correct / round-opt images)
# of calib1k.list; one line per (model, budget, variant) in $OUT/table.md:
# top-1 (difference to float), agreement with float top-1, mean |dlogit|.
#   OUT       working directory (default build/actscales)
#   N         first N test images (default: all)
#   MODELS    default "fmnist fmnist-res"
#   CONFIGS   ";"-separated "name:budget options" (default 8/8)
#   BASE      options of every variant (default --per-channel --windows)
#   VARIANTS  ";"-separated "name:options", W standing for the weights file
#             (default: bc, ro, and both with --act-scales)
set -eu
DARKNET=${DARKNET:-./darknet}
OUT=${OUT:-build/actscales}
N=${N:-0}
MODELS=${MODELS:-fmnist fmnist-res}
CONFIGS=${CONFIGS:-8/8:--wbits 8 --abits 8}
BASE=${BASE:---per-channel --windows}
VARIANTS=${VARIANTS:-bc:--bias-correct W;ro:--round-opt W;as-bc:--act-scales W --bias-correct W;as-ro:--act-scales W --round-opt W}
CALIB=data/fmnist/calib1k.list
mkdir -p "$OUT"
nopt=""; [ "$N" -gt 0 ] && nopt="-n $N"
for m in $MODELS; do
    cfg=cfg/$m.cfg; w=weights/$m.weights
    IFS=';'
    for c in $CONFIGS; do
        for v in $VARIANTS; do
            unset IFS
            tag=$(echo "${c%%:*}" | tr / -); opts=${c#*:}; name=${v%%:*}
            base=$OUT/$m-$tag-$name
            vopts=$(echo "${v#*:}" | sed "s|W|$base.weights|g")
            t0=$(date +%s)
            # shellcheck disable=SC2086
            "$DARKNET" fxq quantize "$cfg" "$w" "$CALIB" -o "$base.cfg" $opts $BASE $vopts -q >"$base.log" 2>&1
            t1=$(date +%s)
            # shellcheck disable=SC2086
            "$DARKNET" fxq valid cfg/fmnist.data "$cfg" "$w" "$base.cfg" --fx-weights "$base.weights" $nopt -q \
                2>/dev/null >"$base.valid"
            f=$(awk -v c="$cfg" '$1 == c {print $2; exit}' "$base.valid")
            awk -v c="$base.cfg" -v f="$f" -v n="$m ${c%%:*} $name" -v s=$((t1 - t0)) '$1 == c {
                printf "| %s | %.2f %% (%+.2f) | %.2f %% | %.4f | %d s |\n", n, 100*$2, 100*($2-f), 100*$4, $5, s}' \
                "$base.valid" | tee -a "$OUT/table.md"
            IFS=';'
        done
    done
    unset IFS
done
