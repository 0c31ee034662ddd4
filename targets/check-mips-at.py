#!/usr/bin/env python3
"""Fails (exit 1) when a MIPS binary reads `$at` ($1) after a `syscall` before writing it.

Linux's o32 syscall return path does not restore `$at`; only qemu-user does. Rust cannot
name `$1` as an asm clobber, and LLVM still keeps values there, so the syscall wrappers
(bins/src/sys.rs and the patched rustix, targets/patches/rustix-mips-at.diff) save it in
`$s0` around the instruction. This check is what protects a target with no kernel to boot
here (32-bit big-endian MIPS): it reads `llvm-objdump -d` of each binary and follows every
path from each `syscall` (fall-through and branch targets, delay slots included) until
`$1` is written, the function calls out or returns (o32 callers never keep a value in
`$1` across a call), a trap ends it (`break`, `teq $0, $0` after exit_group), or a path
gets longer than LIMIT instructions.

Usage: targets/check-mips-at.py BINARY...   (prints one line per binary)
"""
import re
import subprocess
import sys

LIMIT = 64  # instructions followed per path; the wrappers restore $1 right away

# Instructions whose register operands are all read (stores, branches, traps, moves to
# hi/lo); any other instruction writes its first register and reads the rest.
READS_ALL = {
    'sb', 'sh', 'sw', 'swl', 'swr', 'sc', 'swc1', 'sdc1', 'beq', 'bne', 'beql', 'bnel',
    'bgez', 'bgtz', 'blez', 'bltz', 'beqz', 'bnez', 'bgezl', 'bgtzl', 'blezl', 'bltzl',
    'jr', 'jr.hb', 'mthi', 'mtlo', 'mult', 'multu', 'div', 'divu', 'madd', 'maddu',
    'msub', 'msubu', 'teq', 'tne', 'tge', 'tgeu', 'tlt', 'tltu', 'teqi', 'tnei',
    'mtc0', 'mtc1', 'b', 'j', 'syscall', 'break', 'nop', 'sync', 'ssnop', 'ehb',
}
CALLS = {'jal', 'jalr', 'bal', 'bgezal', 'bltzal', 'jalr.hb'}
ENDS = {'j', 'jr', 'b', 'jr.hb'} | CALLS  # no fall-through past the delay slot
NAMES = {'at': '1', 'zero': '0', 'sp': '29', 'fp': '30', 's8': '30', 'ra': '31', 'gp': '28'}


def registers(operands):
    return [NAMES.get(r, r) for r in re.findall(r'\$(\d+|[a-z][a-z0-9]*)\b', operands)]


def disassemble(path):
    text = subprocess.run(['llvm-objdump', '-d', '--no-show-raw-insn', path],
                          capture_output=True, text=True, check=True).stdout
    code = {}
    order = []
    for line in text.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s+(\S+)\s*(.*)$', line)
        if m:
            address = int(m.group(1), 16)
            code[address] = (m.group(2), m.group(3).split('<')[0].strip())
            order.append(address)
    return code, order


def target(operands):
    """The address a direct branch goes to (llvm-objdump prints it in hex last)."""
    m = re.search(r'(?:^|,\s*)(0x[0-9a-f]+|\d+)$', operands)
    return int(m.group(1), 0) if m else None


def reads_after(code, order, start):
    """First instruction reached from the `syscall` at `start` that reads $1, or None."""
    index = {a: i for i, a in enumerate(order)}
    todo = [index[start] + 1]  # where each path to follow begins
    seen = set()
    while todo:
        i = todo.pop()
        first, ending = i, None  # ending: the delay slot after which the path stops
        while i < len(order) and i - first < LIMIT and order[i] not in seen:
            address = order[i]
            seen.add(address)
            op, operands = code[address]
            regs = registers(operands)
            reads, writes = (regs, []) if op in READS_ALL or op in CALLS else (regs[1:], regs[:1])
            if '1' in reads:
                return address, op, operands
            if '1' in writes or (ending is not None and i >= ending):
                break
            if op == 'break' or (op == 'teq' and regs == ['0', '0']):
                break  # a trap ends the path: nothing after it runs (exit_group's `teq`)
            if op in ENDS:
                ending = i + 1
            branch = op.startswith(('b', 'j')) and op not in CALLS | {'jr', 'jr.hb', 'break'}
            dest = target(operands) if branch else None
            if dest in index:
                todo.append(index[dest])  # after the delay slot, which this path reads
            i += 1
    return None


def check(path):
    code, order = disassemble(path)
    syscalls = [a for a in order if code[a][0] == 'syscall']
    bad = [(a, hit) for a in syscalls if (hit := reads_after(code, order, a))]
    name = path.rsplit('/', 1)[-1]
    if not syscalls:
        print(f'check-mips-at: {name}: no syscall found (is this a MIPS binary?)')
        return False
    for a, (address, op, operands) in bad:
        print(f'check-mips-at: {name}: syscall at {a:#x}, then {op} {operands} at {address:#x} '
              'reads $at, which the kernel does not restore')
    return not bad


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[-1])
        return 2
    results = [check(p) for p in paths]
    print(f'check-mips-at: {sum(results)} of {len(paths)} binaries keep nothing in $at across syscall')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
