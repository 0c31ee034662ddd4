#!/bin/sh
# Print the Rust target of this machine (one of targets/targets.txt), from `uname -m`;
# exit 100 with a message if the machine is none of the nine.
case "$(uname -m)" in
  x86_64) echo x86_64-unknown-linux-musl ;;
  i?86) echo i686-unknown-linux-musl ;;
  aarch64) echo aarch64-unknown-linux-musl ;;
  armv7*) echo armv7-unknown-linux-musleabihf ;;
  armv6*) echo arm-unknown-linux-musleabi ;;
  armv5*) echo armv5te-unknown-linux-musleabi ;;
  mips) echo mips-unknown-linux-musl ;;
  mipsel) echo mipsel-unknown-linux-musl ;;
  riscv64) echo riscv64gc-unknown-linux-musl ;;
  *) echo "host-target: no target for $(uname -m)" >&2; exit 100 ;;
esac
