# `darknet fxq quantize` -- the paper's fixtures (bit-widths, model
# sizes, predicted SQNR), the CSV, bad input, and the rewritten cfg running in
# `darknet classifier valid` with the original .weights.
. tests/lib.sh

C=cfg/paper-cifar10.cfg
A=cfg/paper-alexnet.cfg
q() { "$DARKNET" fxq quantize "$@"; }
# csv_col FILE ROWKEY COLUMN: the value in column COLUMN (by header name) of the
# row whose first field is ROWKEY ("0", "5", "total" + type in $4)
csv_get() {
    awk -F, -v key="$2" -v col="$3" -v typ="${4:-}" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $1 == key && (typ == "" || $2 == typ) { print $(h[col]); exit }' "$1"
}
conv_bits() { awk -F, 'NR > 1 && $1 != "total" && $2 == "convolutional" { printf "%s%s", sep, $5; sep = " " } END { print "" }' "$1"; }

# --- paper fixtures: Table 6 of arXiv:1511.06393 (ICML Table 3 rule) -------
case=7
for b0 in 16 15 14 13 12 11 10; do
    q $C --objective size --kappa 3 --beta0 $b0 --dry-run --csv - >"$TMP/b$b0.csv" 2>"$TMP/b$b0.err"
    expect_eq "fixture.cifar_beta0_$b0.exit" $? 0
    case $case in
        7) want="16 11 11 10 10 8"; mb=31.24 ;; 8) want="15 10 10 9 9 7"; mb=27.86 ;;
        9) want="14 9 9 8 8 6"; mb=24.48 ;; 10) want="13 8 8 7 7 5"; mb=21.09 ;;
        11) want="12 7 7 6 6 4"; mb=17.71 ;; 12) want="11 6 6 5 5 3"; mb=14.33 ;;
        13) want="10 5 5 4 4 2"; mb=10.95 ;;
    esac
    expect_eq "fixture.cifar_case${case}_bits" "$(conv_bits "$TMP/b$b0.csv")" "$want"
    expect_near "fixture.cifar_case${case}_conv_mbits" "$(csv_get "$TMP/b$b0.csv" total w_mbits convolutional)" $mb 0.01
    case=$((case + 1))
done
case=1
for wb in 9 8 7 6 5 4; do
    q $C --wbits $wb --dry-run --csv - >"$TMP/w$wb.csv" 2>/dev/null
    case $case in 1) mb=30.44 ;; 2) mb=27.06 ;; 3) mb=23.67 ;; 4) mb=20.29 ;; 5) mb=16.91 ;; 6) mb=13.53 ;; esac
    expect_eq "fixture.cifar_case${case}_bits" "$(conv_bits "$TMP/w$wb.csv")" "$wb $wb $wb $wb $wb $wb"
    expect_near "fixture.cifar_case${case}_conv_mbits" "$(csv_get "$TMP/w$wb.csv" total w_mbits convolutional)" $mb 0.01
    case=$((case + 1))
done

# parameter counts of the paper cfgs equal the paper's tables; MACs encode
# the output maps (CIFAR: arXiv Table 3 / ICML Table 2; AlexNet: ICML Table 4)
params() { awk -F, 'NR > 1 && $1 != "total" { printf "%s%s", sep, $3; sep = " " } END { print "" }' "$1"; }
maps() { awk -F, 'NR > 1 && $1 != "total" && $2 == "convolutional" { printf "%s%d", sep, sqrt($4 / $3) + 0.5; sep = " " } END { print "" }' "$1"; }
expect_eq fixture.cifar_params "$(params "$TMP/b16.csv")" "6912 294912 294912 589824 589824 1605632 5120"
expect_eq fixture.cifar_output_maps "$(maps "$TMP/b16.csv")" "22 12 10 8 5 2"
q $A --beta0 12 --dry-run --csv - >"$TMP/alex.csv" 2>/dev/null
expect_eq fixture.alexnet_params "$(params "$TMP/alex.csv")" "14112 384000 276480 331776 276480 16056320 4194304 2048000"
expect_eq fixture.alexnet_output_maps "$(maps "$TMP/alex.csv")" "112 28 14 14 14"
# ICML Table 5: conv2..conv5 = beta1 -5, -4, -5, -4
for b1 in 16 12 8; do
    q $A --beta0 $b1 --dry-run --csv - >"$TMP/a$b1.csv" 2>/dev/null
    got=$(awk -F, -v b="$b1" 'NR > 1 && $1 != "total" && $2 == "convolutional" { printf "%s%d", sep, $5 - b; sep = " " } END { print "" }' "$TMP/a$b1.csv")
    expect_eq "fixture.alexnet_table5_beta1_$b1" "$got" "0 -5 -4 -5 -4"
