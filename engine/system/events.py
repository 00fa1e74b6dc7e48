"""The engine's event log: what happened to containers, images, networks and volumes,
as `docker events` shows it, from every process that works on one engine root (the
shells, the monitors).

Each event is one JSON line appended to <root>/events.log with a single O_APPEND write,
so lines from different processes never interleave. The log keeps the most recent
events only (as the daemon keeps a bounded buffer): past LIMIT bytes a writer keeps its
second half. Standard library only: the slim monitor writes here too.
"""
from __future__ import annotations

import json
import os
import time

FILE = "events.log"
LIMIT = 1 << 20


def path(root) -> str:
    return os.path.join(str(root), FILE)


def emit(root, kind: str, action: str, actor: str, attributes: dict | None = None) -> None:
    """Record one event; never fails the operation it reports."""
    now = time.time_ns()
    event = {"Type": kind, "Action": action,
             "Actor": {"ID": actor, "Attributes": dict(attributes or {})},
             "scope": "local", "time": now // 1_000_000_000, "timeNano": now}
    line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
    try:
        fd = os.open(path(root), os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size > LIMIT:
            _trim(root)
    except OSError:
        pass


def _trim(root) -> None:
    """Keep the newer half (a rename: readers following the old file reopen)."""
    try:
        with open(path(root), "rb") as f:
            f.seek(-LIMIT // 2, os.SEEK_END)
            tail = f.read()
        tail = tail[tail.index(b"\n") + 1:]
        tmp = path(root) + f".{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(tail)
        os.replace(tmp, path(root))
    except (OSError, ValueError):
        pass


def container_attributes(image: str, name: str, labels: dict | None) -> dict:
    """Docker's attributes of a container event: its labels, image and name."""
    return {**(labels or {}), "image": image, "name": name.lstrip("/")}


def of_container(root, action: str, c, **extra) -> None:
    """An event about a Container (the engine's record object)."""
    emit(root, "container", action, c.id,
         {**container_attributes(c.config.image, c.name, c.config.label_dict()), **extra})


def of_record(root, action: str, cid: str, record: dict | None, **extra) -> None:
    """An event about a container known by its record (the monitor's view)."""
    config = (record or {}).get("Config") or {}
    emit(root, "container", action, cid,
         {**container_attributes(config.get("Image", ""), (record or {}).get("Name", ""),
                                 config.get("Labels")), **extra})


def read(root, offset: int = 0) -> tuple[list[dict], int]:
    """Events written after byte `offset`, and the offset to read from next (0 again
    when the log was trimmed meanwhile)."""
    try:
        with open(path(root), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < offset:
                offset = 0
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return [], 0
    end = data.rfind(b"\n") + 1
    out = []
    for line in data[:end].splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out, offset + end
