"""The engine's own network namespace: the "Docker host" where bridges live.

It is made once per engine root and pinned by a bind mount of its nsfs file (as
`ip netns add` does), so it lives on without any process. Everything the engine does to
networks happens inside it; the host's interfaces, routes and firewall are never
touched. Code that needs a socket in another namespace enters it for the moment of the
socket() call: a socket stays in the namespace it was made in.
"""
from __future__ import annotations

import os
from contextlib import contextmanager

from .. import trust
from ..runtime import netconf, syscalls as sc
from ..runtime.netconf import inside  # noqa: F401  (the network code's way in)


def pin_path(run: str) -> str:
    return os.path.join(run, "netns")


def exists(run: str) -> bool:
    path = pin_path(run)
    if not os.path.exists(path):
        return False
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def _no_forwarding() -> None:
    """A new namespace may inherit the host's ip_forward=1; the engine's must not route
    between its bridges, so containers on different networks cannot reach each other
    (Docker's isolation). Nothing else needs forwarding: published ports, DNS and
    host.docker.internal are served by sockets in this namespace. The uplink, when
    asked for, turns it on with its own firewall (uplink.py). Runs in the child that
    has just made the namespace, so it can only ever touch the new namespace."""
    try:
        with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
            f.write("0")
    except OSError:
        pass


def create(run: str) -> None:
    """Make and pin the namespace (idempotent). Inside it only `lo` is up."""
    if exists(run):
        return
    trust.make_dir(run)
    path = pin_path(run)
    open(path, "a").close()
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:                 # a child makes the namespace and waits to be pinned
        try:
            os.close(ready_r)
            os.close(done_w)
            sc.unshare(sc.CLONE_NEWNET)
            netconf.loopback_up()
            _no_forwarding()
            os.write(ready_w, b"1")
            os.read(done_r, 1)
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(done_r)
    try:
        if os.read(ready_r, 1) != b"1":
            raise OSError(1, "could not create the engine's network namespace")
        sc.mount(f"/proc/{pid}/ns/net", path, None, sc.MS_BIND)
    finally:
        os.close(ready_r)
        os.close(done_w)
        os.waitpid(pid, 0)


def remove(run: str) -> None:
    path = pin_path(run)
    if exists(run):
        sc.umount(path, sc.MNT_DETACH)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def open_ns(path: str) -> int:
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def iproute(ns_fd: int, IPRoute):
    """pyroute2's IPRoute (the class, passed in: it is slow to import) talking to the
    network namespace `ns_fd`. pyroute2 makes its socket on first use, once per thread:
    a rootless engine hands it one made inside instead."""
    from ..runtime import userns
    if not userns.rootless():
        with entered(ns_fd):
            return IPRoute()
    import socket
    sock = inside(ns_fd, socket.socket, socket.AF_NETLINK,
                  socket.SOCK_DGRAM | socket.SOCK_CLOEXEC, socket.NETLINK_ROUTE)
    return IPRoute(fileno=sock.detach())


@contextmanager
def entered(ns_fd: int):
    """Run the body inside the network namespace `ns_fd` (this thread only), then come
    back. Sockets made inside stay there. Root only: elsewhere use inside()."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        sc.setns(ns_fd, sc.CLONE_NEWNET)
        try:
            yield
        finally:
            sc.setns(home, sc.CLONE_NEWNET)
    finally:
        os.close(home)
