"""The container's file system view, built inside its new mount namespace.

Everything here runs in the container's first process before exec: it mounts the overlay
root, /proc with Docker's masked and read-only paths, a fresh /dev, /sys read-only and
the generated /etc files, then pivots into the new root. Because the mounts live only in
that mount namespace, they vanish with the container's last process: nothing can leak
onto the host, even if the engine is killed.
"""
from __future__ import annotations

import errno
import os
import stat
from collections import namedtuple

from ..util.fsutil import remove_tree
from . import syscalls as sc

# Docker's defaults (moby oci/defaults.go)
MASKED_PATHS = (
    "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
)
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")

# name, type, major, minor, mode
DEVICES = (
    ("null", stat.S_IFCHR, 1, 3, 0o666), ("zero", stat.S_IFCHR, 1, 5, 0o666),
    ("full", stat.S_IFCHR, 1, 7, 0o666), ("random", stat.S_IFCHR, 1, 8, 0o666),
    ("urandom", stat.S_IFCHR, 1, 9, 0o666), ("tty", stat.S_IFCHR, 5, 0, 0o666),
)
DEV_LINKS = (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
             ("ptmx", "pts/ptmx"), ("core", "/proc/kcore"))

# Files and mount points every container needs; they live in one shared lower layer
# (Docker's "-init" layer) so they never show up in `docker diff` or a commit.
INIT_LAYER_DIRS = ("dev", "dev/pts", "dev/shm", "proc", "sys", "etc")
INIT_LAYER_FILES = ("etc/hostname", "etc/hosts", "etc/resolv.conf", ".dockerenv", "dev/console")


# target: absolute path inside the container; kind: bind | tmpfs; options: tmpfs data
BindMount = namedtuple("BindMount", "source target read_only kind options noexec nodev nosuid",
                       defaults=(False, "bind", "", False, True, True))


# base: the directory the relative lower/upper/work paths start from; lowers: topmost
# first; merged: absolute; etc_files: (host file, /etc/x) pairs to bind; volatile: the
# upper layer is thrown away after (--rm), so nothing in it need ever reach the disk;
# root_fd: the overlay made already (open_root()), or -1; devices: nodes to make besides
# the standard ones, (path, "c" | "b", major, minor, mode, uid, gid) each (devices.Node)
RootfsSpec = namedtuple("RootfsSpec", "base lowers upper work merged readonly privileged "
                                      "etc_files mounts working_dir own_pid_ns own_net_ns "
                                      "volatile root_fd devices",
                        defaults=(False, False, (), (), "/", True, True, False, -1, ()))


def make_init_layer(path: str) -> None:
    """Create the shared init layer in `path` (a fresh directory)."""
    for d in INIT_LAYER_DIRS:
        os.makedirs(os.path.join(path, d), 0o755, exist_ok=True)
    for f in INIT_LAYER_FILES:
        open(os.path.join(path, f), "a").close()
    os.chmod(os.path.join(path, "dev/console"), 0o600)
    mtab = os.path.join(path, "etc/mtab")
    if not os.path.lexists(mtab):
        os.symlink("/proc/mounts", mtab)


def _overlay_options(spec: RootfsSpec) -> str:
    return (f"lowerdir={':'.join(spec.lowers)},upperdir={spec.upper},workdir={spec.work}"
            + overlay_extras())


_OVERLAY_EXTRAS: list[str] = []


def overlay_extras() -> str:
    """Options turning off what a host may have turned on by default and that would
    make commit miss renamed dirs; in a user namespace (rootless), userxattr: overlayfs
    keeps its marks in user.* xattrs there (store/archive.py writes them so). Read once
    per process: call it before forking, so the children that mount find it known."""
    if not _OVERLAY_EXTRAS:
        from . import userns
        extras = ",userxattr" if userns.rootless() else ""
        for param in ("redirect_dir", "metacopy"):
            try:
                with open(f"/sys/module/overlay/parameters/{param}") as f:
                    if f.read().strip() not in ("N", "off"):
                        extras += f",{param}=off"
            except OSError:
                pass
        _OVERLAY_EXTRAS.append(extras)
    return _OVERLAY_EXTRAS[0]


def _ensure_mountpoint(path: str, is_dir: bool) -> None:
    if os.path.lexists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if is_dir:
        os.mkdir(path, 0o755)
    else:
        open(path, "a").close()


def resolve(root: str, path: str) -> str:
    """The host path of `path` in the container whose root is mounted at `root`."""
    return _inside(root, path)


