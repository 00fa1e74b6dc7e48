"""The engine's inter-process lock.

Every mutation of the store takes it, so two shells (or a shell and a container's
monitor) never interleave half-done changes. It is re-entrant within one process.
A forked child must call `forget_after_fork()`: flock locks belong to the open file,
which a fork shares, so a child that kept the fd would keep holding the lock.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

# lock path -> [fd, depth]; the engine is used from one thread per process
_HELD: dict[str, list[int]] = {}


def _held() -> dict:
    return _HELD


@contextmanager
def locked(path):
    held = _held()
    key = os.fspath(path)
    entry = held.get(key)
    if entry:
        entry[1] += 1
        try:
            yield
        finally:
            entry[1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[key] = [fd, 1]
        try:
            yield
        finally:
            del held[key]
    finally:
        os.close(fd)


def forget_after_fork() -> None:
    """In a freshly forked child: drop the parent's lock fds without unlocking them."""
    held = _held()
    for fd, _ in held.values():
        try:
            os.close(fd)
        except OSError:
            pass
    held.clear()
