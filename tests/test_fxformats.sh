# Unsigned formats (in_unsigned, out_unsigned) and
# per-output-channel weight fracs (w_frac list, --per-channel) in the cfg.
. tests/lib.sh

W=weights/fmnist.weights
head -n 64 data/fmnist/calib1k.list >"$TMP/c.list"
"$DARKNET" fxq stats cfg/fmnist.cfg "$W" "$TMP/c.list" -q -o "$TMP/c.stats" 2>/dev/null
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$TMP/c.stats" -o "$TMP/pc.cfg" --wbits 8 --abits 8 --passes per-channel \
    >/dev/null 2>"$TMP/pc.err"
expect_eq fxformats.per_channel_exit $? 0
# one frac per filter: conv0 has 64 filters, fc 10 outputs
expect_eq fxformats.list_length_conv0 "$(grep '^w_frac=' "$TMP/pc.cfg" | head -n 1 | tr ',' '\n' | wc -l)" 64
expect_eq fxformats.list_length_fc "$(grep '^w_frac=' "$TMP/pc.cfg" | tail -n 1 | tr ',' '\n' | wc -l)" 10
expect_eq fxformats.unsigned_input "$(grep -c '^in_unsigned=1' "$TMP/pc.cfg")" 7
# round trip: the cfg loads, int and emulation agree image for image
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$TMP/pc.cfg" -n 64 -q --pred "$TMP/i.csv" >/dev/null 2>&1
expect_eq fxformats.valid_int_exit $? 0
FXQ_MODE=emulate "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$TMP/pc.cfg" -n 64 -q --pred "$TMP/e.csv" \
    >/dev/null 2>&1
check fxformats.int_equals_emulation_predictions cmp "$TMP/i.csv" "$TMP/e.csv"
if grep -q "fixed point: w 8.[0-9]*+ per channel  in u8" "$TMP/pc.err" || \
   "$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$W" "$TMP/pc.cfg" -n 1 2>&1 | grep -q "+ per channel  in u8"; then
    ok fxformats.load_shows_formats
else fail fxformats.load_shows_formats "no '+ per channel  in u8' line"; fi

# bad cfgs: one line naming the file and the layer, non-zero exit
badcfg() { # NAME MESSAGE SED-EXPR
    sed "$3" "$TMP/pc.cfg" >"$TMP/bad-$1.cfg"
    # the file as given, with its line (the cfg validator) or its layer (the layer's own checks)
    "$DARKNET" classifier valid cfg/fmnist.data "$TMP/bad-$1.cfg" "$W" </dev/null >"$TMP/bad.out" 2>"$TMP/bad.err"
    rc=$?
    if [ $rc -ne 0 ] && grep -qE "bad-$1.cfg(:[0-9]+)?: (layer 0 \[fxconvolutional\]: )?$2" "$TMP/bad.err"; then ok "fxformats.bad.$1";
    else fail "fxformats.bad.$1" "rc=$rc err='$(grep -v '^ ' "$TMP/bad.err" | tail -n 1)'"; fi
}
badcfg short_list "key 'w_frac' lists 3 values, the layer has 64 filters" '0,/^w_frac=/s/^w_frac=.*/w_frac=7,7,7/'
badcfg not_number "'w_frac' in \[fxconvolutional\]: 'x' is not a number" '0,/^w_frac=/s/^w_frac=\([0-9]*\),[0-9]*/w_frac=\1,x/'
badcfg empty_item "'w_frac' in \[fxconvolutional\]: empty or overlong element" '0,/^w_frac=/s/^w_frac=[0-9]*,/w_frac=,/'
badcfg in_unsigned_2 "'in_unsigned' in \[fxconvolutional\]: 2 is outside 0..1" '0,/^in_unsigned=1/s/^in_unsigned=1/in_unsigned=2/'
badcfg out_unsigned_linear "out_unsigned=1 needs activation=relu" '0,/^activation=relu/s/^activation=relu/activation=linear/'

