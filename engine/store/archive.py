"""Layer tar archives <-> overlay directories, with OCI whiteouts.

An OCI layer tar marks deletions with `.wh.<name>` entries and "this directory replaces
the one below" with `.wh..wh..opq`. overlayfs marks the same things in an upper
directory with a 0:0 character device and the `trusted.overlay.opaque` xattr. Layers are
unpacked into the overlay form once, so they can be stacked as lower dirs directly;
commit turns a container's upper dir back into the OCI form.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
OPAQUE_XATTR = "trusted.overlay.opaque"
# in a user namespace (the rootless engine) overlayfs keeps its marks in user.* xattrs
# (its userxattr option): trusted.* ones are root's on the host alone
OPAQUE_USER_XATTR = "user.overlay.opaque"
_XATTR_PAX = "SCHILY.xattr."
# xattrs worth carrying in a layer; overlay's own and security labels stay behind
_KEEP_XATTR = ("user.", "security.capability", "trusted.")
_COPY_BUF = 1 << 20


class ArchiveError(Exception):
    pass


def opaque_xattr() -> str:
    """The xattr that marks a directory opaque for the overlays this engine mounts."""
    from ..runtime import userns
    return OPAQUE_USER_XATTR if userns.rootless() else OPAQUE_XATTR


# --- unpacking ----------------------------------------------------------------

def _safe_name(name: str) -> str:
    parts = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise ArchiveError(f"refusing to unpack {name!r}: it points outside the layer")
        parts.append(part)
    return "/".join(parts)


def _check_parents(root: str, rel: str) -> None:
    """Refuse entries whose parent directory is a symlink: a crafted tar could use one
    to write outside the layer (a -> /etc, then a/passwd)."""
    path = root
    for part in rel.split("/")[:-1]:
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            os.mkdir(path, 0o755)
            continue
        if stat.S_ISLNK(st.st_mode):
            raise ArchiveError(f"refusing to unpack {rel!r}: its parent is a symlink")


def _remove_existing(path: str) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        return
    os.unlink(path)


def unpack(fileobj, dest: Path) -> None:
    """Unpack a layer tar into `dest` (an empty dir), converting whiteouts to overlay's form."""
    root = str(dest)
    dirs: list[tuple[str, tarfile.TarInfo]] = []
    with tarfile.open(fileobj=fileobj, mode="r|*") as tar:
        for info in tar:
            rel = _safe_name(info.name)
            if not rel:
                dirs.append((root, info))
                continue
            _check_parents(root, rel)
            path = os.path.join(root, rel)
            base = os.path.basename(rel)
            if base == OPAQUE_MARKER:
                os.setxattr(os.path.dirname(path), opaque_xattr(), b"y")
                continue
            if base.startswith(WHITEOUT_PREFIX):
                target = os.path.join(os.path.dirname(path), base[len(WHITEOUT_PREFIX):])
                _remove_existing(target)
                os.mknod(target, stat.S_IFCHR | 0o000, os.makedev(0, 0))
                continue
            _unpack_member(tar, info, root, path)
            if info.isdir():
                dirs.append((path, info))
    # directory metadata last: adding files would bump their mtimes again
    for path, info in reversed(dirs):
        _apply_meta(path, info, is_dir=True)


def _unpack_member(tar: tarfile.TarFile, info: tarfile.TarInfo, root: str, path: str) -> None:
    if info.isdir():
        if not os.path.isdir(path):
            _remove_existing(path)
            os.mkdir(path, 0o700)
        return
    _remove_existing(path)
    if info.isreg():
        src = tar.extractfile(info)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(_COPY_BUF):
                out.write(chunk)
    elif info.issym():
        os.symlink(info.linkname, path)
    elif info.islnk():
        target = os.path.join(root, _safe_name(info.linkname))
        os.link(target, path, follow_symlinks=False)
        return  # a hard link shares the target's metadata
    elif info.ischr() or info.isblk():
        kind = stat.S_IFCHR if info.ischr() else stat.S_IFBLK
        os.mknod(path, kind | 0o600, os.makedev(info.devmajor, info.devminor))
    elif info.isfifo():
        os.mkfifo(path, 0o600)
    else:
        return
    _apply_meta(path, info, is_dir=False)


def unmapped_owner(info: tarfile.TarInfo):
    """A file whose owner the rootless engine's user namespace does not map (an id past
    the user's subordinate ones): Docker's words, and what would make it work."""
    from ..errors import System
    from ..runtime import userns
    hint = ("the engine runs as you, in a user namespace that maps only your id" if
            userns.single_id() else "the engine maps your id and your subordinate ids "
            "(/etc/subuid, /etc/subgid) only")
    return System(f"failed to register layer: lchown {info.name}: invalid argument",
                  hint=f"{hint}, and this image has files owned by {info.uid}:{info.gid}; "
                       "a range of 65536 subordinate ids covers every usual image")


def _apply_meta(path: str, info: tarfile.TarInfo, *, is_dir: bool) -> None:
    try:
        os.lchown(path, info.uid, info.gid)
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
        raise unmapped_owner(info) from None
    for key, value in (info.pax_headers or {}).items():
        if key.startswith(_XATTR_PAX):
            try:
                os.setxattr(path, key[len(_XATTR_PAX):], value.encode("utf-8", "surrogateescape"),
                            follow_symlinks=False)
            except OSError:
                pass  # a file system without that xattr namespace: the content still counts
    if not info.issym():
        os.chmod(path, info.mode & 0o7777)
    os.utime(path, (info.mtime, info.mtime), follow_symlinks=False)


# --- packing --------------------------------------------------------------------

class HashingWriter(io.RawIOBase):
    """A write-only file that hashes what passes through it (the layer's diff ID)."""

    def __init__(self, out):
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.out.write(b)
        self.size += len(b)
        return len(b)

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha.hexdigest()


