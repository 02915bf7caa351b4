# The documentation: the README stays a page users read (about 200 lines),
# every relative link and #anchor in the Markdown files resolves, docs/quantize.md
# keeps the markers its generated option table lives between, and the project
# describes the software, its measurements and their dates and commits -- not
# the work rounds or tickets that produced them.
. tests/lib.sh

n=$(wc -l <README.md)
expect_le docs.readme_lines "$n" 220

expect_eq docs.options_markers "$(grep -c -x -e '<!-- options:begin -->' -e '<!-- options:end -->' docs/quantize.md)" 2
expect_eq docs.options_marker_order "$(grep -x -e '<!-- options:begin -->' -e '<!-- options:end -->' docs/quantize.md | tr '\n' ' ')" \
    "<!-- options:begin --> <!-- options:end --> "

if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # the words are split so that this file does not match itself
    words="sess""ions\?\|plan""ners\|the le""ad"
    hits=$(git grep -n -i -w -e "$words" -- . | head -n 5)
    expect_eq docs.no_work_round_words "$hits" ""
    hits=$(git grep -n -i -E -e "\bis""sues? ?#?[0-9]+" -- . | head -n 5)
    expect_eq docs.no_ticket_numbers "$hits" ""
else
    skip docs.no_work_round_words "not a git checkout"
    skip docs.no_ticket_numbers "not a git checkout"
fi

if have_python3; then
    python3 - >"$TMP/links.out" 2>&1 <<'EOF'
import glob, os, re, sys
files = [f for f in glob.glob('**/*.md', recursive=True)
         if not f.startswith(('build/', 'data/'))]
def anchors(path):
    out, inside = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            inside = not inside
        m = None if inside else re.match(r'#+ (.*)', line)
        if m:
            a = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower()).replace(' ', '-')
            b, k = a, 0
            while b in out:
                k += 1
                b = '%s-%d' % (a, k)
            out.add(b)
    return out
bad = 0
for f in files:
    text = re.sub(r'```.*?```', '', open(f, encoding='utf-8').read(), flags=re.S)
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+:', target):
            continue
        path, _, anchor = target.partition('#')
        full = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(full):
            print('%s: link to a missing file: %s' % (f, target)); bad += 1
        elif anchor and full.endswith('.md') and anchor not in anchors(full):
            print('%s: link to a missing section: %s' % (f, target)); bad += 1
print('%d files, %d broken links' % (len(files), bad))
sys.exit(1 if bad or not files else 0)
EOF
    rc=$?
    if [ $rc = 0 ]; then ok "docs.links_resolve ($(tail -n 1 "$TMP/links.out"))"
    else fail docs.links_resolve "$(head -n 3 "$TMP/links.out" | tr '\n' '|')"; fi
else
    skip docs.links_resolve "no python3 (scripts/install-deps.sh installs it)"
fi
