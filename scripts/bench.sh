#!/bin/sh
# make bench: fixed-point vs Darknet float forward, measured side by side in
# one process per model (same machine, same input, 2 threads, batch 1), and
# OpenCV DNN float / int8 on the same cfg and weights (scripts/fxq_opencv_bench.py;
# Debian's python3-opencv, installed when missing and possible, else those
# columns are skipped with a message).
# Prints the human-readable tables and one line per model and configuration:
#   ratio <model> <config> <x>          speed-up over upstream float (config
#                                       8/8, 8/16, 16/16 = weight/activation
#                                       bits, and 8/8-avx2: FXQ_ISA=avx2)
#   ratio <model> opencv-float <x>      fxq 8/8 speed over OpenCV float
#   ratio <model> opencv-int8 <x>       fxq 8/8 speed over OpenCV int8
#   ratio <model> 8/16-over-opencv-float <x>, ... 16/16-over-opencv-float <x>
#   peak_fraction <model> 8/8 <f>       whole-network 8/8 GMAC/s over the int8
#                                       peak `fxq info --bench` measures right
#                                       before and after that model's run (the
#                                       larger; "peak" line)
#   ratio <model> 8/8-threads-N-over-1 <x>  8/8 on one thread over N (OMP_NUM_THREADS)
#                                       threads: alternated runs, minima ("threads" line)
#   roofline_fraction <model> <config> <f>  the sum of the layers' roofline bounds
#                                       (time at the measured int8/int16 peak or
#                                       memory bandwidth, the larger; `fxq bench
#                                       --roofline`, tables and $OUT/<model>-roofline.svg)
#                                       over the measured whole-network time
#   cold <model> <float|8/8> load_s <s> first_ms <ms> warm_ms <ms> first_over_warm <x>
#                                       one image per process (`fxq bench --cold`:
#                                       load_network, the first forward, the median
#                                       warm one), medians of BENCH_COLD_ROUNDS
#                                       (default 5) alternated fresh processes
#   ratio <model> 8/8-load-over-float <x>, ratio <model> 8/8-first-over-warm <x>
#   batch <model> 8/8 1 <ms> B <ms>    8/8 ms per image at batch 1 and at batch
#                                       BENCH_BATCH (default 8): alternated runs, minima
#   ratio <model> 8/8-batch-B-over-1 <x>  images/s at batch B over batch 1
# All ratios compare minima of interleaved runs (fxq bench reports minima;
# the OpenCV lines give mean and min, the min is used). Every engine's timed
# forward comes right after BENCH_WARM_MS (default 10) milliseconds of
# untimed forwards of the same engine, at least one (fxq bench --warm-ms,
# fxq_opencv_bench.py's WARM_MS): each is timed in its own steady state, not
# in what a slower engine run just before left in the caches (BENCH_WARM_MS=0:
# the method before 2026-12-02 (`126355b`); measured: darknet.cfg 8/8 1.57 ms after a float run,
# 1.26 ms with 10 ms of warm-up, 1.205 ms with no float run at all).
# Random-weight models get a weights file of Darknet's own random
# initialisation (`darknet partial cfg "" out`), used by every engine.
set -eu
DARKNET=${DARKNET:-./darknet}
OUT=${BENCH_OUT:-build/bench}
RUNS=${BENCH_RUNS:-20}
WARM=${BENCH_WARM_MS:-10} # ms of untimed forwards of the same engine right before each timed one
BATCH=${BENCH_BATCH:-8}
BATCH_RUNS=${BENCH_BATCH_RUNS:-5} # timed forwards per round at batch 1 and BATCH (3 rounds)
MODELS=${BENCH_MODELS:-fmnist paper-cifar10 darknet-ref yolov3-tiny fmnist-yolo}
COLD=${BENCH_COLD_ROUNDS:-5}
PY=${BENCH_PYTHON:-/usr/bin/python3} # python3 on PATH may be an interpreter without cv2
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$OUT"

# Speed does not depend on the formats' fractional bits, so random-weight
# networks get fixed formats; the reference model uses `fxq quantize` output
# when that verb is available.
fxcfg() { # fxcfg IN WBITS ABITS OUT
    awk -v w="$2" -v b="$3" '
        /^\[(convolutional|conv)\]/ { print "[fxconvolutional]"; fx() ; next }
        /^\[(connected|conn)\]/     { print "[fxconnected]"; fx(); next }
        { print }
        function fx() { printf "w_bits=%d\nw_frac=%d\nin_bits=%d\nin_frac=%d\nout_bits=%d\nout_frac=%d\n", w, w-2, b, b-4, b, b-4 }
    ' "$1" > "$4.tmp" && mv "$4.tmp" "$4"
}

