# Format policies: `fxq quantize --preset paper|fast`, `--passes refine`.
#   - paper: the cfgs are byte-identical to the ones written before the
#     policies existed (tests/fixtures/formats-paper, recorded with the same
#     commands, when paper was the only rule; only the temp directory's name
#     is replaced by @TMP@, and the command line recorded in the header
#     loses its "--preset paper")
#   - with a .stats file the default is --preset fast (least-error formats)
. tests/lib.sh
W=weights/fmnist.weights
"$DARKNET" fxq stats cfg/fmnist.cfg $W data/fmnist/calib1k.list -n 64 -q -o "$TMP/c.stats" 2>/dev/null

# --- paper: unchanged output ---------------------------------------------------
i=0
while read -r opts; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/p$i.cfg" $opts --preset paper >/dev/null 2>&1
    # the recorded command line is the only difference: it names the policy
    sed "s|$TMP|@TMP@|g; 2s| --preset paper\$||" "$TMP/p$i.cfg" >"$TMP/p$i.norm" 2>/dev/null
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

# --- mse: differs from paper where the rule wastes range ------------------------
q() { "$DARKNET" fxq quantize cfg/fmnist.cfg $W "$TMP/c.stats" "$@"; }
key() { # key CFG SECTION_INDEX KEY: value of KEY in the N-th [fx...] section (0-based)
    awk -v n="$2" -v k="$3" '/^\[fx/{s++} s==n+1 && index($0, k"=")==1 {sub(/^[^=]*=/, ""); print; exit}' "$1"
}
q -o "$TMP/m.cfg" --wbits 8 --abits 8 --preset fast >/dev/null 2>&1
q -o "$TMP/d.cfg" --wbits 8 --abits 8 >/dev/null 2>&1
expect_eq mse.is_default "$(grep -v '^#   darknet fxq' "$TMP/d.cfg" | md5sum)" "$(grep -v '^#   darknet fxq' "$TMP/m.cfg" | md5sum)"
# the image in [0, 1] at 8 signed bits: the paper rule gives frac 4 (16 of 256
# codes used); the least-error step is 2^-7 (clips only 1.0 to 127/128); the
# image is never negative, so mse makes it unsigned: 2^-8 (1.0 -> 255/256)
expect_eq mse.image_input_frac "$(key "$TMP/m.cfg" 0 in_frac)" 8
expect_eq mse.image_input_unsigned "$(key "$TMP/m.cfg" 0 in_unsigned)" 1
expect_eq mse.relu_output_unsigned "$(key "$TMP/m.cfg" 0 out_unsigned)" 1
expect_eq mse.linear_output_signed "$(grep -c '^out_unsigned=' "$TMP/m.cfg")" "$(($(grep -c '^\[fx' "$TMP/m.cfg") - 1))"
expect_eq mse.paper_no_unsigned_keys "$(grep -c '_unsigned=' "$TMP/p1.cfg")" 0
expect_eq mse.paper_image_input_frac "$(key "$TMP/p1.cfg" 0 in_frac)" 4
nd=$(diff "$TMP/p1.cfg" "$TMP/m.cfg" | grep -c '^>.*_frac=')
expect_ge mse.changes_fracs "$nd" 5
expect_eq mse.same_bits "$(grep '_bits=' "$TMP/m.cfg" | md5sum)" "$(grep '_bits=' "$TMP/p1.cfg" | md5sum)"
check mse.header_names_policy grep -q '^# fractional bits: mse' "$TMP/m.cfg"
# the bias stays convertible into the accumulator
ok_bias=1
for s in 0 1 2 3 4 5 6; do
    b=$(key "$TMP/m.cfg" $s b_frac); w=$(key "$TMP/m.cfg" $s w_frac); i=$(key "$TMP/m.cfg" $s in_frac)
    [ "$b" -le $((w + i)) ] || ok_bias=0
done
expect_eq mse.bias_frac_le_acc "$ok_bias" 1
# the cfg runs: fxq valid on 200 images agrees with float on most of them
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg $W "$TMP/m.cfg" -n 200 -q --csv >"$TMP/mv.csv" 2>/dev/null
expect_ge mse.valid_agreement "$(awk -F, 'NR==3{print $6}' "$TMP/mv.csv")" 0.97

