"""The container's first process, from clone to exec.

`start()` clones a child into new namespaces; the child builds the root file system,
switches identity and execs the container's command. The two talk over a socketpair:
the parent says "go" once it has put the child in its cgroups (and networks); the child
answers with the pty master (for -t), then either nothing (exec worked: the socket is
close-on-exec and simply closes) or one error message.
"""
from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
import stat
import struct

from . import caps, rootfs, seccomp, syscalls as sc, users


class ProcessSpec:
    """What to exec and how: stdio are the fds to become 0, 1, 2 (without a tty); caps
    the capability set (None: Docker's default); seccomp the profile (seccomp.BUILTIN
    or a profile's JSON; None: unconfined), no_new_privs --security-opt
    no-new-privileges."""

    def __init__(self, argv: list[str], env: list[str], user: str = "", cwd: str = "/",
                 tty: bool = False, privileged: bool = False, hostname: str = "",
                 stdio: tuple[int, int, int] = (0, 1, 2), caps: int | None = None,
                 winsize: tuple[int, int] = (0, 0), seccomp: str | None = None,
                 no_new_privs: bool = False, seccomp_caps: int | None = None):
        self.argv, self.env, self.user, self.cwd = argv, env, user, cwd
        self.tty, self.privileged, self.hostname = tty, privileged, hostname
        self.stdio, self.caps, self.winsize = stdio, caps, winsize
        self.seccomp, self.no_new_privs = seccomp, no_new_privs
        self.seccomp_caps = seccomp_caps      # the set its filter is for (None: caps)
        self.keep_fds: list[int] = []

    def caps_set(self) -> int:
        return self.caps if self.caps is not None else caps.effective_set(self.privileged)

    def filter(self) -> bytes | None:
        """Its seccomp program (compiled once per process, seccomp.program: call this
        before the fork too, and the child finds it made)."""
        return seccomp.program(self.seccomp, self.caps_set() if self.seccomp_caps is None
                               else self.seccomp_caps)


class LaunchError(Exception):
    """The container's process could not start. `runtime`: the failure happened in
    the runtime (exec, user, mounts) and Docker wraps it in the OCI runtime's words;
    otherwise (a published port in use) the message stands alone."""

    def __init__(self, message: str, exit_code: int, runtime: bool = True):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.runtime = runtime

    @classmethod
    def of(cls, error: Exception) -> "LaunchError":
        """A start's failure as a LaunchError: an engine error met on the way (the
        network helper's, a container gone) is the daemon's, not the runtime's."""
        if isinstance(error, cls):
            return error
        return cls(str(error), 125, runtime=False)

    def answer(self) -> dict:
        """What the monitor tells its starter (monitor.spawn)."""
        return {"ok": False, "code": self.exit_code, "message": self.message,
                "runtime": self.runtime}


# --- parent side ------------------------------------------------------------------

class Child:
    """A cloned container process, building its root file system: its pid, a pidfd,
    and the parent's end of the socket it waits for "go" on."""

    def __init__(self, pid: int, pidfd: int, sock: socket.socket, mnt_ns: int = -1):
        self.pid, self.pidfd, self.sock = pid, pidfd, sock
        self.went: bool | Exception = False    # said "go" (or failed to: why)
        self.made: dict[str, int] = {}         # fds before_go made ("D": DNS socket)
        self.mnt_ns = mnt_ns                   # an fd of its mount namespace, or -1

    def go(self, before_go) -> None:
        """`before_go(pid)` (cgroups that need the pid, its network: netconf.setup),
        then say "go"; once only: a second call repeats the first's outcome. The fds
        before_go returns ({"D": DNS socket}) end up with start()'s."""
        if isinstance(self.went, Exception):
            raise self.went
        if self.went:
            return
        try:
            self.made = before_go(self.pid)
            self.sock.sendall(b"go")
            self.went = True
        except Exception as e:
            self.went = e
            raise

    def abandon(self) -> None:
        self.sock.close()
        _reap_quietly(self.pid)
        os.close(self.pidfd)
        for fd in [self.mnt_ns, *self.made.values()]:
            if fd >= 0:
                os.close(fd)


def clone(rfs: rootfs.RootfsSpec, proc: ProcessSpec, ns_flags: int, join_ns: list[str],
          cgroup_fd: int | None = None) -> Child:
    """Clone the container's first process. It sets up its root file system at once,
    then waits for start()'s "go" before it touches its network or execs."""
    program = proc.filter()
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid, pidfd = sc.clone(ns_flags, cgroup_fd)
    if pid == 0:
        parent_sock.close()
        _child(rfs, proc, join_ns, child_sock, program)   # never returns
    child_sock.close()
    return Child(pid, pidfd, parent_sock, _hold_mounts(pid) if ns_flags & sc.CLONE_NEWNS else -1)


