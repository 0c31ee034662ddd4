#!/usr/bin/env python3
"""The measurements behind bench/*.sh: ours (target/dist/x86_64-unknown-linux-musl)
beside the Debian peers (daemontools, runit, s6, busybox-static), every piece for every
implementation that has it, in one run. Run by those scripts (bench/lib.sh installs
the peers, makes the scratch directory and stops whatever is left in it), not directly:

    python3 bench/bench.py [--verdicts] FAMILY...

FAMILY: sizes, supervise, svscan, multilog, tai64. Prints one markdown table per family;
every ratio is the peer's figure divided by ours (above 1: ours is smaller or faster).
--verdicts adds the project's targets for that family (PASS/FAIL; the exit code stays 0).

Counts (environment): RUNS hyperfine runs per throughput command (10), N restarts per
restart median (20), QUERIES hyperfine runs per status query (200), MEM_N supervisors per
memory median (3), PICKUP_N new services per pickup median (10), TREE_RUNS 100-service
trees per memory median (3), S6_DEFAULT_WAIT seconds to wait for s6-svscan to notice a
new service by itself (10).
"""
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import textwrap
import time

ENV = os.environ
TMP, OURS, PEERS = ENV["BENCH_TMP"], ENV["BENCH_OURS"], ENV["BENCH_PEERS"]
LINES = ENV.get("BENCH_LINES", "")
RUNIT = f"{PEERS}/runit/usr/bin"
BUSYBOX = f"{PEERS}/busybox-static/bin/busybox"
DT = "/usr/bin"  # daemontools and s6 install their tools here
RUNS, N, QUERIES = int(ENV.get("RUNS", 10)), int(ENV.get("N", 20)), int(ENV.get("QUERIES", 200))
MEM_N, PICKUP_N, TREE_RUNS = int(ENV.get("MEM_N", 3)), int(ENV.get("PICKUP_N", 10)), int(ENV.get("TREE_RUNS", 3))
S6_WAIT = float(ENV.get("S6_DEFAULT_WAIT", 10))
DEVNULL = subprocess.DEVNULL
RATIO = "peer / ours"


class Fail(Exception):
    pass


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def have(path):
    return os.access(path, os.X_OK)


def busybox_applets():
    if not have(BUSYBOX):
        return set()
    return set(subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split())


def version(pkg):
    """The Debian version of a peer: installed (dpkg) or unpacked (lib.sh notes it)."""
    try:
        return open(f"{PEERS}/{pkg}/version").read().strip()
    except OSError:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
        return r.stdout.strip() or "not installed"


# Formatting: medians with [min-max], ratios peer / ours.

def med(xs):
    return statistics.median(xs), min(xs), max(xs)


def ms(m, lo, hi):
    if m >= 1000:
        return f"{m / 1000:.2f} s [{lo / 1000:.2f}-{hi / 1000:.2f}]"
    d = 1 if m >= 10 else 2 if m >= 0.1 else 3
    return f"{m:.{d}f} ms [{lo:.{d}f}-{hi:.{d}f}]"


def kb(m, lo, hi, unit="kB"):
    if unit == "MB":
        return f"{m / 1024:.2f} MB [{lo / 1024:.2f}-{hi / 1024:.2f}]"
    return f"{m:.0f} kB [{lo:.0f}-{hi:.0f}]" if lo != hi else f"{m:.0f} kB"


def ratio(peer, ours):
    if not ours:
        return ""
    r = peer / ours
    return f"{r:.2f}" if r < 10 else f"{r:.1f}" if r < 100 else f"{r:.0f}"


def para(text, bullet=False):
    """Prose wrapped at 90 columns, as in the README (tables are printed as they are)."""
    print(textwrap.fill(text, 90, initial_indent="- " if bullet else "",
                        subsequent_indent="  " if bullet else "", break_on_hyphens=False))


def table(head, rows):
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


def hyperfine(name, commands, runs, warmup, prepares=None):
    """Runs commands (strings, no shell: hyperfine -N) one after the other; returns
    [(median, min, max)] in ms."""
    out = f"{TMP}/{name}.json"
    args = ["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(runs), "--style", "none",
            "--export-json", out]
    for i, c in enumerate(commands):
        if prepares:
            args += ["--prepare", prepares[i]]
        args.append(c)
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:  # its outlier warnings are noise; its errors are not
        raise Fail(f"hyperfine failed:\n{r.stderr}")
    return [(x["median"] * 1e3, x["min"] * 1e3, x["max"] * 1e3) for x in json.load(open(out))["results"]]


def wall_offset():
    """Wall clock minus the monotonic clock, ns: it changes only when someone sets the clock."""
    return time.time_ns() - time.monotonic_ns()


