#!/usr/bin/env bash
# The main job: build the tools for this machine and show them at work.
# (Until the supervisor lands this demonstrates the timestamp tools.)
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) t=x86_64-unknown-linux-musl ;;
  i?86) t=i686-unknown-linux-musl ;;
  aarch64) t=aarch64-unknown-linux-musl ;;
  armv7*) t=armv7-unknown-linux-musleabihf ;;
  armv6*) t=arm-unknown-linux-musleabi ;;
  armv5*) t=armv5te-unknown-linux-musleabi ;;
  mips) t=mips-unknown-linux-musl ;;
  mipsel) t=mipsel-unknown-linux-musl ;;
  riscv64) t=riscv64gc-unknown-linux-musl ;;
  *) echo "demo: no target for $(uname -m)" >&2; exit 100 ;;
esac
rustup component list --installed 2>/dev/null | grep -q '^rust-src' || rustup component add rust-src
targets/build.sh "$t"
bin=target/dist/$t
echo; echo "== tools built in $bin:"; ls -l "$bin"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo; echo "== a service's output, labelled by tai64n as it arrives:"
{ echo "starting"; sleep 0.3; echo "ready: listening"; sleep 0.2; echo "request served"; } | "$bin/tai64n" | tee "$log"
echo; echo "== the same log in local time (tai64nlocal, TZ=${TZ:-/etc/localtime}):"
"$bin/tai64nlocal" < "$log"
echo; echo "== in an OpenWrt rule zone (TZ=CET-1CEST,M3.5.0,M10.5.0/3):"
TZ=CET-1CEST,M3.5.0,M10.5.0/3 "$bin/tai64nlocal" < "$log"
echo; echo "== as Unix seconds (tai64nfrac):"
"$bin/tai64nfrac" < "$log"