done

# ICML Table 6: predicted SQNR at conv1..conv5 for Example 1 (beta0 = 13,
# Table 6 case #10) and Example 2 (beta0 = 12), activations 16 bits, kappa 3
pred() { awk -F, 'NR > 2 && $1 != "total" && $2 == "convolutional" { printf "%s%s", sep, $16; sep = " " } END { print "" }' "$1"; }
near_list() { # NAME GOT WANT TOL
    if awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { n = split(g, a, " "); m = split(w, b, " "); if (n != m) exit 1;
        for (i = 1; i <= n; i++) { d = a[i] - b[i]; if (d < 0) d = -d; if (d > t) exit 1 } }'; then ok "$1";
    else fail "$1" "got '$2', want '$3' +- $4"; fi
}
near_list fixture.icml_table6_example1 "$(pred "$TMP/b13.csv")" "23.83 20.9 17.93 16.16 12.54" 0.05
near_list fixture.icml_table6_example2 "$(pred "$TMP/b12.csv")" "20.85 17.91 14.94 13.2 9.55" 0.05

# --- CSV ------------------------------------------------------------------
hdr=$(head -n 1 "$TMP/b16.csv")
for c in layer type params macs w_bits w_frac a_bits a_frac pred_sqnr_db; do
    case ",$hdr," in *",$c,"*) ok "csv.column_$c" ;; *) fail "csv.column_$c" "header '$hdr'" ;; esac
done
expect_eq csv.rows "$(awk -F, 'NR > 1 && $1 != "total"' "$TMP/b16.csv" | wc -l)" 7
expect_eq csv.total_rows "$(awk -F, '$1 == "total" { printf "%s ", $2 }' "$TMP/b16.csv")" "convolutional connected all "
expect_near csv.total_all_mbits "$(csv_get "$TMP/b16.csv" total w_mbits all)" 31.3221 0.0001
expect_near csv.output_sqnr "$(csv_get "$TMP/b16.csv" total pred_sqnr_db all)" "$(csv_get "$TMP/b16.csv" 6 pred_sqnr_db)" 0.0001
q $C --beta0 16 --dry-run --csv "$TMP/file.csv" >"$TMP/table.txt" 2>&1
expect_eq csv.to_file "$(cmp -s "$TMP/file.csv" "$TMP/b16.csv" && echo same)" same
if grep -q "^weights (sum params \* w_bits / 1e6): convolutional 31.2402 Mbits" "$TMP/table.txt"; then ok table.totals;
else fail table.totals "$(tail -n 5 "$TMP/table.txt")"; fi

