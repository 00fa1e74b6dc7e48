"""The few Linux system calls Python 3.11's os module lacks, through ctypes.

Each wrapper raises OSError with the real errno, so callers handle them like os.* errors.
"""
from __future__ import annotations

import errno as _errno
import os
import struct

_LIBC = None


def _lib():
    """libc through ctypes, loaded on first use: the monitor's slim interpreter only
    needs the /proc and ioctl helpers below and never pays for ctypes."""
    global _LIBC, ctypes
    if _LIBC is None:
        import ctypes as _ctypes
        ctypes = _ctypes
        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.syscall.restype = ctypes.c_long
    return _LIBC


ctypes = None

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
SIGCHLD = 17

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_BIND = 0x1000
MS_MOVE = 0x2000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_SLAVE = 0x80000
MS_STRICTATIME = 0x1000000
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_ARCH = os.uname().machine
_NR = {
    "x86_64": {"pivot_root": 155, "setns": 308, "unshare": 272, "capset": 126,
               "pidfd_open": 434, "close_range": 436, "sethostname": 170},
    "aarch64": {"pivot_root": 41, "setns": 268, "unshare": 97, "capset": 91,
                "pidfd_open": 434, "close_range": 436, "sethostname": 161},
}[_ARCH]


def _check(ret: int, what: str, path: str | None = None) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        if path is not None:
            raise OSError(err, f"{what}: {os.strerror(err)}", path)
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def _b(s: str | None) -> bytes | None:
    return s.encode() if s is not None else None


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0,
          data: str | None = None) -> None:
    _check(_lib().mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
           "mount", target)


# the new mount API (Linux 5.2); its syscall numbers are the same on every architecture
_NR_MOVE_MOUNT, _NR_FSOPEN, _NR_FSCONFIG, _NR_FSMOUNT = 429, 430, 431, 432
_FSCONFIG_SET_FLAG, _FSCONFIG_SET_STRING, _FSCONFIG_CMD_CREATE = 0, 1, 6
_MOVE_MOUNT_F_EMPTY_PATH = 0x4
_AT_FDCWD = -100


def new_mount(fstype: str, strings: list[tuple[str, str]], flags: list[str]) -> int:
    """A new file system, mounted nowhere yet: an fd for move_mount(). `strings` are
    its key=value options in order, `flags` the bare ones."""
    lib = _lib()
    fs = _check(lib.syscall(_NR_FSOPEN, _b(fstype), 1), "fsopen")        # FSOPEN_CLOEXEC
    try:
        for key, value in strings:
            _check(lib.syscall(_NR_FSCONFIG, fs, _FSCONFIG_SET_STRING, _b(key), _b(value), 0),
                   "fsconfig", key)
        for key in flags:
            _check(lib.syscall(_NR_FSCONFIG, fs, _FSCONFIG_SET_FLAG, _b(key), None, 0),
                   "fsconfig", key)
        _check(lib.syscall(_NR_FSCONFIG, fs, _FSCONFIG_CMD_CREATE, None, None, 0), "fsconfig")
        return _check(lib.syscall(_NR_FSMOUNT, fs, 1, 0), "fsmount")        # FSMOUNT_CLOEXEC
    finally:
        os.close(fs)


def move_mount(fd: int, target: str) -> None:
    """Attach a mount made by new_mount() at `target`."""
    _check(_lib().syscall(_NR_MOVE_MOUNT, fd, b"", _AT_FDCWD, _b(target),
                          _MOVE_MOUNT_F_EMPTY_PATH), "move_mount", target)


_NR_OPEN_TREE = 428              # the same number on x86_64 and the generic table (arm64)


def open_tree_clone(path: str) -> int:
    """A detached copy of the mount at `path` alone (no mounts below it), as an fd:
    the file system itself, without what is mounted on top of it. Gone when closed."""
    flags = 1 | os.O_CLOEXEC                                        # OPEN_TREE_CLONE
    return _check(_lib().syscall(_NR_OPEN_TREE, _AT_FDCWD, _b(path), flags), "open_tree", path)


def umount(target: str, flags: int = 0) -> None:
    _check(_lib().umount2(_b(target), flags), "umount", target)


def pivot_root(new_root: str, put_old: str) -> None:
    _check(_lib().syscall(_NR["pivot_root"], _b(new_root), _b(put_old)), "pivot_root", new_root)


def unshare(flags: int) -> None:
    _check(_lib().unshare(flags), "unshare")


def setns(fd: int, nstype: int = 0) -> None:
    _check(_lib().setns(fd, nstype), "setns")


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_lib().sethostname(raw, len(raw)), "sethostname")


