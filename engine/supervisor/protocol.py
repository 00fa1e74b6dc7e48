"""The wire between a container's monitor and its clients (attach, wait, stop, kill).

Every message, both ways, is a frame: one type byte, a 4-byte big-endian length, the
payload. A connection starts with a REQUEST frame (JSON) naming what the client wants.
"""
from __future__ import annotations

import json
import os
import socket
import struct

HEADER = struct.Struct(">BI")

STDIN, STDOUT, STDERR, EXIT, CLOSE_STDIN, RESIZE, REQUEST, REPLY = range(8)


def frame(kind: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def json_frame(kind: int, obj) -> bytes:
    return frame(kind, json.dumps(obj).encode())


class FrameReader:
    """Collects bytes and yields whole frames."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data: bytes):
        self.buf += data
        while len(self.buf) >= HEADER.size:
            kind, size = HEADER.unpack_from(self.buf)
            end = HEADER.size + size
            if len(self.buf) < end:
                return
            payload = bytes(self.buf[HEADER.size:end])
            del self.buf[:end]
            yield kind, payload


def socket_path(directory: str) -> str:
    """A unix socket path for `directory`/attach.sock that fits the kernel's 108-byte
    limit: deep test directories are reached through /proc/self/fd instead."""
    path = os.path.join(directory, "attach.sock")
    if len(path.encode()) < 100:
        return path
    return path   # callers use with_short_path() for long ones


class ShortPath:
    """Context manager giving a short alias for a long socket path via an O_PATH fd."""

    def __init__(self, path: str):
        self.path = path
        self.fd = None

    def __enter__(self) -> str:
        if len(self.path.encode()) < 100:
            return self.path
        self.fd = os.open(os.path.dirname(self.path), os.O_PATH | os.O_CLOEXEC)
        return f"/proc/self/fd/{self.fd}/{os.path.basename(self.path)}"

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)


def connect(path: str, request: dict, timeout: float | None = None) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    if timeout is not None:
        s.settimeout(timeout)
    try:
        with ShortPath(path) as p:
            s.connect(p)
        s.sendall(json_frame(REQUEST, request))
    except BaseException:
        s.close()
        raise
    return s


def read_frames(sock: socket.socket):
    """Blocking iterator over the frames a monitor sends; ends when it hangs up."""
    reader = FrameReader()
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return
        if not data:
            return
        yield from reader.feed(data)
