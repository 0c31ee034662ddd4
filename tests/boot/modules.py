#!/usr/bin/env python3
"""modules.py TREE NAME...: the kernel modules NAME... need, in the order to load them.

TREE is a kernel package's lib/modules/<version> (unpacked, only the parts needed). Each
module's dependencies are read from its own .modinfo strings ("depends=a,b"): no depmod,
no modinfo for a foreign architecture. A module built into the kernel (listed in TREE's
modules.builtin) is left out; a name found nowhere is an error. Prints one path a line,
relative to TREE, dependencies first.
"""
import os
import re
import sys


def main(tree, names):
    files = {}
    for dirpath, _, filenames in os.walk(tree):
        for f in filenames:
            if f.endswith(".ko"):
                files[f[:-3].replace("-", "_")] = os.path.relpath(os.path.join(dirpath, f), tree)
    builtin = set()
    try:
        with open(os.path.join(tree, "modules.builtin")) as b:
            builtin = {os.path.basename(l.strip())[:-3].replace("-", "_") for l in b if l.strip()}
    except OSError:
        pass
    order, seen = [], set()

    def visit(name, chain):
        name = name.replace("-", "_")
        if name in seen:
            return
        if name in chain:
            sys.exit("modules.py: a dependency loop: %s" % " -> ".join(chain + [name]))
        if name not in files:
            if name in builtin:
                seen.add(name)
                return
            sys.exit("modules.py: no module %s in %s (and not built in)" % (name, tree))
        with open(os.path.join(tree, files[name]), "rb") as f:
            found = re.search(rb"\0depends=([^\0]*)\0", f.read())
        for dep in (found.group(1).decode().split(",") if found else []):
            if dep:
                visit(dep, chain + [name])
        seen.add(name)
        order.append(files[name])

    for name in names:
        visit(name, [])
    print("\n".join(order))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