def _inside(root: str, path: str, depth: int = 0) -> str:
    """The host path of `path` (absolute in the container), with symlinks in it resolved
    as the container would see them, so no mount can land outside its root."""
    current = root
    parts = [p for p in path.split("/") if p and p != "."]
    for i, part in enumerate(parts):
        if part == "..":
            current = os.path.dirname(current) if current != root else root
            continue
        candidate = current + "/" + part
        if os.path.islink(candidate):
            if depth > 40:
                raise OSError(40, f"too many levels of symbolic links in {path}")
            target = os.readlink(candidate)
            base = "/" if target.startswith("/") else current[len(root):] or "/"
            rest = "/".join([target] + parts[i + 1:])
            return _inside(root, os.path.join(base, rest), depth + 1)
        current = candidate
    return current


def open_root(spec: RootfsSpec) -> int:
    """The container's overlay root, made now and mounted nowhere yet (the new mount
    API): an fd its first process attaches (mount_root()). Making an overlay is a
    millisecond of ext4 work on its work dir; the starter does it while the monitor is
    still on its way, so the container's process does not. -1 when the kernel cannot
    (lowerdir+ needs Linux 6.8): the container's process mounts it then."""
    base = spec.base.rstrip("/") + "/"
    strings = [("source", "overlay")] + [("lowerdir+", base + lower) for lower in spec.lowers]
    strings += [("upperdir", base + spec.upper), ("workdir", base + spec.work)]
    extras = [o for o in overlay_extras().split(",") if o]
    strings += [tuple(o.split("=", 1)) for o in extras if "=" in o]
    flags = [o for o in extras if "=" not in o] + (["volatile"] if spec.volatile else [])
    if spec.volatile:
        _clear_volatile(spec)
    try:
        return sc.new_mount("overlay", strings, flags)
    except OSError:
        return -1


def _clear_volatile(spec: RootfsSpec) -> None:
    # overlayfs's "volatile" (Linux 5.10) skips every sync of the upper layer, the one on
    # unmount too: that sync flushes the whole host file system, and made up most of the
    # time between a --rm container's last exit and its monitor hearing of it. The
    # kernel leaves work/work/incompat behind to refuse a second mount.
    remove_tree(os.path.join(spec.base, spec.work, "work", "incompat"))


def mount_root(spec: RootfsSpec) -> None:
    """The overlay root alone, in a mount namespace of the caller's own."""
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
    if spec.root_fd >= 0:
        sc.move_mount(spec.root_fd, spec.merged)
        os.close(spec.root_fd)
        return
    os.chdir(spec.base)   # relative lower dirs keep the overlay options under a page
    options = _overlay_options(spec)
    if spec.volatile:
        _clear_volatile(spec)
        try:
            sc.mount("overlay", spec.merged, "overlay", 0, options + ",volatile")
            return
        except OSError as e:
            if e.errno != errno.EINVAL:       # an older kernel: mount it the usual way
                raise
    sc.mount("overlay", spec.merged, "overlay", 0, options)


def mount_volumes(spec: RootfsSpec) -> None:
    """The bind mounts and volumes over the mounted root (not tmpfs: a stopped
    container's tmpfs holds nothing)."""
    for b in spec.mounts:
        if b.kind != "tmpfs":
            _mount_one(spec.merged, b)


def setup(spec: RootfsSpec) -> None:
    m = spec.merged
    mount_root(spec)
    if spec.own_pid_ns:
        sc.mount("proc", m + "/proc", "proc", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC)
    else:
        sc.mount("/proc", m + "/proc", None, sc.MS_BIND | sc.MS_REC)
    _setup_dev(m, spec.devices)
    sys_flags = sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC
    if not spec.privileged:
        sys_flags |= sc.MS_RDONLY
    if spec.own_net_ns:
        sc.mount("sysfs", m + "/sys", "sysfs", sys_flags)
    else:
        sc.mount("/sys", m + "/sys", None, sc.MS_BIND | sc.MS_REC)
    for b in spec.mounts:
        _mount_one(m, b)
    # after the volumes (a volume on /etc must not hide them), unless the user mounted
    # one of these files himself, as Docker does
    taken = {os.path.normpath(b.target) for b in spec.mounts}
    for src, target in spec.etc_files:
        if target in taken:
            continue
        dst = _inside(m, target)
        _ensure_mountpoint(dst, False)
        sc.mount(src, dst, None, sc.MS_BIND)
    if not spec.privileged:
        _mask(m)
    if spec.working_dir and spec.working_dir != "/":
        os.makedirs(_inside(m, spec.working_dir), 0o755, exist_ok=True)


class MountError(Exception):
    """A volume, bind or tmpfs that cannot be mounted, in runc's words."""


def _mount_one(m: str, b: BindMount) -> None:
    dst = _inside(m, b.target)
    if b.kind == "tmpfs":
        _ensure_mountpoint(dst, True)
        flags = (sc.MS_NOSUID if b.nosuid else 0) | (sc.MS_NODEV if b.nodev else 0) | \
            (sc.MS_NOEXEC if b.noexec else 0) | (sc.MS_RDONLY if b.read_only else 0)
        _mount(b, "tmpfs", dst, "tmpfs", flags, b.options or None)
        return
    _ensure_mountpoint(dst, os.path.isdir(b.source))
    _mount(b, b.source, dst, None, sc.MS_BIND | sc.MS_REC)
    if b.read_only:
        _mount(b, None, dst, None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_REC)


