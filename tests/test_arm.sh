# The short AArch64 check of `make test` (tests/arm/run.sh is the full
# one, `make test-arm`): where the cross build and qemu-user are present,
# the NEON kernels against their scalar twins on both emulated CPUs, the
# run-time choice of the set, and x86 vs aarch64 `fxq valid` on 100
# images of every reference model with each NEON set forced. Skipped, with the
# reason, where the aarch64 build is missing or older than the sources
# (building it costs more than make test's time budget: make ARCH=aarch64).
. tests/lib.sh
. tests/arm/lib.sh
why=$(arm_missing)
if [ -n "$why" ]; then
    echo "ok arm (skipped: $why)"
    exit 0
fi
arm_unit ukernel.a72 $ARM_BASE_CPU "$ARM_BUILD/tests/test_qgemm_ukernel"
arm_unit ukernel.max $ARM_MAX_CPU "$ARM_BUILD/tests/test_qgemm_ukernel"
arm_dispatch
arm_e2e 100
