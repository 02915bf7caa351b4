#!/bin/sh
# Fetch Darknet's source from Debian's source package `darknet` into build/.
#
# Most machines carry only `Types: deb` entries, so we derive matching deb-src
# entries from the machine's own apt configuration and run apt against a private
# state/lists directory under build/apt: the system's package lists are untouched
# and no registry host is ever named in this repository.
#
# Fallback (no Debian sources reachable): clone upstream pjreddie/darknet at
# commit 61c9d02e into build/darknet-src by hand; see README "Platforms"
# (without Debian sources).
set -eu

VERSION=0.0.0+git20180914.61c9d02e
ORIG_SHA256=ec536ae11853846aab96183d8ec18730a46cce71f7d935768d235029329f9e93
BUILD=${BUILD:-build}
APTDIR=$(cd "$(dirname "$0")/.." && pwd)/$BUILD/apt
OUT=$BUILD/darknet-src

die() { echo "fetch-darknet: $*" >&2; exit 1; }

if [ -f "$OUT/.fetched" ]; then exit 0; fi
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/sources.list.d" "$BUILD/dl"

# deb822 stanzas with Types: deb -> the same stanza with Types: deb-src
: > "$APTDIR/sources.list.d/src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb([ \n]|$)/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" \
        >> "$APTDIR/sources.list.d/src.sources"
done
# one-line style entries
: > "$APTDIR/sources.list.d/src.list"
if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >> "$APTDIR/sources.list.d/src.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >> "$APTDIR/sources.list.d/src.list"
done

APTOPTS="-o Dir::State=$APTDIR -o Dir::State::Lists=$APTDIR/lists -o Dir::Cache=$APTDIR/cache \
 -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$APTDIR/sources.list.d \
 -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1"

echo "fetch-darknet: updating a private apt source list under $APTDIR" >&2
# shellcheck disable=SC2086
apt-get $APTOPTS -qq update >&2 || die "apt-get update (private lists) failed"
# shellcheck disable=SC2086
(cd "$BUILD/dl" && apt-get $APTOPTS -qq --download-only source darknet >&2) \
    || die "apt-get source darknet failed (README, "Platforms": the git fallback)"

TARBALL=$(ls "$BUILD"/dl/darknet_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$TARBALL" ] || die "no orig tarball downloaded"
SUM=$(sha256sum "$TARBALL" | cut -d' ' -f1)
[ "$SUM" = "$ORIG_SHA256" ] || die "$TARBALL: sha256 $SUM, expected $ORIG_SHA256"

rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
tar -xf "$TARBALL" -C "$OUT.tmp" --strip-components=1
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "$VERSION $SUM" > "$OUT/.fetched"
echo "fetch-darknet: $TARBALL verified, unpacked to $OUT" >&2