JUMPED = []  # trials measured while the wall clock was set (by something else): left out


def clock_set_since(offset, what):
    if abs(wall_offset() - offset) > 20_000_000:
        JUMPED.append(what)
        return True
    return False


def smaps(pid):
    kb_ = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, v = line.partition(":")
            if v.strip().endswith("kB"):
                kb_[k] = int(v.split()[0])
    return kb_


def gone(prefix, timeout=5.0):
    """Waits until no process works in a directory starting with prefix (all below TMP),
    then kills (by pid) whatever still does."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if os.readlink(f"/proc/{p}/cwd").startswith(prefix):
                        left.append(int(p))
                except OSError:
                    pass
        if not left:
            return
        if time.monotonic() > deadline:
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            deadline = time.monotonic() + timeout
        time.sleep(0.05)


# Sizes ------------------------------------------------------------------------------------

# Our tool -> the peer's file that does its job (daemontools: the same name in /usr/bin).
EQUIV = {
    "tai64n": {"s6": "s6-tai64n"},
    "tai64nfrac": {"daemontools": None},
    "tai64nlocal": {"s6": "s6-tai64nlocal"},
    "supervise": {"runit": "runsv", "s6": "s6-supervise", "busybox": "runsv"},
    "svc": {"runit": "sv", "s6": "s6-svc", "busybox": "svc"},
    "svok": {"runit": "sv", "s6": "s6-svok", "busybox": "svok"},
    "svstat": {"runit": "sv", "s6": "s6-svstat", "busybox": "sv"},
    "svscan": {"runit": "runsvdir", "s6": "s6-svscan", "busybox": "runsvdir"},
    "readproctitle": {},
    "multilog": {"runit": "svlogd", "s6": "s6-log", "busybox": "svlogd"},
    "setuidgid": {"runit": "chpst", "s6": "s6-setuidgid", "busybox": "chpst"},
    "envuidgid": {"runit": "chpst", "s6": "s6-envuidgid", "busybox": "chpst"},
    "envdir": {"runit": "chpst", "s6": "s6-envdir", "busybox": "chpst"},
    "softlimit": {"runit": "chpst", "s6": "s6-softlimit", "busybox": "chpst"},
    "setlock": {"runit": "chpst", "s6": "s6-setlock", "busybox": "chpst"},
    "pgrphack": {"runit": "chpst", "s6": "s6-setsid", "busybox": "chpst"},
    "fghack": {"s6": "s6-fghack"},
}
PEER_DIR = {"daemontools": DT, "runit": RUNIT, "s6": DT}


def libraries(paths):
    """The shared objects the dynamic linker loads for these files (ldd), by real path."""
    libs = set()
    for p in paths:
        r = subprocess.run(["ldd", p], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            words = line.split()
            if "=>" in words and len(words) > 2 and words[2].startswith("/"):
                libs.add(os.path.realpath(words[2]))
            elif words and words[0].startswith("/"):
                libs.add(os.path.realpath(words[0]))
    return libs


def sizes(verdicts=False):
    report = subprocess.run(["targets/size-report.sh"], capture_output=True, text=True).stdout.splitlines()
    head = report[0].split()  # tool budget target...
    rows, missing = [], []
    for line in report[1:]:
        w = line.split()
        if len(w) != len(head):
            continue
        rows.append([w[0]] + w[2:] + [w[1]])
        missing += [f"{w[0]} ({head[i]})" for i in range(2, len(w)) if w[i] == "-"]
    print("### Binary sizes: ours, bytes per tool per target (static, stripped; `targets/size-report.sh`)\n")
    table(["tool"] + head[2:] + ["budget"], rows)
    if missing:
        print(f"\nNot built (shown as -): {', '.join(missing)}.")

    applets = busybox_applets()
    peers = ["daemontools", "runit", "s6", "busybox"]
    ours_total, totals, files = 0, {p: 0 for p in peers}, {p: set() for p in peers}
    out = []
    for tool, eq in EQUIV.items():
        path = f"{OURS}/{tool}"
        size = os.path.getsize(path) if os.path.exists(path) else None
        ours_total += size or 0
        row = [f"`{tool}`", size if size is not None else "-"]
        for peer in peers:
            name = eq.get(peer, tool if peer == "daemontools" else None)
            if peer == "busybox":
                row.append("applet" if name in applets else "")
                continue
            p = f"{PEER_DIR[peer]}/{name}" if name else None
            if p and os.path.exists(p):
                s = os.path.getsize(p)
                if p not in files[peer]:
                    files[peer].add(p)
                    totals[peer] += s
                row.append(f"{s} `{name}` ({ratio(s, size)})" if size else f"{s} `{name}`")
            else:
                row.append("")
        out.append(row)
    if have(BUSYBOX):
        files["busybox"].add(BUSYBOX)
        totals["busybox"] = os.path.getsize(BUSYBOX)
    out.append(["all of the above (each file once)", ours_total]
               + [f"{totals[p]} ({ratio(totals[p], ours_total)})" if totals[p] else "" for p in peers])
    libs = {p: libraries(sorted(files[p])) for p in peers}
    libs_ours = libraries([f"{OURS}/{t}" for t in EQUIV if os.path.exists(f"{OURS}/{t}")])
    libsize = {p: sum(os.path.getsize(f) for f in libs[p]) for p in peers}
    names = {p: ", ".join(sorted(os.path.basename(f) for f in libs[p])) or "none (static)" for p in peers}
    out.append(["shared libraries they load (ldd)", sum(os.path.getsize(f) for f in libs_ours) or "none (static)"]
               + [f"{libsize[p]}: {names[p]}" if libsize[p] else names[p] for p in peers])
    out.append(["all of the above with the libraries", ours_total]
               + [f"{totals[p] + libsize[p]} ({ratio(totals[p] + libsize[p], ours_total)})" if totals[p] else ""
                  for p in peers])
    print(f"\n### Binary sizes beside the peers (x86_64, bytes; in parentheses: {RATIO})\n")
    table(["tool", "ours", f"daemontools {version('daemontools')}", f"runit {version('runit')}",
           f"s6 {version('s6')}", f"busybox-static {version('busybox-static')}"], out)
    print()
    para("The peers are dynamically linked (their libraries are counted once per package, in "
         "the last two rows); ours are static. busybox-static is one binary with all its "
         f"applets (Debian's has {len(applets)}); `applet` marks the ones that do a tool's job.")


# Supervisors -------------------------------------------------------------------------------

class Supervisor:
    def __init__(self, key, start, term, stop, query, fmt, ok=None):
        self.key, self.start, self.term, self.stop, self.query = key, start, term, stop, query
        self.fmt, self.ok = fmt, ok

    def label(self, argv):
        return f"{self.key} `{' '.join([os.path.basename(argv[0])] + argv[1:])}`"

    def stop_all(self, dirs):
        if not dirs:
            return
        if self.key == "s6":  # one service directory per call
            for d in dirs:
                subprocess.run(self.stop + [d], stdout=DEVNULL, stderr=DEVNULL)
        else:
            subprocess.run(self.stop + dirs, stdout=DEVNULL, stderr=DEVNULL)


SUPERVISORS = [
    Supervisor("ours", [f"{OURS}/supervise"], [f"{OURS}/svc", "-t"], [f"{OURS}/svc", "-dx"],
               [f"{OURS}/svstat"], "djb", [f"{OURS}/svok"]),
    Supervisor("daemontools", [f"{DT}/supervise"], [f"{DT}/svc", "-t"], [f"{DT}/svc", "-dx"],
               [f"{DT}/svstat"], "djb", [f"{DT}/svok"]),
    Supervisor("runit", [f"{RUNIT}/runsv"], [f"{RUNIT}/sv", "term"], [f"{RUNIT}/sv", "exit"],
               [f"{RUNIT}/sv", "status"], "djb"),
    Supervisor("s6", [f"{DT}/s6-supervise"], [f"{DT}/s6-svc", "-t"], [f"{DT}/s6-svc", "-xd"],
               [f"{DT}/s6-svstat"], "s6", [f"{DT}/s6-svok"]),
]


def status(d, fmt):
    """(child pid, TAI64N stamp in ns) from supervise/status, which every supervisor here
    replaces by rename. djb: daemontools' 18 bytes (runit's runsv writes the same first 18);
    s6: 35 bytes, the pid as 8 big-endian bytes at 24, the flags at 34."""
    try:
        with open(f"{d}/supervise/status", "rb") as f:
            b = f.read()
    except OSError:
        return 0, 0
    if len(b) < (35 if fmt == "s6" else 18):
        return 0, 0
    if fmt == "s6":  # while ./finish runs (or fails to), the pid is finish's: flag 2 of byte 34
        pid = 0 if b[34] & 2 else int.from_bytes(b[24:32], "big")
    else:
        pid = int.from_bytes(b[12:16], "little")
    return pid, (int.from_bytes(b[0:8], "big") - (1 << 62)) * 10**9 + int.from_bytes(b[8:12], "big")


class Service:
    """A fresh service directory running `sleep`, its supervisor started directly (the
    Popen pid is the supervisor's), returned once the status file names a child."""

    def __init__(self, sup, name):
        self.sup, self.d = sup, f"{TMP}/{sup.key}-{name}"
        os.mkdir(self.d)
        script(f"{self.d}/run", "#!/bin/sh\nexec sleep 100000\n")
        self.err = f"{self.d}.err"
        t = time.time_ns()
        self.p = subprocess.Popen(sup.start + [self.d], stdin=DEVNULL, stdout=DEVNULL,
                                  stderr=open(self.err, "w"), start_new_session=True)
        self.pid, stamp = self.wait_new(0, 10)
        # TAI64N minus Unix time, whole seconds: 10, or 37 where skalibs adds leap seconds (s6)
        self.offset = round((stamp - t) / 1e9) * 10**9

    def wait_new(self, old, timeout, poll=0.005):
        deadline = time.monotonic() + timeout
        while True:
            pid, stamp = status(self.d, self.sup.fmt)
            if pid not in (0, old):
                return pid, stamp
            if self.p.poll() is not None or time.monotonic() > deadline:
                why = "timeout" if self.p.returncode is None else f"the supervisor exited {self.p.returncode}"
                if JUMPED or abs(wall_offset() - START_OFFSET) > 20_000_000:
                    why += ("; the wall clock was set meanwhile by something else, and some supervisors "
                            "sleep by the wall clock: run again on a quiet machine")
                raise Fail(f"{self.sup.key}: no new child in {self.d} ({why}; status names {pid}, "
                           f"before {old}, still there: {os.path.exists(f'/proc/{old}')}): "
                           f"{open(self.err).read()}")
            time.sleep(poll)

    def stop(self):
        self.sup.stop_all([self.d])
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def supervise(verdicts):
    sups = [s for s in SUPERVISORS if have(s.start[0])]
    notes = [f"{s.key}: {s.start[0]} missing" for s in SUPERVISORS if s not in sups]
    applets = busybox_applets()
    if "runsv" not in applets:
        notes.append("busybox: Debian's busybox-static has no `runsv`/`sv`, so no supervisor to measure "
                     "(its `svok` applet is timed on ours `supervise`)")
    res = {}

    log("supervise: memory")
    mem = {s.key: [Service(s, f"mem{i}") for i in range(MEM_N)] for s in sups}
    time.sleep(1)
    for s in sups:
        uss = []
        for svc in mem[s.key]:
            ppid = open(f"/proc/{svc.pid}/stat").read().rsplit(")", 1)[1].split()[1]
            if int(ppid) != svc.p.pid:
                raise Fail(f"{s.key}: child {svc.pid} has parent {ppid}, not the supervisor {svc.p.pid}")
            m = smaps(svc.p.pid)
            uss.append(m["Private_Clean"] + m["Private_Dirty"])
        res[s.key, "mem"] = med(uss)
        for svc in mem[s.key]:
            svc.stop()

    log(f"supervise: {N} rounds of kill -9 and of the stop command, all supervisors in turn")
    svcs = [(s, kind, Service(s, kind)) for s in sups for kind in ("kill", "term")]
    for s, kind, _ in svcs:
        res[s.key, kind] = []
    last = {id(v): time.monotonic() for _, _, v in svcs}
    for _ in range(N):
        for s, kind, v in svcs:
            # each supervisor restarts at most once a second: wait 1.2 s since the last start
            wait = last[id(v)] + 1.2 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            off, t0 = wall_offset(), time.time_ns()
            if kind == "kill":
                os.kill(v.pid, signal.SIGKILL)
            else:
                subprocess.run(s.term + [v.d], stdout=DEVNULL, stderr=DEVNULL, check=True)
            v.pid, stamp = v.wait_new(v.pid, 10, poll=0.001)
            last[id(v)] = time.monotonic()
            if not clock_set_since(off, f"{s.key} {kind}"):
                res[s.key, kind].append((stamp - v.offset - t0) / 1e6)
            time.sleep(0.02)  # let the supervisor finish its bookkeeping before the next one

    log("supervise: status queries")
    up = {s.key: v for s, kind, v in svcs if kind == "kill"}
    q = hyperfine("query", [" ".join(s.query + [up[s.key].d]) for s in sups], QUERIES, 5)
    for s, r in zip(sups, q):
        res[s.key, "query"] = r
    oks = [(s.label(s.ok), " ".join(s.ok + [up[s.key].d])) for s in sups if s.ok]
    if "svok" in applets:
        oks.append(("busybox `svok` (on ours `supervise`)", f"{BUSYBOX} svok {up['ours'].d}"))
    okres = hyperfine("svok", [c for _, c in oks], QUERIES, 5)
    for _, _, v in svcs:
        v.stop()

    rows = []
    o = res["ours", "mem"][0]
    for s in sups:
        rows.append(["USS of one supervisor watching `sleep`" if s is sups[0] else "", s.label(s.start),
                     kb(*res[s.key, "mem"]), "" if s.key == "ours" else ratio(res[s.key, "mem"][0], o)])
    for kind, what in (("kill", "`kill -9` of the child -> next child started"),
                       ("term", "`svc -t` or the peer's equivalent -> next child started")):
        o = statistics.median(res["ours", kind])
        for s in sups:
            m = med(res[s.key, kind])
            who = s.label(s.start) if kind == "kill" else s.label(s.term)
            rows.append([what if s is sups[0] else "", who, ms(*m), "" if s.key == "ours" else ratio(m[0], o)])
    o = res["ours", "query"][0]
    for s in sups:
        m = res[s.key, "query"]
        rows.append(["one status query" if s is sups[0] else "", s.label(s.query), ms(*m),
                     "" if s.key == "ours" else ratio(m[0], o)])
    for i, ((who, _), m) in enumerate(zip(oks, okres)):
        rows.append(["one `svok` (is the supervisor running?)" if i == 0 else "", who, ms(*m),
                     "" if i == 0 else ratio(m[0], okres[0][0])])
    print(f"\n### Supervision: one supervisor each (medians [min-max]; memory of {MEM_N} supervisors, "
          f"{N} restarts each, {QUERIES} queries each)\n")
    table(["measure", "implementation", "median [min-max]", RATIO], rows)
    print()
    para("Memory: Private_Clean + Private_Dirty of /proc/PID/smaps_rollup, 1 s after the child "
         "started. Restarts: from just before the kill (or the command) to the time stamp the "
         "supervisor writes in supervise/status for the next child, 1.2 s after the previous one "
         "(all restart at most once a second); the supervisors take turns, one at a time. s6-supervise "
         "stamps once the child has executed ./run (it waits for the exec), the others right after "
         "fork. Queries: hyperfine -N.")
    for s in sups:
        slow = min(res[s.key, "kill"] + res[s.key, "term"])
        if slow >= 900:  # a wait of its own, not the machine: the fastest restart took that long
            para(f"{s.start[0]} took at least {slow / 1000:.2f} s for every restart: it waits about "
                 "a second after the child's death (after ./finish, here absent) before it starts "
                 "./run again, however long the child ran.", bullet=True)
    for n in notes:
        para(f"not measured: {n}", bullet=True)

    if verdicts:
        o, g = res["ours", "mem"][0], res["daemontools", "mem"][0]
        check("supervise USS <= 24 kB", o <= 24)
        for kind, limit in (("kill", 1.1), ("term", 1.0)):
            o, g = (statistics.median(res[k, kind]) for k in ("ours", "daemontools"))
            check(f"{kind} restart ours/daemontools {o / g:.2f} <= {limit}", o <= limit * g)
        o, g = res["ours", "query"][0], res["daemontools", "query"][0]
        check(f"svstat ours/daemontools {o / g:.2f} <= 0.5", o <= 0.5 * g)


def check(what, ok):
    print(f"target: {what}: {'PASS' if ok else 'FAIL'}")


# Scanners ----------------------------------------------------------------------------------

class Scanner:
    def __init__(self, key, label, argv, path, sup, trigger=None):
        self.key, self.label, self.argv, self.path, self.sup = key, label, argv, path, sup
        self.trigger = trigger

    def start(self, scan):
        return subprocess.Popen(self.argv + [scan], env={"PATH": f"{self.path}:/usr/bin:/bin"},
                                stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, start_new_session=True)

    def stop(self, scan, p, prefix):
        p.kill()
        p.wait()
        dirs = [os.path.realpath(os.path.join(scan, d)) for d in sorted(os.listdir(scan)) if not d.startswith(".")]
        self.sup.stop_all([d for d in dirs if os.path.exists(f"{d}/supervise")])
        gone(prefix)


SUP = {s.key: s for s in SUPERVISORS}
SCANNERS = [
    Scanner("ours", "ours `svscan`", [f"{OURS}/svscan"], OURS, SUP["ours"]),
    Scanner("daemontools", "daemontools `svscan`", [f"{DT}/svscan"], DT, SUP["daemontools"]),
    Scanner("runit", "runit `runsvdir`", [f"{RUNIT}/runsvdir"], RUNIT, SUP["runit"]),
    Scanner("s6", "s6 `s6-svscan`", [f"{DT}/s6-svscan"], DT, SUP["s6"]),
    Scanner("s6a", "s6 `s6-svscan`, then `s6-svscanctl -a` after the link", [f"{DT}/s6-svscan"], DT,
            SUP["s6"], [f"{DT}/s6-svscanctl", "-a"]),
]


def pickup(sc, n, wait):
    """n times: a new service directory symlinked into the scan directory (and the trigger
    run), until its ./run has run `date`. Stops at the first one not picked up within
    wait seconds; returns (times in ms, missed)."""
    prefix = f"{TMP}/pickup-{sc.key}-"
    scan = f"{prefix}scan"
    os.mkdir(scan)
    p = sc.start(scan)
    time.sleep(0.5)
    times, missed = [], False
    for i in range(n):
        service = f"{prefix}new{i}"
        os.mkdir(service)
        script(f"{service}/run", f"#!/bin/sh\ndate +%s%N > {service}/started\nexec sleep 100000\n")
        off, t0 = wall_offset(), time.time_ns()
        os.symlink(service, f"{scan}/s{i}")
        if sc.trigger:
            subprocess.run(sc.trigger + [scan], check=True)
        deadline = time.monotonic() + wait
        while True:
            try:
                text = open(f"{service}/started").read()
            except OSError:
                text = ""
            if text.endswith("\n"):
                if not clock_set_since(off, f"{sc.key} pickup"):
                    times.append((int(text) - t0) / 1e6)
                break
            if time.monotonic() > deadline:
                missed = True
                break
            time.sleep(0.001)
        if missed:
            break
    sc.stop(scan, p, prefix)
    return times, missed


def tree(sc, run, count=100):
    """svscan-like scanner with count services: PSS of the scanner and its children (the
    supervisors), in kB, once every service is up."""
    prefix = f"{TMP}/tree{run}-{sc.key}-"
    scan = f"{prefix}scan"
    os.mkdir(scan)
    for i in range(count):
        os.mkdir(f"{scan}/s{i}")
        script(f"{scan}/s{i}/run", "#!/bin/sh\nexec sleep 100000\n")
    p = sc.start(scan)
    deadline = time.monotonic() + 60
    while sum(status(f"{scan}/s{i}", sc.sup.fmt)[0] != 0 for i in range(count)) < count:
        if time.monotonic() > deadline or p.poll() is not None:
            raise Fail(f"{sc.label}: not all {count} services came up")
        time.sleep(0.2)
    time.sleep(1)
    kids = [int(k) for k in subprocess.run(["ps", "-o", "pid=", "--ppid", str(p.pid)],
                                           capture_output=True, text=True).stdout.split()]
    total = smaps(p.pid)["Pss"] + sum(smaps(k)["Pss"] for k in kids)
    sc.stop(scan, p, prefix)
    return total, len(kids)


def svscan(verdicts):
    scs = [s for s in SCANNERS if have(s.argv[0])]
    notes = [f"{s.label}: {s.argv[0]} missing" for s in SCANNERS if s not in scs]
    if "runsvdir" not in busybox_applets():
        notes.append("busybox: Debian's busybox-static has no `runsvdir`")
    res = {}
    for sc in scs:
        log(f"svscan: pickup, {sc.label}")
        default = sc.key == "s6"
        res[sc.key, "pickup"] = pickup(sc, PICKUP_N, S6_WAIT if default else 15)
    for sc in scs:
        if sc.trigger:
            continue
        log(f"svscan: {TREE_RUNS} trees of 100 services, {sc.label}")
        runs = [tree(sc, r) for r in range(TREE_RUNS)]
        res[sc.key, "tree"] = med([t for t, _ in runs]), sorted({n for _, n in runs})

    rows = []
    o = statistics.median(res["ours", "pickup"][0])
    for sc in scs:
        times, missed = res[sc.key, "pickup"]
        if missed:
            cell = f"not picked up within {S6_WAIT:g} s" + (f" (after {len(times)})" if times else "")
            r = ""
        else:
            m = med(times)
            cell, r = ms(*m), ratio(m[0], o)
        rows.append(["new service symlinked in -> its `./run` running" if sc is scs[0] else "", sc.label,
                     cell, "" if sc.key == "ours" else r])
    o = res["ours", "tree"][0][0]
    first = True
    for sc in scs:
        if sc.trigger:
            continue
        m, n = res[sc.key, "tree"]
        rows.append(["scanner + 100 supervisors (PSS, services excluded)" if first else "",
                     f"{sc.label} + {'/'.join(map(str, n))} `{os.path.basename(sc.sup.start[0])}`",
                     kb(*m, unit="MB"), "" if sc.key == "ours" else ratio(m[0], o)])
        first = False
    print(f"\n### Service scanner (medians [min-max] of {PICKUP_N} new services and of {TREE_RUNS} trees)\n")
    table(["measure", "implementation", "median [min-max]", RATIO], rows)
    print()
    para("Pickup: from the symlink to the `date` that ./run runs first (the peers rescan on a "
         "timer or when told; ours also on inotify). Memory: the sum of Pss "
         "(/proc/PID/smaps_rollup) over the scanner and its children, 1 s after the 100th "
         "service came up.")
    for n in notes:
        para(f"not measured: {n}", bullet=True)
    if verdicts:
        o = statistics.median(res["ours", "pickup"][0])
        check(f"pickup {o:.1f} ms <= 20 ms", o <= 20)
        o = res["ours", "tree"][0][0] / 1024
        check(f"100-service tree {o:.2f} MB <= 3 MB", o <= 3)


# Loggers -----------------------------------------------------------------------------------

# (implementation, argv before the directory, the directory's config file for n10)
LOGGERS = [
    ("ours", [f"{OURS}/multilog", "t", "s1000000", "n10"], None),
    ("daemontools", [f"{DT}/multilog", "t", "s1000000", "n10"], None),
    ("runit", [f"{RUNIT}/svlogd", "-t"], "s1000000\nn10\n"),  # svlogd reads s and n from DIR/config
    ("s6", [f"{DT}/s6-log", "t", "s1000000", "n10"], None),
]


def keep_all(argv, config):
    """The same logger keeping 1000 files: nothing is deleted, every line can be checked."""
    return ["n1000" if a == "n10" else a for a in argv], config and config.replace("n10", "n1000")


def prepare(d, config):
    subprocess.run(["rm", "-rf", d], check=True)
    if config:
        os.mkdir(d)
        with open(f"{d}/config", "w") as f:
            f.write(config)


def accounted(d):
    """Every input line once, in order: the archives (by name) and current, labels cut."""
    files = sorted(f for f in os.listdir(d) if f.startswith("@")) + ["current"]
    with open(LINES, "rb") as ref:
        for f in files:
            with open(f"{d}/{f}", "rb") as log_:
                for line in log_:
                    if line[26:] != ref.readline():
                        return False
        return ref.readline() == b""


def peak_kb(argv, stdin):
    """VmHWM, the peak resident set of the process's own image (it starts afresh at exec),
    sampled every millisecond until it exits."""
    p = subprocess.Popen(argv, stdin=open(stdin, "rb"))
    peak = 0
    while p.poll() is None:
        try:
            for line in open(f"/proc/{p.pid}/status"):
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.001)
    return peak


