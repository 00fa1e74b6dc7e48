"""docker cp, the engine's half: a container's paths as tar archives, out and in.

Docker's API has three calls for this (stat a path, get an archive of it, put an
archive into a directory); these are the same three, run in fsview children so paths,
symlinks and volumes resolve exactly as inside the container. The tar rules both
sides share (renaming the top entry, extracting without replacing a directory by a
file) live here too; the docker CLI's half is shell/commands/cp.py.
"""
from __future__ import annotations

import os
import stat as _stat
import tarfile

from . import fsview
from ..errors import EngineError, InvalidParameter, NotFound

# Go's archive/tar ends a stream after two zero blocks; Python pads it to 10 KiB. The
# sizes reported (and shown by `docker cp`) are Go's.
TAR_TRAILER = 1024


def _not_found(path: str, ref: str) -> NotFound:
    return NotFound(f"Could not find the file {path} in container {ref}")


def _resolve(path: str) -> str:
    """Symlinks resolved in the parent; the last one only when the path ends in / or /.
    (Docker's ResolvePath). Called inside the container's view."""
    if path.endswith("/") or path.endswith("/."):
        return os.path.realpath(path)
    parent, base = os.path.split(os.path.normpath(path))
    return os.path.join(os.path.realpath(parent or "/"), base)


def _stat_doc(path: str) -> dict:
    st = os.lstat(path)
    return {"name": os.path.basename(path.rstrip("/")) or "/", "size": st.st_size,
            "mode": st.st_mode, "mtime": st.st_mtime,
            "linkTarget": os.readlink(path) if _stat.S_ISLNK(st.st_mode) else ""}


def stat(engine, ref: str, path: str) -> dict:
    c = engine.container(ref)
    _check_path(path)

    def work():
        try:
            return _stat_doc(_resolve(_absolute(path)))
        except FileNotFoundError:
            raise _not_found(path, ref) from None
    return fsview.call(engine, c, work)


def _check_path(path: str) -> None:
    if not path:
        raise InvalidParameter("bad parameter: pathcannot be empty")   # sic, as moby


def _absolute(path: str) -> str:
    """Container paths are relative to its root; a trailing / or /. is kept."""
    return path if path.startswith("/") else "/" + path


def _archive_name(path: str) -> str:
    """The name the archive's top entry gets: the requested path's last element, "."
    for a path ending in "/." (copy the content, not the directory)."""
    if path.endswith("/.") or path == ".":
        return "."
    return os.path.basename(os.path.normpath(path)) or "."


def read_archive(engine, ref: str, path: str, out_fd: int, parent_fds=()) -> fsview.Child:
    """Start writing a tar of `path` to out_fd (the top entry named as the path's last
    element); the child's result is the path's stat and the archive's size."""
    c = engine.container(ref)
    _check_path(path)

    def work():
        full = _absolute(path)
        try:
            resolved = _resolve(full)
            info = _stat_doc(resolved)
        except FileNotFoundError:
            raise _not_found(path, ref) from None
        with os.fdopen(out_fd, "wb", closefd=False) as f:
            tar = tarfile.open(fileobj=f, mode="w|", format=tarfile.GNU_FORMAT)
            tar.add(resolved, arcname=_archive_name(full))
            info["archive_size"] = tar.offset + TAR_TRAILER
            tar.close()
        return info
    return fsview.spawn(engine, c, work, parent_fds=parent_fds)


def write_archive(engine, ref: str, path: str, in_fd: int, keep_owner: bool = False,
                  parent_fds=()) -> fsview.Child:
    """Extract the tar read from in_fd into the container directory `path`: owned by
    the container's root, or with keep_owner (cp -a) by the archive's uid/gid. Refused,
    as Docker refuses, when that is not a directory or is read-only."""
    c = engine.container(ref)
    _check_path(path)
    full = os.path.normpath(_absolute(path))
    mounts = [(m["Destination"], m["RW"]) for m in c.mounts]
    readonly_root = c.host.readonly_rootfs

    def work():
        try:
            resolved = os.path.realpath(full)
            st = os.stat(resolved)
        except FileNotFoundError:
            raise _not_found(path, ref) from None
        if not _stat.S_ISDIR(st.st_mode):
            raise InvalidParameter("extraction point is not a directory")
        _check_writable(resolved, mounts, readonly_root)
        with os.fdopen(in_fd, "rb", closefd=False) as f:
            extract(f, resolved, owner="keep" if keep_owner else (0, 0))
        return {}
    return fsview.spawn(engine, c, work, parent_fds=parent_fds)


