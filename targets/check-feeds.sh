#!/usr/bin/env bash
# Checks the firmware build files that cannot be built here (no OpenWrt or Buildroot
# tree) against the real build, so that they cannot drift silently:
#   targets/openwrt-feed/daemontools-rs/Makefile  (OpenWrt feed package)
#   targets/buildroot/daemontools-rs/{Config.in,daemontools-rs.mk}  (Buildroot package)
# Same version as Cargo.toml; the same tools as bins/src/bin plus svscanboot; every file
# the feed installs exists and is what the .ipk of targets/ipk.sh holds (when one has
# been built); every Rust target of targets/targets.txt has a Buildroot mapping.
# Usage: targets/check-feeds.sh   (prints one line; exit 1 on a difference)
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check-feeds: $*" >&2; exit 1; }
feed=targets/openwrt-feed/daemontools-rs/Makefile
br=targets/buildroot/daemontools-rs/daemontools-rs.mk

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
[ "$(sed -n 's/^PKG_VERSION:=//p' "$feed")" = "$version" ] || fail "$feed: PKG_VERSION is not $version"
[ "$(sed -n 's/^DAEMONTOOLS_RS_VERSION = //p' "$br")" = "$version" ] || fail "$br: version is not $version"

# The tool lists, continuation lines joined, sorted.
tools_of() { sed -n "/^$2/,/[^\\\\]\$/p" "$1" | sed "s/^$2//; s/\\\\//" | tr -s ' \t' '\n' | sed '/^$/d' | sort; }
want=$( (ls bins/src/bin | sed 's/\.rs$//'; echo svscanboot) | sort)
[ "$(tools_of "$feed" 'DT_TOOLS:=')" = "$want" ] || fail "$feed: DT_TOOLS differ from bins/src/bin + svscanboot"
[ "$(tools_of "$br" 'DAEMONTOOLS_RS_TOOLS = ')" = "$want" ] || fail "$br: DAEMONTOOLS_RS_TOOLS differ from bins/src/bin + svscanboot"

# Files the feed installs from the tree.
for f in $(grep -o 'targets/packaging/openwrt/[a-z.]*' "$feed"); do
  [ -f "$f" ] || fail "$feed installs $f, which does not exist"
done
# The same paths as the .ipk that targets/ipk.sh makes, if one is there.
ipk=$(ls target/packages/daemontools-rs_*_x86_64.ipk 2>/dev/null | head -n 1 || true)
if [ -n "$ipk" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  tar -C "$tmp" -xzf "$ipk" ./data.tar.gz
  got=$(tar -tzf "$tmp/data.tar.gz" | sed 's#^\./##; s#/$##' | sed '/^$/d' | sort)
  feed_paths=$( (echo "$want" | sed 's#^#usr/bin/#'
    printf '%s\n' etc/init.d/svscan etc/config/svscan lib/upgrade/keep.d/daemontools-rs etc/service) | sort)
  missing=$(comm -23 <(echo "$feed_paths") <(echo "$got"))
  [ -z "$missing" ] || fail "the feed installs what $ipk lacks: $missing"
fi

# Every Rust target has a Buildroot mapping.
for t in $(grep -v '^#' targets/targets.txt | awk 'NF {print $1}'); do
  grep -q "DAEMONTOOLS_RS_TRIPLE = $t\$" "$br" || fail "$br: no mapping to $t"
done
echo "check-feeds: the OpenWrt feed and the Buildroot package match the build ($version, $(echo "$want" | wc -l) tools)"