def multilog(verdicts):
    loggers = [x for x in LOGGERS if have(x[1][0])]
    notes = [f"{k}: {a[0]} missing" for k, a, _ in LOGGERS if not have(a[0])]
    if "svlogd" not in busybox_applets():
        notes.append("busybox: Debian's busybox-static has no `svlogd`")
    cmds, preps = [], []
    for key, argv, config in loggers:
        d = f"{TMP}/log-{key}"
        script(f"{TMP}/log-{key}.sh", f"exec {' '.join(argv)} {d} < {LINES}\n")
        prep = f"rm -rf {d}\n"
        if config:
            with open(f"{TMP}/config-{key}", "w") as f:
                f.write(config)
            prep += f"mkdir {d}\ncp {TMP}/config-{key} {d}/config\n"
        script(f"{TMP}/prep-{key}.sh", prep)
        cmds.append(f"sh {TMP}/log-{key}.sh")
        preps.append(f"sh {TMP}/prep-{key}.sh")
    log(f"multilog: hyperfine, {RUNS} runs each")
    times = hyperfine("multilog", cmds, RUNS, 1, preps)
    acc, peak = {}, {}
    for key, argv, config in loggers:
        log(f"multilog: accounting and peak memory, {key}")
        d = f"{TMP}/all-{key}"
        a, c = keep_all(argv, config)
        prepare(d, c)
        subprocess.run(a + [d], stdin=open(LINES, "rb"), check=True)
        acc[key] = accounted(d)
        prepare(d, config)
        peak[key] = peak_kb(argv + [d], LINES)
        subprocess.run(["rm", "-rf", d, f"{TMP}/log-{key}"], check=True)
    rows = []
    for (key, argv, config), t in zip(loggers, times):
        ours = key == "ours"
        conf = f" (`{' '.join(config.split())}` in ./config)" if config else ""
        rows.append([f"{key} `{os.path.basename(argv[0])} {' '.join(argv[1:])}`{conf}", ms(*t),
                     "" if ours else ratio(t[0], times[0][0]), f"{peak[key]} kB",
                     "" if ours else ratio(peak[key], peak["ours"]), "yes" if acc[key] else "**NO**"])
    print(f"\n### Logger: 1,000,000 lines of 100 bytes into a log directory (hyperfine, {RUNS} runs)\n")
    table(["logger", "wall time, median [min-max]", RATIO, "peak memory (VmHWM)", RATIO,
           "every line once, in order"], rows)
    print()
    para("Files of 1,000,000 bytes, 10 kept; the last column: the same run keeping 1000 files, "
         "archives and `current` put together without their labels, equal to the input. "
         "The time ratio is also ours' throughput over the peer's.")
    for n in notes:
        para(f"not measured: {n}", bullet=True)
    if verdicts:
        t = {k: x[0] for (k, _, _), x in zip(loggers, times)}
        check(f"multilog {t['daemontools'] / t['ours']:.2f}x daemontools >= 1.5", t["daemontools"] >= 1.5 * t["ours"])
        check(f"multilog {t['s6'] / t['ours']:.2f}x s6-log > 1", t["s6"] > t["ours"])


