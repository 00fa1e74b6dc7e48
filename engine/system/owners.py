"""Who an object was made for: the engine's own record, outside the objects.

A lesson needs to know what its learner made while following it (to remove exactly
that), but nothing Docker would show may change for it: no labels in a container's
config or an image's (a label baked into a built image changes its ID, so a cached
rebuild would leave a `<none>` image behind), nothing in `inspect`. So while a caller
names an owner (Engine.owner, e.g. "volumes/run-site": a lesson and its step), the
stores note every container, image, network and volume they create, and every image
name (tag) they give, in one small file in the engine root, keyed by the object's ID
(a volume's is its name, a tag's its full reference):

    container 3f2a...  volumes/run-site
    volume sitedata    volumes/run-site

and forget an object when they remove it, so an ID or volume name made again later by
somebody else is not taken for the lesson's. An image that already existed (the same
build again) is not noted: it was not made now. The monitor never creates objects, so
nothing here is needed in its slim interpreter.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

FILE = "owners"

# engine root -> the owner named for it in this process (several engines may share a
# process: `lessons test` runs a throwaway one beside the learner's)
_active: dict[str, str] = {}


def set_active(root, owner: str | None) -> None:
    if owner:
        _active[str(root)] = owner
    else:
        _active.pop(str(root), None)


def active(root) -> str | None:
    return _active.get(str(root))


@contextmanager
def _locked_file(root):
    path = os.path.join(str(root), FILE)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def note(root, kind: str, oid: str) -> None:
    """Record `oid` as made for the active owner, if one is named."""
    owner = active(root)
    if not owner:
        return
    with _locked_file(root) as fd:
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, f"{kind} {oid} {owner}\n".encode())


def _parse(text: str) -> dict[tuple[str, str], str]:
    out = {}
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and all(parts):
            out[(parts[0], parts[1])] = parts[2]
    return out


def read(root) -> dict[tuple[str, str], str]:
    """(kind, id) -> owner, for every object noted and not forgotten."""
    try:
        with open(os.path.join(str(root), FILE), encoding="utf-8") as f:
            return _parse(f.read())
    except FileNotFoundError:
        return {}


def forget(root, kind: str, oid: str) -> None:
    """The object is gone: drop its note (the file is rewritten only if it has one)."""
    if not os.path.exists(os.path.join(str(root), FILE)):
        return
    with _locked_file(root) as fd:
        records = _parse(_read_fd(fd))
        if records.pop((kind, oid), None) is None:
            return
        # rewritten in place, under the lock: a writer waiting on the lock must find
        # the same file afterwards (a rename would hand it a file nobody reads)
        data = "".join(f"{k} {i} {o}\n" for (k, i), o in records.items()).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


def _read_fd(fd: int) -> str:
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b"".join(chunks).decode("utf-8", "replace")
        chunks.append(chunk)
        offset += len(chunk)
