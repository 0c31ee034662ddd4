#!/usr/bin/env bash
# supervise, svc and svstat beside the daemontools originals, in one run on this machine:
#   1. memory of one supervise watching `sleep` (USS = Private_Clean + Private_Dirty of
#      /proc/PID/smaps_rollup, 1 s after svstat first says up);
#   2. kill -9 of the child to the fork of the next (the new status's TAI64N stamp), N times;
#   3. `svc -t` to the fork of the next child, the same way;
#   4. one `svstat DIR` on an up service (hyperfine -N, 200 runs).
# The two supervisors run one after the other, each measurement in its own fresh service
# directory. Prints a table with targets; exits 0 whatever the verdicts (it is a report).
# N restarts per measurement (default 20). Build first: targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
cd "$(dirname "$0")/../.."
ours=$PWD/target/dist/x86_64-unknown-linux-musl
for tool in supervise svc svok svstat; do
  [ -x "$ours/$tool" ] || { echo "build first: targets/build.sh x86_64-unknown-linux-musl" >&2; exit 111; }
done
tests/setup.sh
tmp=$(mktemp -d)
cleanup() { # stop whatever supervisor is still running, then remove the directories
  local d pid i
  for d in "$tmp"/*/; do
    [ -e "$d/supervise/control" ] || continue
    case ${d%/} in */ours-*) "$ours/svc" -dx "$d" ;; *) /usr/bin/svc -dx "$d" ;; esac 2>/dev/null || true
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do # only pids still running supervise on a dir of ours
    pid=$(while read -r p; do grep -qsF "$tmp" "/proc/$p/cmdline" && echo "$p"; done < "$tmp/pids" 2>/dev/null) || true
    [ -n "$pid" ] || break
    [ "$i" -lt 10 ] && sleep 0.1 || kill $pid 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 - "$tmp" "$ours" "${N:-20}" <<'PY'
import json, os, signal, statistics, subprocess, sys, time
tmp, ours, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
BIN = {"ours": ours, "orig": "/usr/bin"}
DEVNULL = subprocess.DEVNULL

def start(impl, what):
    """A fresh service dir running `sleep`, its supervise started directly (Popen.pid is
    supervise itself), returned once svstat says up."""
    d = f"{tmp}/{impl}-{what}"
    os.mkdir(d)
    with open(f"{d}/run", "w") as f:
        f.write("#!/bin/sh\nexec sleep 100000\n")
    os.chmod(f"{d}/run", 0o755)
    p = subprocess.Popen([f"{BIN[impl]}/supervise", d], stdin=DEVNULL, stdout=DEVNULL, start_new_session=True)
    with open(f"{tmp}/pids", "a") as f:
        f.write(f"{p.pid}\n")
    deadline = time.monotonic() + 10
    while b": up (pid " not in subprocess.run([f"{BIN[impl]}/svstat", d], capture_output=True).stdout:
        if p.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"{impl} supervise did not bring {d} up")
        time.sleep(0.01)
    return d, p

def stop(impl, d, p):
    subprocess.run([f"{BIN[impl]}/svc", "-dx", d], check=True)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        sys.exit(f"{impl} supervise did not exit after svc -dx {d}")

def status(d):
    """(child pid, Unix ns of the stamp) from supervise/status (written by rename: atomic)."""
    with open(f"{d}/supervise/status", "rb") as f:
        b = f.read()
    secs = int.from_bytes(b[0:8], "big") - (1 << 62) - 10
    return int.from_bytes(b[12:16], "little"), secs * 10**9 + int.from_bytes(b[8:12], "big")

