"""dl-spawner: where container monitors come from.

A monitor used to be forked from the process running `docker run`. A fork copies the
parent's page tables, and from then on both processes pay a page copy (about 3 µs on a
small VM) for each page either of them writes: the monitor for everything it does, the
starter for everything it does while that monitor lives. The bigger the starter, the
more it costs, and a REPL with prompt_toolkit and rich loaded is twice the size of a
bare `dockerlings -c`.

So each engine root has a spawner: a small Python process that imports only what a
monitor runs and keeps monitors waiting for starts (idle). A start hands its prepared
launch (launch.Prepared: specs, cgroup, pipes, published ports) to an idle monitor over
a unix socket, file descriptors and all (handoff.py); the starter never forks. Once its
container is done for good, a monitor that is as clean as it came goes back to idle
and takes a later start: its memory is warm, where a fresh fork would take hundreds of
page copies for the same work. One monitor per container, as ever, one at a time.

The first start that finds no spawner starts one. It lives in a session of its own, like
dl-netd, and leaves when it has been idle for IDLE_EXIT seconds, when its socket is
gone (the engine root deleted), or when `engine reset` stops it; idle monitors go with
it, busy ones finish their containers. Its socket is named for the engine's code
(version()): the pickled objects must mean the same on both sides, so a shell running
newer code never hands its starts to an older spawner.
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import socket
import sys
import time
import zlib

from . import detach, handoff
from .. import trust
from .protocol import ShortPath

PACKAGE_ROOT = detach.PACKAGE_ROOT
IDLE_EXIT = 300.0          # seconds without a start before the spawner leaves
CHECK_EVERY = 1.0          # how often it looks whether its socket is still there
MAX_IDLE = 2               # monitors kept waiting for a start
ANSWER_TIMEOUT = 120.0     # a monitor answers once the container runs (or failed to)

_VERSION: list[str] = []


def version() -> str:
    """A fingerprint of the engine's code and interpreter, computed once per process
    (a process keeps running the code it loaded, whatever happens to the files)."""
    if not _VERSION:
        parts = [os.path.realpath(sys.executable), sys.version, PACKAGE_ROOT]
        _fingerprint(os.path.join(PACKAGE_ROOT, "engine"), parts)
        _VERSION.append(f"{zlib.crc32(chr(0).join(parts).encode()):08x}")
    return _VERSION[0]


def _fingerprint(top: str, parts: list[str]) -> None:
    with os.scandir(top) as entries:
        for e in sorted(entries, key=lambda e: e.name):
            if e.name.endswith(".py"):
                st = e.stat()
                parts.append(f"{e.path}:{st.st_mtime_ns}:{st.st_size}")
            elif e.is_dir() and e.name != "__pycache__":
                _fingerprint(e.path, parts)


def socket_path(run: str) -> str:
    return os.path.join(run, f"spawner-{version()}.sock")


def _pid_path(sock_path: str) -> str:
    return sock_path[:-len(".sock")] + ".pid"


# --- the starter's side ----------------------------------------------------------------

def submit(root: str, run: str, prepared, start: dict) -> socket.socket:
    """Hand `start` (with `prepared`'s fds) to a monitor, starting the spawner when
    there is none: what the clone needs first, on its own, then the rest. Returns the
    connection the monitor answers on; the caller may close its copies at once."""
    data, fds = handoff.pack([prepared.for_clone(), start], prepared.fds())
    for attempt in (1, 2):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        try:
            with ShortPath(socket_path(run)) as path:
                conn.connect(path)
            socket.send_fds(conn, [data], fds)
            return conn
        except (FileNotFoundError, ConnectionRefusedError):
            conn.close()
            if attempt == 2:
                raise
            ensure(root, run)
        except BaseException:
            conn.close()
            raise
    raise AssertionError("unreachable")


def answer(conn: socket.socket) -> dict | None:
    """The monitor's one answer: the container runs, or why it does not; None when
    the monitor ended without answering."""
    conn.settimeout(ANSWER_TIMEOUT)
    try:
        with conn:
            data = conn.recv(65536)
    except (ConnectionResetError, socket.timeout):
        return None
    return json.loads(data) if data else None


def ensure(root: str, run: str) -> None:
    """Start a spawner if none answers at socket_path(run): bind its socket here, so a
    start can be sent at once (it waits in the socket until the spawner is up), and
    hand it over. One starter at a time, by a lock file."""
    trust.make_dir(run)
    path = socket_path(run)
    lock_fd = os.open(os.path.join(run, "spawner.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                      0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        try:
            with ShortPath(path) as short:
                probe.connect(short)
            return                   # another starter started it meanwhile
        except (FileNotFoundError, ConnectionRefusedError):
            pass
        finally:
            probe.close()
        try:
            os.unlink(path)          # left by a spawner that was killed
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        with listener:
            trust.bind_unix(listener, path)
            listener.listen(64)
            detach.start("engine.supervisor.spawner", [root, run, "3"], os.path.join(run, "spawner.log"),
                         pass_fd=listener.fileno())
    finally:
        os.close(lock_fd)


def stop(run: str) -> None:
    """End every spawner of this engine (engine reset), and wait until they are gone.
    Busy monitors live on; idle ones die with their spawner (PDEATHSIG)."""
    try:
        names = os.listdir(run)
    except FileNotFoundError:
        return
    pids = []
    for name in names:
        if name.startswith("spawner-") and name.endswith(".pid"):
            try:
                with open(os.path.join(run, name)) as f:
                    pid = int(f.read())
            except (OSError, ValueError):
                continue
            if _is_spawner(pid):
                os.kill(pid, signal.SIGTERM)
                pids.append(pid)
    deadline = time.monotonic() + 5
    while any(_is_spawner(pid) for pid in pids):
        if time.monotonic() > deadline:
            for pid in pids:
                if _is_spawner(pid):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _is_spawner(pid: int) -> bool:
    from ..runtime import syscalls as sc
    return sc.running_as(pid, "dl-spawner")


# --- the spawner ------------------------------------------------------------------------

def main(root: str, run: str, listen_fd: str = "3") -> None:
    """Accept starts and hand each to an idle monitor: the one back from its last
    container most recently (its memory is warm: no page copies left to take, where a
    fresh fork would take hundreds), else a fresh one. One monitor stays idle ahead."""
    from ..runtime import syscalls as sc
    sc.set_process_name("dl-spawner")
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)     # monitors are reaped by the kernel
    path = socket_path(run)
    with open(_pid_path(path), "w") as f:
        f.write(str(os.getpid()))
    listener = socket.socket(fileno=int(listen_fd))
    owner = trust.owner(root)
    ident = _identity(path)
    engine = _warm(root, run)
    idle: list[socket.socket] = []      # monitors waiting for a start, the warmest last
    busy: set[socket.socket] = set()    # at work; they say b"i" when idle again
    last = time.monotonic()
    while True:
        if not idle:
            idle.append(_fork_monitor(engine))
        ready, _, _ = select.select([listener, *idle, *busy], [], [], CHECK_EVERY)
        for channel in ready:
            if channel is listener:
                _dispatch(listener, idle, busy, engine, owner)
                last = time.monotonic()
            elif channel.recv(1) == b"i":   # back from its container
                busy.discard(channel)
                idle.append(channel)
                while len(idle) > MAX_IDLE:
                    idle.pop(0).close()     # the coldest goes
            else:                           # gone (for good, or into a slim monitor)
                busy.discard(channel)
                if channel in idle:
                    idle.remove(channel)
                channel.close()
        if _identity(path) != ident or time.monotonic() - last > IDLE_EXIT:
            _leave(path, ident)


def _dispatch(listener: socket.socket, idle: list, busy: set, engine, owner: int) -> None:
    """Hand a start to a monitor, which unpickles it: only from the engine's owner.
    Only the owner reaches the socket (a 0700 folder, mode 0600), and a peer that got
    there anyway is hung up on here before a byte of its message is read (trust.py);
    so every pickle a monitor loads comes from a process of the owner, who may start
    containers as root anyway."""
    conn, _ = listener.accept()
    if not trust.admit(conn, owner):
        return
    with conn:
        while True:
            channel = idle.pop() if idle else _fork_monitor(engine)
            try:
                socket.send_fds(channel, [b"s"], [conn.fileno()])
            except OSError:              # it died meanwhile
                channel.close()
                continue
            busy.add(channel)
            return


def _identity(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _leave(path: str, ident) -> None:
    """Go, taking the socket and pid file along if they are still this spawner's (idle
    monitors die with it: PDEATHSIG)."""
    if ident is not None and _identity(path) == ident:
        for name in (path, _pid_path(path)):
            try:
                os.unlink(name)
            except FileNotFoundError:
                pass
    os._exit(0)


def _warm(root: str, run: str):
    """Import and read once, here, all a monitor needs, so that no monitor pays for it
    after its fork; then keep the garbage collector off these objects (a collection
    walking them would write to, and so copy, every page they are on)."""
    import gc
    from pathlib import Path

    from . import launch, lifecycle, monitor  # noqa: F401
    from ..engine import Engine
    from ..network import client, dns, endpoints, netns, proxy, veth  # noqa: F401
    from ..paths import Paths
    from ..runtime import caps, cgroups, init, rootfs, seccomp, syscalls as sc  # noqa: F401
    from ..store import removal  # noqa: F401
    engine = Engine(Paths(root=Path(root), run=Path(run)))
    cgroups.layout()
    sc.preload()
    caps.last_cap()
    caps.all_mask()
    rootfs.overlay_extras()
    if seccomp.supported():     # Docker's default filter for the default capabilities
        seccomp.program(seccomp.BUILTIN, caps.mask(caps.DOCKER_DEFAULT))
    gc.collect()
    gc.freeze()
    return engine


def _fork_monitor(engine) -> socket.socket:
    """Fork a monitor-to-be; returns the spawner's end of its channel: starts go down
    it, b"i" comes back when the monitor is idle again, and it ends with the monitor."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    spawner = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            _monitor(theirs, engine, spawner)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(0)
    theirs.close()
    return ours


