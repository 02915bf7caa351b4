# Helpers of the AArch64 checks (tests/arm/run.sh, tests/test_arm.sh):
# the aarch64 build run under Debian's qemu-user, checks in the protocol
# of tests/run.sh ("ok NAME" / "FAIL NAME: why").
#   arm_missing           prints why the checks cannot run here (empty: they can)
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
    [ -x "$ARM_BUILD/tests/test_qgemm_ukernel" ] || { echo "aarch64 unit tests not built (make arm-unit-tests)"; return; }
    # a stale cross build would test old kernels: every plugin source must be older
    newer=$(find darknet_fxq -name '*.[ch]' -newer "$ARM_DN" | head -n 1)
    [ -z "$newer" ] || { echo "$ARM_DN is older than $newer (make ARCH=aarch64)"; return; }
    newer=$(find darknet_fxq tests/unit -name '*.[ch]' -newer "$ARM_BUILD/tests/test_qgemm_ukernel" | head -n 1)
    [ -z "$newer" ] || echo "the aarch64 unit tests are older than $newer (make arm-unit-tests)"
}

# arm_unit NAME CPU BIN: the binary's check lines, renamed arm.NAME.<check>
arm_unit() {
    name=$1 cpu=$2 bin=$3
    if [ ! -x "$bin" ]; then fail "arm.$name" "$bin not built (make arm-unit-tests)"; return; fi
    "$QEMU" -cpu "$cpu" "$bin" >"$TMP/unit.out" 2>"$TMP/unit.err"
    rc=$?
    grep -E '^(ok|FAIL) ' "$TMP/unit.out" | sed -E "s/^(ok|FAIL) /\\1 arm.$name./"
    grep -q '^FAIL ' "$TMP/unit.out" || [ "$rc" -eq 0 ] || fail "arm.$name" "exited $rc: $(tail -n 2 "$TMP/unit.err")"
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

# The fixed-point cfgs of one model, made once by the x86 ./darknet with
# `fxq quantize` from 64 calibration images: 8-bit weights with 8-bit
# activations (s8 kernels), 16-bit activations (s16, int32) and 16-bit
# weights and activations (int64 accumulators).
arm_fx_cfgs() { # MODEL DIR
    m=$1 d=$2
    for v in "8 8 8" "16 8 16" "1616 16 16"; do
        set -- $v
        [ -s "$d/$m-$1.cfg" ] && continue
        "$DARKNET" fxq quantize cfg/$m.cfg weights/$m.weights data/fmnist/calib1k.list -o "$d/$m-$1.cfg" \
            --wbits "$2" --abits "$3" -n 64 >"$d/$m-$1.quantize.log" 2>&1 ||
            { fail "arm.e2e.$m.quantize_$1" "$(tail -n 2 "$d/$m-$1.quantize.log")"; return 1; }
    done
}

# arm_e2e N [SETS]: for each reference model, `fxq valid` of its three
# fixed-point cfgs (the 8-bit one as the reference: no float network) on
# the first N images of test1k with --pred and --logits, by the x86
# ./darknet and by the aarch64 one under qemu with each set of SETS forced
# (default: the three NEON sets): predictions and logits must be
# identical, as text. The plans each set ran are listed (`fxq bench
# --plans`, "# plan" lines), and the set's s8 kernel must be among them.
arm_e2e() {
    n=$1
    sets=${2:-neon neondot neoni8mm}
    d=${ARM_E2E_DIR:-${BUILD:-build}/arm-e2e}
    mkdir -p "$d"
    for m in ${ARM_E2E_MODELS:-fmnist fmnist-res fmnist-t5}; do
        arm_fx_cfgs "$m" "$d" || continue
        # ARM_E2E_CFGS: which of the three (default all; the first is the
        # reference); ARM_E2E_MODELS above: which models (default all)
        cfgs=
        for v in ${ARM_E2E_CFGS:-8 16 1616}; do cfgs="$cfgs $d/$m-$v.cfg"; done
        set -- $cfgs
        ref=$1; shift
        cfgs="$ref weights/$m.weights $*"
        "$DARKNET" fxq valid cfg/fmnist.data $cfgs --list data/fmnist/test1k.list -n "$n" -q --csv \
            --pred "$TMP/x86.pred" --logits "$TMP/x86.logits" >"$TMP/x86.csv" 2>"$TMP/x86.err" ||
            { fail "arm.e2e.$m.x86" "$(tail -n 2 "$TMP/x86.err")"; continue; }
        for s in $sets; do
            cpu=$ARM_MAX_CPU
            [ "$s" = neon ] && cpu=$ARM_BASE_CPU
            set -- "$s" "$cpu"
            FXQ_ISA=$1 "$QEMU" -cpu "$2" "$ARM_DN" fxq bench cfg/$m.cfg $d/$m-8.cfg $d/$m-16.cfg $d/$m-1616.cfg \
                --weights weights/$m.weights --runs 1 --warm-ms 0 --plans 2>/dev/null | grep '^# plan' >"$TMP/plans"
            sed "s/^# plan /# $m $1: /" "$TMP/plans"
            if [ "$1" = scalar ] || grep -q "s8 int32 $1 fxq_s8s8_gemm" "$TMP/plans"; then ok "arm.e2e.$m.$1.runs_s8_kernel"
            else fail "arm.e2e.$m.$1.runs_s8_kernel" "no s8 GEMM plan with set $1"; fi
            FXQ_ISA=$1 "$QEMU" -cpu "$2" "$ARM_DN" fxq valid cfg/fmnist.data $cfgs --list data/fmnist/test1k.list \
                -n "$n" -q --csv --pred "$TMP/arm.pred" --logits "$TMP/arm.logits" >"$TMP/arm.csv" 2>"$TMP/arm.err" ||
                { fail "arm.e2e.$m.$1" "$(tail -n 2 "$TMP/arm.err")"; continue; }
            imgs=$(awk -F, 'NR == 2 { print $3 }' "$TMP/arm.csv")
            expect_eq "arm.e2e.$m.$1.images" "$imgs" "$n"
            if cmp -s "$TMP/x86.pred" "$TMP/arm.pred"; then ok "arm.e2e.$m.$1.predictions_equal_x86"
            else fail "arm.e2e.$m.$1.predictions_equal_x86" "$(diff "$TMP/x86.pred" "$TMP/arm.pred" | head -n 3)"; fi
            if cmp -s "$TMP/x86.logits" "$TMP/arm.logits"; then ok "arm.e2e.$m.$1.logits_equal_x86"
            else fail "arm.e2e.$m.$1.logits_equal_x86" "$(diff "$TMP/x86.logits" "$TMP/arm.logits" | wc -l) lines differ"; fi
            # top-1 / agreement columns too (the same numbers, as fxq valid prints them)
            expect_eq "arm.e2e.$m.$1.csv_equal_x86" "$(cut -d, -f1-7 "$TMP/arm.csv")" "$(cut -d, -f1-7 "$TMP/x86.csv")"
        done
    done
}
