#!/usr/bin/env bash
# Build the OpenWrt packages: target/packages/daemontools-rs_VERSION-1_ARCH.ipk for each
# OpenWrt package architecture given (default: all below), from target/dist/TARGET (run
# targets/build.sh first). The format is the one OpenWrt's scripts/ipkg-build writes and
# its opkg reads: a gzipped tar (GNU format) of ./debian-binary ("2.0"), ./data.tar.gz and
# ./control.tar.gz, in that order (opkg also reads an ar archive; OpenWrt does not make one).
#
# Our static binaries need only the instruction set, not OpenWrt's libc or float ABI, so
# one build serves every OpenWrt architecture of its family (opkg installs only the
# names in its arch list, hence one file per name):
#   x86_64-unknown-linux-musl        x86_64
#   i686-unknown-linux-musl          i386_pentium4 (x86/generic; not i386_pentium-mmx:
#                                    our build needs SSE2)
#   aarch64-unknown-linux-musl       aarch64_generic aarch64_cortex-a53 aarch64_cortex-a72
#                                    aarch64_cortex-a76
#   armv7-unknown-linux-musleabihf   arm_cortex-a7_neon-vfpv4 arm_cortex-a9_vfpv3-d16
#                                    arm_cortex-a15_neon-vfpv4 arm_cortex-a9_neon
#                                    arm_cortex-a8_vfpv3 arm_cortex-a5_vfpv4
#                                    (not arm_cortex-a9, bcm53xx: no VFP there)
#   arm-unknown-linux-musleabi       arm_arm1176jzf-s_vfp (bcm2708)
#   armv5te-unknown-linux-musleabi   arm_xscale (kirkwood, orion) arm_arm926ej-s
#   mips-unknown-linux-musl          mips_24kc (ath79, lantiq; not mips_mips32: MIPS32R2 code)
#   mipsel-unknown-linux-musl        mipsel_24kc (ramips) mipsel_74kc (bcm47xx)
#   riscv64gc-unknown-linux-musl     riscv64_riscv64
#
# The package: /usr/bin/TOOL (no man pages: OpenWrt ships none), the procd init script
# /etc/init.d/svscan (svscanboot on /etc/service; its stop sends TERM to svscan itself,
# which stops the whole tree), /etc/config/svscan (the service directory; the one
# conffile), /etc/service, and /lib/upgrade/keep.d/daemontools-rs so sysupgrade keeps
# /etc/service. postinst/prerm are OpenWrt's defaults (enable+start, stop+disable).
# Templates: targets/packaging/openwrt/. Tested by tests/packages.sh (structure, and a
# run in a busybox root).
# Usage: targets/ipk.sh [OPENWRT_ARCH...]   (IPK_MAINTAINER overrides the Maintainer,
# default the last commit's author)   Exit codes: 0 done, 100 usage, 111 failure.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
repo=$PWD
tpl=targets/packaging/openwrt
fatal() { printf 'ipk: fatal: %s\n' "$*" >&2; exit 111; }

declare -A triple
order=()
map() { local t=$1 a; shift; for a in "$@"; do triple[$a]=$t; order+=("$a"); done; }
map x86_64-unknown-linux-musl x86_64
map i686-unknown-linux-musl i386_pentium4
map aarch64-unknown-linux-musl aarch64_generic aarch64_cortex-a53 aarch64_cortex-a72 aarch64_cortex-a76
map armv7-unknown-linux-musleabihf arm_cortex-a7_neon-vfpv4 arm_cortex-a9_vfpv3-d16 \
  arm_cortex-a15_neon-vfpv4 arm_cortex-a9_neon arm_cortex-a8_vfpv3 arm_cortex-a5_vfpv4
