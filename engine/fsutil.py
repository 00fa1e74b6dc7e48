"""Small file-system helpers: atomic writes, JSON files, robust removal."""
from __future__ import annotations

import errno
import json
import os
import stat


def write_atomic(path, data: bytes, *, sync: bool = True, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never half.

    A crash (even SIGKILL) between the steps leaves at most a stray temp file, which
    `engine fsck` reports and removes.
    """
    path = os.fspath(path)
    head, name = os.path.split(path)
    tmp = os.path.join(head, f".{name}.tmp{os.getpid()}")
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


def write_json(path, obj, *, sync: bool = True) -> None:
    write_atomic(path, json.dumps(obj, separators=(",", ":")).encode(), sync=sync)


def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read())


def remove_tree(path) -> None:
    """rm -rf. Written with os.scandir rather than shutil so the monitor's slim
    interpreter stays small; read-only directories are no obstacle to root."""
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        unlink_quiet(path)
        return
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            remove_tree(entry.path)
        else:
            unlink_quiet(entry.path)
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass


def unlink_quiet(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def dir_size(path) -> int:
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
