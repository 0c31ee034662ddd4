#!/usr/bin/env python3
"""mkcpio.py DIR IMAGE: write DIR as an uncompressed newc cpio archive (an initramfs).

Everything is owned by root, and the archive gets the device nodes /dev/console and
/dev/null, which the kernel needs before anything is mounted (it opens /dev/console for
process 1) and which an ordinary user could not create with mknod.
"""
import os
import stat
import sys

DEVICES = {"dev/console": (0o20600, 5, 1), "dev/null": (0o20666, 1, 3)}


def main(top, image):
    out = bytearray()
    ino = 0

    def entry(name, mode, data=b"", nlink=1, rdev=(0, 0), mtime=0):
        nonlocal ino
        ino += 1
        fields = [ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        out.extend(b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0")
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        rel = os.path.relpath(dirpath, top)
        if rel != ".":
            st = os.lstat(dirpath)
            entry(rel, stat.S_IFDIR | stat.S_IMODE(st.st_mode), nlink=2, mtime=int(st.st_mtime))
        # os.walk lists symbolic links to directories among dirnames
        names = sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))])
        for name in names:
            path = os.path.join(dirpath, name)
            relname = os.path.normpath(os.path.join(rel, name))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                entry(relname, stat.S_IFLNK | 0o777, os.readlink(path).encode(), mtime=int(st.st_mtime))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    entry(relname, st.st_mode, f.read(), mtime=int(st.st_mtime))
    for name, (mode, major, minor) in DEVICES.items():
        entry(name, mode, rdev=(major, minor))
    entry("TRAILER!!!", 0)
    with open(image, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py DIR IMAGE")
    main(sys.argv[1], sys.argv[2])
