# `fxq bench --roofline` (per-layer limits, totals, SVG), the limits
# `fxq info --bench` measures, `fxq bench --cold`, and kernel plans built
# while loading (FXQ_EAGER) giving the same outputs as plans built by the
# first forward. Structure and arithmetic only: no timing is asserted.
. tests/lib.sh
. tests/lib_fxcfg.sh

W=weights/fmnist.weights
fx_cfg "$TMP/fx8.cfg" 8 6 8 4 8 3
fx_cfg "$TMP/fx16.cfg" 16 12 16 10 16 8

# --- fxq info --bench: the int16 peak and the three bandwidths
"$DARKNET" fxq info --bench >"$TMP/info" 2>"$TMP/info.err"
expect_eq info.exit $? 0
for k in "int16 peak" "memory L2" "memory L3" "memory DRAM"; do
    v=$(awk -v k="$k" 'index($0, "  " k) == 1 { sub("^  " k " *", ""); print $1; exit }' "$TMP/info")
    if grep -q avx512vnni "$TMP/info" || [ "$k" != "int16 peak" ]; then
        expect_ge "info.$(echo "$k" | tr ' ' _)_positive" "${v:-0}" 0.001
    fi
done

# --- fxq bench --roofline on fmnist, 8/8 and 16/16
"$DARKNET" fxq bench "$TMP/fx8.cfg" "$TMP/fx16.cfg" --label 8/8 --label 16/16 --weights "$W" --runs 2 --warm-ms 0 \
    --roofline --svg "$TMP/roof.svg" --name fmnist >"$TMP/roof" 2>"$TMP/roof.err"
expect_eq roofline.exit $? 0
nl=$(grep -cE '^[0-9]+ +[a-z]' "$TMP/roof")
# rows: layer index first; one table per cfg; fmnist has 8 layers
expect_eq roofline.rows "$nl" 16
expect_eq roofline.fraction_lines "$(grep -c '^roofline_fraction fmnist ' "$TMP/roof")" 2
# every row: bound = max(peak-ms, mem-ms); fraction = bound / ms
# (columns rounded to 4 decimals: the tolerance follows)
bad=$(awk '/^[0-9]+ +[a-z]/ { b = $6 > $7 ? $6 : $7; if (b - $9 > 0.00011 || $9 - b > 0.00011) print "bound", $0
                      if ($10 != "-" && $10 > 0) { d = $9 / $10 - $11; if (d < 0) d = -d
                          if (d > 0.0006 + 0.01 * $11 + 0.0001 / $10) print "fraction", $0 } }' "$TMP/roof")
expect_eq roofline.row_arithmetic "$bad" ""
# the total: sum of the rows' bounds (4-decimal rounding), and the
# machine-readable fraction = sum / measured
for lab in 8/8 16/16; do
    sum=$(awk -v l="$lab" '/^# roofline fmnist / { on = ($4 == l ":") } on && /^[0-9]+ +[a-z]/ { s += $9 } END { printf "%.3f", s }' "$TMP/roof")
    tot=$(awk -v l="$lab" '$1 == "roofline" && $2 == "fmnist" && $3 == l ":" { print $7 }' "$TMP/roof")
    expect_near "roofline.total_$lab" "${tot:-x}" "$sum" 0.002
    meas=$(awk -v l="$lab" '$1 == "roofline" && $2 == "fmnist" && $3 == l ":" { print $10 }' "$TMP/roof")
    fr=$(awk -v l="$lab" '$1 == "roofline_fraction" && $3 == l { print $4 }' "$TMP/roof")
    want=$(awk -v a="$tot" -v b="$meas" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "none" }')
    # tot and meas printed to 0.001 ms (each off by up to 0.0005), the
    # fraction to 0.001: |d(a/b)| <= (da + f db) / b, plus the fraction's own rounding
    expect_near "roofline.fraction_$lab" "${fr:-x}" "$want" "$(awk -v f="${fr:-0}" -v b="$meas" 'BEGIN { printf "%.4f", 0.0011 + (0.0006 + f * 0.0006) / (b > 0 ? b : 1) }')"
done
# MACs: fmnist's first layer, 1.17 MMAC (the bench table's)
expect_eq roofline.macs_layer0 "$(awk '/^0 / { print $3; exit }' "$TMP/roof")" 1.17
# 16-bit codes: the s16 plans' weights are twice the bytes, the bound is the int16 peak's
k8=$(awk '/^# roofline fmnist 8\/8/ { on = 1 } /^# roofline fmnist 16\/16/ { on = 0 } on && /^1 / { print $4 }' "$TMP/roof")
k16=$(awk '/^# roofline fmnist 16\/16/ { on = 1 } on && /^1 / { print $4 }' "$TMP/roof")
if awk -v a="$k8" -v b="$k16" 'BEGIN { exit !(b > a && a > 0) }'; then ok roofline.s16_moves_more; else fail roofline.s16_moves_more "8/8 $k8 KiB, 16/16 $k16 KiB"; fi
expect_eq roofline.no_int8_bound_at_16 "$(awk '/^# roofline fmnist 16\/16/ { on = 1 } on && /int8 peak/' "$TMP/roof")" ""
# bytes of layer 0 at 8/8 (28x28x3 -> 3x3, 64 filters, no padding -> 26x26x64):
# input and output int16 codes plus the packed weights (64 x 27 bytes, padded
# to the kernel's tiles, and the biases: less than 4 KiB more)
kib0=$(awk '/^0 / { print $4; exit }' "$TMP/roof")
min0=$(awk 'BEGIN { printf "%.1f", (2 * 28 * 28 * 3 + 2 * 26 * 26 * 64 + 64 * 27) / 1024 }')
expect_ge roofline.bytes_layer0_min "$kib0" "$min0"
expect_ge roofline.bytes_layer0_max "$(awk -v m="$min0" 'BEGIN { print m + 4 }')" "$kib0"
# the SVG: well-formed, one dot per layer with MACs and time, the roofs
if python3 - "$TMP/roof.svg" <<'EOF' >"$TMP/svg.out" 2>&1; then ok roofline.svg; else fail roofline.svg "$(cat "$TMP/svg.out")"; fi
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()  # {*}: any namespace (the SVG one)
series = root.findall(".//{*}g[@class='series']")
names = [g.get("data-name") for g in series]
assert [n for n in names if n.startswith("roof:")], names
dots = [g for g in series if g.get("data-name") in ("8/8", "16/16")]
assert len(dots) == 2, names
for g in dots:
    n = len(g.findall("{*}circle")) + len(g.findall("{*}rect"))
    assert n >= 6, (g.get("data-name"), n)  # 6 conv layers + the connected one
