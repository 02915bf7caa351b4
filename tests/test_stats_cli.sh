# `fxq stepsizes` and `fxq stats` on the real model and data:
# the table, a recording run checked against the raw .weights and against
# its own identities, merge == union, and every bad input failing cleanly.
. tests/lib.sh
CFG=cfg/fmnist.cfg
W=weights/fmnist.weights
LIST=data/fmnist/calib1k.list

# value of KEY in the record (LAYER, TENSOR) of a stats file
field() {
    awk -v l="$2" -v t="$3" -v k="$4=" '$1==l && $3==t { for (i = 4; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' "$1"
}
# record lines without their "layer type tensor" prefix
payload() { awk -v l="$2" -v t="$3" '$1==l && $3==t { $1=$2=$3=""; print }' "$1"; }

# --- stepsizes ----------------------------------------------------------------
"$DARKNET" fxq stepsizes >"$TMP/steps" 2>"$TMP/steps.err"; rc=$?
expect_eq stepsizes.exit "$rc" 0
expect_eq stepsizes.rows "$(awk '$1 ~ /^[0-9]+$/' "$TMP/steps" | wc -l | tr -d ' ')" 16
# Table 1, beta 1..4 (gamma at 2 bits: the table prints 1.060, the optimum is
# 1.0660 -- see tests/unit/test_stepsize.c and docs/stats.md)
bad=$(awk 'BEGIN { split("1.0 1.596 1.414 1.154  0.5 0.996 1.087 1.066  0.25 0.586 0.731 0.796  0.125 0.335 0.456 0.540", t, " +") }
           $1 ~ /^[1-4]$/ { for (c = 0; c < 4; c++) { w = t[($1 - 1) * 4 + c + 1]; d = $(c + 2) - w; if (d < 0) d = -d; if (d > 0.005) print "beta " $1 " col " c + 1 ": " $(c + 2) " vs " w } }' "$TMP/steps")
expect_eq stepsizes.table1 "$bad" ""
mono=$(awk '$1 ~ /^[0-9]+$/ { if (NR0++) for (c = 2; c <= 5; c++) if ($c >= p[c]) print "beta " $1; for (c = 2; c <= 5; c++) p[c] = $c }' "$TMP/steps")
expect_eq stepsizes.monotone "$mono" ""

# --- a recording run ---------------------------------------------------------------
head -n 200 "$LIST" >"$TMP/c200.list"
head -n 100 "$TMP/c200.list" >"$TMP/s1.list"
sed -n '101,200p' "$TMP/c200.list" >"$TMP/s2.list"
"$DARKNET" fxq stats "$CFG" "$W" "$TMP/c200.list" -o "$TMP/all.stats" >"$TMP/summary" 2>"$TMP/run.err"; rc=$?
expect_eq stats.exit "$rc" 0
A=$TMP/all.stats
expect_eq stats.version "$(head -n 1 "$A")" "fxq-stats 1"
expect_eq stats.images "$(awk '$1 == "images" { print $2 }' "$A")" 200
expect_eq stats.net_layers "$(awk '$1 == "net_layers" { print $2 }' "$A")" 8
expect_eq stats.records "$(awk '$1 == "records" { print $2 }' "$A")" 7
expect_eq stats.record_lines "$(grep -c '^[0-9]' "$A")" 35
expect_eq stats.layer_types "$(awk '$1 ~ /^[0-9]/ && $3 == "weights" { printf "%s%s:%s", NR0++ ? " " : "", $1, $2 }' "$A")" \
    "0:convolutional 1:convolutional 2:convolutional 3:convolutional 4:convolutional 5:convolutional 6:connected"
expect_eq stats.count.input0 "$(field "$A" 0 input count)" $((200 * 28 * 28 * 3))
expect_eq stats.count.preact0 "$(field "$A" 0 preact count)" $((200 * 26 * 26 * 64))
expect_eq stats.count.weights0 "$(field "$A" 0 weights count)" 1728
expect_eq stats.count.biases5 "$(field "$A" 5 biases count)" 32
expect_eq stats.count.output6 "$(field "$A" 6 output count)" 2000
if grep -q '^    0 convolutional weights' "$TMP/summary" && grep -q 'SQNR_dB' "$TMP/summary"; then ok stats.summary;
else fail stats.summary "$(head -n 3 "$TMP/summary")"; fi
# pixels are k/255 in [0, 1]
expect_eq stats.input0_range "$(field "$A" 0 input min) $(field "$A" 0 input max)" "0 1"

# identities of the forward pass: layer i's output is layer i+1's input; the
# connected layer is linear; ReLU zeroes exactly the non-positive pre-activations
same=1
for i in 0 1 2 3 4 5; do
    [ "$(payload "$A" $i output)" = "$(payload "$A" $((i + 1)) input)" ] || same=0
done
expect_eq stats.output_is_next_input "$same" 1
expect_same stats.linear_preact_is_output "$(payload "$A" 6 preact)" "$(payload "$A" 6 output)"
relu=1
for i in 0 1 2 3 4 5; do
    neg=$(field "$A" $i preact hist | tr ',' '\n' | awk -F: '$1 < 1024 { s += $2 } END { print s + 0 }')
    z=$(field "$A" $i preact zeros)
    [ "$(field "$A" $i output zeros)" = "$((neg + z))" ] || relu=0
    [ "$(field "$A" $i output min)" = 0 ] || relu=0
done
expect_eq stats.relu_zeros_are_nonpositive_preacts "$relu" 1

# independent: the connected layer (no batch norm) is the last record of the
# .weights file: 10 biases then 10x32 weights, read here with od
size=$(wc -c <"$W")
raw() { od -An -v -t f4 -j "$1" -N "$2" "$W" | awk '{ for (i = 1; i <= NF; i++) { n++; s += $i; if (n == 1 || $i < lo) lo = $i; if (n == 1 || $i > hi) hi = $i } } END { printf "%d %.9g %.9g %.9g\n", n, s / n, lo, hi }'; }
got_b=$(raw $((size - 1320)) 40)
got_w=$(raw $((size - 1280)) 1280)
for t in biases weights; do
    r=$([ $t = biases ] && echo "$got_b" || echo "$got_w")
    set -- $r
    expect_eq "stats.independent.$t.count" "$(field "$A" 6 $t count)" "$1"
    expect_near "stats.independent.$t.mean" "$(field "$A" 6 $t mean)" "$2" 1e-6
    expect_near "stats.independent.$t.min" "$(field "$A" 6 $t min)" "$3" 1e-6
    expect_near "stats.independent.$t.max" "$(field "$A" 6 $t max)" "$4" 1e-6
done

# --- shards: merge == union -------------------------------------------------------
"$DARKNET" fxq stats "$CFG" "$W" "$TMP/s1.list" -o "$TMP/s1.stats" -q -t 1 2>/dev/null; r1=$?
"$DARKNET" fxq stats "$CFG" "$W" "$TMP/s2.list" -o "$TMP/s2.stats" -q -t 2 -b 7 2>/dev/null; r2=$?
"$DARKNET" fxq stats --merge "$TMP/s1.stats" "$TMP/s2.stats" -o "$TMP/m12.stats" -q; r3=$?
"$DARKNET" fxq stats --merge "$TMP/s2.stats" "$TMP/s1.stats" --cfg "$CFG" >"$TMP/m21.stats"; r4=$?
expect_eq merge.exits "$r1 $r2 $r3 $r4" "0 0 0 0"
# exact fields identical, moments within 1e-9 relative
cmp_stats() {
    awk 'function val(s, k,   i, n, a) { n = split(s, a, " "); for (i = 4; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2); return "?" }
         FNR == NR { if ($1 ~ /^[0-9]/) L[$1 " " $3] = $0; else H[FNR] = $0; next }
         $1 !~ /^[0-9]/ { if ($0 != H[FNR] && $1 != "#") print "header: " $0; next }
         { k = $1 " " $3; o = L[k]; if (o == "") { print "missing " k; next }
           split("count zeros min max range hist", ex, " ")
           for (j in ex) if (val(o, ex[j]) != val($0, ex[j])) print k " " ex[j] " differs"
           split("mean m2 m3 m4", mo, " ")
           for (j in mo) { a = val(o, mo[j]) + 0; b = val($0, mo[j]) + 0; d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); if (m < 1e-300) m = 1e-300
                           if (d / m > 1e-9 && d > 1e-12) print k " " mo[j] " " a " vs " b } }' "$1" "$2"
}
expect_eq merge.equals_union "$(cmp_stats "$A" "$TMP/m12.stats")" ""
expect_eq merge.order_free "$(cmp_stats "$TMP/m12.stats" "$TMP/m21.stats")" ""
expect_eq merge.images "$(awk '$1 == "images" { print $2 }' "$TMP/m12.stats")" 200

