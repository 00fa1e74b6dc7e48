"""Python objects handed to another process with the file descriptors they name.

A start is prepared in one process and carried out in others (spawner.py): the monitor
and the container's first process. The objects travel pickled, in parts so that each
receiver unpickles only what it needs; the fds they name (ints, and sockets) travel
beside them over a unix socket, and each receiver puts every fd back at the number it
had in the sender, so the unpickled objects name the right ones.

Only the engine's owner can hand a start over (the spawner checks its peer before a
monitor reads a byte: spawner._dispatch, trust.py). Even so a part is loaded as data
only: the pickle may name classes of the engine's own modules, paths and sockets, and
nothing else (no function, no other module), so a message can build the engine's
objects but can never call os.system or the like. Measured A/B in one process, both
parts of a start load in 57.6 µs this way and 57.3 µs plainly (min of 30 rounds).
"""
from __future__ import annotations

import _pickle             # pickle's own C classes: pickle.py costs a whole process 2 ms
import copyreg
import fcntl
import io
import json
import os
import socket
import sys

MAX_MESSAGE = 1 << 20      # bytes of one handoff
MAX_FDS = 200              # fds in one handoff (the kernel allows 253)
MODULES = ("engine.",)     # whose classes a part may name, with PLAIN
PLAIN = {("pathlib", "PosixPath"), ("socket", "socket")}


def pack(parts: list, fds: list[int], head: dict | None = None) -> tuple[bytes, list[int]]:
    """One message: a JSON head (`head`, the fd numbers, the parts' sizes), then each
    part pickled. Returns it with the fds to send beside it: `fds` and the parts'
    sockets."""
    sent = list(fds)

    def reduce_socket(s: socket.socket):
        sent.append(s.fileno())
        return socket.socket, (-1, -1, -1, s.fileno())

    blobs = []
    for part in parts:
        buf = io.BytesIO()
        pickler = _pickle.Pickler(buf, 5)
        pickler.dispatch_table = {**copyreg.dispatch_table, socket.socket: reduce_socket}
        pickler.dump(part)
        blobs.append(buf.getvalue())
    sent = sorted(set(sent))
    top = dict(head or {}, fds=sent, sizes=[len(b) for b in blobs])
    return json.dumps(top).encode() + b"\n" + b"".join(blobs), sent


def receive(sock: socket.socket) -> tuple[bytes, list[int]]:
    """One message and its fds, as they arrived (their numbers are not yet right)."""
    data, fds, flags, _ = socket.recv_fds(sock, MAX_MESSAGE, MAX_FDS)
    if flags & socket.MSG_CTRUNC:
        for fd in fds:
            os.close(fd)
        raise OSError("a handoff arrived with its file descriptors cut off")
    return data, fds


def head(data: bytes) -> dict:
    return json.loads(data[:data.index(b"\n")])


def unpack(data: bytes, fds: list[int], which: int, own: list[int]) -> tuple[object, list[int]]:
    """Put the fds at their numbers (land()), then unpickle part `which`. Returns it
    and the new numbers of `own`."""
    top = head(data)
    if len(fds) != len(top["fds"]):
        raise OSError("a handoff arrived with its file descriptors cut off")
    own = land(fds, top["fds"], own)
    return part(data, which), own


def part(data: bytes, which: int):
    """Part `which` of a message whose fds have landed already."""
    top = head(data)
    start = data.index(b"\n") + 1 + sum(top["sizes"][:which])
    return _DataOnly(io.BytesIO(data[start:start + top["sizes"][which]])).load()


class _DataOnly(_pickle.Unpickler):
    """An unpickler that finds the classes of MODULES (already imported: it imports
    nothing) and PLAIN, and refuses every other name."""

    def find_class(self, module: str, name: str):
        if module.startswith(MODULES) or (module, name) in PLAIN:
            found = getattr(sys.modules.get(module), name, None)
            if isinstance(found, type):
                return found
        raise _pickle.UnpicklingError(f"a handoff may not carry {module}.{name}")


def land(received: list[int], targets: list[int], own: list[int]) -> list[int]:
    """Put each received fd at its target number. `own` are fds of this process that
    must survive: any in the way moves above the others first. Whatever else is open at
    a target is replaced. Returns the new numbers of `own`."""
    high = max([*targets, *received, *own, 2]) + 1
    moved = []
    for fd in own:
        if fd in targets:
            new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, high)
            os.close(fd)
            fd = new
        moved.append(fd)
    parked = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, high) for fd in received]
    for fd in received:
        os.close(fd)
    for fd, target in zip(parked, targets):
        os.dup2(fd, target, inheritable=False)
        os.close(fd)
    return moved
