"""The rootless engine's user namespace (podman's "pause process" model).

Run as an ordinary user, the engine works as root inside a user namespace of its own:
root in there is the user outside, and ids 1..N are the user's subordinate ids from
/etc/subuid and /etc/subgid (mapped by the setuid helpers newuidmap/newgidmap, so images
whose files belong to several users keep their owners). Every dockerlings process of
that engine root (the shell, `dockerlings -c`, the spawner, dl-netd, the monitors: they
are forked from the first) joins that user namespace and its mount namespace at start,
before any thread: overlay mounts made by one are seen by the others, as on the host.

The namespaces live as long as one process is in them; a small *keeper* process
(`dl-keeper`, a `sleep infinity` that never wakes) holds them between commands. The
first process makes it; its pid and start time are kept in the run folder
(`keeper.pid`); `engine reset` ends it, and with it the namespaces and their mounts.

Without subordinate ids the map is a single id (the user as root) written directly: an
image whose files belong to anyone but root cannot be unpacked (`NOTE_SINGLE_ID`).
"""
from __future__ import annotations

import errno
import os

from ..errors import EngineError
from . import syscalls as sc

KEEPER = "dl-keeper"
PID_FILE = "keeper.pid"
NOTE_SINGLE_ID = ("no subordinate ids for {user} in /etc/subuid and /etc/subgid: the engine "
                  "maps only your own id (root in containers), so images whose files belong "
                  "to other users cannot be unpacked. Add a range (as root: usermod "
                  "--add-subuids 100000-165535 --add-subgids 100000-165535 {user})")

_failure: str | None = None       # why this process could not join (enter()), or None


# --- which mode this process is in -----------------------------------------------
def id_map(kind: str = "uid", pid: str = "self") -> list[tuple[int, int, int]]:
    """The (inside, outside, count) lines of a process's uid_map or gid_map."""
    with open(f"/proc/{pid}/{kind}_map") as f:
        return [tuple(int(x) for x in line.split()) for line in f if line.strip()]


_host_uid: int | None = None


def host_uid() -> int:
    """This process's user as the host sees it (the user outside every namespace of
    ours; 0 for root on the host). The same before and after enter()."""
    global _host_uid
    if _host_uid is None:
        _host_uid = uid = os.geteuid()
        try:
            for inside, outside, count in id_map():
                if inside <= uid < inside + count:
                    _host_uid = outside + uid - inside
        except OSError:
            pass
    return _host_uid


def rootless() -> bool:
    """Whether the engine runs for an ordinary user (in its user namespace, or about to
    be): not root on the host."""
    return host_uid() != 0


def failure() -> str | None:
    """Why this process could not enter the engine's user namespace (None: it did, or
    it runs as root)."""
    return _failure


# --- entering it at process start ---------------------------------------------------
def enter(paths) -> None:
    """Join the user and mount namespaces of the engine at `paths` (a paths.Paths),
    making them (and their keeper) first if no process holds them. Call at process
    start, before any thread: the kernel lets only a single-threaded process change its
    user namespace. A no-op for root, and for a process already inside (it was forked
    there, or is root on the host). On failure, failure() says why and the process
    stays outside (the engine then refuses to start: errors.RootlessUnavailable)."""
    global _failure
    try:
        if os.geteuid() != 0:
            _join(_namespaces(paths))
        elif rootless():          # forked inside already: are the namespaces still held?
            keep(paths)
    except (OSError, RootlessError) as e:
        _failure = str(e) if isinstance(e, RootlessError) else f"{e.strerror or e}"
    except EngineError:
        pass          # someone else's engine (NotOwner): the engine says so, outside


def _namespaces(paths) -> tuple[int, int]:
    """The keeper's user and mount namespaces (fds), the keeper made first if needed."""
    _check_kernel(os.uname().release)
    run = _make_run(paths)
    with _keeper_lock(run):
        fds = _keeper_ns(run)
        return fds if fds is not None else _open_ns(_make_keeper(run))


class RootlessError(Exception):
    pass


def _check_kernel(release: str) -> None:
    """Overlayfs mounts in a user namespace from Linux 5.11 on; before, only
    fuse-overlayfs could give a rootless engine its overlay roots, and dockerlings does
    not drive it (yet): say so rather than fail at the first mount."""
    try:
        version = tuple(int(x) for x in release.split("-")[0].split(".")[:2])
    except ValueError:
        return
    if version >= (5, 11):
        return
    import shutil
    fuse = ("fuse-overlayfs is installed, but dockerlings cannot use it yet"
            if shutil.which("fuse-overlayfs") else
            "fuse-overlayfs, which rootless podman uses there, is not supported either")
    raise RootlessError(f"Linux {release} cannot mount overlayfs in a user namespace "
                        f"(5.11 or newer can); {fuse}: run dockerlings as root on this "
                        "kernel")


