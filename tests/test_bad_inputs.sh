# A catalogue of bad inputs across every fxq verb, the .fxw tools and
# the upstream commands users run on our cfgs. Each case asserts: non-zero
# exit that is not a crash (no signal, no sanitizer report, no timeout), a
# message matching the case's pattern (naming the file or option), no output
# and no temporary file left behind, and a pre-existing output untouched.
# Cfg cases are generated from tests/bad_inputs/cfg_mutations.tsv.
. tests/lib.sh
. tests/lib_fxcfg.sh

BUILD=${BUILD:-build}
BIN=$BUILD/bin
[ "${SAN:-0}" = 1 ] && BIN=$BUILD/bin-san
W0=weights/fmnist.weights
W=$TMP/w.weights
cp "$W0" "$W"
O=$TMP/o            # outputs go here; must hold nothing but pre-existing ones after a case
SCRATCH=$TMP/scratch # TMPDIR of every case: must stay empty
mkdir -p "$O" "$SCRATCH" "$TMP/m"
head -n 4 data/fmnist/calib1k.list >"$TMP/c.list"
IMG=$(head -n 1 "$TMP/c.list")
sed "s#^valid=.*#valid=$TMP/c.list#" cfg/fmnist.data >"$TMP/t.data"
fx_cfg "$TMP/fx8.cfg" 8 6 8 4 8 3
cp cfg/fmnist.cfg "$TMP/float.cfg"