# Timestamps --------------------------------------------------------------------------------

def tai64(verdicts):
    labelled = f"{TMP}/labelled.txt"
    with open(LINES, "rb") as i, open(labelled, "wb") as o:
        subprocess.run([f"{OURS}/tai64n"], stdin=i, stdout=o, check=True)
    groups = [
        ("tai64n", LINES, "unset TZ", [("ours", f"{OURS}/tai64n"), ("daemontools", f"{DT}/tai64n"),
                                       ("s6", f"{DT}/s6-tai64n")]),
        ("tai64nlocal, TZ unset (UTC)", labelled, "unset TZ",
         [("ours", f"{OURS}/tai64nlocal"), ("daemontools", f"{DT}/tai64nlocal"), ("s6", f"{DT}/s6-tai64nlocal")]),
        ("tai64nlocal, TZ=Europe/Berlin", labelled, "export TZ=Europe/Berlin",
         [("ours", f"{OURS}/tai64nlocal"), ("daemontools", f"{DT}/tai64nlocal"), ("s6", f"{DT}/s6-tai64nlocal")]),
    ]
    rows, res, notes = [], {}, []
    for g, (what, src, tz, tools) in enumerate(groups):
        notes += [f"{k}: {t} missing" for k, t in tools if not have(t)]
        tools = [(k, t) for k, t in tools if have(t)]
        cmds = []
        for k, t in tools:
            script(f"{TMP}/tai-{g}-{k}.sh", f"{tz}\nexec {t} < {src} > /dev/null\n")
            cmds.append(f"sh {TMP}/tai-{g}-{k}.sh")
        log(f"tai64: {what}, hyperfine, {RUNS} runs each")
        r = hyperfine(f"tai-{g}", cmds, RUNS, 2)
        for i, ((k, t), m) in enumerate(zip(tools, r)):
            res[g, k] = m[0]
            rows.append([what if i == 0 else "", f"{k} `{os.path.basename(t)}`", ms(*m),
                         "" if k == "ours" else ratio(m[0], r[0][0])])
    print(f"\n### Timestamps: 1,000,000 lines of 100 bytes, output to /dev/null (hyperfine, {RUNS} runs)\n")
    table(["tool", "implementation", "wall time, median [min-max]", RATIO], rows)
    print()
    para("tai64nlocal reads ours' tai64n output. The ratio is also ours' throughput over the peer's.")
    for n in notes:
        para(f"not measured: {n}", bullet=True)
    if verdicts:
        check(f"tai64n {res[0, 's6'] / res[0, 'ours']:.2f}x s6-tai64n >= 1", res[0, "s6"] >= res[0, "ours"])
        for g in (1, 2):
            x = res[g, "daemontools"] / res[g, "ours"]
            check(f"{groups[g][0]} {x:.2f}x daemontools >= 2", x >= 2)


