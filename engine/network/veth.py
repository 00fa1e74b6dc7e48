"""A container's veth pair in one netlink request, made by its own monitor.

dl-netd (helper.py) makes bridges and serves the rarer requests through pyroute2; a
round trip to it on every `docker run` costs more than the kernel's work. The request
for a veth pair is small enough to write by hand (rtnetlink(7)): RTM_NEWLINK for the
host end, joined to the bridge and up, with the peer described inside it, born in the
container's network namespace under its ethN name and MAC.
"""
from __future__ import annotations

import errno
import os
import socket
import struct

from . import netns

RTM_NEWLINK = 16
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_PID = 1, 3, 10, 18, 19
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
IFF_UP = 0x1


class BridgeMissing(Exception):
    """The network's bridge is not there (yet): dl-netd makes it."""


def _attr(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("HH", length, kind) + payload + b"\0" * (-length % 4)


def _ifinfo(index: int = 0, flags: int = 0, change: int = 0) -> bytes:
    return struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, flags, change)


def request(host_name: str, bridge_index: int, peer_name: str, mac: str, pid: int) -> bytes:
    peer = _ifinfo() + _attr(IFLA_IFNAME, peer_name.encode() + b"\0") + \
        _attr(IFLA_NET_NS_PID, struct.pack("I", pid)) + \
        _attr(IFLA_ADDRESS, bytes.fromhex(mac.replace(":", "")))
    info = _attr(IFLA_INFO_KIND, b"veth\0") + \
        _attr(IFLA_INFO_DATA, _attr(VETH_INFO_PEER, peer))
    body = _ifinfo(flags=IFF_UP, change=IFF_UP) + \
        _attr(IFLA_IFNAME, host_name.encode() + b"\0") + \
        _attr(IFLA_MASTER, struct.pack("I", bridge_index)) + _attr(IFLA_LINKINFO, info)
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
    return struct.pack("IHHII", 16 + len(body), RTM_NEWLINK, flags, 1, 0) + body


def make(engine_ns: int, endpoints: list[dict], pid: int) -> None:
    """One veth pair per endpoint (dicts as endpoints.Plan holds them) for the container
    whose first process is `pid`. Raises BridgeMissing before making any when a bridge
    is not there, OSError when the kernel refuses."""
    def netlink_and_bridges():              # the socket and the names: the engine's
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                             socket.NETLINK_ROUTE)
        try:
            return sock, [socket.if_nametoindex(ep["bridge"]) for ep in endpoints]
        except OSError:
            sock.close()
            raise
    try:
        sock, bridges = netns.inside(engine_ns, netlink_and_bridges)
    except OSError:
        raise BridgeMissing() from None
    with sock:
        for ep, bridge in zip(endpoints, bridges):
            for attempt in range(3):         # a random host-side name may be taken
                name = "veth" + os.urandom(4).hex()[:7]
                sock.send(request(name, bridge, ep["ifname"], ep["mac"], pid))
                try:
                    _check_ack(sock.recv(65536))
                    break
                except FileExistsError:
                    if attempt == 2:
                        raise


def _check_ack(reply: bytes) -> None:
    _, kind = struct.unpack_from("IH", reply)
    if kind != NLMSG_ERROR:
        raise OSError(errno.EPROTO, "unexpected netlink reply")
    code = struct.unpack_from("i", reply, 16)[0]
    if code:
        raise OSError(-code, f"creating a veth pair: {os.strerror(-code)}")