opencv_ready() {
    "$PY" -c 'import cv2, numpy' >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "# installing python3-opencv for the OpenCV columns ..."
        # install-deps.sh updates the package lists first (a fresh machine has none)
        ./scripts/install-deps.sh python3-opencv python3-numpy >"$OUT/apt.log" 2>&1 || true
        "$PY" -c 'import cv2, numpy' >/dev/null 2>&1 && return 0
    fi
    return 1
}

# value of field N of the first line whose field 1 is KEY and field 3 is ms/image
fxq_ms() { awk -v k="$1" '$1 == k && $3 == "ms/image" { print $2; exit }' "$2"; }
fxq_gmacs() { awk -v k="$1" '$1 == k && $3 == "ms/image" { print $4; exit }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# the least ms of the lines "KEY <ms>" in FILE (alternated rounds' minimum)
min_of() { awk -v k="$1" '$1 == k && (m == "" || $2 < m) { m = $2 } END { print m }' "$2"; }

# "KEY <ms per image>" from an `fxq bench` run on stdin
per_image() { awk -v k="$1" '$3 == "ms/image" { print k, $2 }'; }

# FILE A B RUN: three alternated rounds of `RUN A` and `RUN B` (each an
# `fxq bench` run), their "KEY <ms per image>" lines into FILE
alternate() {
    for r in 1 2 3; do
        for k in "$2" "$3"; do "$4" "$k" | per_image "$k"; done
    done >"$1"
}

# the int8 peak (GMAC/s) `fxq info --bench` measures now
int8_peak() { "$DARKNET" fxq info --bench 2>/dev/null | awk '$1 == "int8" && $2 == "peak" { print $3; exit }'; }

# one image per process: COLD alternated rounds of a fresh process per
# engine (float, 8/8), medians
cold_model() { # NAME CFG WEIGHTS
    [ "$COLD" -gt 0 ] 2>/dev/null || return 0
    : >"$OUT/$1-cold.txt"
    r=0
    while [ "$r" -lt "$COLD" ]; do
        "$DARKNET" fxq bench "$2" --cold --label float --name "$1" --runs 5 --weights "$3" 2>/dev/null >>"$OUT/$1-cold.txt"
        "$DARKNET" fxq bench "$OUT/$1-8-8.cfg" --cold --label 8/8 --name "$1" --runs 5 --weights "$3" 2>/dev/null \
            >>"$OUT/$1-cold.txt"
        r=$((r + 1))
    done
    for e in float 8/8; do
        awk -v e="$e" '$1 == "cold" && $3 == e { n++; l[n] = $5; f[n] = $7; w[n] = $9 }
            function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                          return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
            END { if (n) { L = med(l, n); F = med(f, n); W = med(w, n)
                  printf "cold %s %s load_s %.4f first_ms %.3f warm_ms %.3f first_over_warm %.2f\n", m, e, L, F, W, (W > 0 ? F / W : 0) } }' \
            m="$1" "$OUT/$1-cold.txt"
    done >"$OUT/$1-cold-med.txt"
    cat "$OUT/$1-cold-med.txt"
    lf=$(awk '$3 == "float" { print $5 }' "$OUT/$1-cold-med.txt") l8=$(awk '$3 == "8/8" { print $5 }' "$OUT/$1-cold-med.txt")
    echo "ratio $1 8/8-load-over-float $(ratio "${l8:-0}" "${lf:-0}")"
    echo "ratio $1 8/8-first-over-warm $(awk '$3 == "8/8" { print $11 }' "$OUT/$1-cold-med.txt")"
}

SUMMARY=$OUT/summary.txt
: >"$SUMMARY"

# the 8/8 cfg of model $name (weights $w) at batch $1 / on $1 threads
run_batch() {
    "$DARKNET" fxq bench "$OUT/$name-8-8.cfg" --label "b$1" --batch "$1" --runs $((BATCH_RUNS * BATCH / $1)) \
        --warm-ms "$WARM" --weights "$w" 2>/dev/null
}
run_threads() {
    OMP_NUM_THREADS=$1 "$DARKNET" fxq bench "$OUT/$name-8-8.cfg" --label "t$1" --runs "$RUNS" --warm-ms "$WARM" \
        --weights "$w" 2>/dev/null
}