def memory(impl):
    d, p = start(impl, "mem")
    time.sleep(1)
    child = status(d)[0]
    ppid = subprocess.run(["ps", "-o", "ppid=", "-p", str(child)], capture_output=True, text=True).stdout.strip()
    assert ppid == str(p.pid), f"child {child} has parent {ppid}, not supervise {p.pid}"
    kb = {}
    with open(f"/proc/{p.pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if v.strip().endswith("kB"):
                kb[k] = int(v.split()[0])
    stop(impl, d, p)
    return {"uss": kb["Private_Clean"] + kb["Private_Dirty"], "rss": kb["Rss"], "pss": kb["Pss"]}

def restarts(impl, what, trigger):
    """N times: wait 1.2 s (the child up for more than a second), t0, trigger, poll the
    status every ms for a new non-zero pid. Returns (stamp - t0, seen - t0) in ms."""
    d, p = start(impl, what)
    pid, stamped, seen = status(d)[0], [], []
    for _ in range(N):
        time.sleep(1.2)
        t0 = time.time_ns()
        trigger(d, pid)
        deadline = time.monotonic() + 10
        while True:
            new, stamp = status(d)
            if new not in (0, pid):
                break
            if time.monotonic() > deadline:
                sys.exit(f"{impl} supervise did not restart {d}")
            time.sleep(0.001)
        seen.append((time.time_ns() - t0) / 1e6)
        stamped.append((stamp - t0) / 1e6)
        pid = new
    stop(impl, d, p)
    return stamped, seen

def svstat(impl):
    d, p = start(impl, "svstat")
    out = f"{tmp}/svstat-{impl}.json"
    r = subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", "200", "--style", "none",
                        "--export-json", out, f"{BIN[impl]}/svstat {d}"], capture_output=True)
    if r.returncode != 0:  # its outlier warnings are noise; its errors are not
        sys.exit(f"hyperfine failed:\n{r.stderr.decode()}")
    stop(impl, d, p)
    r = json.load(open(out))["results"][0]
    return r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3

kill9 = lambda impl: lambda d, pid: os.kill(pid, signal.SIGKILL)
svc_t = lambda impl: lambda d, pid: subprocess.run([f"{BIN[impl]}/svc", "-t", d], check=True)
res = {}
for impl in ("ours", "orig"):  # one supervisor at a time
    res[impl, "mem"] = memory(impl)
for impl in ("ours", "orig"):
    res[impl, "kill"] = restarts(impl, "kill", kill9(impl))
for impl in ("ours", "orig"):
    res[impl, "svc"] = restarts(impl, "svc", svc_t(impl))
for impl in ("ours", "orig"):
    res[impl, "svstat"] = svstat(impl)

def spread(xs):
    return f"median {statistics.median(xs):7.3f} ms  [min {min(xs):.3f}, max {max(xs):.3f}]"
print("Details (ours, then the original /usr/bin):")
for impl in ("ours", "orig"):
    m = res[impl, "mem"]
    print(f"  {impl:4s} supervise memory: USS {m['uss']} kB, Pss {m['pss']} kB, Rss {m['rss']} kB")
for key, what in (("kill", "kill -9 -> new child"), ("svc", "svc -t  -> new child")):
    for impl in ("ours", "orig"):
        stamped, seen = res[impl, key]
        print(f"  {impl:4s} {what}, stamp: {spread(stamped)}; script saw it: {spread(seen)}")
for impl in ("ours", "orig"):
    med, lo, hi = res[impl, "svstat"]
    print(f"  {impl:4s} svstat: median {med:.3f} ms  [min {lo:.3f}, max {hi:.3f}] (hyperfine, 200 runs)")

rows = []
o, g = res["ours", "mem"]["uss"], res["orig", "mem"]["uss"]
rows.append(("supervise USS (kB)", o, g, "ours <= 24 kB", o <= 24))
for key, name, limit in (("kill", "kill -9 to restart (ms)", 1.1), ("svc", "svc -t to restart (ms)", 1.0)):
    o, g = (statistics.median(res[impl, key][0]) for impl in ("ours", "orig"))
    rows.append((name, o, g, f"ratio <= {limit}", o <= limit * g))
o, g = res["ours", "svstat"][0], res["orig", "svstat"][0]
rows.append(("svstat, one call (ms)", o, g, "ratio <= 0.5", o <= 0.5 * g))
print(f"\nN={N} restarts per median; medians, ours/original:")
print(f"{'measure':26s} {'ours':>9s} {'original':>9s} {'ratio':>7s}  {'target':15s} verdict")
for name, o, g, target, ok in rows:
    fmt = (lambda x: f"{x:9d}") if isinstance(o, int) else (lambda x: f"{x:9.3f}")
    print(f"{name:26s} {fmt(o)} {fmt(g)} {o / g:7.2f}  {target:15s} {'PASS' if ok else 'FAIL'}")
PY
