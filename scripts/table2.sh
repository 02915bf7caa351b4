#!/bin/sh
# Paper Table 2 (Lin et al., ICML 2016, §5.3) on the reference model: top-1 error
# of weight bits {4,8,16,float} x activation bits {4,8,16,float} without
# fine-tuning (all 16 cells, 10000 test images), and after `fxq finetune`
# for (4,4), (8,8), (4,8), (float,8) and size-optimized allocations
# (`fxq quantize --objective size --sqnr S --fc-bits 16 --abits 16`).
# A real run (hours on 2 shared cores; not part of `make test`):
#
#   scripts/table2.sh                     # results in build/table2/
#   CELLS="8:8:0.0005:1.5 4:4:0.001:0.5" SQNRS= scripts/table2.sh
#
#   CELLS   "W:A[:LR[:EPOCHS]]" cells to fine-tune (default "8:8 4:4 4:8 F:8");
#           LR / EPOCHS override the defaults below for that cell
#   EPOCHS  passes over the 60000 training images per fine-tuned cell (default 1)
#   STEPS   training steps of 128 images instead of EPOCHS (469 = one epoch)
#   LR      learning rate (default: fxq finetune's, cfg lr / 100 = 0.001)
#   COSINE  1 (default): the rate decays as a half cosine to 0 (--cosine);
#           0: constant
#   JOBS    fine-tuning runs in parallel (default 2, each OMP_NUM_THREADS=1),
#           beside the no-fine-tuning evaluation
#   SQNRS   size-optimized budgets to fine-tune (default "6 5 4")
#   OUT     output directory (default build/table2)
#   FORMATS fxq quantize --formats policy (default mse: unsigned codes for
#           non-negative tensors; "paper" is the §3.3 rule of the 2026-11-29 table)
#   PERCHAN 1 (default): --per-channel weight fracs; 0: one per tensor
# "F" (float) is a format with bits 0 in the fx cfg (fxq_layer_train.h).
set -eu
cd "$(dirname "$0")/.."
DARKNET=${DARKNET:-./darknet}
OUT=${OUT:-build/table2}
STEPS=${STEPS:-}
EPOCHS=${EPOCHS:-1}
JOBS=${JOBS:-2}
SQNRS=${SQNRS-6 5 4}
CELLS=${CELLS:-8:8 4:4 4:8 F:8}
LR=${LR:-}
COSINE=${COSINE:-1}
FORMATS=${FORMATS:-mse}
PERCHAN=${PERCHAN:-1}
PC=""
[ "$PERCHAN" = 1 ] && PC=--per-channel
CFG=cfg/fmnist.cfg
W=weights/fmnist.weights
DATA=cfg/fmnist.data
CALIB=data/fmnist/calib1k.list
mkdir -p "$OUT"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
log=$OUT/log
: >"$log"

[ -f "$OUT/fmnist.stats" ] || "$DARKNET" fxq stats "$CFG" "$W" "$CALIB" -q -o "$OUT/fmnist.stats" >>"$log" 2>&1

# fx-W-A.cfg; F = float (bits 0)
mkcfg() { # wbits abits
    f=$OUT/fx-$1-$2.cfg
    [ -f "$f" ] && return 0
    wq=$1; aq=$2
    [ "$wq" = F ] && wq=8
    [ "$aq" = F ] && aq=8
    "$DARKNET" fxq quantize "$CFG" "$W" "$OUT/fmnist.stats" --wbits "$wq" --abits "$aq" --formats "$FORMATS" $PC -o "$f.tmp" >>"$log" 2>&1
    sed_expr=""
    [ "$1" = F ] && sed_expr="$sed_expr s/^w_bits=.*/w_bits=0/;"
    [ "$2" = F ] && sed_expr="$sed_expr s/^in_bits=.*/in_bits=0/; s/^out_bits=.*/out_bits=0/;"
    if [ -n "$sed_expr" ]; then sed "$sed_expr" "$f.tmp" >"$f"; rm "$f.tmp"; else mv "$f.tmp" "$f"; fi
}
cfgs=""
for wb in 4 8 16 F; do
    for ab in 4 8 16 F; do
        [ "$wb$ab" = FF ] && continue
        mkcfg "$wb" "$ab"
        cfgs="$cfgs $OUT/fx-$wb-$ab.cfg"
    done
done
for s in $SQNRS; do
    f=$OUT/opt-sqnr$s.cfg
    [ -f "$f" ] || "$DARKNET" fxq quantize "$CFG" "$W" "$OUT/fmnist.stats" --objective size --sqnr "$s" \
        --formats "$FORMATS" $PC --fc-bits 16 --abits 16 -o "$f" --csv "$OUT/opt-sqnr$s.csv" >>"$log" 2>&1
    cfgs="$cfgs $f"
done

# fine-tuning runs, JOBS at a time
ft() { # name cfg [lr [epochs]]
    [ -f "$OUT/ft-$1.line" ] && return 0
    lr=${3:-$LR} ep=${4:-$EPOCHS}
    len="--epochs $ep"
    [ -n "$STEPS" ] && [ -z "${4:-}" ] && len="--max-batches $STEPS"
    cos=""
    [ "$COSINE" = 1 ] && cos=--cosine
    start=$(date +%s)
    if "$DARKNET" fxq finetune "$DATA" "$2" "$W" -o "$OUT/ft-$1.weights" $len ${lr:+--lr "$lr"} $cos \
        --no-before >"$OUT/ft-$1.out" 2>"$OUT/ft-$1.err"; then
        echo "$1 $(( $(date +%s) - start )) $(cat "$OUT/ft-$1.out")" >"$OUT/ft-$1.line"
    else
        echo "table2: fine-tuning $1 failed: $(tail -n 1 "$OUT/ft-$1.err")" >&2
    fi
}
runs=""
for c in $CELLS; do
    wa=$(echo "$c" | cut -d: -f1,2) opt=$(echo "$c" | cut -s -d: -f3-)
    n=$(echo "$wa" | tr : -)
    runs="$runs $n:$OUT/fx-$n.cfg${opt:+:$opt}"
done
for s in $SQNRS; do runs="$runs opt-sqnr$s:$OUT/opt-sqnr$s.cfg"; done
# JOBS lanes, each running its share of the runs one after another, beside
# the no-fine-tuning evaluation below
lane() { # k
    i=0
    for r in $runs; do
        if [ $((i % JOBS)) -eq "$1" ]; then
            set -- "$1" $(echo "$r" | tr : ' ')
            ft "$2" "$3" "${4:-}" "${5:-}"
            set -- "$1"
        fi
        i=$((i + 1))
    done
}
t0=$(date +%s)
k=0
while [ "$k" -lt "$JOBS" ]; do lane "$k" & k=$((k + 1)); done
echo "table2: evaluating $(echo $cfgs | wc -w) cfgs + float without fine-tuning ..." >&2
[ -f "$OUT/noft.csv" ] || "$DARKNET" fxq valid "$DATA" "$CFG" "$W" $cfgs --csv -q >"$OUT/noft.csv" 2>>"$log"
echo "table2: no-FT evaluation $(( $(date +%s) - t0 )) s" >&2

wait
echo "table2: done in $(( $(date +%s) - t0 )) s; results in $OUT (noft.csv, ft-*.line)" >&2
sh scripts/table2-report.sh "$OUT"
