#!/usr/bin/env bash
# The whole test suite, as CI runs it, in named steps a developer can also run one at a
# time: `ci/run.sh` runs them all in order, `ci/run.sh STEP...` only those, `ci/run.sh
# --list` names them. Most steps need the tools built (the `build` step); run as root
# (some tests mount file systems, set the clock, change accounts or unshare a pid
# namespace; as another user those say "skipped").
set -euo pipefail
cd "$(dirname "$0")/.."

# name|what it does|command
steps=(
  "setup|rustup components and the Debian packages the tests compare against|ci/setup.sh"
  "format|cargo fmt --check|cargo fmt --all --check"
  "clippy|clippy on the host and on the tools, warnings denied|ci_clippy"
  "build|every tool for the nine targets; MIPS binaries checked for \$at after syscall|targets/build.sh"
  "no-panic|no panic reachable in our code (x86_64, armv7; allow-list in the script)|targets/check-no-panic.sh"
  "sizes|the size report (the budget is a test)|targets/size-report.sh"
  "tests|unit, qemu, differential, fault, hostile-input and soak tests|cargo test --workspace --exclude dt-bins"
  "walkthrough|the README's commands and answers|tests/walkthrough.sh"
  "svscanboot|svscanboot, readproctitle and leftovers|tests/svscanboot.sh"
  "install|the installer's layouts and boot files|tests/install.sh"
  "packages|.deb in a Debian chroot, .ipk and release archives in busybox roots|tests/packages.sh"
  "real-daemons|djbdns, tcpserver and Debian's daemontools-run layout|tests/real_daemons.sh"
  "real-kernels|Debian kernels under qemu-system with svscan as process 1, ending in each signal|tests/boot/boot.sh"
  "fuzz|every fuzz target for 15 seconds|core/fuzz/run-all.sh 15"
)

ci_clippy() {
  cargo clippy --all-targets -- -D warnings
  RUSTC_BOOTSTRAP=1 cargo clippy -q -p dt-bins --release --target x86_64-unknown-linux-musl \
    -Zbuild-std=core,compiler_builtins -Zbuild-std-features=compiler-builtins-mem -- -D warnings
}

if [ "${1:-}" = --list ]; then
  for s in "${steps[@]}"; do IFS='|' read -r name what _ <<<"$s"; printf '%-13s %s\n' "$name" "$what"; done
  exit 0
fi
for want in "$@"; do
  printf '%s\n' "${steps[@]}" | grep -q "^$want|" || { echo "ci/run.sh: no step '$want' (--list)" >&2; exit 100; }
done
for s in "${steps[@]}"; do
  IFS='|' read -r name what command <<<"$s"
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  printf '\n== %s: %s\n' "$name" "$what" >&2
  eval "$command"
done
