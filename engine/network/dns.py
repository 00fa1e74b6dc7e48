"""The embedded DNS server containers on user-defined networks use, at 127.0.0.11.

As in Docker, each container asks 127.0.0.11 inside its own network namespace; here
the socket is opened by the container's first process before it execs and served by its
monitor. Answers are computed at query time from the networks' records, so they stay
right when containers join, leave, restart or are renamed. A name resolves to the
addresses of the containers it names (by name, by alias, by ID prefix, or as
name.network) on the networks the asking container shares with them; on the default
bridge nothing resolves, as in Docker. Dotted names it does not know are forwarded
upstream only while the engine's uplink is up (see uplink.py); otherwise they get an
immediate NXDOMAIN, never a timeout.
"""
from __future__ import annotations

import json
import os
import selectors
import struct

TTL = 600
A, AAAA = 1, 28
NOERROR, FORMERR, NXDOMAIN = 0, 1, 3
ADDRESS = "127.0.0.11"


def _read_networks(root: str) -> list[dict]:
    d = os.path.join(root, "networks")
    out = []
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return out
    for n in names:
        if n.endswith(".json") and not n.startswith("."):
            try:
                with open(os.path.join(d, n)) as f:
                    out.append(json.load(f))
            except (OSError, ValueError):
                continue
    return out


def resolve(root: str, asker: str, name: str) -> list[str] | None:
    """Addresses for `name` as seen by container `asker`; None when the name is unknown."""
    name = name.rstrip(".").lower()
    found: list[str] = []
    known = False
    for net in _read_networks(root):
        if net.get("DefaultBridge") or net.get("Driver") != "bridge":
            continue
        members = net.get("Containers") or {}
        if asker not in members:
            continue
        suffix = "." + net["Name"].lower()
        short = name[:-len(suffix)] if name.endswith(suffix) else name
        short = _linked(members[asker], short)
        for cid, ep in members.items():
            names = {ep.get("Name", "").lower(), *(a.lower() for a in ep.get("Aliases") or [])}
            if short in names or (len(short) >= 12 and cid.startswith(short)):
                known = True
                ip = ep["IPv4Address"].split("/")[0]
                if ip not in found:
                    found.append(ip)
    return found if known else None


def _linked(ep: dict, name: str) -> str:
    """The container a --link alias of the asker names (libnetwork's endpoint aliases:
    only the container that made the link resolves it)."""
    for text in ep.get("Links") or ():
        target, _, alias = text.partition(":")
        if (alias or target).lower() == name:
            return target.lstrip("/").lower()
    return name


def _question(packet: bytes) -> tuple[str, int, int, int]:
    """(name, qtype, qclass, end offset) of the first question."""
    labels, i = [], 12
    while True:
        length = packet[i]
        if length == 0:
            i += 1
            break
        if length & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(packet[i + 1:i + 1 + length].decode("ascii", "replace"))
        i += 1 + length
    qtype, qclass = struct.unpack_from(">HH", packet, i)
    return ".".join(labels), qtype, qclass, i + 4


def answer(packet: bytes, lookup) -> bytes | None:
    """The reply to one query packet; `lookup(name)` gives addresses or None."""
    if len(packet) < 12:
        return None
    qid, flags, qdcount = struct.unpack_from(">HHH", packet)
    if flags & 0x8000:          # a response, not a query
        return None
    rd = flags & 0x0100
    try:
        if qdcount != 1:
            raise ValueError("one question at a time")
        name, qtype, qclass, end = _question(packet)
    except (ValueError, IndexError, struct.error):
        return struct.pack(">HHHHHH", qid, 0x8000 | rd | 0x0080 | FORMERR, 0, 0, 0, 0)
    addresses = lookup(name)
    rcode = NXDOMAIN if addresses is None else NOERROR
    records = [a for a in (addresses or [])] if qtype == A else []
    header = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1,
                         len(records), 0, 0)
    body = packet[12:end]
    for ip in records:
        body += struct.pack(">HHHIH", 0xC00C, A, 1, TTL, 4) + bytes(int(x) for x in ip.split("."))
    return header + body


