#!/usr/bin/env bash
# svscan beside daemontools 0.76 in one run on this machine:
#   1. pickup: a new service symlinked into the scan directory -> its ./run executing
#      (median of N, default 10; the original rescans every 5 s);
#   2. memory: svscan plus 100 supervised services, excluding the services themselves
#      (sum of Pss over svscan and every supervise, /proc/PID/smaps_rollup).
# Each implementation runs with its own supervise. Build first:
# targets/build.sh x86_64-unknown-linux-musl
set -euo pipefail
cd "$(dirname "$0")/../.."
ours=$PWD/target/dist/x86_64-unknown-linux-musl
for tool in svscan supervise svc svstat; do
  [ -x "$ours/$tool" ] || { echo "build first: targets/build.sh x86_64-unknown-linux-musl" >&2; exit 111; }
done
tests/setup.sh
tmp=$(mktemp -d)
cleanup() { # svc -dx whatever is still supervised below $tmp, then remove it
  local d
  for d in "$tmp"/*/ "$tmp"/*/*/; do
    [ -p "$d/supervise/control" ] && /usr/bin/svc -dx "$d" 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$tmp" "$ours" "${N:-10}" <<'PY'
import os, signal, statistics, subprocess, sys, time
tmp, ours, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
BIN = {"ours": ours, "daemontools": "/usr/bin"}

def script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)

def start_svscan(impl, scan):
    env = {"PATH": f"{BIN[impl]}:/usr/bin:/bin"}
    return subprocess.Popen([f"{BIN[impl]}/svscan", scan], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

def stop(impl, scan, svscan):
    svscan.kill(); svscan.wait()
    dirs = [os.path.join(scan, d) for d in os.listdir(scan)]
    subprocess.run([f"{BIN[impl]}/svc", "-dx", *dirs], stderr=subprocess.DEVNULL)
    time.sleep(0.5)

def pickup(impl):
    scan = f"{tmp}/{impl}-pickup"; os.makedirs(scan)
    svscan = start_svscan(impl, scan)
    time.sleep(0.5)
    times = []
    for i in range(N):
        service = f"{tmp}/{impl}-svc{i}"; os.makedirs(service)
        script(f"{service}/run", f"#!/bin/sh\ndate +%s%N > {service}/started\nexec sleep 100000\n")
        t0 = time.time_ns()
        os.symlink(service, f"{scan}/s{i}")
        while not os.path.exists(f"{service}/started") or os.path.getsize(f"{service}/started") == 0:
            time.sleep(0.001)
        times.append((int(open(f"{service}/started").read()) - t0) / 1e6)
    stop(impl, scan, svscan)
    return times

def pss(pid):
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0

def tree_memory(impl, count=100):
    scan = f"{tmp}/{impl}-tree"; os.makedirs(scan)
    for i in range(count):
        os.makedirs(f"{scan}/s{i}")
        script(f"{scan}/s{i}/run", "#!/bin/sh\nexec sleep 100000\n")
    svscan = start_svscan(impl, scan)
    deadline = time.time() + 60
    while time.time() < deadline:
        out = subprocess.run([f"{BIN[impl]}/svstat"] + [f"{scan}/s{i}" for i in range(count)],
                             capture_output=True, text=True).stdout
        if out.count(": up (pid ") == count:
            break
        time.sleep(0.2)
    time.sleep(1)
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(svscan.pid)], capture_output=True, text=True).stdout.split()
    total = pss(svscan.pid) + sum(pss(int(p)) for p in children)
    stop(impl, scan, svscan)
    return total, len(children)

res = {}
for impl in ["ours", "daemontools"]:
    res[impl] = (pickup(impl), tree_memory(impl))
print(f"pickup of a new service (symlink -> ./run running), {N} times; memory of svscan + 100 supervise")
for impl, (times, (kb, n)) in res.items():
    print(f"  {impl:12s} pickup median {statistics.median(times):8.1f} ms [min {min(times):.1f}, max {max(times):.1f}]"
          f"   tree PSS {kb/1024:6.2f} MB ({n} supervise)")
o, d = res["ours"], res["daemontools"]
print(f"\npickup: {statistics.median(o[0]):.1f} ms vs {statistics.median(d[0]):.1f} ms (target: <= 20 ms)")
print(f"memory: {o[1][0]/1024:.2f} MB vs {d[1][0]/1024:.2f} MB (target: <= 3 MB)")
PY
