#!/usr/bin/env bash
# Readiness latency (issue 14): from the moment a service writes its readiness newline
# to the moment a waiter that was already waiting returns: ours (`svc -wU`) beside s6
# (`s6-svc -wU` on s6-supervise), in one run, N times each (default 20), medians and
# [min-max]. The service notes the time (date +%s%N) just before `echo >&3`; the waiter
# notes it just after its svc returns: both sides pay one `date`. Prints a table; exits 0
# whatever the figures (it is a report). Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_ours supervise svc svok
bench_peers
bench_tmp
N=${N:-20}

# One measurement: supervisor $1, svc $2, svok $3, in the fresh directory $4; prints
# microseconds.
once() {
  local supervise=$1 svc=$2 svok=$3 dir=$4 pid t1
  mkdir -p "$dir"
  mkfifo "$dir/go"
  printf '%s\n' '#!/bin/sh' 'read x < ./go' 'date +%s%N > ./t0' 'echo >&3' 'exec sleep 1000' > "$dir/run"
  chmod +x "$dir/run"
  echo 3 > "$dir/notification-fd"
  "$supervise" "$dir" >/dev/null 2>&1 &
  pid=$!
  until "$svok" "$dir" 2>/dev/null; do sleep 0.01; done
  # Up (and blocked on ./go), and the waiter waiting before the trigger.
  "$svc" -wu -T 5000 "$dir"
  "$svc" -wU -T 10000 "$dir" && date +%s%N > "$dir/t1" &
  sleep 0.2
  echo go > "$dir/go"
  wait $!
  t1=$(cat "$dir/t1")
  echo $(( (t1 - $(cat "$dir/t0")) / 1000 ))
  "$svc" -dx "$dir" >/dev/null 2>&1 || true
  wait "$pid" 2>/dev/null || true
}

declare -A samples
for i in $(seq "$N"); do
  samples[ours]+="$(once "$BENCH_OURS/supervise" "$BENCH_OURS/svc" "$BENCH_OURS/svok" "$BENCH_TMP/ours$i") "
  samples[s6]+="$(once /usr/bin/s6-supervise /usr/bin/s6-svc /usr/bin/s6-svok "$BENCH_TMP/s6$i") "
done

python3 - "${samples[ours]}" "${samples[s6]}" "$N" <<'PY'
import statistics, sys
ours, s6 = ([int(x) for x in a.split()] for a in sys.argv[1:3])
def row(xs):
    return f"{statistics.median(xs) / 1000:.2f} ms [{min(xs) / 1000:.2f}-{max(xs) / 1000:.2f}]"
print(f"### Readiness written -> waiter returns (medians [min-max] of {sys.argv[3]})\n")
print("| waiter | latency | s6 / ours |")
print("|---|---|---|")
print(f"| ours: `svc -wU` on our supervise | {row(ours)} | {statistics.median(s6) / statistics.median(ours):.2f} |")
print(f"| s6: `s6-svc -wU` on s6-supervise | {row(s6)} | |")
PY