def _hold_mounts(pid: int) -> int:
    """An fd of the child's mount namespace. When a container's last process ends, the
    kernel tears its mount namespace down (some thirty mounts, with RCU waits) before it
    tells the parent: while the monitor holds the namespace, that happens when the
    monitor lets go of it, after it has passed the exit on."""
    try:
        return os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def start(child: Child, before_go, while_starting=None) -> tuple[int, int, dict[str, int]]:
    """See a cloned child through to its exec; returns (pid, pidfd, fds) where fds holds
    what the child handed over, "P" the pty master (-t), what before_go made, "D" the
    DNS socket, and "M" its mount namespace (Child.mnt_ns).

    `before_go(pid)` runs while the child builds its root file system (cgroups that
    need the pid, veth pairs, its network), unless Child.go() ran it already; it
    returns the fds it made. `while_starting(pid)` runs after "go", also alongside the
    child: bookkeeping. Raises LaunchError if the child could not exec.
    """
    pid, sock = child.pid, child.sock
    try:
        try:
            child.go(before_go)
        except Exception:
            # the child may have failed first (a mount, say), and then said why: that
            # is the error to show, not what went wrong here because it was gone
            reported = _reported(sock)
            if reported is not None:
                raise reported from None
            raise
        if while_starting is not None:
            while_starting(pid)
        handed: dict[str, int] = {}
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(sock, 4096, 1)
            except ConnectionResetError:
                # the child ended without reading "go": it failed first (and, but for
                # a kill, said why; the reset comes before its message)
                raise _reported(sock) or LaunchError(
                    "the container's first process ended before it started", 125) from None
            if not msg:
                sock.close()
                if child.mnt_ns >= 0:
                    handed["M"] = child.mnt_ns
                return pid, child.pidfd, {**child.made, **handed}
            if msg[:1] == b"P" and fds:
                handed["P"] = fds[0]
                continue
            for fd in handed.values():
                os.close(fd)
            raise _launch_error(msg)
    except BaseException:
        child.abandon()
        raise


def _launch_error(msg: bytes) -> LaunchError:
    code, _, text = msg[1:].decode(errors="replace").partition(":")
    return LaunchError(text, int(code))


def _reported(sock: socket.socket) -> LaunchError | None:
    """The error the child reported already, if it did (without waiting). A child that
    ended with "go" unread leaves a connection reset, reported once ahead of its
    message."""
    for _ in range(2):
        try:
            msg = sock.recv(4096, socket.MSG_DONTWAIT)
        except ConnectionResetError:
            continue
        except OSError:
            return None
        return _launch_error(msg) if msg[:1] == b"E" else None
    return None


def _reap_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    except ProcessLookupError:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


# --- child side ---------------------------------------------------------------------

# Ignored signals stay ignored across exec: Python ignores SIGPIPE and SIGXFSZ, the
# monitor ignores terminal signals, its spawner SIGCHLD. The container must start with
# all of them default.
_RESET_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGQUIT,
                  signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU, signal.SIGHUP,
                  signal.SIGCHLD)


def _child(rfs, proc: ProcessSpec, join_ns: list[str], sock: socket.socket,
           program: bytes | None) -> None:
    code = 125
    try:
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
        for sig in _RESET_SIGNALS:       # handled ones exec resets by itself
            if signal.getsignal(sig) == signal.SIG_IGN:
                signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for path in join_ns:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            sc.setns(fd, 0)
            os.close(fd)
        rootfs.setup(rfs)
        if proc.hostname:
            sc.sethostname(proc.hostname)
        rootfs.pivot(rfs)
        if sock.recv(16) != b"go":      # its monitor made its network meanwhile
            os._exit(125)
        setup_stdio(proc, sock)
        code = 126
        confine(proc, program, early=True)
        become(proc)
        code = 127
        path = look_path(proc.argv[0], env_path(proc.env))
        code = 126
        close_fds(sock.fileno(), proc.keep_fds)
        confine(proc, program, early=False)
        os.execve(path, proc.argv, env_dict(proc.env))
    except LaunchError as e:
        report_error(sock, e.exit_code, e.message)
    except rootfs.MountError as e:
        report_error(sock, 125, str(e))
    except OSError as e:
        if code == 126 and e.errno == errno.ENOENT:
            code = 127
        report_error(sock, code, exec_message(proc.argv[0], e))
    except BaseException as e:   # never let Python unwind into the parent's code
        report_error(sock, 125, f"{type(e).__name__}: {e}")
    os._exit(code)


def report_error(sock: socket.socket, code: int, message: str) -> None:
    try:
        sock.sendall(f"E{code}:{message}".encode()[:4000])
    except OSError:
        pass


def exec_message(arg0: str, e: OSError) -> str:
    reason = {errno.ENOENT: "no such file or directory", errno.EACCES: "permission denied",
              errno.ENOEXEC: "exec format error", errno.EISDIR: "is a directory",
              errno.ENOTDIR: "not a directory"}.get(e.errno, (e.strerror or str(e)).lower())
    return f'exec: "{arg0}": {reason}'


