# fxq quantize runs that also write a .weights file (passes that change
# weights write out.weights beside -o) and must fail cleanly: bad_wout NAME EXPECTED_TEXT ARGS...
# passes when quantize exits non-zero with one message line matching the
# text, and neither $TMP/bad.cfg nor $TMP/bad.weights nor a temp file exists.
bad_wout() {
    name=$1; want=$2; shift 2
    rm -f "$TMP/bad.cfg" "$TMP/bad.weights"
    "$DARKNET" fxq quantize "$@" >/dev/null 2>"$TMP/bad.err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$(grep -vc '^ \|^Loading\|^layer  *filters\|^fxq quantize: pass ' "$TMP/bad.err")" -eq 1 ] &&
        grep -q -- "$want" "$TMP/bad.err" && [ ! -e "$TMP/bad.cfg" ] && [ ! -e "$TMP/bad.weights" ] &&
        [ -z "$(ls "$TMP" | grep 'bad\..*\.tmp')" ]; then ok "bad.$name"
    else fail "bad.$name" "rc $rc, stderr: $(tail -n 2 "$TMP/bad.err" | head -c 300)"; fi
}