# .fxw version 2 holds the per-channel fracs: packing writes version 2, the
# file gives the same predictions as the float file; a .fxw and a cfg that
# disagree on per-channel formats refuse to load, naming file and layer
if [ "${SAN:-0}" = 1 ]; then BIN=${BUILD:-build}/bin-san; else BIN=${BUILD:-build}/bin; fi
"$BIN/fxq-pack" "$TMP/pc.cfg" "$W" -o "$TMP/pc.fxw" -q >/dev/null 2>"$TMP/pack.err"
expect_eq fxformats.fxw_pack_exit $? 0
"$BIN/fxq-inspect" "$TMP/pc.fxw" >"$TMP/insp.txt" 2>&1
check fxformats.fxw_inspect_version_2 grep -q "version 2," "$TMP/insp.txt"
check fxformats.fxw_inspect_lists_fracs grep -q "per-channel w_frac: $(grep '^w_frac=' "$TMP/pc.cfg" | head -n 1 | cut -d= -f2)\$" \
    "$TMP/insp.txt"
"$DARKNET" fxq valid cfg/fmnist.data cfg/fmnist.cfg "$TMP/pc.fxw" "$TMP/pc.cfg" -n 64 -q --pred "$TMP/x.csv" >/dev/null 2>&1
expect_eq fxformats.fxw_valid_exit $? 0
# same per-image top-1 as with the float file (columns: image, label, float, fx; the float
# network takes the dequantized values from the .fxw, so only the fx column must match)
expect_eq fxformats.fxw_same_predictions "$(cut -d, -f4 "$TMP/x.csv" | md5sum)" "$(cut -d, -f4 "$TMP/i.csv" | md5sum)"
"$BIN/fxq-unpack" "$TMP/pc.fxw" -o "$TMP/pc.weights" >/dev/null 2>&1 &&
    "$BIN/fxq-pack" "$TMP/pc.cfg" "$TMP/pc.weights" -o "$TMP/pc2.fxw" -q >/dev/null 2>&1
check fxformats.fxw_pack_unpack_pack_same_bytes cmp "$TMP/pc.fxw" "$TMP/pc2.fxw"
"$DARKNET" fxq quantize cfg/fmnist.cfg "$W" "$TMP/c.stats" -o "$TMP/pt.cfg" --wbits 8 --abits 8 >/dev/null 2>&1
"$BIN/fxq-pack" "$TMP/pt.cfg" "$W" -o "$TMP/pt.fxw" -q >/dev/null 2>&1
check fxformats.fxw_per_tensor_stays_version_1 sh -c "'$BIN/fxq-inspect' '$TMP/pt.fxw' | grep -q 'version 1,'"
crossload() { # NAME CFG FXW MESSAGE
    "$DARKNET" classifier valid cfg/fmnist.data "$2" "$3" </dev/null >/dev/null 2>"$TMP/cross.err"; rc=$?
    if [ $rc -ne 0 ] && grep -q "^$3: layer 0 \[fxconvolutional\]: $4" "$TMP/cross.err"; then ok "fxformats.fxw_$1";
    else fail "fxformats.fxw_$1" "rc=$rc err='$(tail -n 1 "$TMP/cross.err")'"; fi
}
crossload per_channel_cfg_per_tensor_file "$TMP/pc.cfg" "$TMP/pt.fxw" "the cfg has per-channel weight formats"
crossload per_tensor_cfg_per_channel_file "$TMP/pt.cfg" "$TMP/pc.fxw" "the file has per-channel weight formats"
sed '0,/^w_frac=/s/^w_frac=\([0-9-]*\),\([0-9-]*\),/w_frac=\1,40,/' "$TMP/pc.cfg" >"$TMP/pc3.cfg"
crossload per_channel_fracs_differ "$TMP/pc3.cfg" "$TMP/pc.fxw" "packed with w_frac [0-9-]* for channel 1, cfg says 40"

# the per-channel pass needs the weights
"$DARKNET" fxq quantize cfg/fmnist.cfg --wbits 8 --passes per-channel --dry-run >/dev/null 2>"$TMP/pcw.err"; rc=$?
if [ $rc -ne 0 ] && grep -q -- "--passes, --images and --held-out need <weights>" "$TMP/pcw.err"; then ok fxformats.per_channel_needs_weights;
else fail fxformats.per_channel_needs_weights "rc=$rc"; fi


# fxq sqnr: a per-channel layer's weights step uses each row's own format. The same list
# with every row at the coarsest frac must predict a lower weights SQNR (row by row, each
# least-error frac is at least as good as the coarsest; conv0's rows differ)
awk 'BEGIN{d=0} /^w_frac=/ && !d { n=split(substr($0,8),v,","); m=v[1]; for(i=2;i<=n;i++) if (v[i]+0<m+0) m=v[i];
     s="w_frac=" m; for(i=2;i<=n;i++) s=s "," m; print s; d=1; next } {print}' "$TMP/pc.cfg" >"$TMP/pu.cfg"
