"""The TCP relay behind published ports, on socket pairs (no namespaces needed)."""
from __future__ import annotations

import selectors
import socket

from engine.network.proxy import TcpRelay


def _relay():
    sel = selectors.DefaultSelector()
    client, client_peer = socket.socketpair()
    upstream, server = socket.socketpair()
    for s in (client, upstream):
        s.setblocking(False)
    return sel, TcpRelay(sel, client, upstream), client_peer, server


def _pump(sel, rounds=20):
    for _ in range(rounds):
        for key, mask in sel.select(0.05):
            key.data(key.fileobj, mask)


def test_bytes_and_half_close_go_through():
    sel, relay, client, server = _relay()
    client.sendall(b"hello")
    client.shutdown(socket.SHUT_WR)
    _pump(sel)
    assert server.recv(100) == b"hello"
    assert server.recv(100) == b""              # the client's EOF reached the server
    server.sendall(b"back")
    server.shutdown(socket.SHUT_WR)
    _pump(sel)
    assert client.recv(100) == b"back"
    assert relay.closed                          # both directions done: the relay is gone


def test_a_stale_event_after_close_is_ignored():
    """One select() may report both sockets; when the first event closes the relay,
    the second must not take the loop (a container's monitor) down."""
    sel, relay, client, server = _relay()
    upstream = relay.upstream
    relay.close()
    relay._event(upstream, selectors.EVENT_READ | selectors.EVENT_WRITE)   # no exception
    assert relay.closed