bench_model() { # NAME CFG WEIGHTS-or-empty
    name=$1 cfg=$2 w=$3
    case " $MODELS " in *" $name "*) ;; *) return 0 ;; esac
    if [ -n "$w" ] && [ ! -s "$w" ]; then
        echo "# $name: skipped, $w missing"; return 0
    elif [ -z "$w" ]; then
        w=$OUT/$name-random.weights
        [ -s "$w" ] || "$DARKNET" partial "$cfg" "" "$w" 100000 >/dev/null 2>&1 || {
            echo "# $name: cannot write random weights with '$DARKNET partial'"; return 0; }
        quant=0
    else
        quant=1
    fi
    # the trained detector: formats from statistics of 200 training images (its own 160x160 input)
    if [ "$quant" = 1 ] && [ "$name" = fmnist-yolo ]; then
        head -n 200 data/fmnist-det/calib1k.list >"$OUT/$name-calib.list"
        "$DARKNET" fxq stats "$cfg" "$w" "$OUT/$name-calib.list" -q -o "$OUT/$name.stats" >/dev/null 2>&1 || true
    fi
    for wa in 8/8 8/16 16/16; do # weights/activations bits
        wb=${wa%/*} ab=${wa#*/} fx=$OUT/$name-$wb-$ab.cfg
        if [ "$quant" = 1 ] && [ "$name" = fmnist-yolo ] && [ -s "$OUT/$name.stats" ]; then
            "$DARKNET" fxq quantize "$cfg" "$w" "$OUT/$name.stats" --wbits "$wb" --abits "$ab" -o "$fx" \
                >/dev/null 2>&1 || fxcfg "$cfg" "$wb" "$ab" "$fx"
        elif [ "$quant" = 1 ] && [ "$name" = fmnist ] && "$DARKNET" fxq quantize --help >/dev/null 2>&1; then
            "$DARKNET" fxq quantize "$cfg" "$w" data/fmnist/calib1k.list --wbits "$wb" --abits "$ab" -o "$fx" \
                >/dev/null 2>&1 || fxcfg "$cfg" "$wb" "$ab" "$fx"
        else
            fxcfg "$cfg" "$wb" "$ab" "$fx"
        fi
    done
    echo
    p0=$(int8_peak)
    "$DARKNET" fxq bench "$cfg" "$OUT/$name-8-8.cfg" "$OUT/$name-8-16.cfg" "$OUT/$name-16-16.cfg" \
        --label float --label 8/8 --label 8/16 --label 16/16 --roofline --svg "$OUT/$name-roofline.svg" \
        --name "$name" --runs "$RUNS" --warm-ms "$WARM" --per-layer --weights "$w" 2>/dev/null >"$OUT/$name.txt" || echo "# $name: fxq bench failed"
    grep -v '^roofline_fraction ' "$OUT/$name.txt"
    p1=$(int8_peak)
    # the int8 peak right before and right after the run, the larger one: the
    # machine's speed drifts (a run measured everything ~25 % slower than the
    # next, the peak included), and this keeps the fraction a side-by-side ratio
    pk=$(awk -v a="${p0:-0}" -v b="${p1:-0}" -v c="${PEAK8:-0}" 'BEGIN { m = a > b ? a : b; if (m <= 0) m = c; if (m > 0) print m }')
    echo "peak $name int8 ${p0:-?} ${p1:-?} GMAC/s (before, after)"
    # the AVX2 kernel set forced (CPUs without VNNI), against the same float
    FXQ_ISA=avx2 "$DARKNET" fxq bench "$cfg" "$OUT/$name-8-8.cfg" --label float --label 8/8-avx2 \
        --name "$name" --runs "$RUNS" --warm-ms "$WARM" --weights "$w" 2>/dev/null >"$OUT/$name-avx2.txt" || true
    grep -E '^(8/8-avx2 |ratio )' "$OUT/$name-avx2.txt" || echo "# $name: FXQ_ISA=avx2 run failed"

    # throughput of 8/8 at batch $BATCH against batch 1 (a batch-N `fxq valid`,
    # a batch-N data file): three alternated rounds, minima of per-image times,
    # as many images timed at batch 1 as at batch $BATCH (a minimum over fewer
    # runs is a larger one)
    alternate "$OUT/$name-batch.txt" 1 "$BATCH" run_batch
    b1=$(min_of 1 "$OUT/$name-batch.txt") bn=$(min_of "$BATCH" "$OUT/$name-batch.txt")
    echo "batch $name 8/8 1 ${b1:-?} $BATCH ${bn:-?}"
    echo "ratio $name 8/8-batch-$BATCH-over-1 $(ratio "${b1:-0}" "${bn:-0}")"

    # thread scaling of 8/8: one thread against $OMP_NUM_THREADS, three alternated rounds, minima
    if [ "$OMP_NUM_THREADS" -gt 1 ] 2>/dev/null; then
        alternate "$OUT/$name-threads.txt" 1 "$OMP_NUM_THREADS" run_threads
        t1=$(min_of 1 "$OUT/$name-threads.txt") tn=$(min_of "$OMP_NUM_THREADS" "$OUT/$name-threads.txt")
        echo "threads $name 8/8 1 ${t1:-?} $OMP_NUM_THREADS ${tn:-?}"
        echo "ratio $name 8/8-threads-$OMP_NUM_THREADS-over-1 $(ratio "${t1:-0}" "${tn:-0}")"
    fi

    f8=$(fxq_ms 8/8 "$OUT/$name.txt") g8=$(fxq_gmacs 8/8 "$OUT/$name.txt")
    df=$(fxq_ms float "$OUT/$name.txt") f16=$(fxq_ms 16/16 "$OUT/$name.txt") f816=$(fxq_ms 8/16 "$OUT/$name.txt")
    a8=$(fxq_ms 8/8-avx2 "$OUT/$name-avx2.txt")
    gmac=$(awk '/^# .* GMAC per image/ { print $(NF-3); exit }' "$OUT/$name.txt")
    of=n/a oi=n/a
    if [ "$OPENCV" = 1 ]; then
        "$PY" scripts/fxq_opencv_bench.py "$name" "$cfg" "$w" "$RUNS" "$OMP_NUM_THREADS" "$WARM" >"$OUT/$name-opencv.txt" 2>&1 || true
        cat "$OUT/$name-opencv.txt"
        of=$(awk '$1 == "opencv" && $3 == "float" { print $5 }' "$OUT/$name-opencv.txt")
        oi=$(awk '$1 == "opencv" && $3 == "int8" { print $5 }' "$OUT/$name-opencv.txt")
        [ -n "$of" ] && echo "ratio $name opencv-float $(ratio "$of" "$f8")"
        [ -n "$oi" ] && echo "ratio $name opencv-int8 $(ratio "$oi" "$f8")"
        # the 16-bit activation configurations against OpenCV float
        [ -n "$of" ] && echo "ratio $name 8/16-over-opencv-float $(ratio "$of" "$f816")"
        [ -n "$of" ] && echo "ratio $name 16/16-over-opencv-float $(ratio "$of" "$f16")"
    fi
    [ -n "$pk" ] && echo "peak_fraction $name 8/8 $(awk -v g="$g8" -v p="$pk" 'BEGIN { printf "%.3f", g / p }')"
    grep '^roofline_fraction ' "$OUT/$name.txt" || echo "# $name: no roofline line"
    cold_model "$name" "$cfg" "$w"
    printf '%-14s %7s %9s %9s %9s %9s %9s %9s %9s %9s\n' "$name" "${gmac:-?}" "${df:-?}" "${of:-n/a}" "${oi:-n/a}" \
        "${f8:-?}" "${f816:-?}" "${f16:-?}" "${a8:-?}" "$(ratio "${oi:-0}" "${f8:-0}")x" >>"$SUMMARY"
}