class _Tee:
    """Reads a file while writing what it read into a copy: one read for two outputs."""

    def __init__(self, src, copy_fd: int):
        self.src = src
        self.copy_fd = copy_fd

    def read(self, n=-1):
        data = self.src.read(n)
        view = memoryview(data)
        while view:
            view = view[os.write(self.copy_fd, view):]
        return data


def is_whiteout(st: os.stat_result) -> bool:
    """An overlay whiteout: a 0/0 character device."""
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _xattrs(path: str) -> dict[str, str]:
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for name in names:
        if name.startswith(("trusted.overlay.", "user.overlay.")):
            continue
        if name.startswith(_KEEP_XATTR):
            try:
                out[_XATTR_PAX + name] = os.getxattr(path, name, follow_symlinks=False).decode(
                    "utf-8", "surrogateescape")
            except OSError:
                pass
    return out


def is_opaque(path: str) -> bool:
    """A directory overlay marked opaque (it hides everything below it)."""
    try:
        return os.getxattr(path, opaque_xattr(), follow_symlinks=False) == b"y"
    except OSError:
        return False


def _walk_sorted(root: str, rel_dir: str = ""):
    """Yield (rel, abs) for every entry under root, parents before children, sorted,
    so the same directory always makes the same tar (and the same diff ID)."""
    abs_dir = os.path.join(root, rel_dir) if rel_dir else root
    for name in sorted(os.listdir(abs_dir)):
        rel = f"{rel_dir}/{name}" if rel_dir else name
        path = os.path.join(abs_dir, name)
        yield rel, path
        if os.path.isdir(path) and not os.path.islink(path):
            yield from _walk_sorted(root, rel)


def pack(src: Path, out, *, copy_to: Path | None = None,
         exclude: frozenset[str] = frozenset()) -> None:
    """Write the overlay-form directory `src` as an OCI layer tar into `out`.

    With `copy_to`, also reproduce `src` there in overlay form (the new layer's unpacked
    directory) while reading each file once. `exclude` names top-level-relative
    directories whose content is left out (they stay, empty): the mount points of
    volumes, as in Docker, where a commit keeps the mount point but never the volume.
    """
    root = str(src)
    dest = str(copy_to) if copy_to else None
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT,
                      copybufsize=_COPY_BUF) as tar:
        links: dict[tuple[int, int], str] = {}
        for rel, path in _walk_sorted(root):
            if any(rel.startswith(e + "/") for e in exclude):
                continue
            st = os.lstat(path)
            name = os.path.basename(rel)
            parent = os.path.dirname(rel)
            if is_whiteout(st):
                wh = tarfile.TarInfo(os.path.join(parent, WHITEOUT_PREFIX + name))
                wh.mtime = int(st.st_mtime)
                tar.addfile(wh)
                if dest:
                    os.mknod(os.path.join(dest, rel), stat.S_IFCHR, os.makedev(0, 0))
                continue
            _pack_entry(tar, rel, path, st, links, dest)
            if stat.S_ISDIR(st.st_mode) and is_opaque(path):
                opq = tarfile.TarInfo(f"{rel}/{OPAQUE_MARKER}")
                opq.mtime = int(st.st_mtime)
                tar.addfile(opq)
                if dest:
                    os.setxattr(os.path.join(dest, rel), opaque_xattr(), b"y")
    if dest:
        _copy_dir_times(root, dest)


def _tarinfo(rel: str, st: os.stat_result, path: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(rel + ("/" if stat.S_ISDIR(st.st_mode) else ""))
    info.mode = stat.S_IMODE(st.st_mode)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.uname = info.gname = ""
    info.mtime = int(st.st_mtime)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISREG(mode):
        info.type, info.size = tarfile.REGTYPE, st.st_size
    elif stat.S_ISLNK(mode):
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    elif stat.S_ISFIFO(mode):
        info.type = tarfile.FIFOTYPE
    else:
        return None  # sockets are not archived (Docker skips them too)
    xattrs = _xattrs(path)
    if xattrs:
        info.pax_headers = xattrs
    return info


def _pack_entry(tar, rel, path, st, links, dest) -> None:
    info = _tarinfo(rel, st, path)
    if info is None:
        return
    target = os.path.join(dest, rel) if dest else None
    if info.isreg() and st.st_nlink > 1:
        key = (st.st_dev, st.st_ino)
        if key in links:
            info.type, info.size, info.linkname = tarfile.LNKTYPE, 0, links[key]
            tar.addfile(info)
            if target:
                os.link(os.path.join(dest, links[key]), target)
            return
        links[key] = rel
    if info.isreg():
        with open(path, "rb") as f:
            if target:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                try:
                    tar.addfile(info, _Tee(f, fd))
                finally:
                    os.close(fd)
            else:
                tar.addfile(info, f)
    else:
        tar.addfile(info)
        if target:
            _make_like(target, info)
    if target:
        _apply_meta(target, info, is_dir=info.isdir())


def _make_like(target: str, info: tarfile.TarInfo) -> None:
    if info.isdir():
        os.mkdir(target, 0o700)
    elif info.issym():
        os.symlink(info.linkname, target)
    elif info.ischr() or info.isblk():
        kind = stat.S_IFCHR if info.ischr() else stat.S_IFBLK
        os.mknod(target, kind | 0o600, os.makedev(info.devmajor, info.devminor))
    elif info.isfifo():
        os.mkfifo(target, 0o600)


def _copy_dir_times(src: str, dest: str) -> None:
    for dirpath, dirnames, _ in os.walk(src):
        rel = os.path.relpath(dirpath, src)
        st = os.lstat(dirpath)
        target = os.path.join(dest, rel)
        if os.path.isdir(target):
            os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
