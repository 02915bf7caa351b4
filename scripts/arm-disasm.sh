#!/bin/sh
# The inner loops of the AArch64 GEMM microkernels from their disassembly
# (docs/arm.md): for each kernel, the innermost loop (the shortest span
# of a backward branch) with multiply instructions, and in it the
# instruction count, the
# multiply instructions (sdot / smmla / smlal+smull / sadalp), the loads,
# and the stack accesses (spills: must be 0).
#   scripts/arm-disasm.sh [OBJDIR]   (default build/aarch64/obj, from make ARCH=aarch64)
set -eu
OBJ=${1:-${BUILD:-build}/aarch64/obj}/fxq/kernels/arm
DUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}
command -v "$DUMP" >/dev/null || { echo "arm-disasm: no $DUMP (binutils-aarch64-linux-gnu)" >&2; exit 1; }
printf '%-44s %6s %6s %6s %6s %6s %7s\n' kernel insns mul padal loads stack "mul/all"
for f in fxq_s8s8_gemm_4x16c4__neondot fxq_s8s8_gemm_4x16c8__neoni8mm fxq_s8s8_gemm_4x16c4__neon \
         fxq_s16_gemm_4x16c2__neon fxq_s16_gemm_i64_4x16c2__neon; do
    [ -f "$OBJ/$f.o" ] || { echo "arm-disasm: $OBJ/$f.o missing (make ARCH=aarch64)" >&2; exit 1; }
    "$DUMP" -d --no-show-raw-insn "$OBJ/$f.o" | awk -v name="$f" '
        function hex(s,   v, i) { v = 0; for (i = 1; i <= length(s); ++i) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
        /^ *[0-9a-f]+:\t/ {
            a = hex(substr($1, 1, length($1) - 1)); n++; addr[n] = a; op[n] = $2; line[n] = $0
            if ($2 ~ /^(b\.|cbnz|cbz|tbnz|tbz|b$)/)
                for (i = 4; i <= NF; ++i) if ($i ~ /^</) { t = hex($(i - 1)); if (t < a) { lo[++nl] = t; hi[nl] = a } }
        }
        END {
            best = 0
            for (l = 1; l <= nl; ++l) {
                ins = mul = pad = ld = st = 0
                for (i = 1; i <= n; ++i) if (addr[i] >= lo[l] && addr[i] <= hi[l]) {
                    ++ins
                    if (op[i] ~ /^(sdot|smmla|smull|smull2|smlal|smlal2)$/) ++mul
                    if (op[i] == "sadalp") ++pad
                    if (op[i] ~ /^(ld1|ld2|ldr|ldp)$/) ++ld
                    if (line[i] ~ /\[sp/) ++st
                }
                if (mul > 0 && (!best || ins < bi)) { best = mul; bi = ins; bp = pad; bl = ld; bs = st }
            }
            printf "%-44s %6d %6d %6d %6d %6d %6.1f%%\n", name, bi, best, bp, bl, bs, 100 * best / bi
        }'
done