def _mount(b: BindMount, source, dst: str, fstype, flags: int, data=None) -> None:
    try:
        sc.mount(source, dst, fstype, flags, data)
    except OSError as e:
        reason = os.strerror(e.errno).lower() if e.errno else str(e)
        raise MountError(f'error mounting "{b.source}" to rootfs at "{b.target}": mount '
                         f'src={b.source}, dst={b.target}, flags={flags:#x}: {reason}') from None


def _setup_dev(m: str, nodes: tuple) -> None:
    dev = m + "/dev"
    sc.mount("tmpfs", dev, "tmpfs", sc.MS_NOSUID | sc.MS_STRICTATIME, "mode=755,size=65536k")
    umask = os.umask(0)              # the modes as given, without a chmod each
    try:
        given = {n[0] for n in nodes}    # a --device on /dev/null replaces the standard one
        for name, kind, major, minor, mode in DEVICES:
            if "/dev/" + name not in given:
                _mknod(f"{dev}/{name}", kind | mode, major, minor, "/dev/" + name)
        _make_nodes(m, nodes)
    finally:
        os.umask(umask)
    for name, target in DEV_LINKS:
        if not os.path.lexists(f"{dev}/{name}"):
            os.symlink(target, f"{dev}/{name}")
    for d in ("pts", "shm", "mqueue"):
        os.mkdir(f"{dev}/{d}", 0o755)
    try:
        sc.mount("devpts", dev + "/pts", "devpts", sc.MS_NOSUID | sc.MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620,gid=5")
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
        # a user namespace that maps one id (rootless, no subordinate ids) has no group
        # 5 (tty): without it, as runc does
        sc.mount("devpts", dev + "/pts", "devpts", sc.MS_NOSUID | sc.MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620")
    sc.mount("shm", dev + "/shm", "tmpfs", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC,
             "mode=1777,size=65536k")
    sc.mount("mqueue", dev + "/mqueue", "mqueue", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC)
    os.close(os.open(dev + "/console", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666))


def _make_nodes(m: str, nodes: tuple) -> None:
    """--device and --privileged nodes, made as the host's are (runc's way). /dev/ptmx
    stays the link to the container's own pts/ptmx, as runc leaves it."""
    for path, kind, major, minor, mode, uid, gid in nodes:
        if path == "/dev/ptmx":
            continue
        dst = _inside(m, path)
        os.makedirs(os.path.dirname(dst), 0o755, exist_ok=True)
        try:
            made = _mknod(dst, (stat.S_IFCHR if kind == "c" else stat.S_IFBLK) | mode,
                          major, minor, _host_node(path, kind, major, minor))
        except FileExistsError:
            continue
        if made:                    # a bound host node keeps the host's owner
            os.chown(dst, uid, gid)


def _host_node(path: str, kind: str, major: int, minor: int) -> str:
    """The host's node for a device: at the same path (--device /dev/fuse, and every
    node of --privileged), else udev's /dev/char or /dev/block link."""
    try:
        st = os.stat(path)
        if stat.S_ISCHR(st.st_mode) == (kind == "c") and \
                st.st_rdev == os.makedev(major, minor):
            return path
    except OSError:
        pass
    return f"/dev/{'char' if kind == 'c' else 'block'}/{major}:{minor}"


def _mknod(dst: str, mode: int, major: int, minor: int, host: str) -> bool:
    """A device node (True); in a user namespace (the rootless engine), where the
    kernel lets nobody make one, the host's own node bound over an empty file, as runc
    does (False)."""
    try:
        os.mknod(dst, mode, os.makedev(major, minor))
        return True
    except PermissionError:
        os.close(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                         stat.S_IMODE(mode)))
        sc.mount(host, dst, None, sc.MS_BIND)
        return False


def _mask(m: str) -> None:
    for p in MASKED_PATHS:
        path = m + p
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            sc.mount("tmpfs", path, "tmpfs", sc.MS_RDONLY, "size=0k")
        else:
            sc.mount(m + "/dev/null", path, None, sc.MS_BIND)
    for p in READONLY_PATHS:
        path = m + p
        if not os.path.lexists(path):
            continue
        sc.mount(path, path, None, sc.MS_BIND | sc.MS_REC)
        sc.mount(None, path, None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_REC)


def pivot(spec: RootfsSpec) -> None:
    """Make the merged dir the root and drop every trace of the host's tree."""
    os.chdir(spec.merged)
    sc.pivot_root(".", ".")
    sc.umount(".", sc.MNT_DETACH)
    os.chdir("/")
    if spec.readonly:
        sc.mount(None, "/", None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY)