# --- the other budgets ----------------------------------------------------
q $C --sqnr 20 --dry-run --csv - >"$TMP/s20.csv" 2>/dev/null
expect_ge budget.sqnr_meets_floor "$(csv_get "$TMP/s20.csv" total pred_sqnr_db all)" 20
q $C --sqnr 20 --dry-run --objective ops --csv - >"$TMP/ops.csv" 2>/dev/null
expect_ge budget.sqnr_ops_meets_floor "$(csv_get "$TMP/ops.csv" total pred_sqnr_db all)" 20
# ops puts fewer bits where there are more MACs: conv1 (42.5M MACs) below conv5 (6.4M)
if [ "$(csv_get "$TMP/ops.csv" 1 w_bits)" -lt "$(csv_get "$TMP/ops.csv" 5 w_bits)" ]; then ok budget.ops_follows_macs;
else fail budget.ops_follows_macs "conv1 $(csv_get "$TMP/ops.csv" 1 w_bits) conv5 $(csv_get "$TMP/ops.csv" 5 w_bits)"; fi
q $C --size-mbits 20 --dry-run --csv - >"$TMP/m20.csv" 2>/dev/null
if awk -v m="$(csv_get "$TMP/m20.csv" total w_mbits all)" 'BEGIN { exit !(m <= 20 && m > 19.5) }'; then ok budget.size_fits;
else fail budget.size_fits "$(csv_get "$TMP/m20.csv" total w_mbits all) Mbits"; fi
# at Table 6 case #10's size (21.094144 Mbits of conv weights + 0.08192 for
# fc0 at 16 bits) the optimum predicts at least case #10's SQNR
q $C --size-mbits 21.176064 --fc-bits 16 --dry-run --csv - >"$TMP/m21.csv" 2>/dev/null
q $C --beta0 13 --fc-bits 16 --dry-run --csv - >"$TMP/b13fc.csv" 2>/dev/null
expect_ge budget.size_beats_rule "$(csv_get "$TMP/m21.csv" total pred_sqnr_db all)" "$(csv_get "$TMP/b13fc.csv" total pred_sqnr_db all)"
expect_eq budget.fc_bits_pinned "$(csv_get "$TMP/b13fc.csv" 6 w_bits)" 16
q $C --beta0 12 --alloc-acts --dry-run --csv - >"$TMP/acts.csv" 2>/dev/null
# conv1's input (22*22*256 = 123904 activations) follows Eq. 15 from conv0 (6912 weights)
expect_eq budget.alloc_acts_eq15 "$(csv_get "$TMP/acts.csv" 1 a_bits)" $((12 - 4))
q $C --beta0 4 --dry-run >"$TMP/clamp.txt" 2>&1
if grep -q "layer   5 weights   -3.887 ->  2  clamped" "$TMP/clamp.txt"; then ok report.clamping;
else fail report.clamping "$(grep -A8 'off the exact' "$TMP/clamp.txt")"; fi
if grep -q "all together: exact solution" "$TMP/clamp.txt"; then ok report.rounding_cost; else fail report.rounding_cost "no summary"; fi

# --- --head-bits: only outputs that leave for a float reader widen ----------
# fmnist-res: the last conv feeds [avgpool] -> [softmax]; yolov3-tiny: the two
# convs before [yolo] (15, 22); every other output and every input keeps 8 bits
outbits() { awk -F, 'NR > 1 && $1 != "total" && $2 != "" { printf "%s%s:%s/%s", sep, $1, $9, $11; sep = " " } END { print "" }' "$1"; }
"$DARKNET" fxq quantize cfg/fmnist-res.cfg --wbits 8 --abits 8 --head-bits 16 --dry-run --csv - >"$TMP/hb.csv" 2>/dev/null
expect_eq head_bits.fmnist_res "$(outbits "$TMP/hb.csv")" "0:8/8 1:8/8 2:8/8 3:8/8 5:8/8 6:8/8 7:8/8 9:8/16"
if [ -f "${BUILD:-build}/darknet/cfg/yolov3-tiny.cfg" ]; then
    "$DARKNET" fxq quantize "${BUILD:-build}/darknet/cfg/yolov3-tiny.cfg" --wbits 8 --abits 8 --head-bits 16 --dry-run \
        --csv - >"$TMP/hby.csv" 2>/dev/null
    expect_eq head_bits.yolo_heads "$(outbits "$TMP/hby.csv" | tr ' ' '\n' | grep -v ':8/8$' | tr '\n' ' ')" "15:8/16 22:8/16 "
