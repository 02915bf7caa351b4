# fxq quantize's logit-window pass (the logits' format by the softmax's
# KL divergence; the choice itself is checked against a brute force in
# tests/unit/test_logitwin.c). Here: the command line, which heads qualify,
# determinism, the cfg runs, and bad input.
. tests/lib.sh
. tests/lib_wout.sh
R=weights/fmnist-res.weights
F=weights/fmnist.weights
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"
q() { "$DARKNET" fxq quantize "$@" --wbits 8 --abits 8; }
LW=windows,logit-window

q cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/m.cfg" --passes windows -q >/dev/null 2>&1
OMP_NUM_THREADS=1 q cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/l.cfg" --passes $LW -b 7 >/dev/null 2>"$TMP/l.err"
expect_eq lw.exit $? 0
check lw.says_choice grep -q "^logit window: layer 6: frac [0-9]*, codes -*[0-9]*\.\.[0-9]* (KL to float softmax .* on 64 images" "$TMP/l.err"
# only the head's out_frac (and out_zero) move, besides the header's command line
diff "$TMP/m.cfg" "$TMP/l.cfg" | grep '^[<>] [^#]' >"$TMP/d.txt"
expect_eq lw.only_head_moves "$(sed 's/^[<>] //; s/=.*//' "$TMP/d.txt" | sort -u | tr '\n' ' '):$(grep -c '^> out_frac' "$TMP/d.txt")" \
    "out_frac out_zero :1"
OMP_NUM_THREADS=2 q cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/l2.cfg" --passes $LW -b 32 -q >/dev/null 2>&1
expect_eq lw.deterministic "$(grep -v '^#' "$TMP/l.cfg" | md5sum)" "$(grep -v '^#' "$TMP/l2.cfg" | md5sum)"
# --images: other images, other statistics of the head
head -n 32 data/fmnist/test1k.list >"$TMP/t.list"
q cfg/fmnist.cfg $F "$TMP/c.list" -o "$TMP/t.cfg" --passes $LW --images "$TMP/t.list" >/dev/null 2>"$TMP/t.err"
check lw.logit_list_used grep -q "on 32 images" "$TMP/t.err"

# the cfg runs under classifier valid and agrees with fxq valid
sed "s#^valid=.*#valid=$TMP/c.list#" cfg/fmnist.data >"$TMP/c.data"
"$DARKNET" classifier valid "$TMP/c.data" "$TMP/l.cfg" $F >"$TMP/cv.out" 2>/dev/null
"$DARKNET" fxq valid "$TMP/c.data" cfg/fmnist.cfg $F "$TMP/l.cfg" -q --csv 2>/dev/null >"$TMP/fv.csv"
expect_eq lw.classifier_valid_top1 "$(tail -n 1 "$TMP/cv.out" | sed 's/.*top 1: \([0-9.]*\),.*/\1/' | awk '{printf "%.4f", $1}')" \
    "$(awk -F, 'NR==3{printf "%.4f", $4}' "$TMP/fv.csv")"

# heads that do not qualify keep the squared-error format, with the reason
q cfg/fmnist-res.cfg $R "$TMP/c.list" -o "$TMP/h16.cfg" --passes windows --head-bits 16 -q >/dev/null 2>&1
q cfg/fmnist-res.cfg $R "$TMP/c.list" -o "$TMP/h16l.cfg" --passes $LW --head-bits 16 >/dev/null 2>"$TMP/h16.err"
check lw.wide_head_says grep -q "logit-window: skipped, logits of more than 10 bits" "$TMP/h16.err"
expect_eq lw.wide_head_kept "$(grep -v '^#' "$TMP/h16l.cfg" | md5sum)" "$(grep -v '^#' "$TMP/h16.cfg" | md5sum)"
head -n "$(($(grep -n '^\[softmax\]' cfg/fmnist.cfg | cut -d: -f1) - 1))" cfg/fmnist.cfg >"$TMP/nosoft.cfg"
q "$TMP/nosoft.cfg" $F "$TMP/c.list" -o "$TMP/ns.cfg" --passes windows -q >/dev/null 2>&1
q "$TMP/nosoft.cfg" $F "$TMP/c.list" -o "$TMP/nsl.cfg" --passes $LW >/dev/null 2>"$TMP/ns.err"
check lw.no_softmax_says grep -q "layer 6 keeps its squared-error format: its output is not read by a final \[softmax\]" "$TMP/ns.err"
expect_eq lw.no_softmax_kept "$(grep -v '^#' "$TMP/nsl.cfg" | md5sum)" "$(grep -v '^#' "$TMP/ns.cfg" | md5sum)"

# a convolutional head straight into [softmax] (no pool): every value is a logit
grep -v '^\[avgpool\]' cfg/fmnist-res.cfg >"$TMP/nopool.cfg"
q "$TMP/nopool.cfg" $R "$TMP/c.list" -o "$TMP/np.cfg" --passes $LW >/dev/null 2>"$TMP/np.err"
check lw.conv_head_without_pool grep -q "^logit window: layer 9: frac .* on 64 images" "$TMP/np.err"

# bad input: one line, non-zero exit, nothing written
"$DARKNET" fxq stats cfg/fmnist.cfg $F "$TMP/c.list" -q -o "$TMP/f.stats" >/dev/null 2>&1
S="cfg/fmnist.cfg $F $TMP/f.stats -o $TMP/bad.cfg --wbits 8 --abits 8"
bad_wout lw_stats_without_list "pass logit-window runs the network on images: with a .stats file give --images FILE" $S --passes logit-window
bad_wout lw_paper "passes paper and logit-window do not go together" $S --passes paper,logit-window --images "$TMP/c.list"
bad_wout lw_no_weights "--passes, --images and --held-out need <weights>" cfg/fmnist.cfg --dry-run --wbits 8 --passes logit-window
bad_wout lw_missing_list "$TMP/none.list" $S --passes logit-window --images "$TMP/none.list"
printf '%s\n' "$TMP/missing.png" >"$TMP/m.list"
bad_wout lw_missing_image "missing.png" $S --passes logit-window --images "$TMP/m.list"