def _check_writable(path: str, mounts, readonly_root: bool) -> None:
    """moby checkIfPathIsInAVolume: the deepest mount over the path decides."""
    best = None
    for dest, rw in mounts:
        if path == dest or path.startswith(dest.rstrip("/") + "/"):
            if best is None or len(dest) > len(best[0]):
                best = (dest, rw)
    if best is not None:
        if not best[1]:
            raise InvalidParameter("mounted volume is marked read-only")
        return
    if readonly_root:
        raise InvalidParameter("container rootfs is marked read-only")


# --- tar streams ------------------------------------------------------------------------

def rebase(name: str, old: str, new: str) -> str:
    """Docker's RebaseArchiveEntries for one name: the first element `old` becomes `new`."""
    if old == new:
        return name
    stripped = name.rstrip("/")
    if stripped == old:
        return new + name[len(stripped):]
    if stripped.startswith(old + "/"):
        return new + name[len(old):]
    return name


class ExtractError(EngineError):
    """An archive that cannot be unpacked where it was sent."""


def extract(stream, dest: str, owner=None, renamed: tuple[str, str] | None = None) -> None:
    """Unpack a tar stream into the existing directory `dest`, the files owned as the
    archive says (owner="keep"), by (uid, gid), or by whoever unpacks (None). Entries
    may replace
    files but never turn a directory into a file or back (Docker's
    NoOverwriteDirNonDir); nothing is written outside `dest`, even through symlinks
    the archive itself makes."""
    root = os.path.realpath(dest)
    tar = tarfile.open(fileobj=stream, mode="r|*")
    if owner is None:
        tar.chown = lambda *a, **k: None       # the copy belongs to whoever copies
    dirs = []
    for member in tar:
        if isinstance(owner, tuple):
            member.uid, member.gid = owner
        if renamed:
            member.name = rebase(member.name, *renamed)
            if member.islnk():
                member.linkname = rebase(member.linkname, *renamed)
        name = os.path.normpath(member.name.lstrip("/"))
        if name == "." and member.isdir():
            dirs.append((member, root))
            continue
        if name.startswith("../") or name == "..":
            raise ExtractError(f"invalid tar entry {member.name!r}")
        target = os.path.join(root, name)
        parent = os.path.realpath(os.path.dirname(target))
        if parent != root and not parent.startswith(root.rstrip("/") + "/"):
            raise ExtractError(f"invalid tar entry {member.name!r}: it leaves the destination")
        target = os.path.join(parent, os.path.basename(target))
        _make_room(target, member)
        member.name = os.path.relpath(target, root)
        if member.isdir():
            dirs.append((member, target))
            if os.path.isdir(target):
                continue
        if member.islnk():
            member.linkname = os.path.normpath(member.linkname.lstrip("/"))
        tar.extract(member, root, set_attrs=not member.isdir(), numeric_owner=True,
                    **_TRUSTED)
    for member, target in reversed(dirs):       # directory times after their content
        os.makedirs(target, exist_ok=True)
        if owner is not None:
            os.lchown(target, member.uid, member.gid)
        os.chmod(target, member.mode)
        os.utime(target, (member.mtime, member.mtime))
    tar.close()


_TRUSTED = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}


def _make_room(target: str, member) -> None:
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    is_dir = _stat.S_ISDIR(st.st_mode)
    if is_dir and not member.isdir():
        raise ExtractError(f'cannot overwrite directory "{target}" with non-directory '
                           f'"{member.name}"')
    if not is_dir and member.isdir():
        raise ExtractError(f'cannot overwrite non-directory "{target}" with directory '
                           f'"{member.name}"')
    if not is_dir:
        os.unlink(target)