ncase=0
# bad NAME PATTERN OUT PRE -- command...: OUT is the output the command would
# write ("" for none); PRE=1 creates it first with known content.
bad() {
    name=$1 pat=$2 out=$3 pre=$4; shift 5
    ncase=$((ncase + 1))
    sum=""
    if [ -n "$out" ] && [ "$pre" = 1 ]; then echo "precious $name" >"$out"; sum=$(cksum <"$out"); fi
    TMPDIR=$SCRATCH timeout 60 "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    rc=$?
    why=""
    if [ $rc = 0 ]; then why="exited 0"
    elif [ $rc = 124 ]; then why="timed out"
    elif [ $rc -ge 126 ]; then why="crashed (exit $rc)"
    elif grep -qE "Sanitizer|runtime error|Segmentation|Assertion" "$TMP/stderr"; then why="sanitizer/assert report"
    elif ! grep -qE -- "$pat" "$TMP/stderr"; then why="no message matching '$pat'"
    elif [ -n "$sum" ] && [ "$(cksum <"$out")" != "$sum" ]; then why="pre-existing output $out changed"
    elif [ -n "$out" ] && [ -z "$sum" ] && [ -e "$out" ]; then why="output $out left behind"
    elif [ -n "$(ls -A "$SCRATCH")" ]; then why="temp file left in TMPDIR: $(ls -A "$SCRATCH" | head -n 1)"
    elif ls -A "$O" "$TMP" "$TMP/m" | grep -q '\.tmp\.'; then why="temp file left next to an output"
    fi
    if [ -z "$why" ]; then ok "bad.$name"
    else fail "bad.$name" "$why (rc=$rc): $(grep -v '^ *[0-9]* [a-z]' "$TMP/stderr" | tail -n 2 | tr '\n' '|' | cut -c1-300)"
    fi
    rm -rf "$SCRATCH"/* "$O"/*
}

# --- generated: every cfg mutation through four of nine commands ------------
kinds="stats valid sqnr pack cvalid cpredict bench sweep valid_fx"
nk=9
i=0
while IFS='	' read -r mname script pattern; do
    case "$mname" in '#'*|'') continue ;; esac
    m=$TMP/m/$mname.cfg
    sed -e "$script" "$TMP/fx8.cfg" >"$m"
    base=$(basename "$m" | sed 's/\./\\./g')
    p="$base(:[0-9]+)?: .*($pattern)"
    j=0
    while [ $j -lt 4 ]; do
        k=$(echo $kinds | cut -d' ' -f$(( (i + j * 2) % nk + 1 )))
        pre=$(( (i + j) % 2 ))
        case $k in
        stats) bad "$mname.stats" "$p" "$O/out.stats" $pre -- "$DARKNET" fxq stats "$m" "$W" "$TMP/c.list" -o "$O/out.stats" ;;
        valid) bad "$mname.valid" "$p" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$m" "$W" ;;
        sqnr) bad "$mname.sqnr" "$p" "$O/out.csv" $pre -- "$DARKNET" fxq sqnr "$TMP/float.cfg" "$m" "$W" "$TMP/c.list" -o "$O/out.csv" ;;
        pack) bad "$mname.pack" "$p" "$O/out.fxw" $pre -- "$BIN/fxq-pack" "$m" "$W" -o "$O/out.fxw" ;;
        cvalid) bad "$mname.classifier_valid" "$p" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$m" "$W" ;;
        cpredict) bad "$mname.classifier_predict" "$p" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$m" "$W" "$IMG" ;;
        bench) bad "$mname.bench" "$p" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" "$m" --runs 1 ;;
        sweep) bad "$mname.sweep" "$p" "$O/out.csv" $pre -- "$DARKNET" fxq sweep "$TMP/t.data" "$m" "$W" "$TMP/c.list" -o "$O/out.csv" --wbits 8 --beta0 none --sqnr none -q ;;
        valid_fx) bad "$mname.valid_fx" "$p" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$W" "$m" ;;
        esac
        j=$((j + 1))
    done
    i=$((i + 1))
done <tests/bad_inputs/cfg_mutations.tsv

# --- inputs the hand-written cases start from --------------------------------
"$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$TMP/a.stats" -q >/dev/null 2>&1
cp "$TMP/a.stats" "$TMP/b.stats"
"$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/a.fxw" -q >/dev/null 2>&1
check bad.setup_inputs test -s "$TMP/a.stats" -a -s "$TMP/a.fxw"
ln "$W" "$TMP/hard.weights"
ln -s "$W" "$TMP/sym.weights"
mkdir -p "$TMP/adir"
SW="--wbits 8 --beta0 none --sqnr none -q"

# --- outputs never destroy inputs (each input's checksum is checked too) -----
wsum=$(cksum <"$W")
same="would overwrite an input"
bad out.pack_onto_weights "w.weights: is the input .*$same" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$W"
bad out.pack_onto_weights_dotpath "$same" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/./w.weights"
bad out.pack_onto_hardlink "hard.weights: is the input .*$same" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/hard.weights"
bad out.pack_onto_symlink "sym.weights: is the input .*$same" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/sym.weights"
bad out.pack_onto_cfg "fx8.cfg: is the input" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/fx8.cfg"
bad out.pack_onto_dir "adir: is a directory" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o "$TMP/adir"
bad out.stats_onto_cfg "float.cfg: is the input" "" 0 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$TMP/float.cfg"
bad out.stats_onto_list "c.list: is the input" "" 0 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$TMP/c.list"
bad out.stats_onto_weights "w.weights: is the input" "" 0 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$W"
bad out.merge_onto_input "a.stats: is the input" "" 0 -- "$DARKNET" fxq stats --merge "$TMP/a.stats" -o "$TMP/a.stats"
bad out.merge_onto_second "b.stats: is the input" "" 0 -- "$DARKNET" fxq stats --merge "$TMP/a.stats" "$TMP/b.stats" -o "$TMP/b.stats"
bad out.merge_onto_cfg "float.cfg: is the input" "" 0 -- "$DARKNET" fxq stats --merge "$TMP/a.stats" --cfg "$TMP/float.cfg" -o "$TMP/float.cfg"
bad out.unpack_onto_input "a.fxw: is the input" "" 0 -- "$BIN/fxq-unpack" "$TMP/a.fxw" -o "$TMP/a.fxw"
bad out.unpack_onto_dir "adir: is a directory" "" 0 -- "$BIN/fxq-unpack" "$TMP/a.fxw" -o "$TMP/adir"
bad out.sqnr_onto_weights "w.weights: is the input" "" 0 -- "$DARKNET" fxq sqnr "$TMP/float.cfg" "$TMP/fx8.cfg" "$W" "$TMP/c.list" -o "$W"
bad out.sqnr_onto_fxcfg "fx8.cfg: is the input" "" 0 -- "$DARKNET" fxq sqnr "$TMP/float.cfg" "$TMP/fx8.cfg" "$W" "$TMP/c.list" -o "$TMP/fx8.cfg"
bad out.sweep_onto_list "c.list: is the input" "" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$TMP/c.list" $SW
bad out.sweep_plot_onto_cfg "float.cfg: is the input" "$O/s.csv" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --plot "$TMP/float.cfg" $SW
bad out.sweep_plot_onto_csv "-o and --plot name the same file" "$O/s.csv" 1 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --plot "$O/s.csv" $SW
bad out.sweep_plot_missing_dir "nodir/p.svg: its directory is not writable" "$O/s.csv" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --plot "$TMP/nodir/p.svg" $SW
bad out.sweep_stats_onto "a.stats: is the input" "" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$TMP/a.stats" --stats "$TMP/a.stats" $SW
bad out.quantize_onto_weights "$same" "" 0 -- "$DARKNET" fxq quantize "$TMP/float.cfg" "$W" "$TMP/a.stats" -o "$W" --wbits 8
bad out.quantize_onto_stats "$same" "" 0 -- "$DARKNET" fxq quantize "$TMP/float.cfg" "$W" "$TMP/a.stats" -o "$TMP/a.stats" --wbits 8
if [ -c /dev/full ]; then
    bad out.pack_dev_full "/dev/full: write failed" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o /dev/full -q
    bad out.merge_dev_full "/dev/full: write failed" "" 0 -- "$DARKNET" fxq stats --merge "$TMP/a.stats" -o /dev/full -q
    check bad.dev_full_still_a_device test -c /dev/full
fi
expect_eq bad.inputs_untouched.weights "$(cksum <"$W")" "$wsum"
expect_eq bad.inputs_untouched.cfg "$(cksum <"$TMP/float.cfg")" "$(cksum <cfg/fmnist.cfg)"
expect_eq bad.inputs_untouched.stats "$(cksum <"$TMP/b.stats")" "$(cksum <"$TMP/a.stats")"
# non-regular targets are written in place, never renamed over
"$BIN/fxq-pack" "$TMP/fx8.cfg" "$W" -o /dev/null -q >/dev/null 2>&1
expect_eq bad.pack_to_dev_null_ok $? 0
"$DARKNET" fxq stats --merge "$TMP/a.stats" -o /dev/null -q >/dev/null 2>&1
expect_eq bad.merge_to_dev_null_ok $? 0
check bad.dev_null_still_a_device test -c /dev/null
n=$("$DARKNET" fxq stats --merge "$TMP/a.stats" -o /dev/stdout -q 2>/dev/null | grep -c '^fxq-stats ')
expect_eq bad.merge_to_dev_stdout "$n" 1

# --- numbers ------------------------------------------------------------------
# float32 at byte offset OFF of a copy of the weights: NaN, +Inf, 1e30
poke() { # poke OUT HEX4 OFFSET
    cp "$W" "$1"; printf "$2" | dd of="$1" bs=1 seek="$3" conv=notrunc 2>/dev/null
}
poke "$TMP/nan.weights" '\000\000\300\177' 400
poke "$TMP/inf.weights" '\000\000\200\177' 4000
poke "$TMP/huge.weights" '\312\362\111\161' 800   # 1e30f
poke "$TMP/bias_nan.weights" '\000\000\300\177' 20  # first bias
bad num.pack_nan_weight "nan.weights: layer 0.*(NaN|Inf|finite)" "$O/x.fxw" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/nan.weights" -o "$O/x.fxw"
bad num.pack_inf_weight "inf.weights: layer 0.*(NaN|Inf|finite)" "$O/x.fxw" 1 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/inf.weights" -o "$O/x.fxw"
bad num.pack_huge_weight "huge.weights: layer 0.*(magnitude|finite|1e\+?30)" "$O/x.fxw" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/huge.weights" -o "$O/x.fxw"
bad num.pack_nan_bias "bias_nan.weights: layer 0.*(NaN|Inf|finite)" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/bias_nan.weights" -o "$O/x.fxw"
bad num.valid_nan_weight "nan.weights: layer 0" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/nan.weights"
bad num.stats_inf_weight "inf.weights: layer 0" "$O/x.stats" 0 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$TMP/inf.weights" "$TMP/c.list" -o "$O/x.stats"
bad num.sqnr_huge_weight "huge.weights: layer 0" "" 0 -- "$DARKNET" fxq sqnr "$TMP/float.cfg" "$TMP/fx8.cfg" "$TMP/huge.weights" "$TMP/c.list"
bad num.quantize_nan_weight "nan.weights: layer 0" "$O/q.cfg" 0 -- "$DARKNET" fxq quantize "$TMP/float.cfg" "$TMP/nan.weights" "$TMP/c.list" -o "$O/q.cfg" --wbits 8
bad num.bench_nan_weight "nan.weights: layer 0" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --weights "$TMP/nan.weights" --runs 1
head -c 3000 "$W" >"$TMP/short.weights"
{ cat "$W"; printf '\000\000\000\000'; } >"$TMP/long.weights"
bad num.valid_long_weights "long.weights: 857152 bytes, the cfg needs exactly 857148" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/long.weights"
sed '0,/^filters=32/s//filters=32\ngroups=2/' "$TMP/float.cfg" >"$TMP/grouped.cfg"
bad num.pack_grouped_cfg "w.weights: 857148 bytes, the cfg needs exactly" "$O/g.fxw" 0 -- "$BIN/fxq-pack" "$TMP/grouped.cfg" "$W" -o "$O/g.fxw"
bad num.bench_short_weights "short.weights: 3000 bytes" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --weights "$TMP/short.weights" --runs 1
bad num.bench_missing_weights "no-such.weights" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --weights "$TMP/no-such.weights" --runs 1
for v in nan inf -inf 1e999; do
    sed "0,/ mean=[^ ]*/s// mean=$v/" "$TMP/a.stats" >"$TMP/s_$v.stats"
    bad "num.stats_mean_$v" "s_$v.stats:[0-9]+: .*(NaN|Inf|finite|mean)" "" 0 -- "$DARKNET" fxq stats --show "$TMP/s_$v.stats"
done
sed "0,/ max=[^ ]*/s// max=nan/" "$TMP/a.stats" >"$TMP/s_max.stats"
bad num.merge_max_nan "s_max.stats:[0-9]+: " "$O/m.stats" 1 -- "$DARKNET" fxq stats --merge "$TMP/a.stats" "$TMP/s_max.stats" -o "$O/m.stats"
sed "0,/ range=[^ ]*/s// range=inf/" "$TMP/a.stats" >"$TMP/s_range.stats"
bad num.quantize_range_inf "s_range.stats:[0-9]+: " "$O/q.cfg" 0 -- "$DARKNET" fxq quantize "$TMP/float.cfg" "$W" "$TMP/s_range.stats" -o "$O/q.cfg" --wbits 8
sed "0,/ m2=[^ ]*/s// m2=-nan/" "$TMP/a.stats" >"$TMP/s_m2.stats"
bad num.sweep_stats_m2_nan "s_m2.stats:[0-9]+: " "$O/s.csv" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --stats "$TMP/s_m2.stats" $SW
for r in 2:99 7.5:8 0:8 8:2 abc 2:8:0 2:8:x 1e999:2; do
    bad "num.sweep_wbits_$r" "--wbits '$r' is not valid" "$O/s.csv" 1 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --wbits "$r" --beta0 none --sqnr none
done
bad num.sweep_beta0_high "--beta0 '4:99' is not valid" "" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --beta0 4:99
bad num.sweep_sqnr_neg "--sqnr '-5:10' is not valid" "" 0 -- "$DARKNET" fxq sweep "$TMP/t.data" "$TMP/float.cfg" "$W" "$TMP/c.list" -o "$O/s.csv" --sqnr -5:10

# --- upstream commands on our cfgs/weights (through the patches' hooks) ------
long=$TMP/$(printf 'x%.0s' $(seq 1 300)).png
bad up.predict_long_path "image path longer than 255 characters" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/fx8.cfg" "$W" "$long"
bad up.predict_missing_image "Cannot load image" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/fx8.cfg" "$W" "$TMP/no-such.png"
bad up.valid_missing_weights "Couldn't open file: .*no-such.weights" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx8.cfg" "$TMP/no-such.weights"
bad up.valid_missing_cfg "no-such.cfg: No such file" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/no-such.cfg" "$W"
bad up.valid_missing_data "Couldn't open file: .*no-such.data" "" 0 -- "$DARKNET" classifier valid "$TMP/no-such.data" "$TMP/fx8.cfg" "$W"
bad up.valid_fxw_truncated "short.fxw" "" 0 -- sh -c 'head -c 200 "$1" >"$2" && exec "$3" classifier valid "$4" "$5" "$2"' sh "$TMP/a.fxw" "$TMP/short.fxw" "$DARKNET" "$TMP/t.data" "$TMP/fx8.cfg"
# a float record holding NaN, CRC recomputed: loading must refuse it, not run
"$BIN/fxq-pack" "$TMP/float.cfg" "$W" -o "$TMP/float.fxw" -q >/dev/null 2>&1
if have_python3; then
python3 -c '
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
assert b[32] == 2  # first record: float
b[44:48] = struct.pack("<f", float("nan"))
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])) & 0xffffffff)
open(sys.argv[2], "wb").write(b)' "$TMP/float.fxw" "$TMP/nanrec.fxw"
bad num.fxw_nan_float_record "nanrec.fxw: layer 0 .*NaN" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/nanrec.fxw"
bad num.fxw_nan_float_record_fxq_valid "nanrec.fxw: layer 0 .*NaN" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/nanrec.fxw"
else
    skip num.fxw_nan_float_record "no python3 (scripts/install-deps.sh installs it)"
    skip num.fxw_nan_float_record_fxq_valid "no python3 (scripts/install-deps.sh installs it)"
