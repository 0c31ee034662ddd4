#!/usr/bin/env python3
"""Lists every place from which an unstripped release binary can reach the panic handler,
and fails (exit 1) when one of them is not on the allow-list.

The binaries must keep their symbols and line tables (targets/check-no-panic.sh builds
them so). The panic machinery is every function from which `rust_begin_unwind` (the
handler) can be reached whose name is core's (`core::panicking::*`, `panic_bounds_check`,
`slice_index_fail`, `copy_from_slice`'s `len_mismatch_fail`, `<[T; N] as Index>::index`,
...). A site is a call or jump into that machinery from any other function; its place is
found with `llvm-symbolizer --inlining` and shown as the chain of frames outside Rust's
own library, innermost first, up to the first frame of this project (bins/ or core/):
`rustix-1.1.6/src/fs/raw_dir.rs:214:34 < bins/src/file.rs:247:37`. Where the compiler
merged several sites into one call, the call has line 0; each branch that jumps to it
is then a site of its own, placed by the branch.

Allow-list lines on stdin: `TOOLS REGEX # reason`, TOOLS being `*` or names joined by
commas; a site is allowed when REGEX matches (re.search) its chain.

Usage: targets/check-no-panic.py [-v] BINARY... < allow-list
"""
import os
import re
import subprocess
import sys

LIBRARY = '/rustlib/src/rust/library/'
MACHINERY = re.compile(r'(<?core::|<\[|__rustc::rust_begin_unwind$)')


def disassemble(path):
    """Function name -> [(address, target function)] of every call or jump to a function,
    and target address -> [addresses] of the jumps within a function."""
    text = subprocess.run(['llvm-objdump', '-d', '-C', '--no-show-raw-insn', path],
                          capture_output=True, text=True, check=True).stdout
    functions, jumps, current = {}, {}, None
    for line in text.splitlines():
        m = re.match(r'^[0-9a-f]+ <(.*)>:$', line)
        if m:
            current = m.group(1)
            functions[current] = []
            continue
        # x86: `callq 0x201d00 <f>`; arm: `bl 0x2422c <f> @ imm = #15068`.
        m = re.match(r'^\s*([0-9a-f]+):.*?\s0x([0-9a-f]+) <(.*)>(?:\s+@ .*)?$', line)
        if m and current:
            if re.search(r'\+0x[0-9a-f]+$', m.group(3)):
                jumps.setdefault(int(m.group(2), 16), []).append(int(m.group(1), 16))
            else:
                functions[current].append((int(m.group(1), 16), m.group(3)))
    return functions, jumps


def machinery(functions):
    """Core's functions from which the panic handler is reached."""
    reach = {f for f in functions if f.endswith('rust_begin_unwind')}
    while True:
        more = {f for f, calls in functions.items()
                if f not in reach and any(t in reach for _, t in calls)}
        if not more:
            return {f for f in reach if MACHINERY.match(f)}
        reach |= more


def place(frames):
    """The frames outside Rust's library, innermost first, to the first project frame."""
    chain = []
    for _, location in frames:
        if LIBRARY in location:
            continue
        location = re.sub(r'^.*/registry/src/[^/]+/', '', location)
        location = re.sub(r'^' + re.escape(os.getcwd()) + '/', '', location)
        chain.append(location)
        if re.match(r'(bins|core)/', location):
            break
    return ' < '.join(chain)


def symbolize(path, addresses):
    """The frames (function, location) at each address, innermost first."""
    if not addresses:
        return []
    out = subprocess.run(['llvm-symbolizer', '--inlining', '--obj=' + path]
                         + [hex(a) for a in addresses],
                         capture_output=True, text=True, check=True).stdout
    blocks = [b.splitlines() for b in out.strip('\n').split('\n\n')]
    return [list(zip(b[0::2], b[1::2])) for b in blocks]


def sites(path):
    """Each panic site of the binary: (chain, panic function)."""
    functions, jumps = disassemble(path)
    panics = machinery(functions)
    calls = [(a, f, t) for f, cs in functions.items() if f not in panics
             for a, t in cs if t in panics]
    placed = list(zip(calls, symbolize(path, [a for a, _, _ in calls])))
    # A call placed at line 0 stands for the jumps to it: sites the compiler merged.
    merged = [call for call, frames in placed
              if frames and re.search(r':0:\d+$', frames[0][1]) and call[0] in jumps]
    behind = [(j, f, t) for a, f, t in merged for j in jumps[a]]
    placed = [p for p in placed if p[0] not in merged]
    placed += zip(behind, symbolize(path, [j for j, _, _ in behind]))
    found = set()
    for (_, caller, target), frames in placed:
        chain = place(frames)
        if not chain or chain.startswith('??'):
            chain = '?? in ' + caller  # no line tables: never allowed
        found.add((chain, target))
    return found


def main():
    args = sys.argv[1:]
    verbose = args[:1] == ['-v']
    allow = []
    for line in sys.stdin:
        line = line.split('#', 1)[0].split()
        if line:
            allow.append((line[0].split(','), re.compile(line[1])))
    failed = False
    for path in args[verbose:]:
        tool = os.path.basename(path)
        found = sites(path)
        bad = sorted(s for s in found if not any(
            ('*' in tools or tool in tools) and rx.search(s[0]) for tools, rx in allow))
        if not found:
            print(f'{path}: no panic code')
        elif not bad:
            print(f'{path}: panics only from allowed sites ({len(found)})')
        else:
            print(f'{path}: {len(bad)} panic sites not allowed')
            failed = True
        for chain, target in sorted(found) if verbose else bad:
            mark = '  not allowed: ' if (chain, target) in bad else '  allowed: '
            print(f'{mark}{chain}  -> {target.split("::")[-1]}')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