sq_w0() { "$DARKNET" fxq sqnr cfg/fmnist.cfg "$1" "$W" "$TMP/c.list" --stats "$TMP/c.stats" -v -q 2>/dev/null |
          awk '$1 == 0 && $2 == "weights/row" { print $4; exit }'; }
row=$(sq_w0 "$TMP/pc.cfg"); uni=$(sq_w0 "$TMP/pu.cfg")
if [ -n "$row" ] && [ -n "$uni" ] && awk -v a="$row" -v b="$uni" 'BEGIN { exit !(a > b + 1) }'; then
    ok fxformats.sqnr_per_row_formats
else fail fxformats.sqnr_per_row_formats "per-row '$row' dB vs coarsest '$uni' dB"; fi

# --per-channel on a layer the fixed-point layers cannot serve: a filter whose weights
# need a frac beyond 48 (fmnist-res conv0's first filter set to 0.75 * 2^-49, its batch-norm
# scale and variance to 1: frac 49 represents it better than any frac in range). One line
# naming the file, layer and filter; exit 1; nothing written
R=weights/fmnist-res.weights
poke() { # poke FILE FLOAT_OFFSET COUNT BYTES: COUNT copies of a float's 4 bytes at float index OFFSET
    i=0; while [ "$i" -lt "$3" ]; do printf "$4"; i=$((i + 1)); done |
        dd of="$1" bs=4 seek="$2" conv=notrunc 2>/dev/null
}
# floats: 5 header words, then conv0's biases, scales, means, variances (16 each), then weights
cp $R "$TMP/tiny.weights"
poke "$TMP/tiny.weights" 21 1 '\000\000\200\077'   # scales[0] = 1
poke "$TMP/tiny.weights" 53 1 '\000\000\200\077'   # variances[0] = 1
poke "$TMP/tiny.weights" 69 27 '\000\000\300\046'  # filter 0's 27 weights = 0.75 * 2^-49
"$DARKNET" fxq stats cfg/fmnist-res.cfg "$TMP/tiny.weights" "$TMP/c.list" -q -o "$TMP/tiny.stats" 2>/dev/null
"$DARKNET" fxq quantize cfg/fmnist-res.cfg "$TMP/tiny.weights" "$TMP/tiny.stats" -o "$TMP/tiny.cfg" --wbits 8 \
    --passes per-channel >/dev/null 2>"$TMP/tiny.err"; rc=$?
if [ $rc -eq 1 ] && [ "$(grep -vc '^ \|^Loading\|^layer  *filters\|^fxq quantize: pass ' "$TMP/tiny.err")" -eq 1 ] && [ ! -e "$TMP/tiny.cfg" ] &&
   grep -q "cfg/fmnist-res.cfg: layer 0: per-channel: filter 0 needs w_frac=49, outside the -32..48" "$TMP/tiny.err"
then ok fxformats.per_channel_unservable_filter
else fail fxformats.per_channel_unservable_filter "rc=$rc err='$(tail -n 1 "$TMP/tiny.err")'"; fi
# a filter far below every step (1e-30: all codes 0 at any frac in range) is served: it takes
# the tensor's frac instead of the coarsest of equal errors (which lowered the layer's bias
# format to the accumulator of frac -32)
cp $R "$TMP/zero.weights"
poke "$TMP/zero.weights" 69 27 '\140\102\242\015'  # 1e-30
"$DARKNET" fxq quantize cfg/fmnist-res.cfg "$TMP/zero.weights" "$TMP/tiny.stats" -o "$TMP/zero-pt.cfg" --wbits 8 \
    >/dev/null 2>&1
"$DARKNET" fxq quantize cfg/fmnist-res.cfg "$TMP/zero.weights" "$TMP/tiny.stats" -o "$TMP/zero.cfg" --wbits 8 \
    --passes per-channel >/dev/null 2>"$TMP/zero.err"
expect_eq fxformats.per_channel_zero_filter_exit $? 0
expect_eq fxformats.per_channel_zero_filter_tensor_frac "$(grep -m1 '^w_frac=' "$TMP/zero.cfg" | cut -d= -f2 | cut -d, -f1)" \
    "$(grep -m1 '^w_frac=' "$TMP/zero-pt.cfg" | cut -d= -f2)"
