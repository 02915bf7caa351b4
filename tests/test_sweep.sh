# `darknet fxq sweep` -- equal bit-widths vs the optimized
# allocation, model size vs top-1 error (the paper's Figure 3), on a small
# slice of the real data. Its points are `fxq quantize` cfgs.
. tests/lib.sh

W=weights/fmnist.weights
head -n 60 data/fmnist/test1k.list >"$TMP/t.list"
sed "s#^valid=.*#valid=$TMP/t.list#" cfg/fmnist.data >"$TMP/t.data"
head -n 32 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist.cfg "$W" "$TMP/c.list" -o "$TMP/c.stats" >/dev/null 2>&1
check sweep.stats_made test -s "$TMP/c.stats"

"$DARKNET" fxq sweep "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/c.list" --stats "$TMP/c.stats" \
    --wbits 3:8:5 --beta0 9:11:2 --sqnr 8 -o "$TMP/s.csv" --plot "$TMP/s.svg" --keep "$TMP/cfgs" -q \
    >"$TMP/s.out" 2>"$TMP/s.err"
expect_eq sweep.exit $? 0
expect_eq sweep.csv_header "$(head -n 1 "$TMP/s.csv")" \
    "series,value,wbits,weight_mbits,conv_mbits,pred_sqnr_db,images,top1,top1_error_pct,top5,agree_top1,mean_abs_dlogit,cfg"
expect_eq sweep.rows "$(tail -n +2 "$TMP/s.csv" | cut -d, -f1,2 | tr '\n' ' ')" \
    "float, equal,3 equal,8 beta0,9 beta0,11 sqnr,8 "
expect_eq sweep.images "$(awk -F, 'NR > 1 { print $7 }' "$TMP/s.csv" | sort -u)" 60
# weights at equal bit-width: 6 conv layers (212672 weights) at B bits + the
# connected layer (320) at 16 (paper's §5.1)
expect_eq sweep.equal8_bits "$(awk -F, '$1 == "equal" && $2 == 8 { print $3 }' "$TMP/s.csv")" "8/8/8/8/8/8/16"
expect_near sweep.equal8_mbits "$(awk -F, '$1 == "equal" && $2 == 8 { print $4 }' "$TMP/s.csv")" \
    "$(awk 'BEGIN { printf "%.6f", (212672 * 8 + 320 * 16) / 1e6 }')" 0.000001
expect_near sweep.float_mbits "$(awk -F, '$1 == "float" { print $4 }' "$TMP/s.csv")" \
    "$(awk 'BEGIN { printf "%.6f", 212992 * 32 / 1e6 }')" 0.000001
# the float row's top-1 is classifier valid's on the same images
last=$("$DARKNET" classifier valid "$TMP/t.data" cfg/fmnist.cfg "$W" 2>/dev/null | tail -n 1)
expect_eq sweep.float_top1_equals_classifier_valid "$(awk -F, '$1 == "float" { print $8 }' "$TMP/s.csv")" \
    "$(echo "$last" | sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')"
if grep -q "model size at equal error" "$TMP/s.out" && grep -q "^ *8b " "$TMP/s.out"; then ok sweep.size_reduction_table;
else fail sweep.size_reduction_table "$(tail -n 5 "$TMP/s.out")"; fi

# each point is the cfg `fxq quantize` writes for that budget (header comments aside)
cfg8=$(awk -F, '$1 == "equal" && $2 == 8 { print $13 }' "$TMP/s.csv")
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$TMP/c.stats" -o "$TMP/q8.cfg" --wbits 8 --abits 16 --fc-bits 16 \
    --kappa 3 >/dev/null 2>&1
if [ -s "$cfg8" ] && [ -s "$TMP/q8.cfg" ] && [ "$(grep -v '^#' "$cfg8")" = "$(grep -v '^#' "$TMP/q8.cfg")" ]; then
    ok sweep.point_is_quantize_cfg; else fail sweep.point_is_quantize_cfg "$cfg8 differs from fxq quantize's"; fi
s9=$(awk -F, '$1 == "beta0" && $2 == 9 { print $13 }' "$TMP/s.csv")
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$TMP/c.stats" -o "$TMP/q9.cfg" --beta0 9 --abits 16 --fc-bits 16 \
    --kappa 3 >/dev/null 2>&1
if [ -s "$s9" ] && [ "$(grep -v '^#' "$s9")" = "$(grep -v '^#' "$TMP/q9.cfg")" ]; then ok sweep.beta0_point_is_quantize_cfg;
else fail sweep.beta0_point_is_quantize_cfg "$s9 differs"; fi

# the plot: SVG, both series, well-formed (an XML parser in python3)
if head -n 2 "$TMP/s.svg" | grep -q "<svg " && [ "$(grep -c 'class="series"' "$TMP/s.svg")" = 3 ] &&
    grep -q 'data-name="equal bit-width' "$TMP/s.svg" && grep -q 'data-name="optimized' "$TMP/s.svg"; then
    ok sweep.svg_series; else fail sweep.svg_series "$(head -c 300 "$TMP/s.svg")"; fi
if have_python3; then
    check sweep.svg_parses python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$TMP/s.svg"
else skip sweep.svg_parses "no python3 (scripts/install-deps.sh installs it)"; fi
"$DARKNET" fxq sweep --from-csv "$TMP/s.csv" --plot "$TMP/s2.svg" --title cfg/fmnist.cfg >"$TMP/s2.out" 2>&1
expect_eq sweep.from_csv_exit $? 0
check sweep.from_csv_same_plot cmp "$TMP/s.svg" "$TMP/s2.svg"

# bad input: usage errors exit 2, others 1 with one line; no output files
"$DARKNET" fxq sweep "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/c.list" >/dev/null 2>&1
expect_eq sweep.needs_o $? 2
"$DARKNET" fxq sweep "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/c.list" -o "$TMP/x.csv" --wbits 9:3 >/dev/null 2>&1
expect_eq sweep.bad_range $? 2
"$DARKNET" fxq sweep "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/c.list" -o "$TMP/x.csv" --stats "$TMP/t.list" -q \
    >/dev/null 2>"$TMP/e"; rc=$?
if [ "$rc" = 1 ] && grep -q "t.list:1: not a darknet-fxq stats file" "$TMP/e" && [ ! -e "$TMP/x.csv" ]; then
    ok sweep.bad_stats; else fail sweep.bad_stats "exit $rc: $(tail -n 1 "$TMP/e")"; fi
"$DARKNET" fxq sweep "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/c.list" -o "$TMP/nodir/x.csv" --stats "$TMP/c.stats" \
    --wbits 8 --beta0 none --sqnr none -q >/dev/null 2>"$TMP/e"; rc=$?
if [ "$rc" = 1 ] && grep -q "nodir/x.csv: its directory is not writable" "$TMP/e"; then ok sweep.unwritable_csv;
else fail sweep.unwritable_csv "exit $rc: $(tail -n 1 "$TMP/e")"; fi