_CLONE_ARGS = None


def _clone_args_type():
    global _CLONE_ARGS
    if _CLONE_ARGS is None:
        class CloneArgs(ctypes.Structure):
            _fields_ = [(name, ctypes.c_uint64) for name in (
                "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack",
                "stack_size", "tls", "set_tid", "set_tid_size", "cgroup")]
        _CLONE_ARGS = CloneArgs
    return _CLONE_ARGS


CLONE_PIDFD = 0x1000
CLONE_INTO_CGROUP = 0x200000000
_NR_CLONE3 = 435


def clone(flags: int, cgroup_fd: int | None = None) -> tuple[int, int]:
    """fork(2) into new namespaces (and straight into a cgroup v2 directory, which costs
    nothing, where moving a process there afterwards costs an RCU grace period).

    The child returns (0, -1) and continues this Python code; the parent gets
    (pid, pidfd). Only safe in a single-threaded process (the monitor is one), like
    os.fork before exec.
    """
    _lib()
    pidfd = ctypes.c_int(-1)
    args = _clone_args_type()()
    args.flags = flags | CLONE_PIDFD | (CLONE_INTO_CGROUP if cgroup_fd is not None else 0)
    args.pidfd = ctypes.addressof(pidfd)
    args.exit_signal = SIGCHLD
    if cgroup_fd is not None:
        args.cgroup = cgroup_fd
    ret = _lib().syscall(_NR_CLONE3, ctypes.byref(args), ctypes.c_size_t(ctypes.sizeof(args)))
    pid = _check(ret, "clone3")
    return (pid, pidfd.value) if pid else (0, -1)


def prctl(option: int, arg2: int = 0) -> int:
    return _check(_lib().prctl(option, ctypes.c_ulong(arg2), 0, 0, 0), "prctl")


def set_process_name(name: str) -> None:
    """What ps and /proc/PID/comm show (the kernel keeps 15 characters)."""
    try:
        with open("/proc/self/comm", "w") as f:
            f.write(name[:15])
    except OSError:
        pass


def preload() -> None:
    """Load libc through ctypes now, in a process that forks often, so every child
    does not pay for the import again."""
    _lib()


def close_range(first: int, last: int = 0xFFFFFFFF) -> None:
    if _lib().syscall(_NR["close_range"], first, ctypes.c_uint(last), 0) < 0:
        os.closerange(first, min(last, 65535) + 1)


def pidfd_open(pid: int) -> int:
    return _check(_lib().syscall(_NR["pidfd_open"], pid, 0), "pidfd_open")


def capset(effective: int, permitted: int, inheritable: int) -> None:
    _lib()

    class CapHeader(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class CapData(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]
    hdr = CapHeader(0x20080522, 0)          # _LINUX_CAPABILITY_VERSION_3
    data = (CapData * 2)()
    for i in range(2):
        shift = 32 * i
        data[i].effective = (effective >> shift) & 0xFFFFFFFF
        data[i].permitted = (permitted >> shift) & 0xFFFFFFFF
        data[i].inheritable = (inheritable >> shift) & 0xFFFFFFFF
    _check(_lib().syscall(_NR["capset"], ctypes.byref(hdr), data), "capset")


# ioctl requests
TIOCSCTTY = 0x540E
TIOCGPTN = 0x80045430
TIOCSPTLCK = 0x40045431
TIOCSWINSZ = 0x5414
TIOCGWINSZ = 0x5413


def set_winsize(fd: int, rows: int, cols: int) -> None:
    import fcntl
    fcntl.ioctl(fd, TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def get_winsize(fd: int) -> tuple[int, int]:
    import fcntl
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, TIOCGWINSZ, b"\0" * 8))
    return rows, cols


def process_start_time(pid: int) -> int:
    """The start time (clock ticks since boot) of a process, or 0 when it is gone: with
    the pid it identifies a process even after the pid number is reused."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    # the command name (field 2) may contain spaces and parens; fields resume after the last ')'
    rest = data[data.rindex(b")") + 2:].split()
    if rest[0] in (b"Z", b"X"):
        return 0
    return int(rest[19])


def parent_pid(pid: int) -> int:
    """The parent of a process (a zombie's too), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(data[data.rindex(b")") + 2:].split()[1])


def alive_pid(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def alive(pid: int, start_time: int) -> bool:
    return pid > 0 and start_time > 0 and process_start_time(pid) == start_time


def running_as(pid: int, name: str) -> bool:
    """Whether process `pid` lives (not a zombie) and is called `name` (its comm): one
    of the engine's helpers, not another process that got its pid."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() != name:
                return False
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


EPERM = _errno.EPERM
