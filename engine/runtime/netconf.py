"""Configuring a container's interfaces from inside its network namespace.

The veth pairs themselves are made by the network helper through pyroute2 (netlink),
which hands each container its ethN ready-named. What is left — an address, the link
up, a default route — the container's first process does for itself with three classic
ioctls before it execs, which costs microseconds and needs no netlink socket there.
"""
from __future__ import annotations

import fcntl
import socket
import struct

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


def configure(name: str, address: str, prefix: int, gateway: str | None) -> None:
    """Give `name` its address and netmask, bring it up, and route everything through
    `gateway` when given."""
    netmask = socket.inet_ntoa(struct.pack("!I", (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fd = s.fileno()
        fcntl.ioctl(fd, SIOCSIFADDR, _ifreq(name, _sockaddr(address)))
        fcntl.ioctl(fd, SIOCSIFNETMASK, _ifreq(name, _sockaddr(netmask)))
        flags = struct.unpack_from("16sH", fcntl.ioctl(fd, SIOCGIFFLAGS, _ifreq(name)))[1]
        fcntl.ioctl(fd, SIOCSIFFLAGS, _ifreq(name, struct.pack("H", flags | IFF_UP)))
        if gateway:
            fcntl.ioctl(fd, SIOCADDRT, _default_route(gateway))


def _default_route(gateway: str) -> bytes:
    """struct rtentry (LP64): pad, dst, gateway, genmask, flags, pads, metric, dev,
    mtu, window, irtt."""
    zero = _sockaddr("0.0.0.0")
    return struct.pack("L16s16s16sHh4xLPh6xPLLH6x", 0, zero, _sockaddr(gateway), zero,
                       RTF_UP | RTF_GATEWAY, 0, 0, 0, 0, 0, 0, 0, 0)
