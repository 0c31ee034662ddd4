#!/usr/bin/env bash
# Runs the commands of README.md's "Creating and controlling a service" in a scratch
# directory with the built x86_64 tools, and checks after every step that svstat and svok
# answer as the README says. Prints "walkthrough: ok", or names the step that failed.
# Usage: tests/walkthrough.sh   (after targets/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=$PWD/target/dist/x86_64-unknown-linux-musl
export PATH="$dist:$PATH"

fail() { printf 'walkthrough: %s\n' "$*" >&2; exit 1; }
for tool in supervise svc svok svstat; do
  [ "$(command -v "$tool")" = "$dist/$tool" ] || fail "$dist/$tool missing: run targets/build.sh"
done

tmp=$(mktemp -d)
supervise_pid=
cleanup() {
  if [ -n "$supervise_pid" ] && kill -0 "$supervise_pid" 2>/dev/null; then
    svc -dx "$tmp/hello" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$supervise_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$supervise_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# wait_for STEP REGEX: polls `svstat hello` every 0.1 s for up to 5 s until it matches.
status=
wait_for() {
  local step=$1 re=$2
  for _ in $(seq 50); do
    status=$(svstat hello)
    [[ $status =~ $re ]] && return 0
    sleep 0.1
  done
  fail "$step: svstat printed '$status', expected /$re/"
}
# stays STEP REGEX: svstat still matches after 1.5 s (no restart behind our back).
stays() { sleep 1.5; status=$(svstat hello); [[ $status =~ $2 ]] || fail "$1: svstat printed '$status' after 1.5 s, expected /$2/"; }
pid() { [[ $status =~ \(pid\ ([0-9]+)\) ]] && echo "${BASH_REMATCH[1]}"; }
# wait_restart STEP OLDPID: polls until the service is up with another pid.
wait_restart() {
  for _ in $(seq 50); do
    status=$(svstat hello)
    [[ $status =~ $up ]] && [ "$(pid)" != "$2" ] && return 0
    sleep 0.1
  done
  fail "$1: svstat printed '$status', expected up with a pid other than $2"
}
# wait_supervise_exit STEP: supervise ends, with status 0.
wait_supervise_exit() {
  local rc=0
  for _ in $(seq 50); do kill -0 "$supervise_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$supervise_pid" 2>/dev/null && fail "$1: supervise still running"
  wait "$supervise_pid" || rc=$?
  [ "$rc" = 0 ] || fail "$1: supervise exited $rc, expected 0"
}

up='^hello: up \(pid [0-9]+\) [0-9]+ seconds$'

# A service directory with a run script.
cd "$tmp"
mkdir hello
printf '%s\n' '#!/bin/sh' 'exec 2>&1' \
  "exec sh -c 'while :; do date; sleep 5; done'" > hello/run
chmod +x hello/run

# supervise, svok, svstat, the supervise/ directory, the service's output.
supervise hello > hello.log &
supervise_pid=$!
for _ in $(seq 50); do svok hello && break; sleep 0.1; done
svok hello && echo running || fail "start: svok does not see supervise"
wait_for start "$up"
svstat hello
[ "$(cd hello/supervise && echo *)" = "control lock ok status" ] || fail "start: supervise/ holds $(ls hello/supervise)"
[ -p hello/supervise/control ] && [ -p hello/supervise/ok ] || fail "start: control and ok are not FIFOs"
[ "$(stat -c %s hello/supervise/status)" = 18 ] || fail "start: status is not 18 bytes"
ls hello/supervise
for _ in $(seq 50); do grep -q '[0-9]:[0-9][0-9]:[0-9][0-9]' hello.log && break; sleep 0.1; done
grep -q '[0-9]:[0-9][0-9]:[0-9][0-9]' hello.log || fail "start: no date in hello.log"
cat hello.log

# Down and up.
svc -d hello; svstat hello
wait_for "svc -d" '^hello: down [0-9]+ seconds, normally up$'
stays "svc -d" '^hello: down [0-9]+ seconds, normally up$'
svc -u hello; svstat hello
wait_for "svc -u" "$up"

# HUP and TERM: the loop dies and is restarted with a new pid.
old=$(pid)
svc -h hello; svstat hello
wait_restart "svc -h" "$old"
old=$(pid)
svc -t hello; svstat hello
wait_restart "svc -t" "$old"

# Pause and continue: same pid.
old=$(pid)
svc -p hello; svstat hello
wait_for "svc -p" "^hello: up \(pid $old\) [0-9]+ seconds, paused$"
svc -c hello; svstat hello
wait_for "svc -c" "^hello: up \(pid $old\) [0-9]+ seconds$"

# Once: TERM stops it for good.
svc -o hello
wait_for "svc -o" "$up"
svc -t hello; svstat hello
wait_for "svc -o, svc -t" '^hello: down [0-9]+ seconds, normally up$'
stays "svc -o, svc -t" '^hello: down [0-9]+ seconds, normally up$'
svc -u hello
wait_for "svc -u after once" "$up"

# Stop service and supervise.
svc -dx hello; svstat hello
wait_supervise_exit "svc -dx"
wait_for "svc -dx" '^hello: supervise not running$'
rc=0; svok hello || rc=$?
[ "$rc" = 100 ] || fail "svc -dx: svok exited $rc, expected 100"
svok hello || echo not running

# The down file.
touch hello/down
supervise hello >> hello.log &
supervise_pid=$!
wait_for "down file" '^hello: down [0-9]+ seconds$'
svstat hello
stays "down file" '^hello: down [0-9]+ seconds$'
svc -u hello; svstat hello
wait_for "down file, svc -u" '^hello: up \(pid [0-9]+\) [0-9]+ seconds, normally down$'
svc -dx hello
wait_supervise_exit "down file, svc -dx"
wait_for "down file, svc -dx" '^hello: supervise not running$'

echo "walkthrough: ok"