else
    fail head_bits.yolo_heads "no yolov3-tiny.cfg (make fetches it)"
fi
# --head-bits equal to --abits writes the same cfg as without it (but the
# command line in its comment)
"$DARKNET" fxq quantize cfg/fmnist-res.cfg weights/fmnist-res.weights data/fmnist/test1k.list -n 64 -q --wbits 8 \
    --abits 8 --preset fast -o "$TMP/hb0.cfg" >/dev/null 2>&1
"$DARKNET" fxq quantize cfg/fmnist-res.cfg weights/fmnist-res.weights data/fmnist/test1k.list -n 64 -q --wbits 8 \
    --abits 8 --preset fast --head-bits 8 -o "$TMP/hb8.cfg" >/dev/null 2>&1
sed 2d "$TMP/hb0.cfg" >"$TMP/hb0.body"
sed 2d "$TMP/hb8.cfg" >"$TMP/hb8.body"
expect_eq head_bits.equal_is_unchanged "$(cmp -s "$TMP/hb0.body" "$TMP/hb8.body" && echo same)" same
"$DARKNET" fxq quantize cfg/fmnist-res.cfg weights/fmnist-res.weights data/fmnist/test1k.list -n 64 -q --wbits 8 \
    --abits 8 --preset fast --head-bits 16 -o "$TMP/hb16.cfg" >/dev/null 2>&1
expect_eq head_bits.cfg_last_out "$(grep '^out_bits=' "$TMP/hb16.cfg" | uniq -c | awk '{ printf "%s%s", sep, $0; sep = ";" }')" \
    "      7 out_bits=8;      1 out_bits=16"
if "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg weights/fmnist-res.weights "$TMP/hb16.cfg" -n 32 -q \
    >"$TMP/hb16.valid" 2>&1; then ok head_bits.cfg_runs; else fail head_bits.cfg_runs "$(tail -n 1 "$TMP/hb16.valid")"; fi