fi
bad opt.bench_runs "--runs wants a count" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --runs 8x
bad opt.bench_unknown "bench: unknown option" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --fast
bad opt.bench_warm "--warm-ms wants milliseconds" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --warm-ms -1
bad opt.info_unknown "info: unknown argument: --bogus" "" 0 -- "$DARKNET" fxq info --bogus
bad opt.info_threads "-t wants a thread count" "" 0 -- "$DARKNET" fxq info -t 0
bad up.valid_cfg_is_dir "adir: (read error|Is a directory)" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/adir" "$W"
: >"$TMP/empty.cfg"
bad up.valid_empty_cfg "empty.cfg: no sections" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/empty.cfg" "$W"
head -c 2000 /dev/urandom >"$TMP/random.cfg"
bad up.predict_binary_cfg "random.cfg(:[0-9]+)?: " "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/random.cfg" "$W" "$IMG"
# trainers other than `classifier train` never make fixed-point layers
# trainable: refused at the first forward (they used to reach a NULL backward)
mkdir -p "$TMP/det/images" "$TMP/det/labels"
cp "$IMG" "$TMP/det/images/a.png"
echo "0 0.5 0.5 0.3 0.3" >"$TMP/det/labels/a.txt"
echo "$TMP/det/images/a.png" >"$TMP/det/train.list"
printf 'classes=10\ntrain=%s\nbackup=%s\n' "$TMP/det/train.list" "$O" >"$TMP/det.data"
sed 's/^batch=.*/batch=2/' "$TMP/fx8.cfg" >"$TMP/fx8b2.cfg"
# (replace_str=0: upstream's find_replace strcpy()s a label path onto itself
# in the detection loader thread, which ASan reports before any of our code)
bad up.detector_train_fx "fx8b2.cfg: layer 0 \[fxconvolutional\]: cannot train a fixed-point layer" "" 0 -- env ASAN_OPTIONS="${ASAN_OPTIONS:-}:replace_str=0" "$DARKNET" detector train "$TMP/det.data" "$TMP/fx8b2.cfg"
# a fixed-point network keeps its input size: validfull on a 28x40 image
# would resize it (upstream asserted). (The same size is a no-op: test_pipe;
# upstream's validfull then frees the image twice, float cfgs as well.)
if have_python3; then
python3 -c '
import struct, sys, zlib
w, h = 28, 40
raw = b"".join(b"\0" + bytes((x * 7 + y * 3) % 256 for x in range(w)) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))' "$TMP/tall_0_shirt.png"
echo "$TMP/tall_0_shirt.png" >"$TMP/tall.list"
sed "s#^valid=.*#valid=$TMP/tall.list#" cfg/fmnist.data >"$TMP/tall.data"
bad up.validfull_resize_fx "fx8.cfg: layer 0 \[fxconvolutional\]: a fixed-point network cannot change its input size \(28x28 -> 28x40\)" "" 0 -- "$DARKNET" classifier validfull "$TMP/tall.data" "$TMP/fx8.cfg" "$W"
else skip up.validfull_resize_fx "no python3 (scripts/install-deps.sh installs it)"; fi