def _make_run(paths) -> str:
    """The engine's folders, made (as the user) before entering: the run folder holds
    the keeper's pid."""
    paths.ensure()
    return str(paths.run)


class _keeper_lock:
    """Only one process makes the keeper; the others wait and join it."""

    def __init__(self, run: str):
        self.fd = os.open(os.path.join(run, "keeper.lock"),
                          os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def __enter__(self):
        import fcntl
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


def keeper_pid(run) -> int | None:
    """The live keeper of the engine whose run folder is `run`, or None."""
    try:
        with open(os.path.join(run, PID_FILE)) as f:
            pid, start = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return None
    return pid if sc.alive(pid, start) else None


def _keeper_ns(run: str) -> tuple[int, int] | None:
    """Open the keeper's namespaces, then check it is still the keeper (its pid was not
    reused between reading the file and opening them)."""
    pid = keeper_pid(run)
    if pid is None:
        return None
    try:
        fds = _open_ns(pid)
    except OSError:
        return None
    if keeper_pid(run) != pid:
        for fd in fds:
            os.close(fd)
        return None
    return fds


def _open_ns(pid: int) -> tuple[int, int]:
    user = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    try:
        return user, os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        os.close(user)
        raise


def _join(fds: tuple[int, int]) -> None:
    """setns into the user namespace, then its mount namespace (which moves us to its
    root and "/": the folder we were in is entered again)."""
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    try:
        sc.setns(fds[0], sc.CLONE_NEWUSER)
        sc.setns(fds[1], sc.CLONE_NEWNS)
    finally:
        for fd in fds:
            os.close(fd)
    if cwd:
        try:
            os.chdir(cwd)
        except OSError:
            pass


# --- making the keeper ----------------------------------------------------------------
def keep(paths) -> None:
    """For a process inside the engine's namespaces (a shell that lives on): make sure
    a keeper still holds them. `engine reset` ends the keeper, and the namespaces with
    it once their last process leaves; a shell started before the reset is still in
    them, so a new keeper is forked from here and later processes join this shell's
    namespaces again. If another process made new ones meanwhile, this process can no
    longer reach the engine's mounts: RootlessError says to start again."""
    if os.geteuid() != 0 or not rootless():
        return
    run = str(paths.run)
    if keeper_pid(run) is not None and _same_user_ns(keeper_pid(run)):
        return                                        # the usual case: one small read
    paths.ensure()
    with _keeper_lock(run):
        pid = keeper_pid(run)
        if pid is None:
            _make_keeper(run, new_namespaces=False)
        elif not _same_user_ns(pid):
            raise RootlessError("the engine was reset while this dockerlings was running, "
                                "and has started anew since: leave it (exit) and start "
                                "dockerlings again")


def _same_user_ns(pid: int) -> bool:
    try:
        return os.stat(f"/proc/{pid}/ns/user").st_ino == os.stat("/proc/self/ns/user").st_ino
    except OSError:
        return False


def _make_keeper(run: str, new_namespaces: bool = True) -> int:
    """Start the keeper in new user and mount namespaces (or, new_namespaces=False, in
    this process's), map its ids, record it. Returns its pid. The keeper is a
    grandchild (adopted by init, in a session of its own): it outlives this process and
    never becomes our zombie."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(ready_r)
            os.close(go_w)
            _keeper_child(ready_w, go_r, new_namespaces)
        finally:
            os._exit(1)
    os.close(ready_w)
    os.close(go_r)
    try:
        os.waitpid(child, 0)
        answer = _read_all(ready_r)
        if not answer.startswith(b"ok "):
            raise RootlessError(answer.decode(errors="replace").strip() or
                                "could not make a user namespace")
        pid = int(answer.split()[1])
        if new_namespaces:
            write_maps(pid)      # on failure the keeper reads EOF below and leaves
        os.write(go_w, b"go")
    finally:
        os.close(ready_r)
        os.close(go_w)
    fds = _open_ns(pid)
    start = sc.process_start_time(pid)
    tmp = os.path.join(run, PID_FILE + ".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600),
              "w") as f:
        f.write(f"{pid} {start}\n")
    os.replace(tmp, os.path.join(run, PID_FILE))
    for fd in fds:
        os.close(fd)
    return pid


def _keeper_child(ready_w: int, go_r: int, new_namespaces: bool = True) -> None:
    """In the forked child: leave the session, fork the keeper, which unshares and
    waits for its map before it becomes `sleep infinity`."""
    os.setsid()
    if os.fork():
        os._exit(0)
    try:
        if new_namespaces:
            sc.unshare(sc.CLONE_NEWUSER | sc.CLONE_NEWNS)
    except OSError as e:
        os.write(ready_w, f"unshare(CLONE_NEWUSER): {e.strerror}: {_userns_hint(e)}".encode())
        os._exit(1)
    os.write(ready_w, f"ok {os.getpid()}".encode())
    os.close(ready_w)
    if os.read(go_r, 2) != b"go":
        os._exit(1)
    os.close(go_r)
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sc.close_range(3)
    os.chdir("/")
    import shutil
    sleep = shutil.which("sleep") or "/bin/sleep"
    os.execv(sleep, [KEEPER, "infinity"])


def _userns_hint(e: OSError) -> str:
    if e.errno in (errno.EPERM, errno.ENOSPC, errno.EINVAL):
        return ("this kernel does not let ordinary users make user namespaces "
                "(see sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone "
                "and kernel.apparmor_restrict_unprivileged_userns)")
    return "could not make the engine's user namespace"


def _read_all(fd: int) -> bytes:
    out = b""
    while chunk := os.read(fd, 4096):
        out += chunk
    return out


# --- the id maps ---------------------------------------------------------------------
def subordinate(kind: str, user: str, uid: int,
                path: str | None = None) -> list[tuple[int, int]]:
    """The user's (start, count) ranges in /etc/subuid or /etc/subgid (by name or id)."""
    out = []
    try:
        with open(path or f"/etc/sub{kind}") as f:
            for line in f:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[0] in (user, str(uid)) and \
                        parts[1].isdigit() and parts[2].isdigit() and int(parts[2]) > 0:
                    out.append((int(parts[1]), int(parts[2])))
    except OSError:
        pass
    return out


def user_name(uid: int) -> str:
    import pwd
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def mapping(kind: str, own: int, ranges: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(inside, outside, count): 0 is the user's own id, then the subordinate ranges
    one after another from 1."""
    out = [(0, own, 1)]
    nxt = 1
    for start, count in ranges:
        out.append((nxt, start, count))
        nxt += count
    return out


def write_maps(pid: int) -> None:
    """Map the keeper's ids: with subordinate ids through newuidmap/newgidmap (setuid
    helpers that check /etc/subuid and /etc/subgid), without them the single id,
    written directly (which the kernel allows for one's own id, setgroups denied)."""
    import shutil
    import subprocess
    uid, gid = os.getuid(), os.getgid()
    user = user_name(uid)
    subuids, subgids = subordinate("uid", user, uid), subordinate("gid", user, uid)
    if subuids and subgids:
        for tool, kind, own, ranges in (("newuidmap", "uid", uid, subuids),
                                        ("newgidmap", "gid", gid, subgids)):
            path = shutil.which(tool)
            if path is None:
                raise RootlessError(f"{tool} not found: it maps your subordinate ids "
                                    "(install the uidmap package)")
            args = [str(x) for line in mapping(kind, own, ranges) for x in line]
            done = subprocess.run([path, str(pid), *args], capture_output=True, text=True)
            if done.returncode:
                raise RootlessError(f"{tool} failed: {done.stderr.strip()}")
        return
    with open(f"/proc/{pid}/uid_map", "w") as f:
        f.write(f"0 {uid} 1\n")
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny\n")
    with open(f"/proc/{pid}/gid_map", "w") as f:
        f.write(f"0 {gid} 1\n")


def single_id() -> bool:
    """Whether the engine's namespace maps one id only (no subordinate ids)."""
    try:
        return sum(count for _, _, count in id_map()) == 1
    except OSError:
        return False


# --- leaving nothing behind ------------------------------------------------------------
def stop_keeper(run) -> bool:
    """End the keeper of the engine at `run` (engine reset): once the processes inside
    are gone too, the namespaces and every mount in them go with it."""
    pid = keeper_pid(run)
    try:
        os.unlink(os.path.join(run, PID_FILE))
    except FileNotFoundError:
        pass
    if pid is None:
        return False
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        return False
    return True
