#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, lints, every tool for all nine targets
# (the MIPS ones checked for `$at` after `syscall`), the size budget, unit tests, the
# integration tests (native, under qemu-user, and against the Debian originals), real
# daemons in Debian's layout, real kernels under qemu-system, and the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*" >&2; }

step setup;             tests/setup.sh
step format;            cargo fmt --all --check
step "clippy (host)";   cargo clippy --all-targets -- -D warnings
step "clippy (tools)";  RUSTC_BOOTSTRAP=1 cargo clippy -q -p dt-bins --release \
                          --target x86_64-unknown-linux-musl -Zbuild-std=core,compiler_builtins \
                          -Zbuild-std-features=compiler-builtins-mem -- -D warnings
step "build (9 targets)"; targets/build.sh
step "size report";     targets/size-report.sh
step tests;             cargo test --workspace --exclude dt-bins
step "README walkthrough"; tests/walkthrough.sh
step svscanboot;        tests/svscanboot.sh
step install;           tests/install.sh
step packages;          tests/packages.sh
step "real daemons";    tests/real_daemons.sh
step "real kernels";    tests/boot/boot.sh
step "fuzz (15 s each)"; core/fuzz/run-all.sh 15
