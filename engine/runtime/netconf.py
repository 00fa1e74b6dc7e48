"""Configuring a container's network from outside, before its first process execs.

The veth pairs are made in one netlink request each (network/veth.py), ready-named
ethN inside the container. What is left — loopback up, an address, the link up, a
default route, the embedded DNS server's socket — the monitor does with classic ioctls
on sockets it makes inside the container's network namespace (an ioctl acts in its
socket's namespace): microseconds, no netlink socket, and none of it in the container's
freshly cloned process, where every step costs page copies.
"""
from __future__ import annotations

import fcntl
import os
import socket
import struct

from . import syscalls as sc

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCSIFADDR = 0x8916
SIOCSIFNETMASK = 0x891C
SIOCADDRT = 0x890B
IFF_UP = 0x1
RTF_UP, RTF_GATEWAY = 0x1, 0x2


def _sockaddr(ip: str) -> bytes:
    return struct.pack("H2s4s8x", socket.AF_INET, b"\0\0", socket.inet_aton(ip))


def _ifreq(name: str, payload: bytes = b"") -> bytes:
    return struct.pack("16s", name.encode()) + payload.ljust(24, b"\0")


def inside(ns_fd: int, make, *args):
    """make(*args), called inside the network namespace `ns_fd`; what it makes there (a
    socket) stays there. As root this thread enters and comes back. A rootless engine's
    process could never come back: the host's namespace belongs to the host's user
    namespace, not to the engine's (runtime/userns.py). So there make() runs on a
    thread of its own, which ends inside."""
    from . import userns
    if not userns.rootless():
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            sc.setns(ns_fd, sc.CLONE_NEWNET)
            try:
                return make(*args)
            finally:
                sc.setns(home, sc.CLONE_NEWNET)
        finally:
            os.close(home)
    import _thread
    done = _thread.allocate_lock()
    done.acquire()
    result: list = []

    def run() -> None:
        try:
            sc.setns(ns_fd, sc.CLONE_NEWNET)
            result.append((True, make(*args)))
        except BaseException as e:
            result.append((False, e))
        finally:
            done.release()
    _thread.start_new_thread(run, ())
    done.acquire()
    ok, value = result[0]
    if not ok:
        raise value
    return value


def setup(pid: int, interfaces: list[tuple], dns: bool) -> int:
    """In the network namespace of process `pid`: loopback up, each (ifname, address,
    prefix, gateway or None) configured, and when `dns`, a UDP socket on 127.0.0.11:53
    for the embedded DNS server. Returns that socket's fd, or -1."""
    def sockets():                 # sockets keep the namespace they were made in
        ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) \
            if dns else None
        return ctl, server
    ns = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        ctl, server = inside(ns, sockets)
    finally:
        os.close(ns)
    with ctl:
        _up(ctl.fileno(), "lo")
        for ifname, address, prefix, gateway in interfaces:
            configure(ctl.fileno(), ifname, address, prefix, gateway)
    if server is None:
        return -1
    with server:
        server.bind(("127.0.0.11", 53))      # once lo is up: 127/8 is local then
        return server.detach()


def loopback_up() -> None:
    """`lo` up in this thread's network namespace."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
        _up(s.fileno(), "lo")


def _up(fd: int, name: str) -> None:
    flags = struct.unpack_from("16sH", fcntl.ioctl(fd, SIOCGIFFLAGS, _ifreq(name)))[1]
    fcntl.ioctl(fd, SIOCSIFFLAGS, _ifreq(name, struct.pack("H", flags | IFF_UP)))


def configure(fd: int, name: str, address: str, prefix: int, gateway: str | None) -> None:
    """Through socket `fd`: give `name` its address and netmask, bring it up, and route
    everything through `gateway` when given."""
    netmask = socket.inet_ntoa(struct.pack("!I", (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF))
    fcntl.ioctl(fd, SIOCSIFADDR, _ifreq(name, _sockaddr(address)))
    fcntl.ioctl(fd, SIOCSIFNETMASK, _ifreq(name, _sockaddr(netmask)))
    _up(fd, name)
    if gateway:
        fcntl.ioctl(fd, SIOCADDRT, _default_route(gateway))


def _default_route(gateway: str) -> bytes:
    """struct rtentry (LP64): pad, dst, gateway, genmask, flags, pads, metric, dev,
    mtu, window, irtt."""
    zero = _sockaddr("0.0.0.0")
    return struct.pack("L16s16s16sHh4xLPh6xPLLH6x", 0, zero, _sockaddr(gateway), zero,
                       RTF_UP | RTF_GATEWAY, 0, 0, 0, 0, 0, 0, 0, 0)
