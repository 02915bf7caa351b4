# Shared helpers for tests/test_*.sh. Each check prints "ok NAME" or
# "FAIL NAME: why" (the protocol tests/run.sh counts).
DARKNET=${DARKNET:-./darknet}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fxq-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # check NAME CONDITION-COMMAND... (runs the command, passes if it exits 0)
    name=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "command failed: $*"; fi
}
expect_eq() { # expect_eq NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
# expect_near NAME GOT WANT TOL
expect_near() {
    if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN{d=g-w; if(d<0)d=-d; exit !(d<=t)}'; then ok "$1";
    else fail "$1" "got $2, want $3 +- $4"; fi
}
# expect_ge NAME GOT MIN
expect_ge() {
    if awk -v g="$2" -v m="$3" 'BEGIN{exit !(g>=m)}'; then ok "$1"; else fail "$1" "got $2, want >= $3"; fi
}