def env_path(env: list[str]) -> str:
    for kv in env:
        if kv.startswith("PATH="):
            return kv[5:]
    return ""


def env_dict(env: list[str]) -> dict[str, str]:
    out = {}
    for kv in env:
        k, _, v = kv.partition("=")
        out[k] = v
    return out


def look_path(file: str, path_env: str) -> str:
    """Find the program to exec the way Go's exec.LookPath does, with its messages."""
    if "/" in file:
        try:
            st = os.stat(file)
        except OSError as e:
            code = 127 if e.errno in (errno.ENOENT, errno.ENOTDIR) else 126
            raise LaunchError(f'exec: "{file}": stat {file}: {e.strerror.lower()}', code)
        if stat.S_ISDIR(st.st_mode):
            raise LaunchError(f'exec: "{file}": is a directory', 126)
        if not os.access(file, os.X_OK):
            raise LaunchError(f'exec: "{file}": permission denied', 126)
        return file
    for d in path_env.split(":"):
        candidate = os.path.join(d or ".", file)
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and os.access(candidate, os.X_OK):
            return candidate
    raise LaunchError(f'exec: "{file}": executable file not found in $PATH', 127)


def setup_stdio(proc: ProcessSpec, sock: socket.socket, console: bool = True) -> None:
    if not proc.tty:
        for target, fd in enumerate(proc.stdio):
            if fd != target:
                os.dup2(fd, target)
        return
    master = os.open("/dev/pts/ptmx", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    fcntl.ioctl(master, sc.TIOCSPTLCK, struct.pack("i", 0))
    n = struct.unpack("I", fcntl.ioctl(master, sc.TIOCGPTN, b"\0" * 4))[0]
    slave = os.open(f"/dev/pts/{n}", os.O_RDWR | os.O_NOCTTY)
    if proc.winsize[0]:
        sc.set_winsize(slave, *proc.winsize)
    if console:
        sc.mount(f"/dev/pts/{n}", "/dev/console", None, sc.MS_BIND)
    socket.send_fds(sock, [b"P"], [master])
    os.close(master)
    os.setsid()
    fcntl.ioctl(slave, sc.TIOCSCTTY, 0)
    for target in range(3):
        os.dup2(slave, target)
    if slave > 2:
        os.close(slave)


def confine(proc: ProcessSpec, program: bytes | None, early: bool) -> None:
    """Load the seccomp filter where runc does: without no-new-privileges, loading
    one needs CAP_SYS_ADMIN, so before the capabilities are cut and the user switched
    (become()); with it, as late as possible, just before exec, so that the fewest
    system calls must pass the filter."""
    if early and proc.no_new_privs:
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
    if program is None or early == proc.no_new_privs:
        return
    try:
        seccomp.load(program)
    except OSError as e:
        raise LaunchError(f"error loading seccomp filter into kernel: "
                          f"{(e.strerror or str(e)).lower()}", 125) from None


def become(proc: ProcessSpec) -> None:
    try:
        who = users.resolve(proc.user)
    except users.UserError as e:
        raise LaunchError(str(e), 126)
    caps.limit_to(proc.caps_set())
    try:
        os.setgroups(list(who.groups))
    except PermissionError:
        # a user namespace mapped without newgidmap (rootless, no subordinate ids)
        # denies setgroups: the groups stay as they are, as runc leaves them there
        if not _setgroups_denied():
            raise
    if proc.tty:
        try:
            os.fchown(0, who.uid, -1)
        except OSError:
            pass
    os.setgid(who.gid)
    os.setuid(who.uid)   # a non-root uid loses the capabilities here, as in Docker
    if not any(kv.startswith("HOME=") for kv in proc.env):
        proc.env.append(f"HOME={who.home}")
    try:
        os.chdir(proc.cwd or "/")
    except OSError as e:
        raise LaunchError(f"chdir to cwd (\"{proc.cwd}\") set in config.json failed: "
                          f"{(e.strerror or '').lower()}", 126)


def _setgroups_denied() -> bool:
    try:
        fd = os.open("/proc/self/setgroups", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return os.read(fd, 16).strip() == b"deny"
    finally:
        os.close(fd)


def close_fds(keep_sock: int, keep: list[int]) -> None:
    """Nothing of the engine may leak into the container but its stdio."""
    first = 3
    for fd in sorted({keep_sock, *keep}):      # close the gaps between the kept ones
        if fd >= first:
            if fd > first:
                sc.close_range(first, fd - 1)
            first = fd + 1
    sc.close_range(first)
    os.set_inheritable(keep_sock, False)
    for fd in keep:
        os.set_inheritable(fd, True)


def recv_winsize(fd: int) -> tuple[int, int]:
    return sc.get_winsize(fd)