# -n N, stats on stdout without -o; --show reads a file back (and checks a cfg)
"$DARKNET" fxq stats "$CFG" "$W" "$LIST" -n 20 -q >"$TMP/n20.stats" 2>/dev/null; rc=$?
expect_eq stats.n_images "$rc $(awk '$1 == "images" { print $2 }' "$TMP/n20.stats")" "0 20"
"$DARKNET" fxq stats --show "$A" --cfg "$CFG" --bits 6 --dist laplacian >"$TMP/show" 2>&1; rc=$?
if [ "$rc" = 0 ] && grep -q 'at 6 bits' "$TMP/show" && [ "$(grep -c '^ *[0-9]' "$TMP/show")" = 35 ]; then ok stats.show;
else fail stats.show "rc $rc: $(head -n 2 "$TMP/show")"; fi

# --- bad input: one line naming the file, exit 1, no output ------------------------
# expect_fail NAME NAMED-FILE ARGS... (run with -o $TMP/out.stats appended)
expect_fail() {
    name=$1 named=$2
    shift 2
    rm -f "$TMP/out.stats"
    "$DARKNET" fxq stats "$@" -o "$TMP/out.stats" >"$TMP/f.out" 2>"$TMP/f.err"
    rc=$?
    last=$(tail -n 1 "$TMP/f.err")
    lines=$(grep -c '^darknet fxq stats:' "$TMP/f.err")
    case "$last" in "darknet fxq stats: "*"$named"*) named_ok=1 ;; *) named_ok=0 ;; esac
    if [ "$rc" = 1 ] && [ "$lines" = 1 ] && [ "$named_ok" = 1 ] && [ ! -e "$TMP/out.stats" ] &&
        ! ls "$TMP"/out.stats.tmp.* >/dev/null 2>&1 && [ ! -s "$TMP/f.out" ]; then
        ok "$name"
    else
        fail "$name" "rc=$rc lines=$lines last='$last' out=$(ls "$TMP" | grep -c out.stats)"
    fi
}
expect_fail bad.cfg_missing "$TMP/nosuch.cfg" "$TMP/nosuch.cfg" "$W" "$TMP/c200.list"
expect_fail bad.cfg_not_a_cfg "$TMP/c200.list" "$TMP/c200.list" "$W" "$TMP/c200.list"
printf '[net]\nwidth=28\n[convolutinal]\nfilters=3\n' >"$TMP/typo.cfg"
expect_fail bad.cfg_unknown_layer "$TMP/typo.cfg" "$TMP/typo.cfg" "$W" "$TMP/c200.list"
expect_fail bad.weights_missing "$TMP/nosuch.weights" "$CFG" "$TMP/nosuch.weights" "$TMP/c200.list"
head -c 500000 "$W" >"$TMP/short.weights"
expect_fail bad.weights_short "$TMP/short.weights" "$CFG" "$TMP/short.weights" "$TMP/c200.list"
# a negative rolling variance passes the weights scan and turns NaN only when
# batch norm is folded: the message must still name the weights file
if have_python3; then
    python3 -c "
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<f', b, 20 + 3 * 64 * 4, -1.0)  # header 20 B; layer 0: biases, scales, mean, var[0]
open(sys.argv[2], 'wb').write(b)" "$W" "$TMP/negvar.weights"
    # a missing file would be named too: the mutated copy must exist first
    if [ -s "$TMP/negvar.weights" ]; then
        expect_fail bad.weights_nan_after_fold "$TMP/negvar.weights" "$CFG" "$TMP/negvar.weights" "$TMP/c200.list"
    else fail bad.weights_nan_after_fold "could not write $TMP/negvar.weights"; fi
