# shellcheck shell=bash
# Sourced by the benchmark scripts in bench/ (not run by itself). Moves to the
# repository root and provides:
#   bench_ours TOOL...  exit 111 ("build first") unless ours are built for this machine
#   bench_peers         the Debian peers: daemontools, s6, hyperfine (and tzdata) installed
#                       with apt-get; runit and busybox-static only unpacked into
#                       target/bench/peers/ (apt-get download + dpkg -x): runit's maintainer
#                       scripts would set up /etc/runit, /etc/sv and /etc/service, enable a
#                       syslog service, add a user and may signal init; busybox-static
#                       replaces busybox (which initramfs-tools uses) and rebuilds the initramfs
#   bench_lines         target/bench/lines.txt: 1,000,000 lines of 100 bytes (made once)
#   bench_tmp           a scratch directory, $BENCH_TMP; on exit, every process still
#                       working in it (or naming it) is killed and the directory removed
#   bench_run CMD...    runs the measurements in the background and waits, so that a
#                       signal to the script stops them at once (and then cleans up)
# and exports what bench/bench.py reads: BENCH_OURS, BENCH_PEERS, BENCH_LINES,
# BENCH_TMP.
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BENCH_OURS=$PWD/target/dist/x86_64-unknown-linux-musl
BENCH_PEERS=$PWD/target/bench/peers
export BENCH_OURS BENCH_PEERS

bench_ours() {
  local tool missing=()
  for tool in "$@"; do
    [ -x "$BENCH_OURS/$tool" ] || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build first: targets/build.sh (missing in $BENCH_OURS: ${missing[*]})" >&2
    exit 111
  fi
}

bench_peers() {
  local sudo='' need=() pair pkg deb dl
  [ "$(id -u)" = 0 ] || sudo=sudo
  for pair in /usr/bin/tai64nlocal:daemontools /usr/bin/s6-tai64n:s6 \
    /usr/bin/hyperfine:hyperfine /usr/share/zoneinfo/Europe/Berlin:tzdata; do
    [ -e "${pair%%:*}" ] || need+=("${pair#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "bench: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  for pkg in runit busybox-static; do
    [ -s "$BENCH_PEERS/$pkg/version" ] && continue
    echo "bench: unpacking $pkg into $BENCH_PEERS/$pkg" >&2
    dl=$(mktemp -d)
    if ! (cd "$dl" && apt-get download -q "$pkg") >"$dl/log" 2>&1; then
      $sudo apt-get update -qq
      (cd "$dl" && apt-get download -q "$pkg") >"$dl/log" 2>&1 || { cat "$dl/log" >&2; rm -rf "$dl"; return 1; }
    fi
    deb=$(echo "$dl"/*.deb)
    rm -rf "${BENCH_PEERS:?}/$pkg"
    mkdir -p "$BENCH_PEERS/$pkg"
    dpkg -x "$deb" "$BENCH_PEERS/$pkg"
    dpkg-deb -f "$deb" Version >"$BENCH_PEERS/$pkg/version"
    rm -rf "$dl"
  done
}

bench_lines() {
  BENCH_LINES=$PWD/target/bench/lines.txt
  export BENCH_LINES
  [ "$(stat -c %s "$BENCH_LINES" 2>/dev/null)" = 100000000 ] && return 0
  mkdir -p target/bench
  python3 -c '
import sys
line = b"x" * 88
out = sys.stdout.buffer
for i in range(1_000_000):
    out.write(b"%010d " % i + line + b"\n")' >"$BENCH_LINES.$$"
  mv "$BENCH_LINES.$$" "$BENCH_LINES"
}

bench_pids() { # the processes working in directory $1 or naming it in their arguments
  local p cwd
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    case $cwd/ in "$1"/*)
      echo "${p#/proc/}"
      continue
      ;;
    esac
    tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF "$1" && echo "${p#/proc/}"
  done
  return 0
}

bench_cleanup() {
  local i pids
  if [ -n "${BENCH_CHILD:-}" ]; then
    kill -TERM "$BENCH_CHILD" 2>/dev/null || true
    wait "$BENCH_CHILD" 2>/dev/null || true
  fi
  [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ] || return 0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(bench_pids "$BENCH_TMP")
    [ -n "$pids" ] || break
    [ "$i" = 1 ] && echo "bench: stopping what is left: ${pids//$'\n'/ }" >&2
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  rm -rf "$BENCH_TMP"
}

bench_tmp() {
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dt-bench.XXXXXX")
  export BENCH_TMP
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_run() {
  "$@" &
  BENCH_CHILD=$!
  local rc=0
  wait "$BENCH_CHILD" || rc=$?
  BENCH_CHILD=
  return $rc
}
