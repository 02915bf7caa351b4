# Results do not depend on threads or batch size.
#   fxq stats    the same file for OMP_NUM_THREADS / -t 1, 2, 8 and -b 1, 3, 8:
#                counts, zeros, min, max, range and every histogram bin exactly;
#                the float moments (mean, m2, m3, m4) to 1e-9 relative, since
#                per-thread partial sums are merged in image order but each
#                batch's sum is itself a float reduction (docs: README
#                "Failure behaviour"; calib/fxq_stats.c merges in order)
#   fxq quantize the same cfg (every Q-format) from each of those stats files
#   fxq valid    the same top-1/top-5/agreement/logit columns for threads/batch
. tests/lib.sh
. tests/lib_fxcfg.sh
W=weights/fmnist.weights
head -n 24 data/fmnist/calib1k.list >"$TMP/c.list"
sed "s#^valid=.*#valid=$TMP/c.list#" cfg/fmnist.data >"$TMP/t.data"
fx_cfg "$TMP/fx8.cfg" 8 6 8 4 8 3
for run in "1 1" "2 3" "8 8"; do
    set -- $run
    OMP_NUM_THREADS=$1 "$DARKNET" fxq stats cfg/fmnist.cfg "$W" "$TMP/c.list" -t "$1" -b "$2" -q -o "$TMP/s$1.stats" 2>/dev/null
    expect_eq "conc.stats_t$1_b$2.exit" $? 0
    OMP_NUM_THREADS=$1 "$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$TMP/s$1.stats" -o "$TMP/q$1.cfg" --wbits 8 \
        >/dev/null 2>&1
    expect_eq "conc.quantize_t$1.exit" $? 0
    OMP_NUM_THREADS=$1 "$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" --batch "$2" --csv -q \
        2>/dev/null | cut -d, -f1-7 >"$TMP/v$1.csv"
    expect_eq "conc.valid_t$1_b$2.rows" "$(wc -l <"$TMP/v$1.csv")" 3
done
# exact fields: everything but the float moments and the derived columns
exact() { sed -E 's/ (mean|sigma|kurtosis|absmax|m2|m3|m4)=[^ ]*//g' "$1"; }
for t in 2 8; do
    if [ -s "$TMP/s1.stats" ] && [ "$(exact "$TMP/s1.stats")" = "$(exact "$TMP/s$t.stats")" ]; then ok "conc.stats_exact_fields_t$t"
    else exact "$TMP/s1.stats" >"$TMP/e1"; exact "$TMP/s$t.stats" >"$TMP/e2"; fail "conc.stats_exact_fields_t$t" "$(diff "$TMP/e1" "$TMP/e2" | head -n 2)"; fi
    worst=$(paste -d'\n' "$TMP/s1.stats" "$TMP/s$t.stats" | awk '
        NR % 2 == 1 { n = split($0, a, " "); next }
        { split($0, b, " ");
          for (i = 1; i <= n; ++i) if (a[i] ~ /^(mean|m2|m3|m4)=/) {
              x = substr(a[i], index(a[i], "=") + 1) + 0; y = substr(b[i], index(b[i], "=") + 1) + 0
              d = x - y; if (d < 0) d = -d; s = (x < 0 ? -x : x) + 1e-30; if (d / s > w) w = d / s } }
        END { printf "%.3g", w + 0 }')
    expect_near "conc.stats_moments_t$t" "$worst" 0 1e-9
    # the '#' header names the stats file; every section and format must agree
    expect_eq "conc.quantize_same_cfg_t$t" "$(grep -v '^#' "$TMP/q$t.cfg" | cksum)" "$(grep -v '^#' "$TMP/q1.cfg" | cksum)"
    expect_same "conc.valid_same_t$t" "$(cat "$TMP/v$t.csv")" "$(cat "$TMP/v1.csv")"
done