# --- bad input: exit non-zero, one line naming the problem, nothing written --
printf '[net]\nheight=8\nwidth=8\nchannels=1\n[maxpool]\nsize=2\nstride=2\n' >"$TMP/noq.cfg"
printf '[net]\nheight=8\nwidth=8\nchannels=1\n[convolutinal]\nfilters=2\nsize=3\n' >"$TMP/typo.cfg"
printf '[net]\nheight=0\nwidth=8\nchannels=1\n[convolutional]\nfilters=2\nsize=3\n' >"$TMP/noin.cfg"
printf '[net]\nheight=4\nwidth=4\nchannels=1\n[convolutional]\nfilters=2\nsize=7\n' >"$TMP/tiny.cfg"
cp $C "$TMP/in.cfg"
mkdir "$TMP/tmpdir" # temporary files of a failed run must not stay behind
W=weights/fmnist.weights
bad() { # NAME EXPECTED-MESSAGE-PART ARGS...
    name=$1 msg=$2; shift 2
    rm -f "$TMP/out.cfg" "$TMP/out.csv"
    TMPDIR="$TMP/tmpdir" "$DARKNET" fxq quantize "$@" --csv "$TMP/out.csv" >"$TMP/bad.out" 2>"$TMP/bad.err"; rc=$?
    left=$(( $(ls "$TMP" | grep -c '\.tmp\.') + $(ls -A "$TMP/tmpdir" | wc -l) ))
    if [ $rc -ne 0 ] && [ ! -e "$TMP/out.cfg" ] && [ ! -e "$TMP/out.csv" ] && [ "$left" -eq 0 ] && grep -q -- "$msg" "$TMP/bad.err"; then ok "bad.$name";
    else fail "bad.$name" "rc=$rc out=$([ -e "$TMP/out.cfg" ] && echo written) tmp=$left err='$(tail -n 1 "$TMP/bad.err")'"; fi
}
bad no_budget "give exactly one budget" $C -o "$TMP/out.cfg" --dry-run
bad two_budgets "conflicting budgets --beta0 and --wbits" $C $W x.stats -o "$TMP/out.cfg" --beta0 8 --wbits 8
bad sqnr_and_size "conflicting budgets --sqnr and --size-mbits" $C --sqnr 20 --size-mbits 10 --dry-run
bad bits_high "--beta0 wants a bit-width in 2..16" $C --beta0 17 --dry-run
bad bits_low "--wbits wants a bit-width in 2..16" $C --wbits 1 --dry-run
bad abits_range "--abits wants a bit-width in 2..16" $C --wbits 8 --abits 20 --dry-run
bad head_bits_range "--head-bits wants a bit-width in 2..16" $C --wbits 8 --head-bits 1 --dry-run
bad head_bits_alloc "--head-bits and --alloc-acts conflict" $C --beta0 8 --alloc-acts --head-bits 16 --dry-run
bad kappa_zero "--kappa wants a positive number" $C --wbits 8 --kappa 0 --dry-run
bad kappa_negative "--kappa wants a positive number" $C --wbits 8 --kappa -3 --dry-run
bad kappa_text "--kappa wants a positive number" $C --wbits 8 --kappa fast --dry-run
bad kappa_measured_no_stats "--kappa measured needs" $C --beta0 8 --kappa measured --dry-run
bad no_quantizable "no \[convolutional\] or \[connected\] layer" "$TMP/noq.cfg" --wbits 8 --dry-run
bad unknown_section "typo.cfg:5: unknown section type" "$TMP/typo.cfg" --wbits 8 --dry-run
bad darknet_abort "noin.cfg:1: \[net\] has no input size" "$TMP/noin.cfg" --wbits 8 --dry-run
bad empty_output "tiny.cfg:5: \[convolutional\] (layer 0): size=7 is larger than its input" "$TMP/tiny.cfg" --wbits 8 --dry-run
bad missing_cfg "No such file or directory" "$TMP/nope.cfg" --wbits 8 --dry-run
bad out_is_input "would overwrite an input" "$TMP/in.cfg" $W data/fmnist/calib1k.list -o "$TMP/in.cfg" --wbits 8
bad out_is_input_other_path "would overwrite an input" "$TMP/in.cfg" $W data/fmnist/calib1k.list -o "$TMP/./in.cfg" --wbits 8
bad no_stats_for_cfg "writing a cfg needs fractional bits" $C -o "$TMP/out.cfg" --wbits 8
bad unreachable_sqnr "out of reach" $C --sqnr 60 --dry-run
bad size_too_small "cannot hold the weights" $C --size-mbits 5 --dry-run
bad weights_without_list "needs <calib.list|file.stats>" $C $W -o "$TMP/out.cfg" --wbits 8
bad missing_weights "nope.weights" cfg/fmnist.cfg "$TMP/nope.weights" data/fmnist/calib1k.list -o "$TMP/out.cfg" --wbits 8
bad wrong_weights "the cfg needs" $C $W data/fmnist/calib1k.list -o "$TMP/out.cfg" --wbits 8
bad out_dir_missing "not writable" cfg/fmnist.cfg $W data/fmnist/calib1k.list -o "$TMP/no/dir/out.cfg" --wbits 8
expect_eq cfg.input_untouched "$(cmp -s $C "$TMP/in.cfg" && echo same)" same

