#!/bin/sh
# make bench: fixed-point vs Darknet float forward, measured side by side in
# one process per model (same machine, same input, 2 threads, batch 1).
# Prints the human-readable tables and one line per model and configuration:
#   ratio <model> <config> <x>      (speed-up over upstream float)
set -eu
DARKNET=${DARKNET:-./darknet}
OUT=${BENCH_OUT:-build/bench}
RUNS=${BENCH_RUNS:-20}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$OUT"

# Speed does not depend on the formats' fractional bits, so random-weight
# networks get fixed formats; the reference model uses `fxq quantize` output
# when that verb is available.
fxcfg() { # fxcfg IN BITS OUT
    awk -v b="$2" '
        /^\[(convolutional|conv)\]/ { print "[fxconvolutional]"; fx() ; next }
        /^\[(connected|conn)\]/     { print "[fxconnected]"; fx(); next }
        { print }
        function fx() { printf "w_bits=%d\nw_frac=%d\nin_bits=%d\nin_frac=%d\nout_bits=%d\nout_frac=%d\n", b, b-2, b, b-4, b, b-4 }
    ' "$1" > "$3.tmp" && mv "$3.tmp" "$3"
}

bench_model() { # NAME CFG WEIGHTS-or-empty
    name=$1 cfg=$2 w=$3
    if [ "$name" = fmnist ] && "$DARKNET" fxq quantize --help >/dev/null 2>&1 && [ -n "$w" ]; then
        "$DARKNET" fxq quantize "$cfg" "$w" data/fmnist/calib1k.list --wbits 8 --abits 8 -o "$OUT/$name-8.cfg" >/dev/null 2>&1 \
            || fxcfg "$cfg" 8 "$OUT/$name-8.cfg"
        "$DARKNET" fxq quantize "$cfg" "$w" data/fmnist/calib1k.list --wbits 16 --abits 16 -o "$OUT/$name-16.cfg" >/dev/null 2>&1 \
            || fxcfg "$cfg" 16 "$OUT/$name-16.cfg"
    else
        fxcfg "$cfg" 8 "$OUT/$name-8.cfg"
        fxcfg "$cfg" 16 "$OUT/$name-16.cfg"
    fi
    set -- "$cfg" "$OUT/$name-8.cfg" "$OUT/$name-16.cfg" --label float --label 8/8 --label 16/16 \
        --name "$name" --runs "$RUNS" --per-layer
    [ -n "$w" ] && set -- "$@" --weights "$w"
    echo
    "$DARKNET" fxq bench "$@" 2>/dev/null
}

echo "darknet-fxq bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), OMP_NUM_THREADS=$OMP_NUM_THREADS"
bench_model fmnist cfg/fmnist.cfg weights/fmnist.weights
bench_model paper-cifar10 cfg/paper-cifar10.cfg ""
bench_model darknet-ref build/darknet/cfg/darknet.cfg ""
echo
"$DARKNET" fxq info --bench 2>/dev/null || echo "(fxq info --bench unavailable)"
