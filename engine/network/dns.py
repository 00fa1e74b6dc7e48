"""The embedded DNS server containers on user-defined networks use, at 127.0.0.11.

As in Docker, each container asks 127.0.0.11 inside its own network namespace; here
the socket is opened by the container's first process before it execs and served by its
monitor. Answers are computed at query time from the networks' records, so they stay
right when containers join, leave, restart or are renamed. A name resolves to the
addresses of the containers it names (by name, by alias, by ID prefix, or as
name.network) on the networks the asking container shares with them; on the default
bridge nothing resolves, as in Docker.
"""
from __future__ import annotations

import json
import os
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
        for cid, ep in members.items():
            names = {ep.get("Name", "").lower(), *(a.lower() for a in ep.get("Aliases") or [])}
            if short in names or (len(short) >= 12 and cid.startswith(short)):
                known = True
                ip = ep["IPv4Address"].split("/")[0]
                if ip not in found:
                    found.append(ip)
    return found if known else None


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
