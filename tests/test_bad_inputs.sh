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
# hundreds of short runs, none timed: one thread each, so a loaded machine's
# OpenMP barriers do not stretch a case past its timeout
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
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
    TMPDIR=$SCRATCH timeout "${case_timeout:-60}" "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
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
bad opt.bench_batch "--batch wants images in 1..1024" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --batch 0
bad opt.bench_batch_huge "--batch wants images in 1..1024" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --batch 99999
bad opt.bench_batch_roofline "--batch goes without --roofline" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --batch 2 --roofline
bad opt.bench_batch_cold "--batch goes without --roofline and --cold" "" 0 -- "$DARKNET" fxq bench "$TMP/float.cfg" --batch 2 --cold
bad opt.info_unknown "info: unknown argument: --bogus" "" 0 -- "$DARKNET" fxq info --bogus
bad opt.info_threads "-t wants a thread count" "" 0 -- "$DARKNET" fxq info -t 0
bad up.valid_cfg_is_dir "adir: (read error|Is a directory)" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/adir" "$W"
: >"$TMP/empty.cfg"
bad up.valid_empty_cfg "empty.cfg: no sections" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/empty.cfg" "$W"
head -c 2000 /dev/urandom >"$TMP/random.cfg"
bad up.predict_binary_cfg "random.cfg(:[0-9]+)?: " "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/random.cfg" "$W" "$IMG"
# `detector train` fine-tunes fixed-point layers (tests/test_detector_train.sh);
# here: it refuses, before any step, the weights the load hook refuses
mkdir -p "$TMP/det/images" "$TMP/det/labels"
cp "$IMG" "$TMP/det/images/a.png"
echo "0 0.5 0.5 0.3 0.3" >"$TMP/det/labels/a.txt"
echo "$TMP/det/images/a.png" >"$TMP/det/train.list"
printf 'classes=10\ntrain=%s\nbackup=%s\n' "$TMP/det/train.list" "$O" >"$TMP/det.data"
sed 's/^batch=.*/batch=2/' "$TMP/fx8.cfg" >"$TMP/fx8b2.cfg"
bad up.detector_train_fx_nan_weights "nan.weights: layer 0: NaN value" "" 0 -- "$DARKNET" detector train "$TMP/det.data" "$TMP/fx8b2.cfg" "$TMP/nan.weights"
# a pretrained backbone may be shorter than the cfg, but not end inside the
# fixed-point layers: layer 0's record (20 + 4 * 1984 bytes) and no more
head -c 7956 "$W" >"$TMP/backbone.weights"
bad up.detector_train_fx_short_backbone "backbone.weights: 7956 bytes, the cfg needs 857148 \(layer 1's record is incomplete\)" "" 0 -- "$DARKNET" detector train "$TMP/det.data" "$TMP/fx8b2.cfg" "$TMP/backbone.weights"
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
# a CRLF data file and image list (patches/0019): the same as their LF copies
sed 's/$/\r/' "$TMP/c.list" >"$TMP/crlf.list"
{ sed "s#^valid=.*#valid=$TMP/crlf.list#" "$TMP/t.data" | sed 's/$/\r/'; } >"$TMP/crlf.data"
c=$("$DARKNET" classifier valid "$TMP/crlf.data" "$TMP/fx8.cfg" "$W" 2>/dev/null | tail -n 1)
expect_eq bad.crlf_data_and_list_classifier_valid "$c" "$a"
"$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" -q --csv | cut -d, -f3-7 >"$TMP/lf.csv"
"$DARKNET" fxq valid "$TMP/crlf.data" cfg/fmnist.cfg "$W" "$TMP/fx8.cfg" -q --csv | cut -d, -f3-7 >"$TMP/crlf.csv"
check bad.crlf_data_and_list_fxq_valid cmp -s "$TMP/lf.csv" "$TMP/crlf.csv"

expect_ge bad.catalogue_size "$ncase" 150

