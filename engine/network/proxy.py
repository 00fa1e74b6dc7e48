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
import selectors
import socket
import time

BUF = 65536
UDP_IDLE = 60.0


class _Pipe:
    """One direction of a TCP relay: bytes read from `src` wait here until `dst` takes them."""

    def __init__(self, src: socket.socket, dst: socket.socket):
        self.src, self.dst = src, dst
        self.buf = bytearray()
        self.eof = False          # src said goodbye
        self.done = False         # ...and dst has been told (shutdown SHUT_WR)


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
        if not self.connected and sock is self.upstream:
            err = self.upstream.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self.close()
            self.connected = True
        if mask & selectors.EVENT_READ:
            pipe = self.up if sock is self.client else self.down
            self._read(pipe)
        if mask & selectors.EVENT_WRITE or self.connected:
            self._flush(self.up)
            self._flush(self.down)
        if not self.closed:
            self._rearm()

    def _read(self, pipe: _Pipe) -> None:
        try:
            data = pipe.src.recv(BUF)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            pipe.buf += data
        else:
            pipe.eof = True

    def _flush(self, pipe: _Pipe) -> None:
        if not self.connected:
            return
        while pipe.buf:
            try:
                n = pipe.dst.send(pipe.buf)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                pipe.buf.clear()
                pipe.eof = True
                break
            del pipe.buf[:n]
        if pipe.eof and not pipe.done:
            pipe.done = True
            try:
                pipe.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _rearm(self) -> None:
        if self.up.done and self.down.done:
            return self.close()
        for sock in (self.client, self.upstream):
            reading = self.up if sock is self.client else self.down
            writing = self.down if sock is self.client else self.up
            events = 0
            if self.connected and not reading.eof and len(reading.buf) < BUF * 4:
                events |= selectors.EVENT_READ
            if writing.buf or (sock is self.upstream and not self.connected):
                events |= selectors.EVENT_WRITE
            if sock is self.client and not self.connected and not reading.eof:
                events |= selectors.EVENT_READ
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
        if self.on_close:
            self.on_close(self)


class TcpProxy:
    """Accepts on `listener`; for each connection `connect()` returns a non-blocking
    socket already connecting to the target."""

    def __init__(self, sel: selectors.BaseSelector, listener: socket.socket, connect):
        self.sel, self.listener, self.connect = sel, listener, connect
        self.relays: set[TcpRelay] = set()
        listener.setblocking(False)
        sel.register(listener, selectors.EVENT_READ, self._accept)

    def _accept(self, listener, mask) -> None:
        try:
            client, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
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