map arm-unknown-linux-musleabi arm_arm1176jzf-s_vfp
map armv5te-unknown-linux-musleabi arm_xscale arm_arm926ej-s
map mips-unknown-linux-musl mips_24kc
map mipsel-unknown-linux-musl mipsel_24kc mipsel_74kc
map riscv64gc-unknown-linux-musl riscv64_riscv64
if [ "${1-}" = --list ]; then   # ARCH TARGET per line
  for a in "${order[@]}"; do printf '%s %s\n' "$a" "${triple[$a]}"; done; exit 0
fi
if [ $# -eq 0 ]; then set -- "${order[@]}"; fi
for a in "$@"; do
  [ -n "${triple[$a]-}" ] || { echo "ipk: usage: unknown OpenWrt architecture: $a (targets/ipk.sh --list)" >&2; exit 100; }
done

version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
               s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
[ -n "$version" ] || fatal "no [workspace.package] version in Cargo.toml"
pkgver=$version-1
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2> /dev/null || date +%s)}
maintainer=${IPK_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2> /dev/null || true)}
[ -n "$maintainer" ] || fatal "no maintainer: set IPK_MAINTAINER='Name <address>'"
tools=(svscanboot)
for f in bins/src/bin/*.rs; do f=${f##*/}; tools+=("${f%.rs}"); done

# targz DIR OUT PATH...: a reproducible tar.gz as ipkg-build writes it
targz() {
  local dir=$1 out=$2; shift 2
  (cd "$dir" && tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
     --mtime="@$epoch" -cf - "$@") | gzip -9n > "$out"
}

out=$repo/target/packages
mkdir -p "$out"
scratch=$(mktemp -d "$out/.ipk.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for arch in "$@"; do
  t=${triple[$arch]}
  dist=target/dist/$t
  for tool in "${tools[@]}"; do
    [ -f "$dist/$tool" ] && [ -x "$dist/$tool" ] || fatal "$dist/$tool missing: run targets/build.sh $t"
  done
  d=$scratch/data c=$scratch/control p=$scratch/pkg
  rm -rf "$d" "$c" "$p"
  mkdir -p "$d/usr/bin" "$d/etc/init.d" "$d/etc/config" "$d/etc/service" "$d/lib/upgrade/keep.d" "$c" "$p"
  for tool in "${tools[@]}"; do install -m 755 "$dist/$tool" "$d/usr/bin/$tool"; done
  install -m 755 "$tpl/svscan.init" "$d/etc/init.d/svscan"
  install -m 644 "$tpl/svscan.config" "$d/etc/config/svscan"
  install -m 644 "$tpl/keep.d" "$d/lib/upgrade/keep.d/daemontools-rs"
  targz "$d" "$p/data.tar.gz" .
  size=$(gzip -dc "$p/data.tar.gz" | wc -c)   # as ipkg-build counts it
  cat > "$c/control" << EOF
Package: daemontools-rs
Version: $pkgver
Source: daemontools-rs
SourceName: daemontools-rs
License: MIT
LicenseFiles: LICENSE
Section: utils
SourceDateEpoch: $epoch
Maintainer: $maintainer
Architecture: $arch
Installed-Size: $size
Description: daemontools rewritten in Rust: svscan, supervise, svc, svstat, multilog
 and the other daemontools 0.76 tools as static binaries, with a procd init
 script that runs svscan on /etc/service. Built for the Rust target $t.
EOF
  printf '%s\n' /etc/config/svscan > "$c/conffiles"
  install -m 755 "$tpl/postinst" "$c/postinst"
  install -m 755 "$tpl/prerm" "$c/prerm"
  chmod 644 "$c/control" "$c/conffiles"
  targz "$c" "$p/control.tar.gz" .
  echo 2.0 > "$p/debian-binary"
  ipk=$out/daemontools-rs_${pkgver}_$arch.ipk
  targz "$p" "$scratch/new.ipk" ./debian-binary ./data.tar.gz ./control.tar.gz
  mv -f "$scratch/new.ipk" "$ipk"
  printf 'ipk: %s (%s)\n' "target/packages/${ipk##*/}" "$t" >&2
done
