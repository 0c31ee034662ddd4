#!/usr/bin/env bash
# Fails when a release binary can still reach the panic handler from a place not on the
# allow-list below. Builds every tool for x86_64 and armv7 (one 64-bit and one 32-bit
# target: bounds that LLVM proves on one it may not on the other) with the release
# profile, but unstripped and with line tables, into target/nopanic (target/dist is not
# touched), then lets targets/check-no-panic.py follow each call into core's panic
# functions back to its source line. Needs llvm-objdump and llvm-symbolizer.
# Usage: targets/check-no-panic.sh [-v]   (-v: list the allowed sites too)
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
targets=(x86_64-unknown-linux-musl armv7-unknown-linux-musleabihf)

# Allowed panic sites: TOOLS REGEX # reason. REGEX is matched against the site's chain of
# frames outside Rust's library, innermost first, ending at the first frame in bins/ or
# core/ (run with -v to see them). Dependencies are pinned, so their lines are exact.
allow=$(cat <<'EOF'
# rustix's no_std OwnedFd/BorrowedFd assert that a descriptor is not -1 (from_raw_fd,
# borrow_raw). Unreachable: descriptors come from the kernel, whose results from -4095
# to -1 rustix decodes as errors first. Every tool opens or borrows a descriptor.
*          rustix-1\.1\.6/src/maybe_polyfill/no_std/os/fd/owned\.rs:(89|201):
# rustix RawDir::next slices its buffer at the offset of the next record the kernel
# wrote; unreachable while getdents64 returns whole records (file::for_each_entry).
*          ^rustix-1\.1\.6/src/fs/raw_dir\.rs:214:
# rustix KernelSigSet::insert indexes its words by signal number; our signals are
# rustix's constants, all below 65 (process::ChildSignals::with).
*          ^rustix-1\.1\.6/src/kernel_sigset\.rs:\d+:
# rustix's cstr!("") (fstat goes through statx on 32-bit targets) asserts that its
# literal holds no NUL; opt-level "z" does not fold that away. The literal is empty.
# (Line 40, the test, where two such asserts share one call: svstat on armv7.)
*          ^rustix-1\.1\.6/src/cstr\.rs:(39|40):
# heapless Vec's IntoIter::drop slices at its own cursor, never past the length.
*          ^heapless-0\.9\.1/src/vec/mod\.rs:1527:
EOF
)

args=(); for t in "${targets[@]}"; do args+=(--target "$t"); done
CARGO_TARGET_DIR=target/nopanic CARGO_PROFILE_RELEASE_STRIP=false \
  CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo xbuild "${args[@]}" 2> >(
    grep -v -e 'hints.mostly-unused' -e 'ermsb' -e 'thumb-mode' -e 'not stably supported' \
      -e 'generated 1 warning' -e '^  |$' -e '^ *= note' >&2 || true)
tools=$(ls bins/src/bin | sed 's/\.rs$//')
binaries=()
for t in "${targets[@]}"; do for tool in $tools; do binaries+=("target/nopanic/$t/release/$tool"); done; done
targets/check-no-panic.py "$@" "${binaries[@]}" <<< "$allow"
