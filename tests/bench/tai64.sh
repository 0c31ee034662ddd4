#!/usr/bin/env bash
# Throughput of the timestamp tools beside the originals, in one run on this machine:
# 1,000,000 lines of 100 bytes through tai64n (ours, daemontools, s6-tai64n) and
# tai64nlocal (ours, daemontools). Prints medians (hyperfine, RUNS runs each, default 10)
# and the ratios the issue asks for. Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-10}
ours=target/dist/x86_64-unknown-linux-musl
for tool in tai64n tai64nlocal; do
  [ -x "$ours/$tool" ] || { echo "build first: targets/build.sh x86_64-unknown-linux-musl" >&2; exit 111; }
done
tests/setup.sh
work=target/bench; mkdir -p "$work"
plain=$work/lines.txt labelled=$work/labelled.txt
if [ ! -s "$plain" ]; then
  python3 -c '
import sys
line = b"x" * 88
out = sys.stdout.buffer
for i in range(1_000_000):
    out.write(b"%010d " % i + line + b"\n")' > "$plain"
fi
"$ours/tai64n" < "$plain" > "$labelled"

bench() { # name, then commands
  local name=$1; shift
  hyperfine -N --warmup 2 --runs "$runs" --style none --export-json "$work/$name.json" "$@" >/dev/null
}
# -N runs without a shell; input and output go through sh only for redirection.
run() { printf 'sh -c "%s < %s > /dev/null"' "$1" "$2"; }
bench tai64n "$(run "$ours/tai64n" "$plain")" "$(run /usr/bin/tai64n "$plain")" "$(run /usr/bin/s6-tai64n "$plain")"
bench tai64nlocal "$(run "$ours/tai64nlocal" "$labelled")" "$(run /usr/bin/tai64nlocal "$labelled")"
bench tai64nlocal-berlin "$(run "TZ=Europe/Berlin $ours/tai64nlocal" "$labelled")" \
  "$(run "TZ=Europe/Berlin /usr/bin/tai64nlocal" "$labelled")"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def medians(name):
    return [(r["command"], r["median"], r["min"], r["max"]) for r in json.load(open(f"{work}/{name}.json"))["results"]]
print("1,000,000 lines of 100 bytes; median wall time of the runs [min-max]")
for name in ["tai64n", "tai64nlocal", "tai64nlocal-berlin"]:
    rows = medians(name)
    print(f"\n{name}:")
    for cmd, med, lo, hi in rows:
        prog = cmd.split('"')[1].split(" <")[0]
        print(f"  {prog:45s} {med*1000:8.1f} ms  [{lo*1000:.1f}-{hi*1000:.1f}]  {rows[0][1] and med/rows[0][1]:.2f}x ours")
ours_n, orig_n, s6_n = (r[1] for r in medians("tai64n"))
print(f"\ntai64n: {s6_n/ours_n:.2f}x the speed of s6-tai64n, {orig_n/ours_n:.2f}x daemontools tai64n (target: >= 1x s6)")
for name in ["tai64nlocal", "tai64nlocal-berlin"]:
    o, d = (r[1] for r in medians(name))
    print(f"{name}: {d/o:.2f}x the speed of daemontools tai64nlocal (target: >= 2x)")
PY
