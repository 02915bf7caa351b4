# `darknet fxq valid` -- float and fixed-point cfgs side by side;
# its top-1/top-5 must equal `darknet classifier valid` for the same cfg.
. tests/lib.sh
. tests/lib_fxcfg.sh

W=weights/fmnist.weights
N=100
head -n $N data/fmnist/test1k.list >"$TMP/t.list"
sed "s#^valid=.*#valid=$TMP/t.list#" cfg/fmnist.data >"$TMP/t.data"
fx_cfg "$TMP/fx8.cfg" 8 6 8 4 8 3
fx_cfg "$TMP/fx4.cfg" 4 4 8 4 8 3

"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" "$TMP/fx4.cfg" --csv -q \
    >"$TMP/valid.csv" 2>"$TMP/valid.err"
expect_eq valid.exit $? 0
expect_eq valid.csv_header "$(head -n 1 "$TMP/valid.csv")" \
    "cfg,weights,images,top1,top5,agree_top1,mean_abs_dlogit,images_per_s"
expect_eq valid.csv_rows "$(tail -n +2 "$TMP/valid.csv" | wc -l)" 3
col() { awk -F, -v r="$1" -v c="$2" 'NR == r + 1 { print $c }' "$TMP/valid.csv"; }
expect_eq valid.images "$(col 1 3)" $N
expect_eq valid.reference_agrees_with_itself "$(col 1 6)" 1.000000
expect_eq valid.reference_dlogit_zero "$(col 1 7)" 0
# 4-bit weights move the logits more than 8-bit ones
if awk -v a="$(col 2 7)" -v b="$(col 3 7)" 'BEGIN { exit !(a > 0 && b > a) }'; then ok valid.dlogit_grows_with_fewer_bits;
else fail valid.dlogit_grows_with_fewer_bits "8-bit $(col 2 7), 4-bit $(col 3 7)"; fi

# top-1/top-5 equal classifier valid's for each cfg (its last line is
# "<i>: top 1: <acc>, top 5: <acc>")
row=1
for c in cfg/fmnist.cfg "$TMP/fx8.cfg"; do
    last=$("$DARKNET" classifier valid "$TMP/t.data" "$c" "$W" 2>/dev/null | tail -n 1)
    t1=$(echo "$last" | sed -n 's/.*top 1: \([0-9.]*\),.*/\1/p')
    t5=$(echo "$last" | sed -n 's/.*top 5: \([0-9.]*\).*/\1/p')
    name=$(basename "$c" .cfg)
    expect_eq "valid.top1_equals_classifier_valid.$name" "$(col $row 4)" "$t1"
    expect_eq "valid.top5_equals_classifier_valid.$name" "$(col $row 5)" "$t5"
    row=$((row + 1))
done

# the table form: header and one row per cfg
"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" -n 40 -q >"$TMP/table" 2>/dev/null
if grep -q "top-1 .*top-5 .*agree .*|dlogit| .*img/s" "$TMP/table" && [ "$(grep -c '\.cfg  ' "$TMP/table")" = 2 ]; then
    ok valid.table; else fail valid.table "$(cat "$TMP/table")"; fi
expect_eq valid.limit_n "$(head -n 1 "$TMP/table" | cut -d' ' -f1)" 40

# bad input: one line naming the file, exit 1, nothing on stdout
bad() { # NAME PATTERN ARGS...
    name=$1 pat=$2; shift 2
    "$DARKNET" fxq valid "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"; rc=$?
    msg=$(tail -n 1 "$TMP/bad.err")
    if [ "$rc" = 1 ] && [ ! -s "$TMP/bad.out" ] && echo "$msg" | grep -q -- "$pat"; then ok "$name";
    else fail "$name" "exit $rc, '$msg'"; fi
}
bad valid.missing_data "no-such.data: cannot open" "$TMP/no-such.data" cfg/fmnist.cfg "$W"
bad valid.missing_cfg "no-such.cfg: No such file" "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/no-such.cfg"
bad valid.not_a_cfg "t.list:1: option outside any section" "$TMP/t.data" "$TMP/t.list" "$W"
head -c 1000 "$W" >"$TMP/short.weights"
bad valid.short_weights "short.weights: 1000 bytes" "$TMP/t.data" cfg/fmnist.cfg "$TMP/short.weights"
{ head -n 3 "$TMP/t.list"; echo "$TMP/missing_boot.png"; } >"$TMP/bad.list"
bad valid.bad_image "missing_boot.png: cannot decode" "$TMP/t.data" cfg/fmnist.cfg "$W" --list "$TMP/bad.list"
"$DARKNET" fxq valid "$TMP/t.data" >/dev/null 2>&1
expect_eq valid.usage_exit $? 2

