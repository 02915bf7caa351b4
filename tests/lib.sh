# Shared helpers for tests/test_*.sh. Each check prints one line the runner
# (tests/run.sh) counts: "ok NAME", "FAIL NAME: why", or "skip NAME: why" when
# the check cannot run here (a missing tool or CPU feature). A skip is never a
# pass. Comparisons fail on an empty or non-numeric value, so a command that
# printed nothing cannot pass a check by accident.
DARKNET=${DARKNET:-./darknet}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fxq-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
check() { # check NAME CONDITION-COMMAND... (runs the command, passes if it exits 0)
    name=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "command failed: $*"; fi
}
# expect_eq NAME GOT WANT. Checks compare files by digest (md5sum, cksum,
# sha256sum): a digest of empty input means a file was missing or empty, which
# would make two missing files "equal", so it never passes.
expect_eq() {
    case "$2" in
        d41d8cd98f00b204e9800998ecf8427e*|"4294967295 0"|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855*)
            fail "$1" "got the digest of empty input: a file to compare was missing or empty"; return 0 ;;
    esac
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}
# is_num VALUE: a decimal number (sign, digits, point, exponent), nothing else
is_num() {
    printf '%s\n' "$1" | grep -Eq '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$'
}
# num_args NAME VALUE...: fails NAME and returns 1 unless every VALUE is a number
num_args() {
    _num_name=$1; shift
    for _num_v in "$@"; do
        if ! is_num "$_num_v"; then fail "$_num_name" "not a number: '$_num_v'"; return 1; fi
    done
}
# expect_same NAME GOT WANT: two computed outputs agree, and are not empty
# (two commands that both printed nothing do not agree on anything)
expect_same() {
    if [ -z "$2" ]; then fail "$1" "got nothing to compare"; else expect_eq "$@"; fi
}
# expect_near NAME GOT WANT TOL
expect_near() {
    num_args "$1" "$2" "$3" "$4" || return 0
    if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN{d=g-w; if(d<0)d=-d; exit !(d<=t)}'; then ok "$1";
    else fail "$1" "got $2, want $3 +- $4"; fi
}
# expect_ge NAME GOT MIN
expect_ge() {
    num_args "$1" "$2" "$3" || return 0
    if awk -v g="$2" -v m="$3" 'BEGIN{exit !(g>=m)}'; then ok "$1"; else fail "$1" "got $2, want >= $3"; fi
}
# expect_le NAME GOT MAX
expect_le() {
    num_args "$1" "$2" "$3" || return 0
    if awk -v g="$2" -v m="$3" 'BEGIN{exit !(g<=m)}'; then ok "$1"; else fail "$1" "got $2, want <= $3"; fi
}
# have_python3 [MODULE...]: python3 is on PATH and imports every MODULE
# Debian's python3, the one scripts/install-deps.sh installs modules for
# (python3-numpy ...), even where another python3 comes first on PATH
if [ -x /usr/bin/python3 ]; then python3() { /usr/bin/python3 "$@"; }; fi
have_python3() {
    command -v python3 >/dev/null 2>&1 || return 1
    for _py_m in "$@"; do python3 -c "import $_py_m" >/dev/null 2>&1 || return 1; done
}
