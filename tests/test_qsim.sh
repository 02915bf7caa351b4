# scripts/fxq_qsim.py, the numpy simulator of number systems, reproduces what it
# simulates: Darknet's float forward and fxq's fixed-point layers, image by image.
. tests/lib.sh
if ! have_python3 numpy; then
    skip qsim "no python3 with numpy (scripts/install-deps.sh installs python3-numpy)"
    exit 0
fi
PY=python3
C=cfg/fmnist-res.cfg
R=weights/fmnist-res.weights
N=500
sim() { OMP_NUM_THREADS=1 "$PY" scripts/fxq_qsim.py $C $R --cache "$TMP/cache" "$@"; }

check qsim.help sim --help
# the fixed-point cfg the simulator must reproduce (statistics of 200 calibration images)
head -n 200 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq quantize $C $R "$TMP/c.list" -o "$TMP/r8.cfg" --wbits 8 --abits 8 --preset fast -q >/dev/null 2>&1
expect_eq qsim.quantize.exit $? 0
OMP_NUM_THREADS=1 "$DARKNET" fxq valid cfg/fmnist.data $C $R "$TMP/r8.cfg" -n $N -q --pred "$TMP/dn.csv" \
    >/dev/null 2>&1
expect_eq qsim.darknet_valid.exit $? 0

sim -n $N --darknet-pred "$TMP/dn.csv" --fxcfg "$TMP/r8.cfg" --schemes fxcfg --pred-out "$TMP/sim.csv" \
    >"$TMP/sim.out" 2>"$TMP/sim.err"
expect_eq qsim.run.exit $? 0
# per-image top-1 against Darknet: float (a near-tie may differ) and fxq's integer layers
f=$(sed -n 's/^darknet float .* top-1 agrees on \([0-9.]*\) %.*/\1/p' "$TMP/sim.out")
expect_ge qsim.float_agrees_with_classifier_valid "${f:-0}" 99.8
x=$(sed -n 's/^fxcfg .* vs darknet fxq valid .* top-1 agrees on \([0-9.]*\) %.*/\1/p' "$TMP/sim.out")
expect_ge qsim.fxcfg_agrees_with_fxq_valid "${x:-0}" 99.5
expect_eq qsim.pred_rows "$(wc -l <"$TMP/sim.csv")" $((N + 1))
# a wrong format must show: the same cfg with layer 1's weights 2 bits coarser disagrees more
awk '/^\[fxconvolutional\]/{n++} n==2 && /^w_frac=/{sub(/=.*/, "=6")} {print}' "$TMP/r8.cfg" >"$TMP/bad.cfg"
sim -n $N --darknet-pred "$TMP/dn.csv" --fxcfg "$TMP/bad.cfg" --schemes fxcfg >"$TMP/bad.out" 2>/dev/null
xb=$(sed -n 's/^fxcfg .* vs darknet fxq valid .* top-1 agrees on \([0-9.]*\) %.*/\1/p' "$TMP/bad.out")
if awk -v a="${xb:-100}" -v b="${x:-0}" 'BEGIN{exit !(a < b)}'; then ok qsim.detects_a_wrong_format
else fail qsim.detects_a_wrong_format "agreement $xb with w_frac changed, $x without"; fi

# values, not only the top-1: the probabilities `classifier predict` prints (2 decimals)
head -n 3 data/fmnist/test.list >"$TMP/three.list"
sim --list "$TMP/three.list" --fxcfg "$TMP/r8.cfg" --schemes fxcfg --probs 5 >"$TMP/probs.out" 2>/dev/null
same=1
for img in $(cat "$TMP/three.list"); do
    for pair in "float:$C" "fxcfg:$TMP/r8.cfg"; do
        "$DARKNET" classifier predict cfg/fmnist.data "${pair#*:}" $R "$img" 2>/dev/null | grep '%: ' >"$TMP/dn.p"
        awk -v h="${pair%%:*}" -v img="$img" '$0 ~ "^" h ".*: " img "$" {f=1; next} f && /%: /{print; if (++n == 5) exit}' \
            "$TMP/probs.out" >"$TMP/sim.p"
        if ! [ -s "$TMP/dn.p" ] || ! cmp -s "$TMP/dn.p" "$TMP/sim.p"; then same=0; echo "differ: $pair $img" >&2; fi
    done
done
expect_eq qsim.probabilities_match_classifier_predict $same 1

# a post-pipeline scheme runs end to end (calibration on 200 images) and its report has a row
sim -n 100 --calib "$TMP/c.list" --schemes p2c.p2win+bc >"$TMP/post.out" 2>/dev/null
expect_eq qsim.post_scheme.exit $? 0
check qsim.post_scheme.row grep -q "^p2c.p2win+bc " "$TMP/post.out"
# bad input: an unknown scheme is a one-line error and a non-zero exit
sim -n 10 --schemes nosuch.scheme >/dev/null 2>"$TMP/e.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "unknown scheme 'nosuch.scheme'" "$TMP/e.err"; then ok qsim.unknown_scheme
else fail qsim.unknown_scheme "exit $rc: $(cat "$TMP/e.err")"; fi
