#!/usr/bin/env python3
"""Writes the seed inputs of the `unpack` fuzz target into fuzz/seeds/unpack/.

Each seed is one options byte (see fuzz_targets/unpack.rs) followed by a tar stream, written header by
header so that hostile names (`..`, whiteouts, links out of the root) go in verbatim. The end-of-archive
blocks are left off (the tar reader stops at EOF) to keep the seeds small. Rerun after changing a seed:
    python3 fuzz/seeds/gen_unpack.py
"""

import os
import tarfile

GZIP, OVERLAY, UNPRIVILEGED, TWICE = 1, 2, 4, 8


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="", pax=None, dev=(0, 0)):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.linkname = link
    info.mtime = 1_600_000_000
    info.devmajor, info.devminor = dev
    if pax:
        info.pax_headers = pax
        out = info.tobuf(format=tarfile.PAX_FORMAT)
    else:
        out = info.tobuf(format=tarfile.GNU_FORMAT)
    if data:
        out += data + b"\0" * (-len(data) % 512)
    return out


def file(name, data=b"", mode=0o644, pax=None):
    return entry(name, data=data, mode=mode, pax=pax)


def dir(name, mode=0o755):
    return entry(name, tarfile.DIRTYPE, mode=mode)


def symlink(name, target):
    return entry(name, tarfile.SYMTYPE, mode=0o777, link=target)


def hardlink(name, target):
    return entry(name, tarfile.LNKTYPE, link=target)


SEEDS = {
    "plain-file": (0, [file("etc/hosts", b"127.0.0.1 localhost\n")]),
    "gzip-file": (GZIP, [file("etc/hosts", b"127.0.0.1 localhost\n")]),
    "dirs": (0, [dir("a/b/", 0o500), file("a/b/c"), dir("./", 0o700)]),
    "symlink-escape": (0, [symlink("l", "../outside"), file("l/canary", b"pwned")]),
    # First pass: a directory `l` with a file; then `l` becomes a symlink out of the root, which the
    # second pass meets when it writes `l/canary` again.
    "symlink-second-layer": (TWICE, [file("l/canary"), symlink("l", "../outside")]),
    "symlink-chmod": (0, [symlink("m", "../outside/canary"), dir("m", 0o777)]),
    "hardlink": (0, [hardlink("out", "../outside/canary"), symlink("s", "../outside"),
                     hardlink("through", "s/canary")]),
    "whiteout": (TWICE, [file("a/x"), file("a/.wh.x"), symlink("l", ".."), file("l/.wh.outside")]),
    "opaque-overlay": (OVERLAY, [file("d/f", b"f"), file("d/.wh..wh..opq")]),
    "opaque-apply": (TWICE | UNPRIVILEGED, [file("d/.wh..wh..opq"), symlink("u", "../outside"),
                                            file("u/.wh..wh..opq")]),
    "dotdot": (0, [file("../outside/canary"), file("/../outside/new"), file("a/../../escape/x")]),
    "device-xattr": (0, [entry("dev/null", tarfile.CHRTYPE, mode=0o666, dev=(1, 3)),
                         entry("p", tarfile.FIFOTYPE),
                         file("x", pax={"SCHILY.xattr.user.k": "v",
                                        "SCHILY.xattr.trusted.overlay.opaque": "y"})]),
}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unpack")
os.makedirs(here, exist_ok=True)
for name, (options, entries) in SEEDS.items():
    with open(os.path.join(here, name), "wb") as out:
        out.write(bytes([options]) + b"".join(entries))
