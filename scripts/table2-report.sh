#!/bin/sh
# Markdown tables from what scripts/table2.sh measured in OUT (default
# build/table2): noft.csv (fxq valid --csv, float reference first) and
# ft-<name>.line (one per fine-tuned cell). Top-1 error in %.
set -eu
OUT=${1:-build/table2}
err_of() { # cfg path -> error % without fine-tuning
    awk -F, -v c="$1" 'NR > 1 && $1 == c { printf "%.2f", 100 * (1 - $4) }' "$OUT/noft.csv"
}
ft_err() { # name -> error % after fine-tuning
    [ -f "$OUT/ft-$1.line" ] || { echo "-"; return; }
    sed -n 's/.*fixed after \([0-9.]*\)%.*/\1/p' "$OUT/ft-$1.line" | awk '{ printf "%.2f", 100 - $1 }'
}
ft_info() { # name -> "images, epochs, seconds"
    sed -n 's/.*: \([0-9]*\) images (\([0-9.]*\) epochs), \([0-9.]*\) s;.*/\1 images = \2 epochs, \3 s/p' \
        "$OUT/ft-$1.line" 2>/dev/null
}
mbits() { # opt csv -> total weight Mbits
    awk -F, '$1 == "total" && $2 == "all" { printf "%.3f", $15 }' "$1"
}
float_err=$(awk -F, 'NR == 2 { printf "%.2f", 100 * (1 - $4) }' "$OUT/noft.csv")
echo "Top-1 error (%) on the 10000 Fashion-MNIST test images; float network: $float_err %."
echo
echo "Without fine-tuning (weights × activations):"
echo
echo "| weights \\ activations | 4b | 8b | 16b | float |"
echo "|---|---|---|---|---|"
for w in 4 8 16 F; do
    row="| $( [ $w = F ] && echo float || echo ${w}b ) |"
    for a in 4 8 16 F; do
        if [ "$w$a" = FF ]; then row="$row $float_err |"; else row="$row $(err_of "$OUT/fx-$w-$a.cfg") |"; fi
    done
    echo "$row"
done
echo
echo "With fine-tuning (\`fxq finetune\`, batch 128; settings per row in docs/finetune.md):"
echo
echo "| weights, activations | weight Mbits | error before | error after | training |"
echo "|---|---|---|---|---|"
for c in 4-4 8-8 4-8 F-8; do
    [ -f "$OUT/ft-$c.line" ] || continue
    w=${c%-*} a=${c#*-}
    mb=$(awk -v w="$w" 'BEGIN { if (w == "F") printf "%.3f", 212992 * 32 / 1e6; else printf "%.3f", 212992 * w / 1e6 }')
    echo "| $( [ $w = F ] && echo float || echo ${w}b ), ${a}b | $mb | $(err_of "$OUT/fx-$c.cfg") | $(ft_err $c) | $(ft_info $c) |"
done
for f in "$OUT"/opt-sqnr*.cfg; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .cfg)
    bits=$(awk -F, '$1 != "layer" && $1 != "total" { printf "%s%s", s, $5; s = "/" }' "$OUT/$n.csv")
    echo "| size-optimized --sqnr ${n#opt-sqnr} ($bits), 16b | $(mbits "$OUT/$n.csv") | $(err_of "$f") | $(ft_err $n) | $(ft_info $n) |"
done
