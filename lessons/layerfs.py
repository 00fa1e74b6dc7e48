"""Reading a file of a container or an image from the host, through its overlay layers.

Checks must see what the kernel would show inside the container, even when it is
stopped (nothing to exec into), so the layer directories are read the way overlayfs
stacks them: the topmost layer that has the path wins; a whiteout (a 0/0 character
device) hides it and everything below; an opaque directory hides what lower layers hold
under it. Symbolic links resolve inside the container's root, never on the host.
"""
from __future__ import annotations

import os
import stat

from engine.store.archive import is_opaque, is_whiteout

MAX_LINKS = 16


def _lookup(layers: list[str], parts: list[str]) -> str | None:
    """The host path of the entry at `parts` in the stack (top first), no links followed."""
    for layer in layers:
        cur = layer
        for i, part in enumerate(parts):
            cur = os.path.join(cur, part)
            try:
                st = os.lstat(cur)
            except (FileNotFoundError, NotADirectoryError):
                break
            if is_whiteout(st):
                return None
            if i == len(parts) - 1:
                return cur
            if not stat.S_ISDIR(st.st_mode):
                return cur if stat.S_ISLNK(st.st_mode) else None
            if is_opaque(cur):
                # nothing below this directory comes from lower layers: finish here
                rest = os.path.join(cur, *parts[i + 1:])
                return rest if os.path.lexists(rest) else None
        else:
            continue
    return None


def resolve(layers: list[str], path: str,
            mounts: dict[str, str | None] | None = None) -> str | None:
    """The host path holding the container path `path` (links followed), or None.
    `mounts` maps container directories to host directories mounted there (None: a
    mount whose content cannot be read from the host, such as a tmpfs: it hides what
    the layers hold there)."""
    parts = [p for p in path.split("/") if p and p != "."]
    for _ in range(MAX_LINKS):
        covered, host = _mounted(parts, mounts or {})
        if covered:
            return host if host is not None and os.path.exists(host) else None
        found, link_at = _walk(layers, parts)
        if link_at is None:
            return found
        target = os.readlink(found)
        base = [] if target.startswith("/") else parts[:link_at]
        parts = _normalise(base + target.split("/") + parts[link_at + 1:])
    return None


def _walk(layers: list[str], parts: list[str]) -> tuple[str | None, int | None]:
    """Look the path up one component at a time so a link anywhere along it is found:
    (host path, None) when found plainly, (link's host path, its index) for a link."""
    for i in range(len(parts)):
        host = _lookup(layers, parts[:i + 1])
        if host is None:
            return None, None
        if os.path.islink(host):
            return host, i
    return (_lookup(layers, parts) if parts else (layers[0] if layers else None)), None


def _normalise(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if p in ("", "."):
            continue
        if p == "..":
            if out:
                out.pop()
            continue
        out.append(p)
    return out


def _mounted(parts: list[str], mounts: dict[str, str | None]) -> tuple[bool, str | None]:
    """(is the path under a mount?, the host path there, or None if unreadable)."""
    best = None
    for target, source in mounts.items():
        tparts = [p for p in target.split("/") if p]
        if parts[:len(tparts)] == tparts and (best is None or len(tparts) > len(best[0])):
            best = (tparts, source)
    if best is None:
        return False, None
    if best[1] is None:
        return True, None
    return True, os.path.join(best[1], *parts[len(best[0]):])


def read(layers: list[str], path: str, mounts: dict[str, str] | None = None,
         limit: int = 1 << 20) -> bytes | None:
    """The file's content (at most `limit` bytes), or None if it is missing or not a
    regular file."""
    host = resolve(layers, path, mounts)
    if host is None or not os.path.isfile(host):
        return None
    try:
        with open(host, "rb") as f:
            return f.read(limit)
    except OSError:
        return None


def exists(layers: list[str], path: str, mounts: dict[str, str] | None = None) -> bool:
    return resolve(layers, path, mounts) is not None