else skip bad.weights_nan_after_fold "no python3 (scripts/install-deps.sh installs it)"; fi
expect_fail bad.list_missing "$TMP/nosuch.list" "$CFG" "$W" "$TMP/nosuch.list"
printf '\n  \n\n' >"$TMP/empty.list"
expect_fail bad.list_empty "$TMP/empty.list" "$CFG" "$W" "$TMP/empty.list"
echo "not a png" >"$TMP/broken.png"
{ head -n 40 "$LIST"; echo "$TMP/broken.png"; sed -n '41,60p' "$LIST"; } >"$TMP/broken.list"
expect_fail bad.image_undecodable "$TMP/broken.png" "$CFG" "$W" "$TMP/broken.list"
{ head -n 3 "$LIST"; echo "$TMP/gone.png"; } >"$TMP/gone.list"
expect_fail bad.image_missing "$TMP/gone.png" "$CFG" "$W" "$TMP/gone.list"
"$DARKNET" fxq stats "$CFG" "$W" "$TMP/c200.list" -o "$TMP/nodir/x.stats" >"$TMP/f.out" 2>"$TMP/f.err"; rc=$?
case "$rc $(cat "$TMP/f.err")" in "1 darknet fxq stats: $TMP/nodir/x.stats: "*) ok bad.output_dir ;;
    *) fail bad.output_dir "rc $rc: $(cat "$TMP/f.err")" ;; esac
