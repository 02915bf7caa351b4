#!/bin/sh
# make docs: the option, preset and pass tables of docs/quantize.md come from
# the one option table in the code (./darknet fxq quantize --help-markdown);
# this replaces the text between the two markers with it.
#   --check  write nothing; exit 1 when the docs differ from the code
set -eu
DARKNET=${DARKNET:-./darknet}
DOC=${DOC:-docs/quantize.md}
BEGIN='<!-- options:begin -->'
END='<!-- options:end -->'
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.md"' EXIT
"$DARKNET" fxq quantize --help-markdown >"$tmp.md"
awk -v b="$BEGIN" -v e="$END" -v gen="$tmp.md" '
    $0 == b { print; while ((getline l < gen) > 0) print l; skip = 1; found++; next }
    $0 == e { skip = 0 }
    !skip { print }
    END { if (found != 1) exit 3 }' "$DOC" >"$tmp" || { echo "docs-options: $DOC: the markers are missing" >&2; exit 2; }
if [ "${1:-}" = --check ]; then
    if cmp -s "$tmp" "$DOC"; then exit 0; fi
    echo "docs-options: $DOC's generated tables differ from ./darknet fxq quantize --help-markdown (run make docs)" >&2
    exit 1
fi
cat "$tmp" >"$DOC"
