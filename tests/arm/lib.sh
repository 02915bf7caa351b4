# Helpers of the AArch64 checks (tests/arm/run.sh, tests/test_arm.sh):
# the aarch64 build run under Debian's qemu-user, checks in the protocol
# of tests/run.sh ("ok NAME" / "FAIL NAME: why").
#   arm_missing [TEST]    prints why the checks cannot run here (empty: they can);
#                         TEST: only that aarch64 unit test needed
#   arm_unit NAME CPU BIN run a unit-test binary under qemu -cpu CPU, names prefixed
#   arm_dispatch          the set chosen per emulated CPU and FXQ_ISA
#   arm_e2e N             x86 vs aarch64 `fxq valid` on every reference model's
#                         fixed-point cfgs, first N images of test1k, each set forced
ARM_BUILD=${BUILD:-build}/aarch64
ARM_DN=$ARM_BUILD/darknet
QEMU=${QEMU:-qemu-aarch64}
export QEMU_LD_PREFIX=${QEMU_LD_PREFIX:-/usr/aarch64-linux-gnu}
# the emulated CPUs: Cortex-A72 (Armv8.0: no dotprod, no i8mm) and qemu's
# "max" (every extension qemu has: dotprod, i8mm)
ARM_BASE_CPU=cortex-a72
ARM_MAX_CPU=max

arm_missing() {
    command -v "$QEMU" >/dev/null 2>&1 || { echo "no $QEMU (Debian package qemu-user: make test-arm installs it)"; return; }
    [ -d "$QEMU_LD_PREFIX/lib" ] || { echo "no aarch64 C library in $QEMU_LD_PREFIX (cross toolchain: make test-arm installs it)"; return; }
    [ -x "$ARM_DN" ] || { echo "$ARM_DN not built (make ARCH=aarch64, or make test-arm)"; return; }
    t=$ARM_BUILD/tests/${1:-test_qgemm_ukernel}
    [ -x "$t" ] || { echo "aarch64 unit tests not built (make arm-unit-tests)"; return; }
    # a stale cross build would test old kernels: every plugin source must be older
    # (the x86 kernels are not in it)
    newer=$(find darknet_fxq -name '*.[ch]' ! -path 'darknet_fxq/kernels/x86/*' -newer "$ARM_DN" | head -n 1)
    [ -z "$newer" ] || { echo "$ARM_DN is older than $newer (make ARCH=aarch64)"; return; }
    # one test named: its own source; else any test source
    src='*.[ch]'
    [ -z "${1:-}" ] || src="$1.c"
    newer=$(find darknet_fxq tests/unit ! -path 'darknet_fxq/kernels/x86/*' \( -path 'darknet_fxq/*.[ch]' -o -name '*.h' \
        -o -name "$src" \) -newer "$t" | head -n 1)
    [ -z "$newer" ] || echo "the aarch64 unit tests are older than $newer (make arm-unit-tests)"
}

# arm_unit NAME CPU BIN: the binary's check lines, renamed arm.NAME.<check>
arm_unit() {
    unit=$1 cpu=$2 bin=$3
    if [ ! -x "$bin" ]; then fail "arm.$unit" "$bin not built (make arm-unit-tests)"; return; fi
    "$QEMU" -cpu "$cpu" "$bin" >"$TMP/unit.out" 2>"$TMP/unit.err"
    rc=$?
    grep -E '^(ok|FAIL) ' "$TMP/unit.out" | sed -E "s/^(ok|FAIL) /\\1 arm.$unit./"
    grep -q '^FAIL ' "$TMP/unit.out" || [ "$rc" -eq 0 ] || fail "arm.$unit" "exited $rc: $(tail -n 2 "$TMP/unit.err")"
}

# arm_dispatch: which set each emulated CPU gets, and FXQ_ISA's caps
arm_dispatch() {
    isa() { env ${2:+FXQ_ISA=$2} "$QEMU" -cpu "$1" "$ARM_DN" fxq info 2>/dev/null | sed -n 's/^isa: *\([a-z0-9]*\).*/\1/p'; }
    expect_eq arm.dispatch.cortex_a72 "$(isa $ARM_BASE_CPU)" neon
    expect_eq arm.dispatch.max "$(isa $ARM_MAX_CPU)" neoni8mm
    expect_eq arm.dispatch.max_cap_neondot "$(isa $ARM_MAX_CPU neondot)" neondot
    expect_eq arm.dispatch.max_cap_neon "$(isa $ARM_MAX_CPU neon)" neon
    expect_eq arm.dispatch.a72_no_dotprod "$(isa $ARM_BASE_CPU neondot)" neon
    expect_eq arm.dispatch.scalar "$(isa $ARM_MAX_CPU scalar)" scalar
}

