# The include rule of docs/architecture.md: the number-system/allocation tier
# (darknet_fxq/quant/) and the kernels (darknet_fxq/kernels/, kernels/x86/,
# kernels/arm/: with the aarch64 cross compiler where installed, so their
# #if __aarch64__ bodies are followed too)
# never reach a Darknet header, directly or through one of ours. Each file is
# preprocessed with include paths for those folders only (no Darknet, no
# layer/calib/cmd), so a reachable Darknet or upper-tier header fails to
# resolve; the dependency list is also searched for Darknet's header names in
# case a copy is installed on the system search path.
. tests/lib.sh
CC=${CC:-gcc}
DN_HDRS=$(ls build/darknet/include/*.h build/darknet/src/*.h 2>/dev/null | sed 's#.*/##' | sort -u)
[ -n "$DN_HDRS" ] || DN_HDRS="darknet.h network.h layer.h utils.h parser.h option_list.h activations.h blas.h image.h"

DN_ALT=$(echo $DN_HDRS | sed 's/\./\\./g; s/ /|/g')

# tier_deps FILE: 0 when FILE reaches no Darknet header; prints why otherwise
tier_deps() {
    deps=$("${TIER_CC:-$CC}" -std=c11 -D_GNU_SOURCE -fopenmp -M -x c -Idarknet_fxq/quant -Idarknet_fxq/kernels \
        -Idarknet_fxq/kernels/x86 -Idarknet_fxq/kernels/arm "$1" 2>&1) || { echo "$deps" | grep -m1 'error'; return 1; }
    # one grep per file for every Darknet header name (a loop of greps per name took a minute)
    hit=$(echo "$deps" | tr ' \\' '\n\n' | grep -m1 -E "/($DN_ALT)\$") || return 0
    echo "reaches ${hit##*/}"
    return 1
}

n=0
ARM_CC=$(command -v aarch64-linux-gnu-gcc || echo "$CC")
for f in darknet_fxq/quant/*.[ch] darknet_fxq/kernels/*.[ch] darknet_fxq/kernels/x86/*.[ch] darknet_fxq/kernels/arm/*.[ch]; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    case "$f" in */kernels/arm/*) TIER_CC=$ARM_CC ;; *) TIER_CC=$CC ;; esac
    if why=$(tier_deps "$f"); then ok "tiers.no_darknet.${f#darknet_fxq/}"; else fail "tiers.no_darknet.${f#darknet_fxq/}" "$why"; fi
done
expect_ge tiers.files_checked "$n" 20

# the check itself must catch both ways of breaking the rule
printf '#include "darknet.h"\nint x;\n' >"$TMP/direct.c"
printf '#include "fxq_stats.h"\n#include "fxq_layer.h"\nint x;\n' >"$TMP/indirect.c"
if tier_deps "$TMP/direct.c" >/dev/null; then fail tiers.catches_direct "darknet.h not flagged"; else ok tiers.catches_direct; fi
if tier_deps "$TMP/indirect.c" >/dev/null; then fail tiers.catches_upper_tier "fxq_layer.h not flagged"; else ok tiers.catches_upper_tier; fi

# calib/ never includes a pass/ or cmd/ header, pass/ never a cmd/ one (each
# tier includes only its own headers and those of the tiers before it;
# checked on the direct includes: a header that broke it would be caught in
# its own tier)
hdrs() { for d in "$@"; do ls darknet_fxq/$d/*.h 2>/dev/null; done | sed 's#.*/##' | sed 's/\./\\./g' | paste -sd'|'; }
for t in calib:"pass cmd" pass:cmd; do
    tier=${t%%:*}; above=$(hdrs ${t#*:})
    bad=$(grep -lE "#include \"($above)\"" darknet_fxq/$tier/*.[ch] 2>/dev/null | tr '\n' ' ')
    expect_eq "tiers.$tier.includes_no_later_tier" "$bad" ""
done
printf '#include "fxq_pass.h"\n' >"$TMP/calib_probe.c"
if grep -qE "#include \"($(hdrs pass cmd))\"" "$TMP/calib_probe.c"; then ok tiers.later_tier_check_can_fail
else fail tiers.later_tier_check_can_fail "fxq_pass.h not flagged"; fi