# --- names the embedded server does not know: forwarded through the uplink ---------------

FORWARD_TIMEOUT = 5.0
MAX_PENDING = 64


def rcode(reply: bytes) -> int:
    return reply[3] & 0x0F if len(reply) >= 4 else FORMERR


def forwardable(name: str) -> bool:
    """Only dotted names go upstream: a single label is a container name this server
    would know, and no public resolver will."""
    return "." in name.rstrip(".")


def upstreams(root: str, run: str, cid: str) -> list[tuple[str, int]]:
    """Where to forward while the uplink is up: the container's --dns servers (IPv4),
    else the uplink's resolver; nothing while it is down."""
    from . import uplink
    live = uplink.up(run)
    if not live:
        return []
    servers = []
    try:
        with open(os.path.join(root, "containers", cid, "resolv.conf")) as f:
            for line in f:
                if line.startswith("# upstream: ") and ":" not in line[12:]:
                    servers.append((line[12:].strip(), 53))
    except OSError:
        pass
    return servers or [(live["dns"], 53)]


class Server:
    """One container's 127.0.0.11: answers from the networks' records, and sends what it
    cannot answer upstream when there is an uplink, from a socket made inside the
    container's own namespace (so it takes the container's route: an --internal network
    has none and gets no answer from outside)."""

    def __init__(self, sel, lookup, upstreams_of, open_socket):
        self.sel = sel
        self.lookup = lookup               # name -> addresses | None
        self.upstreams_of = upstreams_of   # () -> [(ip, port)]
        self.open_socket = open_socket     # () -> UDP socket in the container's namespace
        self.pending: dict = {}            # upstream socket -> (deadline, qid, sock, addr)

    def handle(self, sock, packet: bytes, addr) -> None:
        reply = answer(packet, self.lookup)
        if reply is None:
            return
        if rcode(reply) == NXDOMAIN and self._forward(packet, sock, addr):
            return
        try:
            sock.sendto(reply, addr)
        except OSError:
            pass

    def _forward(self, packet: bytes, sock, addr) -> bool:
        import time
        self._expire(time.monotonic())
        try:
            name = _question(packet)[0]
        except (ValueError, IndexError, struct.error):
            return False
        if not forwardable(name) or len(self.pending) >= MAX_PENDING:
            return False
        servers = self.upstreams_of()
        if not servers:
            return False
        try:
            up = self.open_socket()
        except OSError:
            return False
        try:
            up.setblocking(False)
            up.connect(servers[0])
            up.send(packet)
        except OSError:
            up.close()
            return False
        self.sel.register(up, selectors.EVENT_READ, self._on_reply)
        self.pending[up] = (time.monotonic() + FORWARD_TIMEOUT, packet[:2], sock, addr)
        return True

    def _on_reply(self, up, mask) -> None:
        entry = self._drop(up)
        try:
            data = up.recv(65535)
        except OSError:
            data = b""
        finally:
            up.close()
        if entry and len(data) >= 12 and data[:2] == entry[1]:
            try:
                entry[2].sendto(data, entry[3])
            except OSError:
                pass

    def _drop(self, up):
        entry = self.pending.pop(up, None)
        try:
            self.sel.unregister(up)
        except (KeyError, ValueError):
            pass
        return entry

    def _expire(self, now: float) -> None:
        for up, entry in list(self.pending.items()):
            if entry[0] <= now:
                self._drop(up)
                up.close()

    def close(self) -> None:
        for up in list(self.pending):
            self._drop(up)
            up.close()


def socket_in(pid: int):
    """A UDP socket made inside the network namespace of process `pid`."""
    import socket

    from . import netns
    fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        return netns.inside(fd, socket.socket, socket.AF_INET,
                            socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    finally:
        os.close(fd)