# The fixed-point cfgs of one model, made by the x86 ./darknet with `fxq
# quantize` from 64 calibration images: with the fast preset (formats from
# the statistics, the model's own .weights) 8-bit weights with 8-bit
# activations (s8 kernels), 16-bit activations (s16, int32) and 16-bit
# weights and activations (int64 accumulators); with the accurate preset
# (the default: zero-point windows, per-channel weight formats, scaled and
# re-rounded weights written beside the cfg) 8/8 as "8a". Remade when
# ./darknet or the command changed.
arm_fx_cfgs() { # MODEL DIR NAME... (of 8 16 1616 8a)
    m=$1 d=$2
    shift 2
    for v in "$@"; do
        case $v in
        8) set -- 8 8 8 fast ;;
        16) set -- 16 8 16 fast ;;
        1616) set -- 1616 16 16 fast ;;
        8a) set -- 8a 8 8 accurate ;;
        *) fail "arm.e2e.$m.cfg_$v" "no such end-to-end cfg (8 16 1616 8a)"; return 1 ;;
        esac
        cmd="fxq quantize cfg/$m.cfg weights/$m.weights data/fmnist/calib1k.list -o $d/$m-$1.cfg --wbits $2 --abits $3 --preset $4 -n 64"
        [ -s "$d/$m-$1.cfg" ] && [ "$d/$m-$1.cfg" -nt "$DARKNET" ] && [ "$(cat "$d/$m-$1.cmd" 2>/dev/null)" = "$cmd" ] && continue
        rm -f "$d/$m-$1.cfg" "$d/$m-$1.weights" "$d/$m-$1.cmd"
        "$DARKNET" $cmd >"$d/$m-$1.quantize.log" 2>&1 ||
            { fail "arm.e2e.$m.quantize_$1" "$(tail -n 2 "$d/$m-$1.quantize.log")"; return 1; }
        echo "$cmd" >"$d/$m-$1.cmd"
    done
}

# arm_e2e_group NAME SET CPU WEIGHTS CFG...: `fxq valid` of the cfgs (the
# first as the reference column) with WEIGHTS on the first $n images of
# test1k, --pred and --logits, by the x86 ./darknet and by the aarch64
# one under qemu -cpu CPU with FXQ_ISA=SET: predictions, logits (%.9g text)
# and the table's columns must be identical. The plans the set ran (`fxq
# bench --plans`, "# plan" lines) are printed, then in $TMP/plans.
arm_e2e_group() {
    grp=$1 s=$2 cpu=$3 w=$4 # not $name: tests/arm/run.sh's run() keeps it
    shift 4
    if [ ! -s "$TMP/$grp.x86.pred" ]; then
        "$DARKNET" fxq valid cfg/fmnist.data "$1" "$w" "$@" --list data/fmnist/test1k.list -n "$n" -q --csv \
            --pred "$TMP/$grp.x86.pred" --logits "$TMP/$grp.x86.logits" >"$TMP/$grp.x86.csv" 2>"$TMP/x86.err" ||
            { rm -f "$TMP/$grp.x86.pred"; fail "arm.e2e.$grp.x86" "$(tail -n 2 "$TMP/x86.err")"; return 1; }
    fi
    FXQ_ISA=$s "$QEMU" -cpu "$cpu" "$ARM_DN" fxq bench "$@" --weights "$w" --runs 1 --warm-ms 0 --plans 2>/dev/null |
        grep '^# plan' >"$TMP/plans"
    sed "s/^# plan /# $s: /" "$TMP/plans"
    FXQ_ISA=$s "$QEMU" -cpu "$cpu" "$ARM_DN" fxq valid cfg/fmnist.data "$1" "$w" "$@" --list data/fmnist/test1k.list \
        -n "$n" -q --csv --pred "$TMP/arm.pred" --logits "$TMP/arm.logits" >"$TMP/arm.csv" 2>"$TMP/arm.err" ||
        { fail "arm.e2e.$grp.$s" "$(tail -n 2 "$TMP/arm.err")"; return 1; }
    expect_eq "arm.e2e.$grp.$s.images" "$(awk -F, 'NR == 2 { print $3 }' "$TMP/arm.csv")" "$n"
    if cmp -s "$TMP/$grp.x86.pred" "$TMP/arm.pred"; then ok "arm.e2e.$grp.$s.predictions_equal_x86"
    else fail "arm.e2e.$grp.$s.predictions_equal_x86" "$(diff "$TMP/$grp.x86.pred" "$TMP/arm.pred" | head -n 3)"; fi
    if cmp -s "$TMP/$grp.x86.logits" "$TMP/arm.logits"; then ok "arm.e2e.$grp.$s.logits_equal_x86"
    else fail "arm.e2e.$grp.$s.logits_equal_x86" "$(diff "$TMP/$grp.x86.logits" "$TMP/arm.logits" | wc -l) lines differ"; fi
    # top-1 / agreement columns too (the same numbers, as fxq valid prints them)
    expect_eq "arm.e2e.$grp.$s.csv_equal_x86" "$(cut -d, -f1-7 "$TMP/arm.csv")" "$(cut -d, -f1-7 "$TMP/$grp.x86.csv")"
}

