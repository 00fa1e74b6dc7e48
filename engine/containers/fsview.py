"""Work on a container's files from outside it: `docker cp` and filling new volumes.

The work runs in a forked child that sees exactly what the container's processes see:
a running container's own mount namespace (setns), or, for a stopped one, a private
mount namespace of the child's with the overlay root and the volumes mounted as they
would be at start. Either way the child then lives inside that tree (paths, symlinks
and mounts resolve as in the container, never onto the host) and the mounts vanish
with it: nothing can leak, even if the engine is killed half way.

The child reports on a pipe: {"ok": result} or the error to raise in the parent.
"""
from __future__ import annotations

import json
import os

from .. import errors
from ..runtime import rootfs, syscalls as sc

_KINDS = {"NotFound": errors.NotFound, "InvalidParameter": errors.InvalidParameter,
          "Conflict": errors.Conflict}


class Child:
    def __init__(self, pid: int, status_fd: int):
        self.pid, self.status_fd = pid, status_fd

    def finish(self):
        """Wait for the child; its result, or its error raised here."""
        chunks = []
        while True:
            data = os.read(self.status_fd, 65536)
            if not data:
                break
            chunks.append(data)
        os.close(self.status_fd)
        _, status = os.waitpid(self.pid, 0)
        try:
            report = json.loads(b"".join(chunks) or b"{}")
        except ValueError:
            report = {}
        if "ok" in report:
            return report["ok"]
        if "error" in report:
            raise _KINDS.get(report.get("kind"), errors.System)(report["error"])
        raise errors.System(f"copy helper ended with status {status}")


def _namespace_fd(c) -> int | None:
    """A handle on a running container's mount namespace, or None if it is not running."""
    s = c.state
    if not (s.running and s.pid):
        return None
    try:
        fd = os.open(f"/proc/{s.pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    if not sc.alive(s.monitor_pid, s.monitor_start):    # the pid could be someone else's now
        os.close(fd)
        return None
    return fd


def spawn(engine, c, work, *, inside: bool = True, parent_fds=()) -> Child:
    """Run work() in a child that sees the container's files. inside=True: the child's
    root is the container's root; False (stopped containers only): the child stays on
    the host with the container's root (without volumes) mounted at spec.merged, and
    work(spec) is called. parent_fds: the parent's ends of pipes the child uses, closed
    in the child so that it sees end-of-file when the parent closes them."""
    from ..supervisor import launch
    ns_fd = _namespace_fd(c) if inside else None
    spec = launch.rootfs_spec(engine, c) if ns_fd is None else None
    r, w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:                                        # the child
        code = 0
        try:
            for fd in (r, *parent_fds):
                os.close(fd)
            report = {"ok": _child(ns_fd, spec, work, inside)}
        except errors.EngineError as e:
            report = {"error": e.message, "kind": type(e).__name__}
        except OSError as e:
            report = {"error": e.strerror or str(e)}
        except BaseException as e:                     # noqa: BLE001 - reported, never raised
            report = {"error": f"{type(e).__name__}: {e}"}
            code = 1
        try:
            os.write(w, json.dumps(report).encode())
        finally:
            os._exit(code)
    os.close(w)
    if ns_fd is not None:
        os.close(ns_fd)
    return Child(pid, r)


def _child(ns_fd, spec, work, inside: bool):
    if ns_fd is not None:
        sc.setns(ns_fd, sc.CLONE_NEWNS)               # root and cwd become the container's
        os.chdir("/")
        return work()
    sc.unshare(sc.CLONE_NEWNS)
    rootfs.mount_root(spec)
    if not inside:
        return work(spec)
    rootfs.mount_volumes(spec)
    os.chroot(spec.merged)
    os.chdir("/")
    return work()


def call(engine, c, work, **kw):
    return spawn(engine, c, work, **kw).finish()
