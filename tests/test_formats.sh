# Issue 10: format policies (`fxq quantize --formats paper|mse|refine`).
#   - paper: the cfgs are byte-identical to the ones written before the
#     policies existed (tests/fixtures/formats-paper, recorded with the same
#     commands; only the temp directory's name is replaced by @TMP@)
. tests/lib.sh
W=weights/fmnist.weights
"$DARKNET" fxq stats cfg/fmnist.cfg $W data/fmnist/calib1k.list -n 64 -q -o "$TMP/c.stats" 2>/dev/null

# --- paper: unchanged output ---------------------------------------------------
i=0
while read -r opts; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/p$i.cfg" $opts >/dev/null 2>&1
    sed "s|$TMP|@TMP@|g" "$TMP/p$i.cfg" >"$TMP/p$i.norm" 2>/dev/null
    if cmp -s "$TMP/p$i.norm" "tests/fixtures/formats-paper/p$i.cfg"; then ok "paper.unchanged.$i"
    else fail "paper.unchanged.$i" "cfg for '$opts' differs from tests/fixtures/formats-paper/p$i.cfg"; fi
done <<'OPTS'
--wbits 8 --abits 8
--beta0 10
--beta0 10 --abits 8
--sqnr 20 --kappa measured
--wbits 6 --abits 8 --dist empirical
--wbits 8 --abits 8 --xi 4
--size-mbits 1 --dist laplacian --bbits 24
--sqnr 25 --alloc-acts --objective ops
OPTS