EOF
"$DARKNET" fxq bench "$TMP/fx8.cfg" --svg "$TMP/x.svg" >/dev/null 2>"$TMP/e"
expect_eq roofline.svg_needs_roofline $? 2
"$DARKNET" fxq bench "$TMP/fx8.cfg" --roofline --svg "$TMP/no/such/dir/x.svg" --runs 1 >/dev/null 2>"$TMP/e"
rc=$?
expect_eq roofline.svg_unwritable_exit "$rc" 1
expect_eq roofline.svg_unwritable_one_line "$(wc -l <"$TMP/e")" 1

# --- --per-layer: a speed-up per row, except under a microsecond (a layer
# folded into the one before, or a softmax), where a ratio is noise: "-";
# the times are printed to 0.001 ms (a "-" row may show 0.001), so the
# tolerance grows as they shrink
"$DARKNET" fxq bench cfg/fmnist.cfg "$TMP/fx8.cfg" --per-layer --weights "$W" --runs 1 --warm-ms 0 >"$TMP/pl" 2>/dev/null
expect_eq per_layer.exit $? 0
expect_eq per_layer.rows "$(grep -cE '^[0-9]+ +[a-z]' "$TMP/pl")" 8
bad=$(awk '/^[0-9]+ +[a-z]/ { if ($6 == "-" || $5 < 0.001) { if ($6 != "-" || $5 > 0.001) print }
        else { r = $4 / $5; x = substr($6, 2) + 0; t = 0.05 + r * (0.0006 / $5 + 0.0006 / $4)
               if ($6 !~ /^x/ || x - r > t || r - x > t) print } }' "$TMP/pl")
expect_eq per_layer.speedups "$bad" ""

# --- --cold: one line, positive figures
"$DARKNET" fxq bench "$TMP/fx8.cfg" --cold --label 8/8 --name fmnist --runs 3 --weights "$W" >"$TMP/cold" 2>/dev/null
expect_eq cold.exit $? 0
expect_eq cold.fields "$(awk '{ print $1, $2, $3, $4, $6, $8, $10 }' "$TMP/cold")" \
    "cold fmnist 8/8 load_s first_ms warm_ms first_over_warm"
expect_ge cold.first_positive "$(awk '{ print $7 }' "$TMP/cold")" 0.000001

# --- --batch: N images per forward, times per image
"$DARKNET" fxq bench cfg/fmnist.cfg "$TMP/fx8.cfg" --label float --label 8/8 --weights "$W" --runs 2 --warm-ms 0 \
    --batch 3 >"$TMP/b3" 2>/dev/null
expect_eq batch.exit $? 0
expect_eq batch.header "$(sed -n 's/^# fmnist: \(batch 3\),.*times per image$/\1/p' "$TMP/b3")" "batch 3"
expect_ge batch.per_image_positive "$(awk '$1 == "8/8" && $3 == "ms/image" { print $2 }' "$TMP/b3")" 0.000001
expect_eq batch.ratio_line "$(grep -c '^ratio fmnist 8/8 ' "$TMP/b3")" 1

# --- plans built at load (default) = built by the first forward (FXQ_EAGER=0)
img=$(head -n 1 data/fmnist/test1k.list)
for e in 1 0; do
    FXQ_EAGER=$e "$DARKNET" classifier predict cfg/fmnist.data "$TMP/fx8.cfg" "$W" "$img" 2>/dev/null |
        grep -v 'Predicted in' >"$TMP/pred$e"
    FXQ_EAGER=$e "$DARKNET" classifier predict cfg/fmnist.data "$TMP/fx16.cfg" "$W" "$img" 2>/dev/null |
        grep -v 'Predicted in' >>"$TMP/pred$e"
done
expect_ge eager.predicted_lines "$(grep -c '%' "$TMP/pred1")" 10
expect_eq eager.same_predictions "$(cmp "$TMP/pred1" "$TMP/pred0" >/dev/null 2>&1 && echo same)" same
head -n 40 data/fmnist/test1k.list >"$TMP/t.list"
sed "s#^valid=.*#valid=$TMP/t.list#" cfg/fmnist.data >"$TMP/t.data"
for e in 1 0; do
    FXQ_EAGER=$e "$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" --csv -q 2>/dev/null |
        cut -d, -f1-7 >"$TMP/valid$e"
done
expect_eq eager.same_valid_batch "$(cmp "$TMP/valid1" "$TMP/valid0" >/dev/null 2>&1 && echo same)" same
