# `darknet fxq sqnr` -- per-layer SQNR of the fixed-point network vs
# float, beside Eq. 9's predictions (the paper's Table 6).
. tests/lib.sh
. tests/lib_fxcfg.sh

W=weights/fmnist.weights
fx_cfg "$TMP/fx12.cfg" 12 10 12 7 12 7
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"

"$DARKNET" fxq sqnr cfg/fmnist.cfg "$TMP/fx12.cfg" "$W" "$TMP/c.list" -n 48 --csv -q -o "$TMP/sq2.csv" \
    >"$TMP/sq.csv" 2>"$TMP/sq.err"
expect_eq sqnr.exit $? 0
expect_eq sqnr.csv_header "$(head -n 1 "$TMP/sq.csv")" \
    "layer,type,w_bits,in_bits,out_bits,measured_db,pred_cfg_kappa_db,pred_tensor_kappa_db,pred_measured_kappa_db,err_cfg_kappa_db,err_tensor_kappa_db,err_measured_kappa_db,gain_db,pred_measured_gain_db,err_measured_gain_db,cfg_kappa,images"
expect_eq sqnr.one_row_per_fixed_layer "$(tail -n +2 "$TMP/sq.csv" | cut -d, -f1 | tr '\n' ' ')" "0 1 2 3 4 5 6 "
expect_eq sqnr.types "$(tail -n +2 "$TMP/sq.csv" | cut -d, -f2 | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
    " 1 fxconnected; 6 fxconvolutional;"
check sqnr.o_file_equals_stdout cmp "$TMP/sq.csv" "$TMP/sq2.csv"
expect_eq sqnr.images "$(tail -n 1 "$TMP/sq.csv" | cut -d, -f17)" 48
# measured values are real numbers between 20 and 120 dB at 12 bits
bad=$(tail -n +2 "$TMP/sq.csv" | awk -F, '!($6 > 20 && $6 < 120) { print $1 }')
expect_eq sqnr.measured_plausible "$bad" ""
# the cfg's kappa: none recorded in this cfg, so the default 3 dB/bit: 12 bits -> 36 dB per step
expect_eq sqnr.default_cfg_kappa "$(tail -n 1 "$TMP/sq.csv" | cut -d, -f16)" 3.000
expect_near sqnr.first_layer_cfg_prediction "$(sed -n 2p "$TMP/sq.csv" | cut -d, -f7)" 31.229 0.01
# Eq. 9 with measured per-step SQNR and measured layer gains reproduces the
# measurement (the steps' noises add): within 1 dB everywhere
worst=$(tail -n +2 "$TMP/sq.csv" | awk -F, '{ d = $15 < 0 ? -$15 : $15; if (d > m) m = d } END { print m + 0 }')
expect_near sqnr.additivity_within_1db "$worst" 0 1
# and at the first layer (nothing upstream) plain Eq. 9 with measured kappa too
d0=$(sed -n 2p "$TMP/sq.csv" | cut -d, -f12)
expect_near sqnr.first_layer_measured_kappa "$d0" 0 1

"$DARKNET" fxq sqnr cfg/fmnist.cfg "$TMP/fx12.cfg" "$W" "$TMP/c.list" -n 16 --kappa 5 -v -q >"$TMP/table" 2>&1
expect_eq sqnr.table_exit $? 0
if grep -q "measured .*pred cfg .*pred tens .*pred meas" "$TMP/table" && grep -q "^ *0  weights " "$TMP/table"; then
    ok sqnr.table; else fail sqnr.table "$(head -n 4 "$TMP/table")"; fi
expect_near sqnr.kappa_option "$(awk '$1 == 0 && $2 == "weights" { print $6 }' "$TMP/table")" 5 0.001

bad() { # NAME PATTERN ARGS...
    name=$1 pat=$2; shift 2
    "$DARKNET" fxq sqnr "$@" -q >"$TMP/bad.out" 2>"$TMP/bad.err"; rc=$?
    msg=$(tail -n 1 "$TMP/bad.err")
    if [ "$rc" = 1 ] && [ ! -s "$TMP/bad.out" ] && echo "$msg" | grep -q -- "$pat"; then ok "$name";
    else fail "$name" "exit $rc, '$msg'"; fi
}
bad sqnr.no_fixed_layers "has no \[fxconvolutional\]" cfg/fmnist.cfg cfg/fmnist.cfg "$W" "$TMP/c.list" -n 4
sed '/^\[softmax\]/,$d' "$TMP/fx12.cfg" >"$TMP/short.cfg"
bad sqnr.other_network "the float cfg has 8 layers, the fixed-point cfg 7" cfg/fmnist.cfg "$TMP/short.cfg" "$W" "$TMP/c.list" -n 4
bad sqnr.missing_list "nope.list" cfg/fmnist.cfg "$TMP/fx12.cfg" "$W" "$TMP/nope.list"
bad sqnr.bad_stats "c.list:1: not a darknet-fxq stats file" cfg/fmnist.cfg "$TMP/fx12.cfg" "$W" "$TMP/c.list" --stats "$TMP/c.list" -n 4
mkdir "$TMP/ro" && chmod 500 "$TMP/ro"
if [ "$(id -u)" != 0 ]; then
    bad sqnr.unwritable_o "ro/o.csv: cannot write" cfg/fmnist.cfg "$TMP/fx12.cfg" "$W" "$TMP/c.list" -n 4 -o "$TMP/ro/o.csv"
fi
