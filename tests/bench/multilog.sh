#!/usr/bin/env bash
# Logger throughput beside the originals, in one run on this machine: 1,000,000 lines of
# 100 bytes through `multilog t s1000000 n10 ./dir` (ours, daemontools) and
# `s6-log t s1000000 n10 ./dir` (Debian s6). Prints medians (hyperfine, RUNS runs each,
# default 10), the ratios the issue asks for, each logger's peak memory, and checks
# with n1000 that every line arrived once, in order. Build first:
# targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-10}
ours=$PWD/target/dist/x86_64-unknown-linux-musl/multilog
[ -x "$ours" ] || { echo "build first: targets/build.sh x86_64-unknown-linux-musl" >&2; exit 111; }
tests/setup.sh
work=$PWD/target/bench; mkdir -p "$work/logs"
plain=$work/lines.txt
if [ ! -s "$plain" ]; then
  python3 -c '
import sys
line = b"x" * 88
out = sys.stdout.buffer
for i in range(1_000_000):
    out.write(b"%010d " % i + line + b"\n")' > "$plain"
fi

declare -A logger=(
  [ours]="$ours t s1000000 n10"
  [daemontools]="/usr/bin/multilog t s1000000 n10"
  [s6-log]="/usr/bin/s6-log t s1000000 n10"
)
order=(ours daemontools s6-log)
commands=()
for name in "${order[@]}"; do
  commands+=(--prepare "rm -rf $work/logs/$name" "sh -c '${logger[$name]} $work/logs/$name < $plain'")
done
hyperfine -N --warmup 1 --runs "$runs" --style none --export-json "$work/multilog.json" \
  "${commands[@]}" >/dev/null

# Peak memory (maximum resident set) of one run each, and every line accounted for: with
# n1000 nothing is deleted, so the archives in name order and current, labels removed,
# must equal the input.
for name in "${order[@]}"; do
  dir=$work/logs/$name-all; rm -rf "$dir"
  sh -c "${logger[$name]/n10/n1000} $dir < $plain"
  for f in "$dir"/@* "$dir/current"; do cat "$f"; done | cut -c27- > "$work/logged-$name.txt"
  if cmp -s "$plain" "$work/logged-$name.txt"; then echo "accounted $name"; else echo "LOST $name"; fi
  rm -rf "$dir" "$work/logged-$name.txt"
done > "$work/accounting.txt"
# VmHWM is the peak resident set of the process's own image (it starts afresh at exec,
# unlike the rusage figure, which counts the parent's copy before exec): sampled every
# millisecond until the logger exits.
for name in "${order[@]}"; do
  rm -rf "$work/logs/$name"
  python3 -c '
import subprocess, sys, time
args, name, path = sys.argv[1].split(), sys.argv[2], sys.argv[3]
p = subprocess.Popen(args, stdin=open(path, "rb"))
peak = 0
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.001)
print(name, peak)' "${logger[$name]} $work/logs/$name" "$name" "$plain"
done > "$work/memory.txt"

python3 - "$work" "${order[@]}" <<'PY'
import json, sys
work, names = sys.argv[1], sys.argv[2:]
results = json.load(open(f"{work}/multilog.json"))["results"]
med = {n: r["median"] for n, r in zip(names, results)}
rng = {n: (r["min"], r["max"]) for n, r in zip(names, results)}
mem = dict(line.split() for line in open(f"{work}/memory.txt"))
acc = dict(reversed(line.split()) for line in open(f"{work}/accounting.txt"))
print("1,000,000 lines of 100 bytes through `t s1000000 n10 ./dir`; median wall time [min-max]")
for n in names:
    print(f"  {n:12s} {med[n]*1000:8.1f} ms  [{rng[n][0]*1000:.1f}-{rng[n][1]*1000:.1f}]"
          f"  {med[n]/med['ours']:.2f}x ours  peak RSS {int(mem[n])} kB  lines: {acc[n]}")
print(f"\nmultilog: {med['daemontools']/med['ours']:.2f}x the throughput of daemontools "
      f"(target >= 1.5x), {med['s6-log']/med['ours']:.2f}x s6-log (target > 1x)")
PY
