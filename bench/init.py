#!/usr/bin/env python3
"""bench/init.py RUNS NSERV: the tables of bench/init.sh from the guests' consoles.

RUNS has one line per boot: "boot ARCH INIT REP CONSOLE" or "memory ARCH svscan 1
CONSOLE". Times come from the kernel's time stamps on the console (printk's clock, the
same for the kernel's lines and for what the guest writes to /dev/kmsg), except the
first service's uptime, which it read from /proc/uptime. Prints markdown tables of
medians [min-max]; exits 1 if a boot gave none of its figures.
"""
import re
import statistics
import sys

STAMP = r"\[\s*([0-9.]+)\] "  # anywhere: a line may follow another's unfinished output


def stamps(text, pattern):
    return [m for m in re.finditer(STAMP + pattern, text, re.M)]


def spread(values, fmt):
    """median unit [min-max]"""
    if not values:
        return "none"
    (med, unit), (lo, _), (hi, _) = (fmt(v) for v in (statistics.median(values), min(values), max(values)))
    return f"{med} {unit}" if len(values) == 1 else f"{med} {unit} [{lo}-{hi}]"


def ms(x):
    return (f"{x * 1000:.0f}", "ms")


def secs(x):
    return (f"{x:.2f}", "s")


def kb(x):
    return (f"{x:.0f}", "kB")


def boot_figures(text, nserv):
    """The figures of one boot, in seconds; None where the console lacks them."""
    f = {}
    ex = stamps(text, r"Run (\S+) as init process")
    hook = stamps(text, r"BENCH-HOOK done")
    hook0 = stamps(text, r"BENCH-HOOK start")
    starts = sorted((float(m.group(1)), m.group(2), float(m.group(3)))
                    for m in stamps(text, r"BENCH-START (\S+) ([0-9.]+)"))
    # the first start of each service (a respawned one would start again)
    seen, first = set(), []
    for s in starts:
        if s[1] not in seen:
            seen.add(s[1])
            first.append(s)
    term = stamps(text, r"BENCH-TERM")
    end = stamps(text, r"reboot: Restarting system")
    t_exec = float(ex[-1].group(1)) if ex else None
    if first:
        f["kernel_first"] = first[0][2]
    if t_exec is not None and first:
        f["exec_first"] = first[0][0] - t_exec
        if len(first) >= nserv:
            f["exec_all"] = first[nserv - 1][0] - t_exec
    if hook0 and hook and t_exec is not None and first:
        h0, h1 = float(hook0[0].group(1)), float(hook[0].group(1))
        f["exec_hook"] = h0 - t_exec
        f["hook"] = h1 - h0
        f["hook_first"] = first[0][0] - h1
    if term and end:
        f["term_end"] = float(end[-1].group(1)) - float(term[-1].group(1))
    return f


def boot_table(runs, nserv):
    ok = True
    rows = {}
    for kind, arch, init, rep, console in runs:
        text = open(console, errors="replace").read()
        f = boot_figures(text, nserv)
        if len(f) < 7:
            ok = False
            print(f"bench/init: {arch} {init} boot {rep}: only {sorted(f)} on the console ({console})",
                  file=sys.stderr)
        rows.setdefault((arch, init), []).append(f)
    cols = [("kernel_first", "kernel start -> first service (its uptime)", secs),
            ("exec_first", "init's exec -> first service", ms),
            ("exec_hook", "of which: exec -> boot hook started (sh, /dev mounted)", ms),
            ("hook", "the boot hook's work", ms),
            ("hook_first", "boot hook done -> first service", ms),
            ("exec_all", f"init's exec -> all {nserv} services", ms),
            ("term_end", "TERM -> `reboot: Restarting system`", ms)]
    names = {"svscan": "ours `svscan` (rdinit=/bin/svscan), directories in /service",
             "linked": "ours `svscan` (rdinit=/bin/svscan), directories linked into /service",
             "busybox": "busybox `init` (rdinit=/bin/init, inittab)"}
    print(f"| arch | init | {' | '.join(c[1] for c in cols)} |")
    print("|---|---|" + "---|" * len(cols))
    for (arch, init), fs in rows.items():
        cells = [spread([f[k] for f in fs if k in f], fmt) for k, _, fmt in cols]
        print(f"| {arch} | {names.get(init, init)} | {' | '.join(cells)} |")
    print()
    return ok


