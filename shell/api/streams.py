"""Streams between a container's monitor and an API client: Docker's multiplexed
frames, attaching before a start (as `docker run` does: attach, wait, then start), and
the exits that `wait?condition=next-exit` waits for."""
from __future__ import annotations

import json
import selectors
import struct
import threading

from engine.supervisor import protocol

STDIN, STDOUT, STDERR = 0, 1, 2
_FRAME = struct.Struct(">BxxxI")


def mux(stream: int, data: bytes) -> bytes:
    """One frame of Docker's multiplexed stream: [stream, 0, 0, 0, size (big-endian)]."""
    return _FRAME.pack(stream, len(data)) + data


class Exits:
    """Containers started through this server are started with a monitor connection
    that reports their exit; waits and attaches that came before the start meet it
    here. Each start of a container has its own slot."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waiting: dict[str, list["Slot"]] = {}     # cid -> waits for its next exit
        self.attaches: dict[str, list["Slot"]] = {}    # cid -> attaches for its next start

    def next_exit(self, cid: str) -> "Slot":
        slot = Slot()
        with self.lock:
            self.waiting.setdefault(cid, []).append(slot)
        return slot

    def drop(self, cid: str, slot: "Slot") -> None:
        with self.lock:
            for table in (self.waiting, self.attaches):
                if slot in table.get(cid, ()):
                    table[cid].remove(slot)

    def attach_at_start(self, cid: str, want: dict) -> "Slot":
        slot = Slot(want)
        with self.lock:
            self.attaches.setdefault(cid, []).append(slot)
        return slot

    def take_for_start(self, cid: str) -> tuple[list["Slot"], list["Slot"]]:
        with self.lock:
            return self.attaches.pop(cid, []), self.waiting.pop(cid, [])


class Slot:
    """A rendezvous: set() once with a value, get() waits for it."""

    def __init__(self, want: dict | None = None):
        self.want = want
        self.event = threading.Event()
        self.value = None

    def set(self, value) -> None:
        self.value = value
        self.event.set()

    def get(self, timeout: float | None = None):
        self.event.wait(timeout)
        return self.value


def read_exit(sock, on_output=None) -> int | None:
    """Read a monitor connection to its end: output frames go to on_output(stream,
    bytes); returns the exit status, None when the monitor went away without one."""
    reader = protocol.FrameReader()
    with sock:
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                return None
            for kind, payload in reader.feed(data):
                if kind in (protocol.STDOUT, protocol.STDERR) and on_output:
                    on_output(STDOUT if kind == protocol.STDOUT else STDERR, payload)
                elif kind == protocol.EXIT:
                    return int(json.loads(payload)["StatusCode"])


def pump(conn, rfile, channel, *, tty: bool, stdin: bool,
         detach_keys: str | None = None) -> int | None:
    """Join a hijacked client connection to a container's streams (`channel`: the
    shell's MonitorChannel or ProcessChannel): output to the client (raw with a tty,
    multiplexed without), the client's bytes to stdin, its half-close to stdin's end.
    Returns the exit status; None when the client detached (the detach keys, with a
    tty, as moby's escape proxy) or went away."""
    from ..commands.attach import _DetachMatcher, detach_sequence
    detached = threading.Event()
    if stdin:
        matcher = _DetachMatcher(detach_sequence(detach_keys)) if tty else None
        threading.Thread(target=_feed, args=(rfile, channel, matcher, detached, conn),
                         daemon=True).start()
    sel = selectors.DefaultSelector()
    for fd in channel.fds():
        sel.register(fd, selectors.EVENT_READ)
    try:
        while not channel.done() and not detached.is_set():
            for key, _ in sel.select(0.2):
                for stream, data in channel.read(key.fd):
                    code = STDERR if stream == "stderr" else STDOUT
                    conn.sendall(data if tty else mux(code, data))
                if key.fd not in channel.fds():
                    sel.unregister(key.fd)
    except OSError:                      # the client went away
        detached.set()
    finally:
        sel.close()
    if detached.is_set():
        channel.close()
        return None
    return channel.exit_code


def _feed(rfile, channel, matcher, detached, conn) -> None:
    try:
        while not detached.is_set():
            data = rfile.read1(65536)
            if not data:
                channel.close_stdin()
                return
            if matcher is not None:
                data, leave = matcher.feed(data)
                if leave:
                    detached.set()
                    conn.shutdown(2)
                    return
            if data:
                channel.send_stdin(data)
    except (OSError, ValueError):
        pass