# --- the rewritten cfg, with statistics recorded on the fly ----------------
if [ -s "$W" ] && [ -s data/fmnist/calib1k.list ]; then
    q cfg/fmnist.cfg $W data/fmnist/calib1k.list -n 64 -q -o "$TMP/fx.cfg" --beta0 10 --preset fast --csv "$TMP/fx.csv" \
        >"$TMP/fx.out" 2>"$TMP/fx.err"
    expect_eq rewrite.exit $? 0
    expect_eq rewrite.sections "$(grep -c '^\[fxconvolutional\]$' "$TMP/fx.cfg") $(grep -c '^\[fxconnected\]$' "$TMP/fx.cfg")" "6 1"
    # every original line survives, in order: deleting what was added gives the original back
    sed -e '1,/^$/d' "$TMP/fx.cfg" | sed -e '/^# darknet-fxq Q-formats/d' \
        -e '/^\(w\|b\|in\|out\)_\(bits\|frac\)=/d' -e 's/^\[fxconvolutional\]$/[convolutional]/' \
        -e 's/^\[fxconnected\]$/[connected]/' >"$TMP/back.cfg"
    expect_eq rewrite.original_lines_kept "$(cmp -s "$TMP/back.cfg" cfg/fmnist.cfg && echo same)" same
    head -n 12 "$TMP/fx.cfg" >"$TMP/head.txt"
    for w in "darknet fxq quantize cfg/fmnist.cfg" "objective: size" "kappa: 3 dB/bit" "budget: --beta0 10" "predicted output SQNR (Eq. 9)"; do
        if grep -q -- "$w" "$TMP/head.txt"; then ok "rewrite.header.$(echo "$w" | cut -d: -f1 | tr ' .' '__')";
        else fail "rewrite.header.$(echo "$w" | cut -d: -f1 | tr ' .' '__')" "no '$w' in the header"; fi
    done
    # keys of the first fx section agree with the CSV (a = the input format)
    sect=$(awk '/^\[fxconvolutional\]/ { n++ } n == 1 && /=/' "$TMP/fx.cfg")
    key() { echo "$sect" | sed -n "s/^$1=//p"; }
    expect_eq rewrite.keys_match_csv "$(key w_bits) $(key w_frac) $(key in_bits) $(key in_frac)" \
        "$(csv_get "$TMP/fx.csv" 0 w_bits) $(csv_get "$TMP/fx.csv" 0 w_frac) $(csv_get "$TMP/fx.csv" 0 a_bits) $(csv_get "$TMP/fx.csv" 0 a_frac)"
    bfrac_ok=$(awk -F, 'NR > 1 && $1 != "total" && $8 > $6 + $10 { bad = 1 } END { print bad ? "no" : "yes" }' "$TMP/fx.csv")
    expect_eq rewrite.bias_frac_fits_accumulator "$bfrac_ok" yes
    # a .stats file gives the same formats as recording on the fly
    "$DARKNET" fxq stats cfg/fmnist.cfg $W data/fmnist/calib1k.list -n 64 -q -o "$TMP/c.stats" 2>/dev/null
    q cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/fx2.cfg" --beta0 10 >/dev/null 2>&1
    expect_eq rewrite.stats_file_same_cfg "$(diff "$TMP/fx.cfg" "$TMP/fx2.cfg" | grep -v 'darknet fxq quantize\|statistics from\|^[0-9,c]*$\|^---$' | wc -l)" 0
    # drop-in: Darknet's own classifier runs it with the original weights
    head -n 50 data/fmnist/test1k.list >"$TMP/t.list"
    sed "s#^valid=.*#valid=$TMP/t.list#" cfg/fmnist.data >"$TMP/t.data"
    fx=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx.cfg" $W 2>/dev/null | tail -n 1 | sed -n 's/.*top 1: \([0-9.]*\).*/\1/p')
    fl=$("$DARKNET" classifier valid "$TMP/t.data" cfg/fmnist.cfg $W 2>/dev/null | tail -n 1 | sed -n 's/.*top 1: \([0-9.]*\).*/\1/p')
    if [ -n "$fx" ] && awk -v a="$fx" -v b="$fl" 'BEGIN { d = a - b; exit !(d > -0.1 && d < 0.1) }'; then ok rewrite.classifier_valid_runs;
    else fail rewrite.classifier_valid_runs "fixed top-1 '$fx', float '$fl'"; fi
    q cfg/fmnist.cfg $W "$TMP/c.stats" --dry-run --kappa measured --sqnr 20 --csv - >"$TMP/km.csv" 2>/dev/null
    expect_ge rewrite.kappa_measured_meets_floor "$(csv_get "$TMP/km.csv" total pred_sqnr_db all)" 20
