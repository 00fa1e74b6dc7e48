"""Small file-system helpers: atomic writes, JSON files, robust removal."""
from __future__ import annotations

import _thread
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
    # the thread too: the API server writes from several (fsck reads the pid at the end)
    tmp = os.path.join(head, f".{name}.t{_thread.get_ident()}.tmp{os.getpid()}")
    write_new(tmp, data, sync=sync, mode=mode)
    os.replace(tmp, path)


def write_new(path, data: bytes, *, sync: bool = False, mode: int = 0o644) -> None:
    """Write a file nobody reads yet (in a directory still being built)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def dumps(obj) -> bytes:
    """Compact JSON, as the store writes it."""
    return json.dumps(obj, separators=(",", ":")).encode()


def write_json(path, obj, *, sync: bool = True, mode: int = 0o644) -> None:
    write_atomic(path, dumps(obj), sync=sync, mode=mode)


def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read())


def remove_tree(path) -> None:
    """rm -rf. Written with os.scandir rather than shutil so the monitor's slim
    interpreter stays small; read-only directories are no obstacle to root. An empty
    directory (most of a container's: upper, work, merged) goes in one call."""
    path = os.fspath(path)
    try:
        os.rmdir(path)
        return
    except FileNotFoundError:
        return
    except NotADirectoryError:          # a file, or a symlink (never followed)
        unlink_quiet(path)
        return
    except OSError:
        pass                            # not empty (or busy: the walk will say)
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


def copy_tree(src: str, dst: str) -> None:
    """Copy the content of directory `src` into the existing directory `dst`, keeping
    owners, modes, times, symlinks, hard links and device nodes; `dst` itself takes
    src's owner and mode."""
    links: dict[tuple[int, int], str] = {}
    _copy_entries(src, dst, links)
    _copy_meta(src, dst, os.lstat(src))


def _copy_meta(src: str, dst: str, st) -> None:
    os.lchown(dst, st.st_uid, st.st_gid)
    if not stat.S_ISLNK(st.st_mode):
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)


def _copy_entries(src: str, dst: str, links: dict) -> None:
    for entry in os.scandir(src):
        s, d = entry.path, os.path.join(dst, entry.name)
        st = entry.stat(follow_symlinks=False)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            os.mkdir(d, 0o700)
            _copy_entries(s, d, links)
        elif stat.S_ISLNK(mode):
            os.symlink(os.readlink(s), d)
        elif st.st_nlink > 1 and (st.st_dev, st.st_ino) in links:
            os.link(links[(st.st_dev, st.st_ino)], d)
            continue
        elif stat.S_ISREG(mode):
            _copy_file(s, d)
            if st.st_nlink > 1:
                links[(st.st_dev, st.st_ino)] = d
        else:
            os.mknod(d, mode, st.st_rdev)
        _copy_meta(s, d, st)


def _copy_file(src: str, dst: str) -> None:
    fin = os.open(src, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            size = os.fstat(fin).st_size
            while size > 0:
                n = os.sendfile(fout, fin, None, size)   # works across file systems
                if n == 0:
                    break
                size -= n
        finally:
            os.close(fout)
    finally:
        os.close(fin)
