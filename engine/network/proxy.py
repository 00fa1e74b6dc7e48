"""Userspace TCP and UDP proxies, driven by the caller's selectors loop.

A published port (`-p 8080:80`) is a listening socket in the host's namespace whose
connections are relayed to the container's address inside the engine's namespace; the
container's monitor runs it, so the port is free again the moment the container stops.
The same relay carries host.docker.internal the other way. TCP half-close is passed on
(one side's EOF becomes a shutdown of the other side's writing half), UDP keeps one
upstream socket per client address. Light on purpose: the slim monitor imports it.
"""
from __future__ import annotations

import errno
import fcntl
import os
import selectors
import socket
import time

BUF = 65536
F_SETPIPE_SZ = 1031
UDP_IDLE = 60.0


_SPLICE = getattr(os, "SPLICE_F_MOVE", 1) | getattr(os, "SPLICE_F_NONBLOCK", 2)
PIPE_SIZE = 1 << 20


class _Pipe:
    """One direction of a TCP relay. Bytes go socket -> pipe -> socket with splice(2),
    so they never enter Python: the proxy costs little more than a kernel copy."""

    def __init__(self, src: socket.socket, dst: socket.socket):
        self.src, self.dst = src, dst
        self.r, self.w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            fcntl.fcntl(self.w, F_SETPIPE_SZ, PIPE_SIZE)
        except OSError:
            pass
        self.pending = 0          # bytes in the pipe, not yet sent on
        self.eof = False          # src said goodbye
        self.done = False         # ...and dst has been told (shutdown SHUT_WR)

    def fill(self) -> None:
        try:
            n = os.splice(self.src.fileno(), self.w, PIPE_SIZE, flags=_SPLICE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            n = 0
        if n:
            self.pending += n
        else:
            self.eof = True

    def drain(self) -> None:
        while self.pending:
            try:
                n = os.splice(self.r, self.dst.fileno(), self.pending, flags=_SPLICE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:            # the other side is gone: drop what is left
                self.pending, self.eof = 0, True
                break
            self.pending -= n
        if self.eof and not self.done:
            self.done = True
            try:
                self.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self) -> None:
        os.close(self.r)
        os.close(self.w)


class TcpRelay:
    def __init__(self, sel: selectors.BaseSelector, client: socket.socket,
                 upstream: socket.socket, on_close=None):
        self.sel = sel
        self.client, self.upstream = client, upstream
        self.up = _Pipe(client, upstream)       # client -> container
        self.down = _Pipe(upstream, client)     # container -> client
        self.connected = False
        self.on_close = on_close
        self.closed = False
        sel.register(upstream, selectors.EVENT_WRITE, self._event)   # wait for connect
        sel.register(client, selectors.EVENT_READ, self._event)

    def _event(self, sock, mask) -> None:
        # One select() can report both sockets; if the first event closed the relay,
        # the second is stale. Any other failure ends this connection, never the loop
        # (the loop is the container's monitor, or dl-netd).
        if self.closed:
            return
        try:
            self._step(sock, mask)
        except (OSError, ValueError):
            self.close()

    def _step(self, sock, mask) -> None:
        if not self.connected and sock is self.upstream:
            if self.upstream.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                return self.close()
            self.connected = True
        if mask & selectors.EVENT_READ:
            (self.up if sock is self.client else self.down).fill()
        if self.connected:
            self.up.drain()
            self.down.drain()
        if self.up.done and self.down.done:
            return self.close()
        self._rearm()

    def _rearm(self) -> None:
        """Read from a side while its pipe has room; write to a side while bytes wait."""
        for sock, reading, writing in ((self.client, self.up, self.down),
                                       (self.upstream, self.down, self.up)):
            events = 0
            can_read = self.connected or sock is self.client
            if can_read and not reading.eof and reading.pending < PIPE_SIZE:
                events |= selectors.EVENT_READ
            if writing.pending or (sock is self.upstream and not self.connected):
                events |= selectors.EVENT_WRITE
            self._set(sock, events)

    def _set(self, sock, events: int) -> None:
        try:
            if events:
                self.sel.modify(sock, events, self._event)
            else:
                self.sel.unregister(sock)
        except KeyError:
            if events:
                self.sel.register(sock, events, self._event)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for sock in (self.client, self.upstream):
            try:
                self.sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        self.up.close()
        self.down.close()
        if self.on_close:
            self.on_close(self)


class TcpProxy:
    """Accepts on `listener`; for each connection `connect()` returns a non-blocking
    socket already connecting to the target."""

    def __init__(self, sel: selectors.BaseSelector, listener: socket.socket, connect,
                 admit=None):
        self.sel, self.listener, self.connect = sel, listener, connect
        self.admit = admit          # admit(client) -> whether to relay it at all
        self.relays: set[TcpRelay] = set()
        listener.setblocking(False)
        sel.register(listener, selectors.EVENT_READ, self._accept)

    def _accept(self, listener, mask) -> None:
        try:
            client, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        if self.admit is not None and not self.admit(client):
            client.close()
            return
        client.setblocking(False)
        try:
            upstream = self.connect()
        except OSError:
            client.close()
            return
        self.relays.add(TcpRelay(self.sel, client, upstream, self.relays.discard))

    def close(self) -> None:
        try:
            self.sel.unregister(self.listener)
        except (KeyError, ValueError):
            pass
        self.listener.close()
        for relay in list(self.relays):
            relay.close()


class UdpProxy:
    """Datagrams from each client address go out through an upstream socket of their
    own, so replies find their way back; idle mappings are dropped after a minute."""

    def __init__(self, sel: selectors.BaseSelector, listener: socket.socket, connect):
        self.sel, self.listener, self.connect = sel, listener, connect
        self.peers: dict[tuple, tuple[socket.socket, float]] = {}
        listener.setblocking(False)
        sel.register(listener, selectors.EVENT_READ, self._from_client)

    def _from_client(self, listener, mask) -> None:
        try:
            data, addr = listener.recvfrom(BUF)
        except (BlockingIOError, InterruptedError):
            return
        self._expire()
        entry = self.peers.get(addr)
        if entry is None:
            try:
                up = self.connect()
            except OSError:
                return
            self.sel.register(up, selectors.EVENT_READ,
                              lambda s, m, a=addr: self._from_upstream(s, a))
            entry = (up, 0.0)
        up = entry[0]
        self.peers[addr] = (up, time.monotonic())
        try:
            up.send(data)
        except OSError as e:
            if e.errno not in (errno.ECONNREFUSED, errno.EAGAIN):
                self._drop(addr)

    def _from_upstream(self, up: socket.socket, addr) -> None:
        try:
            data = up.recv(BUF)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        self.peers[addr] = (up, time.monotonic())
        try:
            self.listener.sendto(data, addr)
        except OSError:
            pass

    def _expire(self) -> None:
        now = time.monotonic()
        for addr, (_, seen) in list(self.peers.items()):
            if now - seen > UDP_IDLE:
                self._drop(addr)

    def _drop(self, addr) -> None:
        up, _ = self.peers.pop(addr)
        try:
            self.sel.unregister(up)
        except (KeyError, ValueError):
            pass
        up.close()

    def close(self) -> None:
        for addr in list(self.peers):
            self._drop(addr)
        try:
            self.sel.unregister(self.listener)
        except (KeyError, ValueError):
            pass
        self.listener.close()
