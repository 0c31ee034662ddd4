#!/usr/bin/env bash
# Install what building and testing need, if missing: the pinned Rust toolchain with rust-src, rustfmt and
# clippy, qemu-user-static (the eight foreign targets), and the Debian originals the
# tests and benchmarks compare against (daemontools, s6, hyperfine), and procps and
# util-linux (ps, setpriv, prlimit) for the fault tests, and llvm (llvm-objdump, for
# targets/check-mips-at.py), debootstrap and lintian (the package tests), and e2fsprogs
# (the boot test's disk image: mke2fs -d, debugfs, e2fsck). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pair in qemu-mips-static:qemu-user-static tai64nlocal:daemontools s6-tai64n:s6 hyperfine:hyperfine \
    ps:procps setpriv:util-linux prlimit:util-linux llvm-objdump:llvm debootstrap:debootstrap \
    lintian:lintian mke2fs:e2fsprogs debugfs:e2fsprogs; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need_apt+=("${pair#*:}")
done
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
# The boot test and the real-daemon test fetch packages: the lists must exist.
if [ ${#need_apt[@]} -eq 0 ] && ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

targets/toolchain.sh
