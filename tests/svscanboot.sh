#!/usr/bin/env bash
# Runs bins/svscanboot (under dash, then busybox sh if present) on a scratch service
# directory, with a scratch command directory of symlinks to the built x86_64 tools, and
# checks: a supervise left over from before is stopped with svc -dx; services come up,
# and a log service receives the service's output; readproctitle shows
# "readproctitle service errors: ..." in ps, and a failing supervise's error appears at
# the end of that title. Prints "svscanboot test: ok", or names the check that failed.
# Usage: tests/svscanboot.sh   (after targets/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dist=$repo/target/dist/x86_64-unknown-linux-musl
boot=$repo/bins/svscanboot

fail() { printf 'svscanboot test: %s\n' "$*" >&2; exit 1; }
for tool in supervise svc svok svstat svscan readproctitle; do
  [ -x "$dist/$tool" ] || fail "$dist/$tool missing: run targets/build.sh"
done
svc=$dist/svc svstat=$dist/svstat

tmp=$(mktemp -d)
# The processes of the current run, each killed only after its cmdline is checked.
sdir= svscan_pid= rpt_pid= old_pid= boot_pid=

# alive PID: the process exists and is not a zombie.
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }
# wait_gone PID: polls up to 10 s for the process to end.
wait_gone() { for _ in $(seq 100); do alive "$1" || return 0; sleep 0.1; done; return 1; }
# kill_checked PID PREFIX: TERM to PID if its cmdline (NULs as spaces) starts with PREFIX.
kill_checked() {
  local pid=$1 cmd
  [ -n "$pid" ] && [ "$pid" -gt 1 ] && alive "$pid" || return 0
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 0
  [[ $cmd == "$2"* ]] && kill "$pid" 2>/dev/null || true
}
stop_run() {
  [ -n "$sdir" ] || return 0
  if [ -n "$boot_pid" ]; then                      # a check failed before they were found
    [ -n "$svscan_pid" ] || svscan_pid=$(pgrep -s "$boot_pid" -x svscan | head -n 1 || true)
    [ -n "$rpt_pid" ] || rpt_pid=$(pgrep -s "$boot_pid" -x readproctitle | head -n 1 || true)
  fi
  kill_checked "$svscan_pid" "svscan $sdir"        # first, so it restarts nothing
  [ -z "$svscan_pid" ] || wait_gone "$svscan_pid" || true
  "$svc" -dx "$sdir"/* "$sdir"/*/log 2>/dev/null || true
  local p
  if [ -n "$boot_pid" ]; then                      # svscan's supervise processes
    for p in $(pgrep -s "$boot_pid" -x supervise || true); do
      wait_gone "$p" || kill_checked "$p" supervise
    done
  fi
  [ -z "$old_pid" ] || wait_gone "$old_pid" || kill_checked "$old_pid" "$dist/supervise"
  [ -z "$rpt_pid" ] || wait_gone "$rpt_pid" || kill_checked "$rpt_pid" readproctitle
  [ -z "$boot_pid" ] || wait_gone "$boot_pid" || kill_checked "$boot_pid" "$shell $boot"
  sdir= svscan_pid= rpt_pid= old_pid= boot_pid=
}
cleanup() { stop_run; rm -rf "$tmp"; }
trap cleanup EXIT

# service DIR COMMAND: a service directory whose run execs COMMAND.
service() { mkdir -p "$1"; printf '#!/bin/sh\nexec %s\n' "$2" > "$1/run"; chmod +x "$1/run"; }
# wait_up STEP DIR: polls svstat DIR up to 10 s until it says up.
wait_up() {
  local s=
  for _ in $(seq 100); do
    s=$("$svstat" "$2") && [[ $s == "$2: up "* ]] && return 0
    sleep 0.1
  done
  fail "$shell, $1: svstat printed '$s', expected up"
}
title() { ps -ww -o args= -p "$rpt_pid"; }