# --- tools and remaining verbs: options and hostile files ----------------------
printf 'FXQW' >"$TMP/magic_only.fxw"
bad tool.inspect_magic_only "magic_only.fxw" "" 0 -- "$BIN/fxq-inspect" "$TMP/magic_only.fxw"
printf '\377\377\377\177\377\377\377\177\000\000\000\000\000\000\000\000\000\000\000\000' >"$TMP/hostile.weights"
bad tool.inspect_hostile_header "hostile.weights: neither" "" 0 -- "$BIN/fxq-inspect" "$TMP/hostile.weights"
bad tool.inspect_missing "no-such.fxw" "" 0 -- "$BIN/fxq-inspect" "$TMP/no-such.fxw"
bad tool.inspect_bins "bins|usage" "" 0 -- "$BIN/fxq-inspect" "$TMP/a.fxw" --bins 99
bad tool.unpack_weights_input "w.weights" "$O/u.weights" 1 -- "$BIN/fxq-unpack" "$W" -o "$O/u.weights"
head -c 300 "$TMP/a.fxw" >"$TMP/cut.fxw"
bad tool.unpack_truncated "cut.fxw" "$O/u.weights" 0 -- "$BIN/fxq-unpack" "$TMP/cut.fxw" -o "$O/u.weights"
bad tool.pack_missing_cfg "no-such.cfg: No such file" "$O/p.fxw" 1 -- "$BIN/fxq-pack" "$TMP/no-such.cfg" "$W" -o "$O/p.fxw"
bad tool.pack_short_weights "short.weights: 3000 bytes, the cfg needs" "$O/p.fxw" 0 -- "$BIN/fxq-pack" "$TMP/float.cfg" "$TMP/short.weights" -o "$O/p.fxw"
hostile_hdr() { cp "$W" "$1"; printf "$2" | dd of="$1" bs=1 conv=notrunc 2>/dev/null; }
hostile_hdr "$TMP/ver_max.weights" '\377\377\377\177\377\377\377\177'
bad tool.pack_hostile_version "ver_max.weights: version 2147483647.2147483647" "$O/p.fxw" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$TMP/ver_max.weights" -o "$O/p.fxw"
hostile_hdr "$TMP/ver_neg.weights" '\000\000\000\200\000\000\000\200'
bad tool.valid_hostile_version "ver_neg.weights: version -2147483648.-2147483648" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/ver_neg.weights"
bad verb.info_threads_zero "-t" "" 0 -- "$DARKNET" fxq info -t 0
bad verb.info_threads_text "-t" "" 0 -- "$DARKNET" fxq info -t many
bad verb.stepsizes_bits_high "--max-bits" "" 0 -- "$DARKNET" fxq stepsizes --max-bits 99
bad verb.stepsizes_bits_text "--max-bits" "" 0 -- "$DARKNET" fxq stepsizes --max-bits x
bad verb.valid_batch_zero "--batch" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$W" --batch 0
bad verb.stats_n_negative "-n" "$O/s.stats" 1 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/c.list" -n -1 -o "$O/s.stats"
bad verb.stats_missing_list "no-such.list" "$O/s.stats" 0 -- "$DARKNET" fxq stats "$TMP/float.cfg" "$W" "$TMP/no-such.list" -o "$O/s.stats"
bad verb.quantize_wbits_high "--wbits" "$O/q.cfg" 1 -- "$DARKNET" fxq quantize "$TMP/float.cfg" "$W" "$TMP/a.stats" -o "$O/q.cfg" --wbits 99
for mname in typo_key stride_zero route_high size_over_input control_char; do
    sed -e "$(grep "^$mname	" tests/bad_inputs/cfg_mutations.tsv | cut -f2)" "$TMP/float.cfg" | sed 's/fxconvolutional/convolutional/' >"$TMP/m/q_$mname.cfg"
    bad "verb.quantize_$mname" "q_$mname.cfg:[0-9]+: " "$O/q.cfg" 1 -- "$DARKNET" fxq quantize "$TMP/m/q_$mname.cfg" "$W" "$TMP/a.stats" -o "$O/q.cfg" --wbits 8
