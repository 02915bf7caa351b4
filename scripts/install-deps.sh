#!/bin/sh
# Installs the Debian packages darknet-fxq needs, if missing (sudo when not root).
#   install-deps.sh            what the build, the data and the tests need (the
#                              fuzzers' clang + libclang-rt-dev, the test scripts'
#                              python3, the number-system simulator's python3-numpy)
#   install-deps.sh PKG...     those packages instead (e.g. make compare's python3-opencv)
set -eu
PKGS="gcc make patch tar xz-utils gzip coreutils libstb-dev dataset-fashion-mnist clang libclang-rt-dev python3 python3-numpy gcc-aarch64-linux-gnu libgomp1-arm64-cross qemu-user"
[ $# -gt 0 ] && PKGS="$*"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
