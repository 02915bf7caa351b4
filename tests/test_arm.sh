# The short AArch64 check of `make test` (tests/arm/run.sh is the full
# one, `make test-arm`): where the cross toolchain and qemu-user are present
# (scripts/install-deps.sh installs them), the aarch64 build made or brought
# up to date (make ARCH=aarch64 and the kernel unit test alone), then under
# qemu: every kernel of the three NEON sets against its scalar twin on the
# Cortex-A72 (neon) and on qemu's max CPU (neon, neondot, neoni8mm), the
# run-time choice of the set, and x86 vs aarch64 `fxq valid` (predictions,
# logits, table) on one reference model's fast-preset 8/8 cfg and its
# accurate-preset one, 50 images, each NEON set forced.
# FXQ_TEST_ARM_BUILD=0: no build here (skipped when the build is missing).
. tests/lib.sh
. tests/arm/lib.sh
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v "$QEMU" >/dev/null 2>&1; then
    skip arm "no aarch64-linux-gnu-gcc or $QEMU (scripts/install-deps.sh installs both)"
    exit 0
fi
if [ "${FXQ_TEST_ARM_BUILD:-1}" = 1 ] && [ -n "$(arm_missing test_qgemm_ukernel)" ]; then
    start=$(date +%s)
    if make --no-print-directory -j2 ARCH=aarch64 >"$TMP/build.log" 2>&1 &&
        make --no-print-directory -f mk/build.mk CC=aarch64-linux-gnu-gcc XARCH=aarch64 \
            "$ARM_BUILD/tests/test_qgemm_ukernel" >>"$TMP/build.log" 2>&1; then
        echo "# aarch64 build: $(( $(date +%s) - start )) s"
    else
        fail arm.build "$(grep -m 1 -i error "$TMP/build.log")"
        exit 1
    fi
fi
why=$(arm_missing test_qgemm_ukernel)
if [ -n "$why" ]; then
    skip arm "$why"
    exit 0
fi
arm_unit ukernel.a72 $ARM_BASE_CPU "$ARM_BUILD/tests/test_qgemm_ukernel"
arm_unit ukernel.max $ARM_MAX_CPU "$ARM_BUILD/tests/test_qgemm_ukernel"
arm_dispatch
ARM_E2E_MODELS=fmnist-res ARM_E2E_CFGS=8 arm_e2e 50