done
bad verb.sqnr_kappa_nan "--kappa" "" 0 -- "$DARKNET" fxq sqnr "$TMP/float.cfg" "$TMP/fx8.cfg" "$W" "$TMP/c.list" --kappa nan
bad verb.bench_runs_zero "--runs" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --runs 0
bad verb.bench_missing_cfg "no-such.cfg" "" 0 -- "$DARKNET" fxq bench "$TMP/no-such.cfg" --runs 1
bad verb.sweep_from_csv_onto_input "is the input" "" 0 -- sh -c 'echo x >"$1" && exec "$2" fxq sweep --from-csv "$1" --plot "$1"' sh "$TMP/in.csv" "$DARKNET"

# --- accepted: CRLF and a UTF-8 BOM parse like the LF file ---------------------
{ printf '\357\273\277'; sed 's/$/\r/' "$TMP/fx8.cfg"; } >"$TMP/crlf.cfg"
a=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/fx8.cfg" "$W" 2>/dev/null | tail -n 1)
b=$("$DARKNET" classifier valid "$TMP/t.data" "$TMP/crlf.cfg" "$W" 2>/dev/null | tail -n 1)
expect_eq bad.crlf_bom_cfg_same_result "$b" "$a"
"$DARKNET" fxq valid "$TMP/t.data" "$TMP/crlf.cfg" "$W" -q >/dev/null 2>&1
expect_eq bad.crlf_bom_cfg_fxq_valid $? 0

expect_ge bad.catalogue_size "$ncase" 150
