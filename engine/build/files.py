"""What COPY, ADD and WORKDIR do to an image's file system.

These run inside a private mount namespace (see rootfs_job.py) where the step's image
is mounted as an overlay: writing into it lands in the overlay's upper directory, which
then becomes the step's layer, exactly as a RUN's changes do. Every path inside the
image is resolved with rootpath, so links in the image (or in an archive ADD unpacks)
are followed inside the image and never out of it.

Docker's rules: sources from the build context belong to root (0:0) unless --chown,
files from another stage or an archive keep their owners; modes and modification times
are kept (--chmod replaces the mode); a directory source copies its contents; a
destination ending in `/` (or several sources, or an existing directory) is a
directory; missing parent directories are made.
"""
from __future__ import annotations

import os
import stat

from ..runtime import users
from . import rootpath
from .errors import BuildError

_BUF = 1 << 20


# --- owners and modes ---------------------------------------------------------------------

def chown_ids(root: str, spec: str) -> tuple[int, int]:
    """--chown=user[:group] with names from the image's own /etc/passwd and /etc/group;
    a user without a group means the same number for both (Docker's rule)."""
    user, _, group = spec.partition(":")
    uid = _lookup(root, "/etc/passwd", user, "uid", "user") if user else 0
    gid = _lookup(root, "/etc/group", group, "gid", "group") if group else uid
    return uid, gid


def _lookup(root: str, table: str, name: str, what: str, kind: str) -> int:
    if name.isdigit():
        return int(name)
    for entry in users._entries(rootpath.resolve(root, table)):
        if len(entry) >= 3 and entry[0] == name and entry[2].isdigit():
            return int(entry[2])
    raise BuildError(f"unable to convert uid/gid chown string to host mapping: can't find "
                     f"{what} for {kind} {name}: no such {kind}: {name}")


def parse_chmod(text: str) -> int:
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise BuildError(f"invalid chmod parameter: '{text}'. it should be octal string and "
                         "between 0 and 07777")
    return mode


class Meta:
    """Who owns what a step writes: (uid, gid) or None to keep each source's own, and
    the mode that replaces each source's, or None."""

    def __init__(self, owner: tuple[int, int] | None, chmod: int | None):
        self.owner, self.chmod = owner, chmod

    def ids(self, st) -> tuple[int, int]:
        return self.owner if self.owner is not None else (st.st_uid, st.st_gid)

    def mode(self, st) -> int:
        return self.chmod if self.chmod is not None else stat.S_IMODE(st.st_mode)


# --- writing into the image ---------------------------------------------------------------

def make_dirs(path: str, ids: tuple[int, int], mode: int = 0o755) -> None:
    """mkdir -p, giving the directories it makes `ids` (existing ones stay as they are)."""
    missing = []
    while not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise BuildError(f"cannot copy to non-directory: {path}")
    for d in reversed(missing):
        os.mkdir(d, mode)
        os.chmod(d, mode)
        os.lchown(d, *ids)