def _monitor(channel: socket.socket, engine, spawner: int) -> None:
    """Take starts from the spawner, one at a time; after each, back to idle if the
    process is as clean as it came (monitor.serve says so, no fd left open), else go."""
    from . import launch, monitor
    from ..runtime import syscalls as sc
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)      # a monitor waits for its container
    while True:
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)  # an idle monitor goes with its spawner
        if os.getppid() != spawner:
            return
        msg, fds, _, _ = socket.recv_fds(channel, 16, 1)
        if not fds:
            return                                     # told to go (or the spawner went)
        sc.prctl(sc.PR_SET_PDEATHSIG, 0)               # from here on it outlives the spawner
        if os.getsid(0) != os.getpid():
            os.setsid()
        conn = socket.socket(fileno=fds[0])
        data, fds = handoff.receive(conn)
        for_clone, (status_fd, ch) = handoff.unpack(data, fds, 0,
                                                    [conn.detach(), channel.detach()])
        channel = socket.socket(fileno=ch)
        child = monitor.clone_early(launch.clone_with, for_clone)   # see monitor.serve
        if child is not None:
            launch.go_early(child, for_clone)
        start = handoff.part(data, 1)
        os.environ.clear()
        os.environ.update(start["env"])
        os.umask(start["umask"])
        home = engine if start["root"] == str(engine.paths.root) else None
        if not monitor.serve(home, start, status_fd, child, keep=channel.fileno()) or \
                not _clean(channel.fileno()):
            return
        os.umask(0o022)
        channel.send(b"i")


def _clean(channel: int) -> bool:
    """Whether nothing of the last container is left open here (stdio and the channel
    aside): only then may the process serve another."""
    import gc
    gc.collect()
    for name in os.listdir("/proc/self/fd"):       # (lists the fd it reads through too)
        fd = int(name)
        if fd > 2 and fd != channel:
            try:
                fcntl.fcntl(fd, fcntl.F_GETFD)
                return False
            except OSError:
                pass
    return True
