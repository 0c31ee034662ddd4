#!/usr/bin/env bash
# Build the Debian packages: target/packages/daemontools-rs_VERSION_ARCH.deb with dpkg-deb,
# from target/dist/TARGET (run targets/build.sh first), for each Debian architecture
# given (default: all seven):
#
#   Debian arch  our target                       (Debian's own baseline)
#   amd64        x86_64-unknown-linux-musl
#   i386         i686-unknown-linux-musl          (i686; our build needs SSE2, a Pentium 4)
#   arm64        aarch64-unknown-linux-musl
#   armhf        armv7-unknown-linux-musleabihf   (ARMv7 + VFPv3-D16, hard float)
#   armel        armv5te-unknown-linux-musleabi   (ARMv5TE, soft float)
#   mipsel       mipsel-unknown-linux-musl        (MIPS32R2: Debian's mipsel baseline)
#   riscv64      riscv64gc-unknown-linux-musl
# Not packaged: mips-unknown-linux-musl (Debian has had no big-endian 32-bit mips port
# since buster) and arm-unknown-linux-musleabi (armv6; armel takes the armv5te build,
# which also runs there).
#
# The package is static (no Depends), puts the tools in /usr/bin and the man pages,
# gzipped, in /usr/share/man/man8, as Debian's daemontools does, and takes its place:
# Conflicts/Replaces: daemontools, and a versioned Provides: daemontools (= 1:0.76+rs...)
# because daemontools-run depends on daemontools (>> 1:0.76). svscanboot is ours (a sh
# script) and takes the service directory as its first argument, as Debian's unit gives it.
#
# lintian (run by tests/packages.sh when installed; lintian --pedantic --info) reports
# only, on every tool but svscanboot:
#   E statically-linked-binary  static on purpose (no libc: the same files as the
#                               firmware builds), hence also no shlibs Depends.
# It is overridden in /usr/share/lintian/overrides/daemontools-rs with that reason;
# tests/packages.sh fails on any other tag.
#
# Usage: targets/deb.sh [ARCH...]   (DEB_MAINTAINER="Name <address>" overrides the
# Maintainer field, which defaults to the last commit's author)
# Exit codes: 0 done, 100 usage, 111 failure.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
repo=$PWD
fatal() { printf 'deb: fatal: %s\n' "$*" >&2; exit 111; }
command -v dpkg-deb > /dev/null || fatal "dpkg-deb is needed (apt-get install dpkg)"

declare -A triple=(
  [amd64]=x86_64-unknown-linux-musl [i386]=i686-unknown-linux-musl
  [arm64]=aarch64-unknown-linux-musl [armhf]=armv7-unknown-linux-musleabihf
  [armel]=armv5te-unknown-linux-musleabi [mipsel]=mipsel-unknown-linux-musl
  [riscv64]=riscv64gc-unknown-linux-musl)
order=(amd64 i386 arm64 armhf armel mipsel riscv64)
if [ $# -eq 0 ]; then set -- "${order[@]}"; fi
for a in "$@"; do
  [ -n "${triple[$a]-}" ] || { echo "deb: usage: unknown architecture: $a (one of: ${order[*]})" >&2; exit 100; }
done

version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
               s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
[ -n "$version" ] || fatal "no [workspace.package] version in Cargo.toml"
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2> /dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$epoch
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2> /dev/null || true)}
[ -n "$maintainer" ] || fatal "no maintainer: set DEB_MAINTAINER='Name <address>'"
date=$(LC_ALL=C date -u -R -d "@$epoch")

tools=(svscanboot)
for f in bins/src/bin/*.rs; do f=${f##*/}; tools+=("${f%.rs}"); done

out=$repo/target/packages
mkdir -p "$out"
scratch=$(mktemp -d "$out/.deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for arch in "$@"; do
  t=${triple[$arch]}
  dist=target/dist/$t
  for tool in "${tools[@]}"; do
    [ -f "$dist/$tool" ] && [ -x "$dist/$tool" ] || fatal "$dist/$tool missing: run targets/build.sh $t"
  done
  r=$scratch/root
  rm -rf "$r"
  doc=$r/usr/share/doc/daemontools-rs
  mkdir -p "$r/DEBIAN" "$r/usr/bin" "$r/usr/share/man/man8" "$doc" "$r/usr/share/lintian/overrides"
  for tool in "${tools[@]}"; do install -m 755 "$dist/$tool" "$r/usr/bin/$tool"; done
  for m in bins/man/*.8; do gzip -9nc "$m" > "$r/usr/share/man/man8/${m##*/}.gz"; done
  cat > "$doc/copyright" << EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: daemontools-rs
Comment: A rewrite in Rust of D. J. Bernstein's daemontools 0.76 (public domain
 since 2007-12-28); no code of the original is included.

Files: *
Copyright: 2026 the daemontools-rs authors
License: MIT

License: MIT
$(sed 's/^$/./; s/^/ /' LICENSE)
EOF
  printf '%s\n' \
    "daemontools-rs ($version) unstable; urgency=medium" '' \
    "  * Release $version, packaged by targets/deb.sh from the static builds." '' \
    " -- $maintainer  $date" | gzip -9nc > "$doc/changelog.gz"
  cat > "$r/usr/share/lintian/overrides/daemontools-rs" << EOF
# static on purpose: no libc, the same binaries as the firmware builds
$(for tool in "${tools[@]}"; do [ "$tool" = svscanboot ] || echo "daemontools-rs: statically-linked-binary [usr/bin/$tool]"; done)
EOF
  chmod 644 "$r/usr/share/lintian/overrides/daemontools-rs"
  size=$(du -sk --exclude=DEBIAN "$r" | cut -f1)
  cat > "$r/DEBIAN/control" << EOF
Package: daemontools-rs
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Provides: daemontools (= 1:0.76+rs$version)
Conflicts: daemontools
Replaces: daemontools
Section: admin
Priority: optional
Description: daemontools rewritten in Rust: static tools for managing services
 svscan, supervise, svc, svstat, multilog and the other daemontools 0.76 tools,
 with the same command lines, files and behaviour, as static binaries without
 libc. It replaces Debian's daemontools package, so daemontools-run and the
 packages that depend on daemontools keep working.
 .
 Built for the Rust target $t.
EOF
  (cd "$r" && find usr -type f | LC_ALL=C sort | xargs md5sum) > "$r/DEBIAN/md5sums"
  chmod 644 "$r/DEBIAN/control" "$r/DEBIAN/md5sums"
  find "$r" -exec touch -h -d "@$epoch" {} +
  deb=$out/daemontools-rs_${version}_$arch.deb
  dpkg-deb --root-owner-group -Zxz --build "$r" "$scratch/new.deb" > /dev/null ||
    fatal "dpkg-deb failed for $arch"
  mv -f "$scratch/new.deb" "$deb"
  printf 'deb: %s (%s)\n' "target/packages/${deb##*/}" "$t" >&2
done
