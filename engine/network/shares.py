"""Host ports shared with containers, which reach them as host.docker.internal.

Docker Desktop relays host.docker.internal to everything listening on the host. Here
nothing is relayed until the learner shares a port (`host share 8000` in the shell):
a service bound to the host's loopback trusts the machine's local users, not an image
downloaded from the internet, so each port a container may reach is opened on purpose.

The shares are one port a line in <run>/host-shares (a runtime file: they last until the
machine restarts or `engine reset`). dl-netd reads it on every look at the host's
listening sockets, and relays a shared port only while something on the host listens
on it, and never to a socket of the engine's own (a published port's proxy, the
engine's helpers): those belong to containers, reached on their networks.
"""
from __future__ import annotations

import os

FILE = "host-shares"


def path(run: str) -> str:
    return os.path.join(run, FILE)


def read(run: str) -> set[int]:
    """The shared ports (a line that is not a port is ignored)."""
    try:
        with open(path(run)) as f:
            lines = f.read().split()
    except FileNotFoundError:
        return set()
    return {int(w) for w in lines if w.isdigit() and 0 < int(w) < 65536}


def write(run: str, ports: set[int]) -> None:
    from ..util.fsutil import write_atomic
    os.makedirs(run, exist_ok=True)
    write_atomic(path(run), "".join(f"{p}\n" for p in sorted(ports)).encode(), sync=False)


def engine_socket_inodes() -> set[int]:
    """Inodes of the sockets the engine's own processes hold (dl-monitor, which serves
    published ports, dl-spawner, dl-netd): a listener among them is never relayed."""
    out = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if not f.read().startswith("dl-"):
                    continue
            fd_dir = f"/proc/{pid}/fd"
            for fd in os.listdir(fd_dir):
                target = os.readlink(f"{fd_dir}/{fd}")
                if target.startswith("socket:["):
                    out.add(int(target[8:-1]))
        except OSError:
            continue
    return out
