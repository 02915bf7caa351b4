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
