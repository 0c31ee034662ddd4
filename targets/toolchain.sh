#!/usr/bin/env bash
# Makes sure the toolchain rust-toolchain.toml pins is there, with rust-src (build-std),
# rustfmt and clippy. Where the stable toolchain is that very release it is used under the
# pinned name (no download; rustup refuses to `link` a name that looks like a release,
# hence the symlink); otherwise rustup installs the pinned release. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
pin=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
if ! rustup run "$pin" rustc --version >/dev/null 2>&1; then
  stable=$(rustup run stable rustc --version 2>/dev/null | cut -d' ' -f2 || true)
  if [ "$stable" = "$pin" ]; then
    host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
    echo "toolchain: using stable as $pin" >&2
    ln -sfn "$(rustup run stable rustc --print sysroot)" "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$pin-$host"
  else
    echo "toolchain: installing rust $pin" >&2
    RUSTUP_AUTO_INSTALL=1 rustup toolchain install "$pin" --profile minimal
  fi
fi
installed=$(rustup component list --installed 2>/dev/null)
for c in rust-src rustfmt clippy; do
  grep -q "^$c" <<<"$installed" || rustup component add "$c"
done