# run_one SHELL HOW: one boot under SHELL, svscanboot configured by arguments
# (HOW=args, with misleading variables set: arguments win) or by variables (HOW=env).
run_one() {
  shell=$1
  local root=$tmp/${1%% *}-$2 cmd s
  sdir=$root/service cmd=$root/command
  mkdir -p "$sdir" "$cmd"
  ln -s "$dist"/* "$cmd"/
  service "$sdir/old" 'sleep 1000'
  service "$sdir/a" "sh -c 'echo hello from a; exec sleep 1000'"
  service "$sdir/a/log" 'cat >> ../log.txt'

  # A supervise left over from before boot.
  "$dist/supervise" "$sdir/old" 2>/dev/null &
  old_pid=$!
  wait_up "leftover supervise" "$sdir/old"

  if [ "$2" = args ]; then
    SVSCANBOOT_SERVICE=/nonexistent SVSCANBOOT_COMMAND=/nonexistent \
      setsid $shell "$boot" "$sdir" "$cmd" &
  else
    SVSCANBOOT_SERVICE=$sdir SVSCANBOOT_COMMAND=$cmd setsid $shell "$boot" &
  fi
  boot_pid=$!

  wait_gone "$old_pid" || fail "$shell: the leftover supervise $old_pid still runs"
  for _ in $(seq 100); do
    svscan_pid=$(pgrep -s "$boot_pid" -x svscan || true)
    rpt_pid=$(pgrep -s "$boot_pid" -x readproctitle || true)
    [ -n "$svscan_pid" ] && [ -n "$rpt_pid" ] && break
    sleep 0.1
  done
  [ -n "$svscan_pid" ] || fail "$shell: no svscan in session $boot_pid"
  [ -n "$rpt_pid" ] || fail "$shell: no readproctitle in session $boot_pid"
  [ "$(tr '\0' ' ' < "/proc/$svscan_pid/cmdline")" = "svscan $sdir " ] ||
    fail "$shell: svscan runs as '$(tr '\0' ' ' < "/proc/$svscan_pid/cmdline")'"
  for p in "$svscan_pid" "$rpt_pid"; do
    [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$cmd/$(cat "/proc/$p/comm")")" ] ||
      fail "$shell: pid $p runs $(readlink "/proc/$p/exe"), not ours"
  done

  # old comes up again, under svscan's supervise (maybe after the 5 s scan: the
  # leftover may still have held the lock at the first attempt).
  wait_up "service a" "$sdir/a"
  wait_up "service a/log" "$sdir/a/log"
  wait_up "service old under svscan" "$sdir/old"
  for _ in $(seq 100); do
    grep -qx 'hello from a' "$sdir/a/log.txt" 2>/dev/null && break
    sleep 0.1
  done
  grep -qx 'hello from a' "$sdir/a/log.txt" 2>/dev/null ||
    fail "$shell: a/log.txt does not have a's output"

  s=$(title)
  [[ $s =~ ^readproctitle\ service\ errors:\ \.\.\. ]] ||
    fail "$shell: readproctitle's title is '$s'"
  # "readproctitle service errors: " and the 400 bytes of the last argument.
  [ "${#s}" = 430 ] || fail "$shell: readproctitle's title has ${#s} bytes, expected 430"

  # A service without run: supervise's error reaches the end of the title (ps shows
  # the newline as '?'). inotify picks the directory up at once.
  mkdir "$sdir/broken"
  local re='supervise: fatal: unable to start broken/run: file does not exist.?$'
  for _ in $(seq 50); do
    s=$(title)
    [[ $s =~ $re ]] && break
    sleep 0.1
  done
  [[ $s =~ $re ]] || fail "$shell: readproctitle's title is '$s', expected /$re/"
  [ "${#s}" = 430 ] || fail "$shell: readproctitle's title has ${#s} bytes, expected 430"

  stop_run
}

shells=(dash)
busybox sh -c : 2>/dev/null && shells+=("busybox sh")
for sh in "${shells[@]}"; do
  $sh -n "$boot" || fail "$sh -n $boot failed"
done
for sh in "${shells[@]}"; do
  run_one "$sh" args
  run_one "$sh" env
done
echo 'svscanboot test: ok'
