"""Small file-system helpers: atomic writes, JSON files, robust removal."""
from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, sync: bool = True, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never half.

    A crash (even SIGKILL) between the steps leaves at most a stray temp file, which
    `engine fsck` reports and removes.
    """
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_json(path: Path, obj, *, sync: bool = True) -> None:
    write_atomic(path, json.dumps(obj, separators=(",", ":")).encode(), sync=sync)


def read_json(path: Path):
    with open(path, "rb") as f:
        return json.loads(f.read())


def remove_tree(path: Path) -> None:
    """rm -rf that also copes with read-only dirs and immutable-looking leftovers."""
    def onerror(func, p, exc_info):
        err = exc_info[1]
        if isinstance(err, FileNotFoundError):
            return
        if isinstance(err, PermissionError):
            os.chmod(os.path.dirname(p), 0o700)
            func(p)
            return
        raise err
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=onerror)
        else:
            os.unlink(path)


def unlink_quiet(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def dir_size(path: Path) -> int:
    """Bytes of content under `path`, counted as Docker's overlay2 driver does: every
    non-directory entry's size once (hard links counted once)."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(path):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError as e:
                if e.errno == errno.ENOENT:
                    continue
                raise
            if st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    continue
                seen.add(key)
            total += st.st_size
    return total