else
    fail rewrite.weights "no $W or data/fmnist/calib1k.list"
fi

# --- one rule for "can this layer be fixed point": the planner and the
# [fxconvolutional] parser give the same reason (fxq_layer_fixed_ok) ---------
same_reason() { # NAME KEY=VALUE (a convolution the fixed-point layers cannot run)
    printf '[net]\nheight=8\nwidth=8\nchannels=2\n[convolutional]\nfilters=2\n%s\n' "$2" >"$TMP/nf.cfg"
    printf '[net]\nheight=8\nwidth=8\nchannels=2\n[fxconvolutional]\nfilters=2\n%s\nw_bits=8\nw_frac=6\nin_bits=8\nin_frac=6\nout_bits=8\nout_frac=4\n' \
        "$2" >"$TMP/nf-fx.cfg"
    plan=$("$DARKNET" fxq quantize "$TMP/nf.cfg" --wbits 8 --dry-run 2>&1 | sed -n 's/^warning: layer 0: //p')
    parse=$("$DARKNET" fxq bench "$TMP/nf.cfg" "$TMP/nf-fx.cfg" --runs 1 2>&1 | sed -n 's/^.*layer 0 \[fxconvolutional\]: //p')
    if [ -n "$plan" ] && [ "$plan" = "$parse" ]; then ok "fixed_ok.$1"; else fail "fixed_ok.$1" "planner '$plan', parser '$parse'"; fi
}
same_reason activation "size=3
activation=logistic"
same_reason groups "size=3
activation=relu
groups=2"
same_reason stride_1x1 "size=1
activation=relu
stride=2"

# --- every cfg Darknet ships is accepted by the validator: a plan is made,
# or upstream's own parser is the one that fails, named as such; the tree
# file darknet9000/yolo9000 name (data/9k.tree, not in the source package)
# is refused by the validator, naming the line, before upstream's parser
# would read through a NULL FILE *. [net] repeats (yolov3-openimages.cfg's
# " batch=1" then "batch=64") are a warning, first value used, as Darknet.
DNCFG=${BUILD:-build}/darknet/cfg
if [ -d "$DNCFG" ]; then
    refused="" notree=""
    for c in "$DNCFG"/*.cfg; do
        if ! "$DARKNET" fxq quantize "$c" --dry-run --wbits 8 --abits 8 >/dev/null 2>"$TMP/up.err"; then
            if grep -qE "$(basename "$c"):[0-9]+: 'tree' in \[(region|softmax)\]: data/9k.tree: No such file" "$TMP/up.err"; then
                notree="$notree $(basename "$c")"
            elif ! grep -q "Darknet cannot build this network" "$TMP/up.err"; then
                refused="$refused $(basename "$c")"
            fi
        fi
    done
    expect_eq upstream_cfgs.all_accepted "$refused" ""
    if [ -e data/9k.tree ]; then skip upstream_cfgs.missing_tree_named "data/9k.tree exists here"
    else expect_eq upstream_cfgs.missing_tree_named "$notree" " darknet9000.cfg yolo9000.cfg"; fi
    "$DARKNET" fxq quantize "$DNCFG/yolov3-openimages.cfg" --dry-run --wbits 8 >/dev/null 2>"$TMP/oi.err"
    expect_eq upstream_cfgs.net_repeat_warns "$(grep -c "warning: 'batch' given twice in \[net\]; Darknet uses the first, 1 (line 3)" "$TMP/oi.err")" 1
else
    fail upstream_cfgs "no $DNCFG (make fetches it)"
fi