echo "darknet-fxq bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), OMP_NUM_THREADS=$OMP_NUM_THREADS"
# the peaks first (quietest moment of the run); printed at the end
"$DARKNET" fxq info --bench >"$OUT/info.txt" 2>/dev/null || echo "(fxq info --bench unavailable)" >"$OUT/info.txt"
FXQ_ISA=avx2 "$DARKNET" fxq info --bench >"$OUT/info-avx2.txt" 2>/dev/null || : >"$OUT/info-avx2.txt"
PEAK8=$(awk '$1 == "int8" && $2 == "peak" { print $3; exit }' "$OUT/info.txt")
if opencv_ready; then
    OPENCV=1
    echo "# OpenCV $("$PY" -c 'import cv2; print(cv2.__version__)') via $PY, cv2.setNumThreads($OMP_NUM_THREADS)"
else
    OPENCV=0
    echo "# OpenCV columns skipped: $PY cannot import cv2 and python3-opencv could not be installed"
fi
bench_model fmnist cfg/fmnist.cfg weights/fmnist.weights
bench_model fmnist-yolo cfg/fmnist-yolo.cfg weights/fmnist-yolo.weights
bench_model paper-cifar10 cfg/paper-cifar10.cfg ""
bench_model darknet-ref build/darknet/cfg/darknet.cfg ""
bench_model yolov3-tiny build/darknet/cfg/yolov3-tiny.cfg ""
echo
echo "# summary (ms per image, min of $RUNS interleaved runs, $WARM ms warm-up before each, batch 1, $OMP_NUM_THREADS threads; last column: fxq 8/8 over OpenCV int8)"
printf '%-14s %7s %9s %9s %9s %9s %9s %9s %9s %9s\n' model GMAC darknet ocv-f32 ocv-int8 fxq-8/8 fxq-8/16 fxq-16/16 8/8-avx2 vs-ocv8
cat "$SUMMARY"
echo
cat "$OUT/info.txt"
echo
echo "# FXQ_ISA=avx2:"
grep -E 'GEMM|peak|isa_gemm' "$OUT/info-avx2.txt" || echo "(no avx2 info)"