def _clear(target: str, for_dir: bool) -> None:
    """Make room for a new entry: a file or link goes; a directory stays for a directory
    (its contents merge) and goes for anything else."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        if for_dir:
            return
        from ..util.fsutil import remove_tree
        remove_tree(target)
    else:
        os.unlink(target)


def _write_file(src, target: str) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := src.read(_BUF):
            out.write(chunk)


def place(path: str, st, target: str, meta: Meta) -> bool:
    """Copy one entry (not what is below a directory); True when it was a directory,
    whose times are set after its contents."""
    mode = st.st_mode
    is_dir = stat.S_ISDIR(mode)
    _clear(target, is_dir)
    if is_dir:
        if not os.path.isdir(target):
            os.mkdir(target, 0o700)
    elif stat.S_ISREG(mode):
        with open(path, "rb") as src:
            _write_file(src, target)
    elif stat.S_ISLNK(mode):
        os.symlink(os.readlink(path), target)
        os.lchown(target, *meta.ids(st))
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
        return False
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
        os.mknod(target, stat.S_IFMT(mode) | 0o600, st.st_rdev)
    else:
        return False                       # sockets are not copied (nor by Docker)
    os.lchown(target, *meta.ids(st))
    os.chmod(target, meta.mode(st))
    if not is_dir:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    return is_dir


def copy_tree(items, root: str, base: str, meta: Meta) -> None:
    """Copy (sub, host path, lstat) items of one source directory into `base` (a host
    path inside `root`); the directory's own entry (sub "") is not copied."""
    dirs = []
    base_in = rootpath.inside(root, base)
    for sub, path, st in items:
        if not sub:
            continue
        target = rootpath.resolve(root, f"{base_in}/{sub}", follow_last=False)
        if place(path, st, target, meta):
            dirs.append((target, st))
    for target, st in reversed(dirs):
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


# --- archives (ADD) -----------------------------------------------------------------------

def is_archive(path: str) -> bool:
    """A tar, plain or compressed (gzip, bzip2, xz), that ADD unpacks: decided by content,
    as Docker does, never by the file's name."""
    import tarfile
    try:
        with tarfile.open(path, "r:*") as tar:
            return tar.next() is not None
    except (tarfile.TarError, EOFError, OSError, ValueError):
        return False
    except Exception:           # zlib/lzma/bz2 errors of a file that is no archive
        return False


def extract(path: str, root: str, base: str, meta: Meta) -> None:
    """Unpack the archive into `base`, entries' owners and modes kept (--chown and
    --chmod override them), every path resolved inside the image."""
    import tarfile
    base_in = rootpath.inside(root, base)
    dirs = []
    with tarfile.open(path, "r:*") as tar:
        for m in tar:
            name = rootpath.clean(m.name)
            if name == "/":
                continue
            target = rootpath.resolve(root, base_in + name, follow_last=False)
            make_dirs(os.path.dirname(target), meta.owner or (0, 0))
            if _extract_member(tar, m, root, base_in, target, meta):
                dirs.append((target, m))
    for target, m in reversed(dirs):
        os.utime(target, (m.mtime, m.mtime))


def _extract_member(tar, m, root: str, base_in: str, target: str, meta: Meta) -> bool:
    _clear(target, m.isdir())
    if m.isdir():
        if not os.path.isdir(target):
            os.mkdir(target, 0o700)
    elif m.isreg():
        _write_file(tar.extractfile(m), target)
    elif m.issym():
        os.symlink(m.linkname, target)
    elif m.islnk():
        source = rootpath.resolve(root, base_in + rootpath.clean(m.linkname),
                                  follow_last=False)
        os.link(source, target, follow_symlinks=False)
        return False
    elif m.ischr() or m.isblk() or m.isfifo():
        kind = stat.S_IFCHR if m.ischr() else stat.S_IFBLK if m.isblk() else stat.S_IFIFO
        os.mknod(target, kind | 0o600, os.makedev(m.devmajor, m.devminor))
    else:
        return False
    uid, gid = meta.owner if meta.owner is not None else (m.uid, m.gid)
    os.lchown(target, uid, gid)
    if not m.issym():
        os.chmod(target, meta.chmod if meta.chmod is not None else m.mode & 0o7777)
        if not m.isdir():
            os.utime(target, (m.mtime, m.mtime))
    return m.isdir()


# --- WORKDIR ----------------------------------------------------------------------------

def workdir(root: str, path: str, user: str) -> None:
    """Make the WORKDIR if it is missing, owned by the USER in effect (as BuildKit)."""
    ids = (0, 0)
    if user:
        try:
            u = users.resolve(user, root)
        except users.UserError as e:
            raise BuildError(str(e)) from None
        ids = (u.uid, u.gid)
    make_dirs(rootpath.resolve(root, path), ids)
