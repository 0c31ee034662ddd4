#!/usr/bin/env bash
# Build every tool for every target (or the targets named), static and stripped, and
# collect them in target/dist/<target>/. Needs only rustup: stable + rust-src + rust-lld.
# Usage: targets/build.sh [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1   # build-std on the stable toolchain (read by cargo itself)
rustup component list --installed 2>/dev/null | grep -q '^rust-src' || rustup component add rust-src

if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(grep -v '^#' targets/targets.txt | awk 'NF {print $1}'); fi

# Cargo's noise: build-std hints, the patched-rustix note, and rustc's notice that
# `+ermsb` (x86_64, see targets/README.md) is an unstable feature, repeated per binary.
quiet() {
  grep -v -e 'hints.mostly-unused' -e 'was not used in the crate graph' -e 'ermsb' \
    -e 'not stably supported' -e 'generated 1 warning' -e '^  |$' >&2 || true
}

# rustix 1.1.6 refuses linux_raw on 32-bit big-endian MIPS: build that target against a
# patched copy (targets/patches), resolved with its own lock file so Cargo.lock never flips.
mipseb_args() {
  local dst=target/patched/rustix-1.1.6 src
  if [ ! -f "$dst/.patched" ]; then
    cargo fetch -q
    src=$(cargo metadata --format-version 1 | grep -o '"manifest_path":"[^"]*/rustix-1\.1\.6/Cargo\.toml"' | head -1 | sed 's/.*":"//; s#/Cargo\.toml"##')
    rm -rf "$dst"; mkdir -p target/patched; cp -r "$src" "$dst"
    patch -s "$dst/Cargo.toml" < targets/patches/rustix-mipseb-Cargo.toml.diff
    patch -s "$dst/build.rs" < targets/patches/rustix-mipseb-build.rs.diff
    touch "$dst/.patched"
  fi
  cp Cargo.lock target/patched/Cargo.lock
  printf '%s\n' -Zlockfile-path \
    --config "resolver.lockfile-path=\"$PWD/target/patched/Cargo.lock\"" \
    --config "patch.crates-io.rustix.path=\"$PWD/target/patched/rustix-1.1.6\""
}

# One cargo run for all targets sharing a configuration (much faster than one per target).
plain=(); mipseb=no
for t in "${targets[@]}"; do
  if [ "$t" = mips-unknown-linux-musl ]; then mipseb=yes; else plain+=(--target "$t"); fi
done
if [ ${#plain[@]} -gt 0 ]; then cargo xbuild "${plain[@]}" 2> >(quiet); fi
if [ $mipseb = yes ]; then
  mapfile -t extra < <(mipseb_args)
  cargo xbuild --target mips-unknown-linux-musl "${extra[@]}" 2> >(quiet)
fi

tools=$(ls bins/src/bin | sed 's/\.rs$//')
for t in "${targets[@]}"; do
  mkdir -p "target/dist/$t"
  # -f: replace a binary that is running (a supervise from a test or the demo).
  for tool in $tools; do cp -f "target/$t/release/$tool" "target/dist/$t/$tool"; done
  cp -f bins/svscanboot "target/dist/$t/svscanboot"   # a sh script, as in the original
done
echo "built: target/dist/{$(IFS=,; echo "${targets[*]}")}" >&2
