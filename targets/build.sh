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
  grep -v -e 'hints.mostly-unused' -e 'was not used in the crate graph' -e 'ermsb' -e 'thumb-mode' \
    -e 'not stably supported' -e 'generated 1 warning' -e '^  |$' >&2 || true
}

# Both MIPS targets and i686 build against a patched copy of rustix 1.1.6 (targets/patches),
# resolved with its own lock file so Cargo.lock never flips: its syscall asm keeps `$at` ($1)
# across `syscall` (the o32 return path does not restore it; only qemu-user does), 32-bit
# big-endian MIPS is allowed on linux_raw, and i686 makes its syscalls with `int 0x80`
# instead of looking up the vDSO's `__kernel_vsyscall` (1.7 KB per binary). Each patch
# touches only its architecture. The copy is redone whenever a patch changes.
patched_args() {
  local dst=target/patched/rustix-1.1.6 src sum
  sum=$(cat targets/patches/rustix-*.diff | cksum)
  if [ "$(cat "$dst/.patched" 2>/dev/null)" != "$sum" ]; then
    cargo fetch -q
    src=$(cargo metadata --format-version 1 | grep -o '"manifest_path":"[^"]*/rustix-1\.1\.6/Cargo\.toml"' | head -1 | sed 's/.*":"//; s#/Cargo\.toml"##')
    rm -rf "$dst"; mkdir -p target/patched; cp -r "$src" "$dst"
    patch -s "$dst/Cargo.toml" < targets/patches/rustix-mipseb-Cargo.toml.diff
    patch -s "$dst/build.rs" < targets/patches/rustix-mipseb-build.rs.diff
    patch -s -d "$(dirname "$dst")" -p0 < targets/patches/rustix-mips-at.diff
    patch -s -d "$(dirname "$dst")" -p0 < targets/patches/rustix-x86-int80.diff
    echo "$sum" > "$dst/.patched"
  fi
  cp Cargo.lock target/patched/Cargo.lock
  printf '%s\n' -Zlockfile-path \
    --config "resolver.lockfile-path=\"$PWD/target/patched/Cargo.lock\"" \
    --config "patch.crates-io.rustix.path=\"$PWD/target/patched/rustix-1.1.6\""
}

# One cargo run for all targets sharing a configuration (much faster than one per target).
plain=(); patched=()
for t in "${targets[@]}"; do
  case $t in
    mips-*|mipsel-*|i686-*) patched+=(--target "$t") ;;
    *) plain+=(--target "$t") ;;
  esac
done
if [ ${#plain[@]} -gt 0 ]; then cargo xbuild "${plain[@]}" 2> >(quiet); fi
if [ ${#patched[@]} -gt 0 ]; then
  mapfile -t extra < <(patched_args)
  cargo xbuild "${patched[@]}" "${extra[@]}" 2> >(quiet)
  # The kernel clobbers $at in `syscall`: no MIPS binary may read it afterwards.
  for t in "${patched[@]}"; do
    case $t in mips*) targets/check-mips-at.py $(ls bins/src/bin | sed "s#^#target/$t/release/#; s#\.rs\$##") ;; esac
  done
fi

tools=$(ls bins/src/bin | sed 's/\.rs$//')
for t in "${targets[@]}"; do
  mkdir -p "target/dist/$t"
  # -f: replace a binary that is running (a supervise from a test or the demo).
  for tool in $tools; do cp -f "target/$t/release/$tool" "target/dist/$t/$tool"; done
  cp -f bins/svscanboot "target/dist/$t/svscanboot"   # a sh script, as in the original
done
echo "built: target/dist/{$(IFS=,; echo "${targets[*]}")}" >&2