# --- one output rule for every output option (tests/bad_inputs/outputs.tsv) ---
# Each `out` row in state `now`: the command writes a new file; refuses every
# input it names as its output (the input unchanged), and a symbolic link to
# the first; meets /dev/full with its write error, /dev/full still a device
# and no output, temp file or other output of the run left behind.
OI=$TMP/oin
mkdir -p "$OI"
sed -n 5,8p data/fmnist/calib1k.list >"$OI/train.list"
sed -n 9,12p data/fmnist/calib1k.list >"$OI/valid.list"
cp data/fmnist/labels.txt "$OI/labels.txt"
printf 'classes=10\ntrain=%s\nvalid=%s\nlabels=%s\nbackup=%s\ntop=5\n' "$OI/train.list" "$OI/valid.list" \
    "$OI/labels.txt" "$OI" >"$OI/o.data"
"$DARKNET" fxq sweep "$OI/o.data" "$TMP/float.cfg" "$W" "$TMP/c.list" --stats "$TMP/a.stats" -o "$OI/in.csv" $SW \
    >/dev/null 2>&1
check outputs.setup test -s "$OI/in.csv"
sed 's/^batch=.*/batch=4/' "$TMP/fx8.cfg" >"$OI/fxs.cfg" # a training step of 4 images, not 128
in_path() {
    case $1 in
    cfg) echo "$TMP/float.cfg" ;; fx) echo "$TMP/fx8.cfg" ;; w) echo "$W" ;; list) echo "$TMP/c.list" ;;
    stats) echo "$TMP/a.stats" ;; fxw) echo "$TMP/a.fxw" ;; data) echo "$OI/o.data" ;;
    train) echo "$OI/train.list" ;; valid) echo "$OI/valid.list" ;; labels) echo "$OI/labels.txt" ;;
    csvin) echo "$OI/in.csv" ;; fxs) echo "$OI/fxs.cfg" ;; *) echo "$TMP/no-input-named-$1" ;;
    esac
}
fill() { # fill TEMPLATE OUT: the row's command with its placeholders replaced
    c=$(printf '%s' "$1" | sed -e "s#@OUT@#$2#g" -e "s#@darknet@#$DARKNET#g" -e "s#@bin@#$BIN#g" -e "s#@O@#$O#g")
    for n in cfg fx fxs w list stats fxw data train valid labels csvin; do c=$(printf '%s' "$c" | sed "s#@$n@#$(in_path $n)#g"); done
    printf '%s' "$c"
}
# help text on stdin -> the options it shows taking a value ("  -o FILE  ...",
# "--min-bits B, --max-bits B", "[-n N]", "usage: ... -o out.cfg"; not the
# flag in "[--roofline [--svg FILE]]"), one a line
opts_of() {
    grep -oE -e '^ +-{1,2}[A-Za-z][A-Za-z0-9-]* [^ -]' -e ', -{1,2}[A-Za-z][A-Za-z0-9-]* [^ -]' \
        -e '\[-{1,2}[A-Za-z][A-Za-z0-9-]* [^] [|-]' -e '^(usage|or): .*' |
        sed -E '/^(usage|or):/{s/^[a-z]+: //; s/[ [](-{1,2}[A-Za-z][A-Za-z0-9-]*) [^] [|-][^ ]*/\n\1 x\n/g}' |
        sed -nE 's/^[ ,[]*(-{1,2}[A-Za-z][A-Za-z0-9-]*) .*/\1/p' | sort -u
}
TSV=tests/bad_inputs/outputs.tsv
# every option that takes a value has a row: an output added later without
# one fails here (the verbs are read from `darknet fxq`'s own list)
verbs=$("$DARKNET" fxq 2>&1 | sed -n '/^verbs:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
missing="" nopt=0
for v in $verbs fxq-pack fxq-unpack fxq-inspect; do
    # --help-all where a verb has one: the options its --help leaves out
    case $v in fxq-*) help=$("$BIN/$v" --help 2>&1) ;;
    *) help=$("$DARKNET" fxq "$v" --help-all 2>/dev/null) || help=$("$DARKNET" fxq "$v" --help 2>&1) ;;
    esac
    for o in $(printf '%s\n' "$help" | opts_of); do
        nopt=$((nopt + 1))
        awk -F'\t' -v v="$v" -v o="$o" '$1 == v && $2 == o && ($3 == "out" || $3 == "value") { f = 1 } END { exit !f }' \
            "$TSV" || missing="$missing $v $o;"
    done