# --fx-weights once per fixed-point cfg ("-": <weights>): each row as its cfg
# alone with that file gives it
FT=weights/fmnist-fx44-ft.weights
V() { "$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$@" -n 30 -q --csv 2>"$TMP/fxw.err"; }
V "$TMP/fx8.cfg" cfg/fmnist-fx44.cfg --fx-weights - --fx-weights "$FT" >"$TMP/fxw.csv"
expect_eq valid.fx_weights_per_cfg_exit $? 0
V "$TMP/fx8.cfg" | sed -n 3p | cut -d, -f1-7 >"$TMP/fxw.a"
V cfg/fmnist-fx44.cfg --fx-weights "$FT" | sed -n 3p | cut -d, -f1-7 >"$TMP/fxw.b"
expect_eq valid.fx_weights_dash_row "$(sed -n 3p "$TMP/fxw.csv" | cut -d, -f1-7)" "$(cat "$TMP/fxw.a")"
expect_eq valid.fx_weights_own_row "$(sed -n 4p "$TMP/fxw.csv" | cut -d, -f1-7)" "$(cat "$TMP/fxw.b")"
expect_eq valid.fx_weights_own_file "$(sed -n 4p "$TMP/fxw.csv" | cut -d, -f2)" "$FT"
V "$TMP/fx8.cfg" cfg/fmnist-fx44.cfg --fx-weights - --fx-weights "$FT" --fx-weights "$FT" >"$TMP/fxw.out"
expect_eq valid.fx_weights_count_exit $? 2
expect_eq valid.fx_weights_count_msg "$(cat "$TMP/fxw.err")" \
    "darknet fxq valid: 3 --fx-weights for 2 fixed-point cfgs: give one for all, or one per cfg (see darknet fxq valid --help)"
V --fx-weights "$FT" >"$TMP/fxw.out"
expect_eq valid.fx_weights_alone_exit $? 2
check valid.fx_weights_alone_msg grep -q "^darknet fxq valid: --fx-weights without a fixed-point cfg" "$TMP/fxw.err"
# a cfg of another input size (the same weights fit it) is named
sed 's/^width=28/width=32/;s/^height=28/height=32/' "$TMP/fx8.cfg" >"$TMP/w32.cfg"
bad valid.other_input_named "w32.cfg: takes 32x32x3 input, cfg/fmnist.cfg takes 28x28x3" "$TMP/t.data" cfg/fmnist.cfg \
    "$W" "$TMP/w32.cfg" -n 2

# scripts/fxq-eval-classifier.sh: stats -> quantize -> pack -> valid, end to end
if [ "${SAN:-0}" = 1 ]; then PACK=${BUILD:-build}/bin-san/fxq-pack; else PACK=${BUILD:-build}/bin/fxq-pack; fi
OUT="$TMP/eval" N=32 FXQ_PACK="$PACK" scripts/fxq-eval-classifier.sh "$TMP/t.data" cfg/fmnist.cfg "$W" \
    data/fmnist/calib1k.list --wbits 8 --abits 8 >"$TMP/script.out" 2>&1
expect_eq valid.script_exit $? 0
if grep -q "^cfg/fmnist.cfg .*1.0000 " "$TMP/script.out" && grep -q "fmnist-fx.cfg " "$TMP/script.out" &&
    [ -s "$TMP/eval/fmnist-fx.cfg" ]; then ok valid.script_table; else fail valid.script_table "$(tail -n 4 "$TMP/script.out")"; fi
if [ -x "$PACK" ]; then check valid.script_packed test -s "$TMP/eval/fmnist-fx.fxw"; fi
scripts/fxq-eval-classifier.sh "$TMP/t.data" >/dev/null 2>&1
expect_eq valid.script_usage_exit $? 2

# --logits: one row per image and cfg, the logits exact (%.9g): the float
# reference's rows hold the same logits whether it runs beside another cfg
# or alone, the fixed-point rows differ from them by the table's |dlogit|
"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" -n 10 -q --csv --logits "$TMP/lg2" \
    >"$TMP/lg2.csv" 2>/dev/null
expect_eq valid.logits_exit $? 0
"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" -n 10 -q --csv --logits "$TMP/lg1" >/dev/null 2>&1
expect_eq valid.logits_rows "$(wc -l <"$TMP/lg2")" 20
expect_eq valid.logits_columns "$(awk -F, '{ print NF }' "$TMP/lg2" | sort -u)" 12
expect_eq valid.logits_reference_alone "$(grep -v fx8.cfg "$TMP/lg2")" "$(cat "$TMP/lg1")"
dl=$(awk -F, 'NR % 2 == 1 { for (j = 3; j <= NF; ++j) r[j] = $j } NR % 2 == 0 { for (j = 3; j <= NF; ++j) { d = $j - r[j]; s += d < 0 ? -d : d; ++n } }
    END { printf "%.6g", s / n }' "$TMP/lg2")
expect_near valid.logits_mean_abs_dlogit "$dl" "$(awk -F, 'NR == 3 { print $7 }' "$TMP/lg2.csv")" 0.0001
