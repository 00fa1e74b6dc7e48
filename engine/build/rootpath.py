"""Paths inside a root directory (an image's file system, the build context), with
symbolic links resolved as a process chrooted there would see them.

COPY into /usr/local/bin of an image where /usr/local is a link to /opt must land in
/opt, and a link to /etc in a tar that ADD extracts must never reach the host's /etc:
every link is followed relative to the root, and `..` stops at it.
"""
from __future__ import annotations

import os
import posixpath

MAX_LINKS = 40


class LinkLoop(OSError):
    pass


def clean(path: str) -> str:
    """An absolute, normalised path ("/" for empty): `a/../b` -> `/b`."""
    out = posixpath.normpath("/" + path)
    return "/" + out.lstrip("/")      # POSIX keeps a leading "//"; Docker does not


def resolve(root: str, path: str, follow_last: bool = True) -> str:
    """The host path of `path` (absolute inside `root`), links in it resolved inside
    `root`. With follow_last False a final link is not followed (to replace it)."""
    parts = [p for p in path.split("/") if p and p != "."]
    current, links = root, 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            current = os.path.dirname(current) if current != root else root
            if len(current) < len(root):
                current = root
            continue
        candidate = os.path.join(current, part)
        if (parts or follow_last) and os.path.islink(candidate):
            links += 1
            if links > MAX_LINKS:
                raise LinkLoop(40, "too many levels of symbolic links", path)
            target = os.readlink(candidate)
            if target.startswith("/"):
                current = root
            parts = [p for p in target.split("/") if p and p != "."] + parts
            continue
        current = candidate
    return current


def inside(root: str, host_path: str) -> str:
    """The path as seen from inside `root` ("/" for the root itself)."""
    rel = os.path.relpath(host_path, root)
    return "/" if rel == "." else "/" + rel