done
expect_ge outputs.options_found "$nopt" 80
expect_eq outputs.every_option_has_a_row "$missing" ""
bad_rows=$(awk -F'\t' '!/^#/ && NF && !($3 == "value" || ($3 == "out" && $4 == "now" && NF == 6)) { print NR }' "$TSV" | tr '\n' ' ')
expect_eq outputs.rows_well_formed "$bad_rows" ""
row=0
# a row may run a whole pass (bias correction runs the network) before it
# meets /dev/full: more time than a refusal needs, most of all under SAN
case_timeout=180
while IFS='	' read -r verb opt kind state inputs tmpl; do
    case "$verb" in '#'*|'') continue ;; esac
    [ "$kind" = out ] || continue
    row=$((row + 1))
    id="outputs.$verb$(echo "$opt" | tr -d -).$row"
    # the run's other outputs under $O must not survive its failure either
    other=$(printf '%s' "$tmpl" | grep -oE '@O@/[^ ]+' | head -n 1 | sed "s#@O@#$O#")
    # a new path: written (so the refusals below are the output rule's)
    TMPDIR=$SCRATCH timeout 240 $(fill "$tmpl" "$O/new.out") >/dev/null 2>"$TMP/stderr" </dev/null
    rc=$?
    if [ $rc = 0 ] && [ -s "$O/new.out" ] && [ -z "$(ls -A "$SCRATCH")" ] && ! ls -A "$O" | grep -q '\.tmp'; then ok "$id.writes"
    else fail "$id.writes" "rc=$rc, $(ls -A "$O" "$SCRATCH" | tr '\n' ' '): $(tail -n 2 "$TMP/stderr" | tr '\n' '|')"
    fi
    rm -rf "$O"/* "$SCRATCH"/*
    first=1
    for n in $(echo "$inputs" | tr , ' '); do
        p=$(in_path "$n")
        s0=$(cksum <"$p")
        bad "$id.onto_$n" "$(basename "$p"): (is the input .*: )?the output would overwrite an input" "$other" 0 -- $(fill "$tmpl" "$p")
        expect_eq "$id.onto_$n.untouched" "$(cksum <"$p")" "$s0"
        if [ $first = 1 ]; then
            ln -s "$p" "$O/link.out"
            bad "$id.onto_symlink_$n" "would overwrite an input" "$other" 0 -- $(fill "$tmpl" "$O/link.out")
            expect_eq "$id.onto_symlink_$n.untouched" "$(cksum <"$p")" "$s0"
            first=0
        fi
    done
    if [ -c /dev/full ]; then
        bad "$id.dev_full" "/dev/full: (write failed|cannot write)" "$other" 0 -- $(fill "$tmpl" /dev/full)
        check "$id.dev_full_still_a_device" test -c /dev/full
    fi
done <"$TSV"
case_timeout=60
expect_ge outputs.rows_tested "$row" 17

# --- finetune's derived outputs ---------------------------------------------------
cp "$TMP/fx8.cfg" "$OI/fx8.cfg"
s0=$(cksum <"$OI/fx8.cfg")
bad out.finetune_requant_cfg_onto_cfg "fx8.cfg: is the input .*would overwrite an input" "$OI/fx8.weights" 0 -- "$DARKNET" fxq finetune "$OI/o.data" "$OI/fx8.cfg" "$W" -o "$OI/fx8.weights" --requantize "$TMP/c.list" --max-batches 1 -n 4 --no-before -q
expect_eq out.finetune_requant_cfg_onto_cfg.untouched "$(cksum <"$OI/fx8.cfg")" "$s0"
bad out.finetune_requant_dev_full "--requantize writes its cfg next to -o" "" 0 -- "$DARKNET" fxq finetune "$OI/o.data" "$TMP/fx8.cfg" "$W" -o /dev/full --requantize "$TMP/c.list" --max-batches 1 -q
bad out.sweep_keep_onto_cfg "float.cfg: --keep wants a folder" "$O/s.csv" 0 -- "$DARKNET" fxq sweep "$OI/o.data" "$TMP/float.cfg" "$W" "$TMP/c.list" --stats "$TMP/a.stats" -o "$O/s.csv" --keep "$TMP/float.cfg" $SW

# --- the load hook: upstream commands on fixed-point cfgs refuse what fxq verbs refuse
L64=$(printf '6,%.0s' $(seq 1 63))6
sed "0,/^w_frac=6\$/s//w_frac=$L64/" "$TMP/fx8.cfg" >"$TMP/pc.cfg"
sed '0,/^in_frac=4$/s//in_frac=4\nin_zero=100/' "$TMP/fx8.cfg" >"$TMP/zp.cfg"
for c in fx8 pc zp; do
    "$DARKNET" classifier valid "$TMP/t.data" "$TMP/$c.cfg" "$W" >/dev/null 2>&1
    expect_eq "load.$c.good_weights_load" $? 0
done
head -c 12 "$W" >"$TMP/hdr_only.weights"
printf 'classes=10\ntrain=%s\nvalid=%s\nlabels=data/fmnist/labels.txt\nbackup=%s\n' "$TMP/c.list" "$TMP/c.list" "$O" >"$TMP/tr.data"
i=0
for c in fx8 pc zp; do
    for wk in nan:"layer 0: NaN value" long:"857152 bytes, the cfg needs exactly 857148" ver_max:"version 2147483647.2147483647" ver_neg:"version -2147483648" hdr_only:"12 bytes, the cfg needs"; do
        wn=${wk%%:*} pat="$wn.weights: ${wk#*:}"
        j=0
        while [ $j -lt 2 ]; do
            case $(( (i + j) % 3 )) in
            0) bad "load.classifier_valid.$c.$wn" "$pat" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/$c.cfg" "$TMP/$wn.weights" ;;
            1) bad "load.classifier_predict.$c.$wn" "$pat" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/$c.cfg" "$TMP/$wn.weights" "$IMG" ;;
            2) bad "load.classifier_train.$c.$wn" "$pat" "" 0 -- "$DARKNET" classifier train "$TMP/tr.data" "$TMP/$c.cfg" "$TMP/$wn.weights" ;;
            esac
            j=$((j + 1))
        done
        i=$((i + 1))
    done
done
bad load.classifier_train.fx8.short_backbone "backbone.weights: 7956 bytes, the cfg needs 857148 \(layer 1's record is incomplete\)" "" 0 -- "$DARKNET" classifier train "$TMP/tr.data" "$TMP/fx8.cfg" "$TMP/backbone.weights"
# a header no Darknet wrote overflows upstream's version arithmetic: refused
# for float cfgs too
bad load.float_cfg_hostile_version "ver_max.weights: version 2147483647" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/ver_max.weights"
bad load.float_cfg_negative_version "ver_neg.weights: version -2147483648" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/float.cfg" "$TMP/ver_neg.weights" "$IMG"
# a .fxw whose magic is wrong is not read as .weights
{ printf 'FXQX'; tail -c +5 "$TMP/a.fxw"; } >"$TMP/magic.fxw"
bad load.fxw_bad_magic_float "magic.fxw: not a .fxw file" "" 0 -- "$DARKNET" classifier valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/magic.fxw"
bad load.fxw_bad_magic_fx "magic.fxw: not a .fxw file" "" 0 -- "$DARKNET" classifier predict "$TMP/t.data" "$TMP/fx8.cfg" "$TMP/magic.fxw" "$IMG"
bad load.fxw_bad_magic_fxq_valid "magic.fxw: not a .fxw file" "" 0 -- "$DARKNET" fxq valid "$TMP/t.data" "$TMP/float.cfg" "$TMP/magic.fxw"
bad load.fxw_bad_magic_unpack "magic.fxw" "$O/u.weights" 0 -- "$BIN/fxq-unpack" "$TMP/magic.fxw" -o "$O/u.weights"
: >"$TMP/empty.list"
printf 'classes=10\ntrain=%s\nlabels=data/fmnist/labels.txt\nbackup=%s\n' "$TMP/empty.list" "$O" >"$TMP/e.data"
bad train.empty_train_list "e.data: its train list .*empty.list names no image" "" 0 -- "$DARKNET" classifier train "$TMP/e.data" "$TMP/fx8.cfg" "$W"
bad train.empty_train_list_float "e.data: its train list .*empty.list names no image" "" 0 -- "$DARKNET" classifier train "$TMP/e.data" "$TMP/float.cfg"
bad train.detector_empty_train_list "e.data: its train list .*empty.list names no image" "" 0 -- "$DARKNET" detector train "$TMP/e.data" "$TMP/fx8b2.cfg"
bad train.detector_empty_train_list_float "e.data: its train list .*empty.list names no image" "" 0 -- "$DARKNET" detector train "$TMP/e.data" "$TMP/float.cfg"
# a train list with a blank line or a missing image: refused before the first
# step (upstream's loader thread met them at random, printing two lines)
{ head -n 2 data/fmnist/calib1k.list; echo; } >"$TMP/blank.list"
{ head -n 2 data/fmnist/calib1k.list; echo "$TMP/gone_tee.png"; } >"$TMP/gone.list"
for l in blank gone; do
    printf 'classes=10\ntrain=%s\nvalid=%s\nlabels=data/fmnist/labels.txt\nbackup=%s\n' "$TMP/$l.list" "$TMP/c.list" "$O" >"$TMP/$l.data"
done
bad train.blank_line "blank.list:3: a blank line in the train list of .*blank.data" "" 0 -- "$DARKNET" classifier train "$TMP/blank.data" "$TMP/fx8.cfg" "$W"
bad train.detector_blank_line "blank.list:3: a blank line in the train list" "" 0 -- "$DARKNET" detector train "$TMP/blank.data" "$TMP/fx8b2.cfg"
bad train.missing_image "gone.list:3: .*gone_tee.png: No such file" "" 0 -- "$DARKNET" classifier train "$TMP/gone.data" "$TMP/float.cfg"
bad train.finetune_blank_line "blank.list:3: a blank line" "$O/f.weights" 0 -- "$DARKNET" fxq finetune "$TMP/blank.data" "$TMP/fx8.cfg" "$W" -o "$O/f.weights" --max-batches 1 -q
# upstream's other trainers refuse fixed-point layers as they parse the cfg
for t in regressor segmenter isegmenter; do
    bad "train.$t.fx" "zp.cfg: layer 0 \[fxconvolutional\]: \`darknet $t train\` cannot train a fixed-point layer" "" 0 -- "$DARKNET" $t train "$TMP/tr.data" "$TMP/zp.cfg"
done
for t in cifar go tag; do
    bad "train.$t.fx" "pc.cfg: layer 0 \[fxconvolutional\]: \`darknet $t train\` cannot train" "" 0 -- "$DARKNET" $t train "$TMP/pc.cfg"
done
bad train.rnn.fx "fx8.cfg: layer 0 \[fxconvolutional\]: \`darknet rnn train\` cannot train" "" 0 -- "$DARKNET" rnn train "$TMP/fx8.cfg" -file "$TMP/c.list"
bad train.rnn_missing_text "Couldn't open file: .*no-such.txt" "" 0 -- "$DARKNET" rnn train "$TMP/fx8.cfg" -file "$TMP/no-such.txt"

# --- messages: one line, the user's own file and line --------------------------
for t in "fxq-pack:-o" "fxq-unpack:-o" "fxq-inspect:--bins"; do
    tool=${t%%:*} o=${t#*:}
    bad "msg.$tool.missing_value" "$tool: $o needs a value" "" 0 -- "$BIN/$tool" "$TMP/a.fxw" "$o"
    expect_eq "msg.$tool.missing_value.one_line" "$(wc -l <"$TMP/stderr")" 1
done
bad msg.pack_missing_output "fxq-pack: needs <fx.cfg> <weights> -o" "" 0 -- "$BIN/fxq-pack" "$TMP/fx8.cfg" "$W"
expect_eq msg.pack_missing_output.one_line "$(wc -l <"$TMP/stderr")" 1
for v in "stats:-o" "sqnr:-o" "sweep:-o" "valid:--pred" "finetune:-o" "quantize:-o" "bench:--weights"; do
    verb=${v%%:*} o=${v#*:}
    bad "msg.$verb.missing_value" "$o" "" 0 -- "$DARKNET" fxq "$verb" "$TMP/t.data" "$TMP/float.cfg" "$W" "$o"
    expect_eq "msg.$verb.missing_value.one_line" "$(wc -l <"$TMP/stderr")" 1
done
# finetune reads a float twin of the cfg: its messages name the user's cfg and line
sed 's/^momentum=/momentun=/' "$TMP/fx8.cfg" >"$TMP/typo.cfg"
bad msg.finetune_cfg_typo "typo.cfg:[0-9]+: unknown key 'momentun'" "$O/f.weights" 0 -- "$DARKNET" fxq finetune "$OI/o.data" "$TMP/typo.cfg" "$W" -o "$O/f.weights" --max-batches 1 -q
n=$(grep -c 'fxq-float' "$TMP/stderr")
expect_eq msg.finetune_cfg_typo.no_temp_name "$n" 0
# a training image that is missing (refused before training, naming the list
# and line) or not an image (Darknet's loader: "Cannot load image"): nothing
# left behind
printf 'not an image' >"$TMP/junk_tee.png"
for k in missing junk; do
    if [ $k = missing ]; then echo "$TMP/no-such_tee.png"; else echo "$TMP/junk_tee.png"; fi >"$OI/bad_train.list"
    sed "s#^train=.*#train=$OI/bad_train.list#" "$OI/o.data" >"$OI/bad.data"
    if [ $k = missing ]; then pat="bad_train.list:1: .*no-such_tee.png: No such file"; else pat="Cannot load image"; fi
    bad "train.finetune_${k}_image" "$pat" "$O/f.weights" 1 -- "$DARKNET" fxq finetune "$OI/bad.data" "$OI/fxs.cfg" "$W" -o "$O/f.weights" --max-batches 2 --no-before -n 4 -q
done
# -q: a weights file that cannot be loaded is the one line naming it, without
# Darknet's layer table before it
head -c 1000 "$W" >"$TMP/short.weights"
for c in valid map sqnr; do
    case $c in
        valid) set -- "$DARKNET" fxq valid "$TMP/t.data" cfg/fmnist.cfg "$TMP/short.weights" -q ;;
        map) set -- "$DARKNET" fxq map cfg/fmnist-det.data cfg/fmnist-yolo.cfg "$TMP/short.weights" -q ;;
        sqnr) set -- "$DARKNET" fxq sqnr cfg/fmnist.cfg "$TMP/fx8.cfg" "$TMP/short.weights" "$TMP/c.list" -q ;;
    esac
    "$@" >/dev/null 2>"$TMP/q.err"
    rc=$?
    if [ $rc -ne 0 ] && [ "$(wc -l <"$TMP/q.err")" = 1 ] && grep -q 'short.weights: 1000 bytes' "$TMP/q.err"; then ok "quiet.$c.one_line"
    else fail "quiet.$c.one_line" "exit $rc, stderr: $(head -c 300 "$TMP/q.err")"; fi
done