# stats that do not match: another cfg, another network's shard, a torn file
sed '0,/filters=64/s//filters=48/' "$CFG" >"$TMP/other.cfg"
expect_fail bad.stats_other_cfg "$A" --merge "$A" --cfg "$TMP/other.cfg"
sed 's/^net_layers 8$/net_layers 9/' "$A" >"$TMP/other.stats"
expect_fail bad.stats_other_network "$TMP/other.stats" --merge "$A" "$TMP/other.stats"
head -n 20 "$A" >"$TMP/torn.stats"
expect_fail bad.stats_truncated "$TMP/torn.stats" --merge "$A" "$TMP/torn.stats"
"$DARKNET" fxq stats --show "$TMP/other.stats" --cfg "$CFG" >"$TMP/f.out" 2>"$TMP/f.err"; rc=$?
case "$rc $(cat "$TMP/f.err")" in "1 darknet fxq stats: $TMP/other.stats: does not match $CFG"*) ok bad.show_mismatch ;;
    *) fail bad.show_mismatch "rc $rc: $(cat "$TMP/f.err")" ;; esac
"$DARKNET" fxq stats "$CFG" "$W" >"$TMP/f.out" 2>"$TMP/f.err"; rc=$?
expect_eq bad.usage_exit "$rc" 2
"$DARKNET" fxq stats "$CFG" "$W" "$TMP/c200.list" -n zero >"$TMP/f.out" 2>"$TMP/f.err"; rc=$?
expect_eq bad.usage_n "$rc $(grep -c -- '-n' "$TMP/f.err")" "2 1"