# -------------------------------------------------------------------------------------------

FAMILIES = {"sizes": sizes, "supervise": supervise, "svscan": svscan, "multilog": multilog, "tai64": tai64}


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


START_OFFSET = wall_offset()


def main():
    args = sys.argv[1:]
    verdicts = "--verdicts" in args
    families = [a for a in args if a != "--verdicts"]
    if not families or any(f not in FAMILIES for f in families):
        sys.exit(f"usage: bench.py [--verdicts] {{{'|'.join(FAMILIES)}}}...")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
          f"Linux {platform.release()}; load average before: {loadavg()}")
    print(f"RUNS={RUNS} N={N} QUERIES={QUERIES} MEM_N={MEM_N} PICKUP_N={PICKUP_N} TREE_RUNS={TREE_RUNS} "
          f"S6_DEFAULT_WAIT={S6_WAIT:g}")
    try:
        for f in families:
            FAMILIES[f](verdicts)
            sys.stdout.flush()
    except Fail as e:
        sys.exit(f"bench: {e}")
    moved = (wall_offset() - START_OFFSET) / 1e9
    print(f"\nLoad average after: {loadavg()}; the wall clock was "
          + (f"set during the run (by {moved:+.3f} s in all; {len(JUMPED)} trials measured across a "
             f"change left out: {', '.join(sorted(set(JUMPED)))})" if JUMPED or abs(moved) > 0.02
             else "not set during the run"))


if __name__ == "__main__":
    main()
