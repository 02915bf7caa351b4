# The patched build, untouched upstream commands, the fxq entry
# point, the converted data set and the reference model.
. tests/lib.sh

# --- build -------------------------------------------------------------
check build.binary test -x "$DARKNET"
out=$(make --no-print-directory "$(basename "$DARKNET")" SAN="${SAN:-0}" 2>&1)
case "$out" in
    *" -c "*|*"applying"*|*"fetch-darknet"*) fail build.second_make_no_work "second make rebuilt: $(echo "$out" | head -n 2)" ;;
    *) ok build.second_make_no_work ;;
esac
# image decoding must come from Debian's libstb-dev, not Darknet's bundled copy
if [ ! -e build/darknet/src/stb_image.h ] && grep -q '/usr/include/stb/stb_image.h' build/obj*/dn/image.d 2>/dev/null; then
    ok build.stb_from_debian
else
    fail build.stb_from_debian "image.o not built against /usr/include/stb"
fi
for p in patches/*.patch; do
    if head -n 1 "$p" | grep -q "^darknet-fxq patch"; then ok "patch.header.$(basename "$p" .patch)";
    else fail "patch.header.$(basename "$p" .patch)" "no header line"; fi
done

# --- fxq entry point ---------------------------------------------------
"$DARKNET" fxq >"$TMP/usage" 2>&1; rc=$?
expect_eq fxq.usage_exit "$rc" 0
for v in stats stepsizes quantize valid sqnr sweep; do
    if grep -q "^  $v " "$TMP/usage"; then ok "fxq.usage_lists.$v"; else fail "fxq.usage_lists.$v" "not in usage"; fi
done
"$DARKNET" fxq no-such-verb >"$TMP/unk" 2>&1; rc=$?
expect_eq fxq.unknown_verb_exit "$rc" 2
if grep -q "unknown verb 'no-such-verb'" "$TMP/unk"; then ok fxq.unknown_verb_message; else fail fxq.unknown_verb_message "$(cat "$TMP/unk")"; fi

# --- data ----------------------------------------------------------------
expect_eq data.train_count "$(wc -l < data/fmnist/train.list)" 60000
expect_eq data.test_count "$(wc -l < data/fmnist/test.list)" 10000
expect_eq data.labels "$(tr '\n' ' ' < data/fmnist/labels.txt)" "tee trouser pullover dress coat sandal shirt sneaker bag boot "
# Darknet's rule: a label applies when it is a substring of the path.
bad=$(awk 'NR==FNR{lab[++n]=$0; next} {m=0; for(i=1;i<=n;i++) if(index($0, lab[i])) m++; if(m!=1) {print; exit}}' \
    data/fmnist/labels.txt data/fmnist/test.list data/fmnist/train.list)
expect_eq data.one_label_per_image "$bad" ""
f=$(head -n 1 data/fmnist/test.list)
if [ -f "$f" ] && [ "$(od -An -tx1 -N8 "$f" | tr -d ' ')" = "89504e470d0a1a0a" ]; then ok data.png; else fail data.png "$f is not a PNG"; fi
# first test image of Fashion-MNIST is an ankle boot (label 9)
expect_eq data.first_test_label "$f" "data/fmnist/test/00000_boot.png"

# --- upstream commands on the reference model ----------------------------
W=weights/fmnist.weights
check model.weights_present test -s "$W"
pred=$("$DARKNET" classifier predict cfg/fmnist.data cfg/fmnist.cfg "$W" data/fmnist/test/00000_boot.png 2>/dev/null | head -n 1)
case "$pred" in *": boot") ok upstream.classifier_predict ;; *) fail upstream.classifier_predict "top-1 line '$pred'" ;; esac
pred=$("$DARKNET" classifier predict cfg/fmnist.data cfg/fmnist.cfg "$W" data/fmnist/test/00002_trouser.png 2>/dev/null | head -n 1)
case "$pred" in *": trouser") ok upstream.classifier_predict_2 ;; *) fail upstream.classifier_predict_2 "top-1 line '$pred'" ;; esac

# top-1 on a fixed 1000-image slice, a real run of `classifier valid`
sed "s#^valid=.*#valid=data/fmnist/test1k.list#" cfg/fmnist.data > "$TMP/t1k.data"
top1=$("$DARKNET" classifier valid "$TMP/t1k.data" cfg/fmnist.cfg "$W" 2>/dev/null | tail -n 1 | sed -n 's/.*top 1: \([0-9.]*\).*/\1/p')
want=$(sed -n 's/^float_top1_test1k=//p' weights/fmnist.results)
expect_near model.top1_test1k "$top1" "$want" 0.003
expect_ge model.top1_test1k_floor "$top1" 0.88
