# fx_cfg OUT W_BITS W_FRAC IN_BITS IN_FRAC OUT_BITS OUT_FRAC [CFG]
# Writes CFG (default cfg/fmnist.cfg) with every [convolutional]/[connected]
# section turned into its fixed-point twin with these formats: a fixed-point
# cfg for tests that must not depend on `fxq quantize`.
fx_cfg() {
    awk -v wb="$2" -v wf="$3" -v ab="$4" -v af="$5" -v ob="$6" -v of="$7" '
        function fmt() { printf "w_bits=%s\nw_frac=%s\nin_bits=%s\nin_frac=%s\nout_bits=%s\nout_frac=%s\n", wb, wf, ab, af, ob, of }
        /^\[convolutional\]/ { print "[fxconvolutional]"; fmt(); next }
        /^\[connected\]/     { print "[fxconnected]"; fmt(); next }
        { print }' "${8:-cfg/fmnist.cfg}" >"$1"
}

# ft_setup N_VALID
# The short fine-tuning runs' set-up in $TMP: the first 256 training images
# (train.list), the first N_VALID test images (valid.list), t.data pointing at
# both with backups in $TMP, f32.cfg (fmnist at batch 32: short steps) and
# fx.cfg, its 4-bit-weight twin with a too-fine output format (far from float
# accuracy, so a few steps show a clear change whatever order the loader's
# threads draw images in).
ft_setup() {
    head -n 256 data/fmnist/train.list >"$TMP/train.list"
    head -n "$1" data/fmnist/test1k.list >"$TMP/valid.list"
    sed -e "s#^train=.*#train=$TMP/train.list#" -e "s#^valid=.*#valid=$TMP/valid.list#" \
        -e "s#^backup=.*#backup=$TMP/#" cfg/fmnist.data >"$TMP/t.data"
    sed 's/^batch=128/batch=32/' cfg/fmnist.cfg >"$TMP/f32.cfg"
    fx_cfg "$TMP/fx.cfg" 4 3 8 4 8 2 "$TMP/f32.cfg"
}
