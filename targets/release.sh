#!/usr/bin/env bash
# Make the release archives: target/archives/daemontools-rs-VERSION-TARGET.tar.gz for each
# TARGET given (default: every target of targets/targets.txt), from target/dist/TARGET
# (run targets/build.sh first). Each unpacks into daemontools-rs-VERSION-TARGET/ with
#   bin/        the tools and svscanboot        man/man8/   the man pages
#   boot/       the boot files (targets/boot)   install.sh  the installer (targets/install.sh)
#   TARGET, VERSION, README.md, LICENSE, INSTALL, and SHA256SUMS of every other file.
# Install from it with `daemontools-rs-VERSION-TARGET/install.sh package|prefix ...`
# (bash), or `targets/install.sh ... --from DIR`. The archives are reproducible: names
# sorted, owner root, mtimes from SOURCE_DATE_EPOCH or the last commit, gzip -n.
# Usage: targets/release.sh [TARGET...]   Exit codes: 0 done, 100 usage, 111 failure.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
repo=$PWD
fatal() { printf 'release: fatal: %s\n' "$*" >&2; exit 111; }

version=$(awk '/^\[/ { s = ($0 == "[workspace.package]") }
               s && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)
[ -n "$version" ] || fatal "no [workspace.package] version in Cargo.toml"
all=$(awk '!/^#/ && NF { print $1 }' targets/targets.txt)
if [ $# -eq 0 ]; then set -- $all; fi
for t in "$@"; do
  grep -qxF -- "$t" <<< "$all" || { echo "release: usage: unknown target: $t (see targets/targets.txt)" >&2; exit 100; }
done
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2> /dev/null || date +%s)}

tools=(svscanboot)
for f in bins/src/bin/*.rs; do f=${f##*/}; tools+=("${f%.rs}"); done

out=$repo/target/archives
mkdir -p "$out"
scratch=$(mktemp -d "$out/.release.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for t in "$@"; do
  dist=target/dist/$t
  for tool in "${tools[@]}"; do
    [ -f "$dist/$tool" ] && [ -x "$dist/$tool" ] || fatal "$dist/$tool missing: run targets/build.sh $t"
  done
  name=daemontools-rs-$version-$t
  d=$scratch/$name
  mkdir -p "$d/bin" "$d/man/man8" "$d/boot"
  for tool in "${tools[@]}"; do install -m 755 "$dist/$tool" "$d/bin/$tool"; done
  install -m 644 bins/man/*.8 "$d/man/man8/"
  install -m 644 targets/boot/* "$d/boot/"
  install -m 755 targets/install.sh "$d/install.sh"
  install -m 644 README.md LICENSE "$d/"
  printf '%s\n' "$t" > "$d/TARGET"
  printf '%s\n' "$version" > "$d/VERSION"
  cat > "$d/INSTALL" << EOF
daemontools-rs $version for $t: static binaries, no libc needed.

Install (needs bash; as root, or with --root/--destdir into a firmware tree):
  ./install.sh package [--root DIR] [--boot KIND]   DJB's layout: /package/admin, /command, /service
  ./install.sh prefix [--destdir DIR] [--prefix /usr] [--boot KIND]   PREFIX/bin, PREFIX/share/man/man8
KIND: inittab rc.local systemd upstart openwrt busybox (boot/README.md).
The installer checks SHA256SUMS first. Without bash, copy bin/* to a directory
on PATH by hand (check with: sha256sum -c SHA256SUMS).
EOF
  (cd "$d" && find . -type f ! -name SHA256SUMS | LC_ALL=C sort | sed 's|^\./||' |
     while IFS= read -r f; do sha256sum "$f"; done > SHA256SUMS)
  tar -C "$scratch" --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
      --mtime="@$epoch" -cf - "$name" | gzip -9n > "$scratch/$name.tar.gz"
  mv -f "$scratch/$name.tar.gz" "$out/$name.tar.gz"
  rm -rf "$d"
  printf 'release: %s\n' "target/archives/$name.tar.gz" >&2
done