# --- refine: deterministic across threads and batch sizes --------------------
grep -vxFf data/fmnist/calib1k.list data/fmnist/train.list 2>/dev/null | awk 'NR%97==0' | head -48 >"$TMP/held.list"
OMP_NUM_THREADS=1 q -o "$TMP/r1.cfg" --wbits 8 --abits 8 --passes refine --held-out "$TMP/held.list" -b 32 \
    >/dev/null 2>"$TMP/r1.err"
OMP_NUM_THREADS=2 q -o "$TMP/r2.cfg" --wbits 8 --abits 8 --passes refine --held-out "$TMP/held.list" -b 7 \
    >/dev/null 2>"$TMP/r2.err"
expect_eq refine.deterministic "$(grep -v '^#   darknet fxq' "$TMP/r1.cfg" | md5sum)" \
    "$(grep -v '^#   darknet fxq' "$TMP/r2.cfg" 2>/dev/null | md5sum)"
check refine.progress_on_stderr grep -q 'refine on 48 held-out images.*43 passes' "$TMP/r1.err"
check refine.header grep -q '^# fractional bits: refine (.*refined on 48 held-out images' "$TMP/r1.cfg"
# never worse than where it started (mse) on its own held-out images
db=$(sed -n 's/.*refine: \([-0-9.]*\) -> \([-0-9.]*\) dB.*/\1 \2/p' "$TMP/r1.err")
check refine.not_worse awk -v a="${db% *}" -v b="${db#* }" 'BEGIN{exit !(a != "" && b >= a)}'
# moves at most one step from mse per tensor
mv=$(paste -d' ' "$TMP/m.cfg" "$TMP/r1.cfg" 2>/dev/null | awk -F'[= ]' '/^[a-z]+_frac=/{d=$2-$4; if(d<0)d=-d; if(d>1 && $1!="b_frac")print}' | wc -l)
expect_eq refine.one_step "$mv" 0

# --- bad input: one line, exit 2, nothing written -----------------------------
bad() { # bad NAME EXPECTED_TEXT ARGS...
    name=$1; want=$2; shift 2
    rm -f "$TMP/bad.cfg"
    "$DARKNET" fxq quantize "$@" >/dev/null 2>"$TMP/bad.err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] && grep -q -- "$want" "$TMP/bad.err" &&
        [ ! -e "$TMP/bad.cfg" ] && [ -z "$(ls "$TMP" | grep 'bad.cfg.tmp')" ]; then ok "bad.$name"
    else fail "bad.$name" "rc $rc, stderr: $(head -c 300 "$TMP/bad.err")"; fi
}
bad unknown_preset "--preset wants accurate, fast or paper: best" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --preset best
bad unknown_pass "--passes: 'best' is not a pass" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --passes windows,best
bad refine_no_list "pass refine needs --held-out" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --passes refine
bad preset_and_passes "--preset and --passes: give one" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --preset fast --passes refine
bad paper_windows "passes paper and windows do not go together" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --passes paper,windows
bad refine_list_missing "$TMP/nope.list: cannot open" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 --passes refine --held-out "$TMP/nope.list"
printf 'data/fmnist/nonexistent.png\n' >"$TMP/badimg.list"
bad refine_bad_image "nonexistent.png" cfg/fmnist.cfg $W "$TMP/c.stats" -o "$TMP/bad.cfg" --wbits 8 -q --passes refine --held-out "$TMP/badimg.list"

# --- the second reference model: [shortcut], 1x1 convolutions, leaky, [avgpool] --
R=weights/fmnist-res.weights
"$DARKNET" fxq stats cfg/fmnist-res.cfg $R data/fmnist/calib1k.list -n 64 -q -o "$TMP/r.stats" 2>/dev/null
check res.stats test -s "$TMP/r.stats"
for f in paper fast; do
    "$DARKNET" fxq quantize cfg/fmnist-res.cfg $R "$TMP/r.stats" -o "$TMP/res-$f.cfg" --wbits 8 --abits 8 --preset $f \
        >/dev/null 2>&1
    expect_eq res.quantize.$f.layers "$(grep -c '^\[fxconvolutional\]' "$TMP/res-$f.cfg" 2>/dev/null)" 8
done
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist-res.cfg $R "$TMP/res-paper.cfg" "$TMP/res-fast.cfg" -n 200 -q --csv \
    >"$TMP/rv.csv" 2>/dev/null
expect_ge res.valid.float_top1 "$(awk -F, 'NR==2{print $4}' "$TMP/rv.csv")" 0.85
expect_ge res.valid.mse_agreement "$(awk -F, 'NR==4{print $6}' "$TMP/rv.csv")" 0.95
