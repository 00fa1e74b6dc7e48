"""dl-netd mirrors the host's listening TCP ports (for host.docker.internal): those on
loopback or on every address, IPv4 and IPv6, as sock_diag reports them."""
from __future__ import annotations

import socket

from engine.network.helper import host_listening_ports


def _listener(family: int, address: str) -> socket.socket:
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((address, 0))
    s.listen()
    return s


def test_loopback_and_any_listeners_are_seen_others_not():
    wanted = [_listener(socket.AF_INET, "127.0.0.1"), _listener(socket.AF_INET, "0.0.0.0"),
              _listener(socket.AF_INET6, "::1"), _listener(socket.AF_INET6, "::")]
    other = _listener(socket.AF_INET, "127.0.0.2")
    connected = socket.socket()
    try:
        connected.connect(wanted[0].getsockname())     # an established socket is no listener
        ports = host_listening_ports()
        assert all(s.getsockname()[1] in ports for s in wanted)
        assert other.getsockname()[1] not in ports
        assert connected.getsockname()[1] not in ports
    finally:
        for s in wanted + [other, connected]:
            s.close()
