"""The hand-written RTM_NEWLINK request for a container's veth pair (engine/network/veth.py),
read back field by field as the kernel parses it (rtnetlink(7))."""
from __future__ import annotations

import struct

from engine.network import veth


def attrs(data: bytes) -> dict[int, bytes]:
    """rtattrs of a buffer: type -> payload (each padded to 4 bytes)."""
    out, i = {}, 0
    while i < len(data):
        length, kind = struct.unpack_from("HH", data, i)
        assert length >= 4
        out[kind] = data[i + 4:i + length]
        i += (length + 3) & ~3
    assert i == len(data)
    return out


def test_the_request_is_one_newlink_that_creates_and_acks():
    msg = veth.request("veth1234567", 7, "eth0", "02:42:ac:11:00:02", 4242)
    length, kind, flags, seq, port = struct.unpack_from("IHHII", msg)
    assert (length, kind) == (len(msg), veth.RTM_NEWLINK)
    assert flags == veth.NLM_F_REQUEST | veth.NLM_F_ACK | veth.NLM_F_CREATE | veth.NLM_F_EXCL
    family, _, index, ifi_flags, change = struct.unpack_from("BxHiII", msg, 16)
    assert (index, ifi_flags & veth.IFF_UP, change & veth.IFF_UP) == (0, 1, 1)


def test_host_end_joins_the_bridge_and_the_peer_is_born_in_the_container():
    msg = veth.request("veth1234567", 7, "eth1", "02:42:ac:12:00:05", 4242)
    top = attrs(msg[32:])
    assert top[veth.IFLA_IFNAME] == b"veth1234567\0"
    assert struct.unpack("I", top[veth.IFLA_MASTER]) == (7,)
    info = attrs(top[veth.IFLA_LINKINFO])
    assert info[veth.IFLA_INFO_KIND] == b"veth\0"
    peer = attrs(info[veth.IFLA_INFO_DATA])[veth.VETH_INFO_PEER]
    peer_attrs = attrs(peer[16:])                 # after the peer's own ifinfomsg
    assert peer_attrs[veth.IFLA_IFNAME] == b"eth1\0"
    assert struct.unpack("I", peer_attrs[veth.IFLA_NET_NS_PID]) == (4242,)
    assert peer_attrs[veth.IFLA_ADDRESS] == bytes([0x02, 0x42, 0xac, 0x12, 0x00, 0x05])


def test_a_refusal_is_an_oserror_with_the_kernels_errno():
    reply = struct.pack("IHHII", 36, veth.NLMSG_ERROR, 0, 1, 0) + struct.pack("i", -17)
    try:
        veth._check_ack(reply + b"\0" * 16)
    except OSError as e:
        assert e.errno == 17
    else:
        raise AssertionError("no error raised")
    veth._check_ack(struct.pack("IHHII", 36, veth.NLMSG_ERROR, 0, 1, 0) + struct.pack("i", 0))