FIELD = re.compile(r"(\w+)=(\d+)")


def memory_table(runs):
    ok = True
    per = {}
    n = None
    for kind, arch, init, rep, console in runs:
        text = open(console, errors="replace").read()
        info = re.search(r"BENCH-MEM-INFO N=(\d+) REPS=(\d+) (\S+) (\d+) kB", text)
        lines = re.findall(r"^BENCH-MEM (\S+) (\d+) services=(\d+) loggers=(\d+) procs=(\d+) "
                           r"up_s=(\S+) before:(\S+) after:(\S+)", text, re.M)
        if not info or not lines:
            print(f"bench/init: the memory boot gave no figures ({console})", file=sys.stderr)
            return False
        n = int(info.group(1))
        print(f"Guest: x86_64, Linux {info.group(3)}, MemTotal {info.group(4)} kB; "
              f"{n} services per suite, {info.group(2)} rounds.\n")
        for suite, rnd, s, lg, procs, up, before, after in lines:
            b, a = dict(FIELD.findall(before)), dict(FIELD.findall(after))
            if int(s) < n or int(lg) < n:
                ok = False
                print(f"bench/init: {suite} round {rnd}: only {s} services and {lg} loggers ran",
                      file=sys.stderr)
            t0, t1 = (float(x) for x in up.split("-"))
            d = {k: (int(a[k]) - int(b[k])) / n for k in b if k in a}
            d["lost"] = -d.pop("MemAvailable")
            d["kernel"] = d["KernelStack"] + d["PageTables"] + d["SUnreclaim"]
            d["procs"] = int(procs) / n
            d["up"] = t1 - t0
            per.setdefault(suite, []).append(d)
    ours = statistics.median(d["lost"] for d in per.get("ours", [{"lost": 0}]))
    names = {"ours": "ours `svscan` + `supervise` x2 + `multilog`",
             "daemontools": "daemontools 0.76 `svscan` + `supervise` x2 + `multilog`",
             "runit": "runit `runsvdir` + `runsv` + `svlogd`",
             "s6": "s6 `s6-svscan` + `s6-supervise` x2 + `s6-log`",
             "bare": "the service alone: `sleep`, no supervisor, no logger"}
    bare = statistics.median(d["lost"] for d in per["bare"]) if "bare" in per else None
    print("| suite | processes per service | MemAvailable lost per service | peer / ours | "
          "of which the processes' own (AnonPages) | the rest: the kernel's (stacks, page tables, "
          "slab, pipes) and files in tmpfs | per process | supervision and logging (less the service alone) | all up after |")
    print("|---|---|---|---|---|---|---|---|---|")
    for suite in ("ours", "daemontools", "runit", "s6", "bare"):
        ds = per.get(suite)
        if not ds:
            continue
        lost = statistics.median(d["lost"] for d in ds)
        procs = statistics.median(d["procs"] for d in ds)
        ratio = f"{lost / ours:.2f}" if suite not in ("ours", "bare") and ours > 0 else ""
        tree = f"{lost - bare:.0f} kB" if bare is not None and suite != "bare" else ""
        print(f"| {names[suite]} | {procs:.0f} | {spread([d['lost'] for d in ds], kb)} | {ratio} | "
              f"{spread([d['AnonPages'] for d in ds], kb)} | {spread([d['lost'] - d['AnonPages'] for d in ds], kb)} | "
              f"{lost / procs:.0f} kB | {tree} | {spread([d['up'] for d in ds], secs)} |")
    print()
    print("The kernel's fields, per service (medians): " + "; ".join(
        f"{suite} " + ", ".join(f"{k} {statistics.median(d[k] for d in per[suite]):.0f} kB"
                                for k in ("KernelStack", "PageTables", "SUnreclaim", "Shmem"))
        for suite in ("ours", "daemontools", "runit", "s6", "bare") if suite in per))
    print()
    return ok


def main(runs_file, nserv):
    runs = [line.split() for line in open(runs_file) if line.strip()]
    ok = True
    boots = [r for r in runs if r[0] == "boot"]
    if boots:
        ok &= boot_table(boots, int(nserv))
    mem = [r for r in runs if r[0] == "memory"]
    if mem:
        ok &= memory_table(mem)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