# arm_e2e N [SETS]: for each reference model, x86 vs aarch64 (arm_e2e_group)
# on its fast-preset cfgs with the model's .weights (the 8/8 one as the
# reference: no float network) and on its accurate-preset 8/8 cfg with the
# .weights written beside it, each set of SETS forced (default: the three
# NEON sets; neon on the Cortex-A72, the others on qemu's max CPU). The
# set's s8 GEMM must run on every 8/8 cfg, fast and accurate, with every
# set (neon's pair rule refuses only a k pair of two -128 weight codes;
# the accurate preset's per-channel formats put a lone -128 in most rows).
#   ARM_E2E_MODELS  the models (default all three)
#   ARM_E2E_CFGS    the fast-preset cfgs, the first the reference (default "8 16 1616")
#   ARM_E2E_ACCURATE  0: not the accurate-preset cfg (default 1)
arm_e2e() {
    n=$1
    sets=${2:-neon neondot neoni8mm}
    d=${ARM_E2E_DIR:-${BUILD:-build}/arm-e2e}
    mkdir -p "$d"
    for m in ${ARM_E2E_MODELS:-fmnist fmnist-res fmnist-t5}; do
        acc=
        [ "${ARM_E2E_ACCURATE:-1}" = 1 ] && acc=8a
        # shellcheck disable=SC2086
        arm_fx_cfgs "$m" "$d" ${ARM_E2E_CFGS:-8 16 1616} $acc || continue
        cfgs=
        for v in ${ARM_E2E_CFGS:-8 16 1616}; do cfgs="$cfgs $d/$m-$v.cfg"; done
        rm -f "$TMP"/*.x86.pred
        for s in $sets; do
            cpu=$ARM_MAX_CPU
            [ "$s" = neon ] && cpu=$ARM_BASE_CPU
            # shellcheck disable=SC2086
            if arm_e2e_group "$m" "$s" "$cpu" "weights/$m.weights" $cfgs && case " $cfgs " in *" $d/$m-8.cfg "*) ;; *) false ;; esac; then
                if [ "$s" = scalar ] || grep -q "^# plan $d/$m-8.cfg layer [0-9]*: s8 int32 $s fxq_s8s8_gemm" "$TMP/plans"
                then ok "arm.e2e.$m.$s.runs_s8_kernel"
                else fail "arm.e2e.$m.$s.runs_s8_kernel" "no s8 GEMM plan with set $s in $d/$m-8.cfg"; fi
            fi
            [ "${ARM_E2E_ACCURATE:-1}" = 1 ] || continue
            if arm_e2e_group "$m.accurate" "$s" "$cpu" "$d/$m-8a.weights" "$d/$m-8a.cfg" && [ "$s" != scalar ]; then
                if grep -q ": s8 int32 $s fxq_s8s8_gemm" "$TMP/plans"
                then ok "arm.e2e.$m.accurate.$s.runs_s8_kernel"
                else fail "arm.e2e.$m.accurate.$s.runs_s8_kernel" "no s8 GEMM plan with set $s"; fi
            fi
        done
    done
}
