"""Reading a container's json-file log, as `docker logs` does."""
from __future__ import annotations

import json
import os
import time
from collections import namedtuple

from . import timeutil
from .store.containers import Container


# stream: stdout | stderr; time: RFC 3339 with nanoseconds
Entry = namedtuple("Entry", "stream time data")


def _parse(line: bytes) -> Entry | None:
    try:
        d = json.loads(line)
        return Entry(d.get("stream", "stdout"), d.get("time", ""),
                     d.get("log", "").encode("utf-8", "surrogateescape"))
    except (ValueError, AttributeError):
        return None


def parse_tail(text: str | None) -> int:
    """--tail: a count; "all", negative or unparsable means everything (Docker's rule)."""
    try:
        n = int(text)
    except (TypeError, ValueError):
        return -1
    return n if n >= 0 else -1


def read(engine, c: Container, *, follow: bool = False, tail: int = -1,
         since: float | None = None, until: float | None = None, poll: float = 0.05):
    """Yield Entry objects: the last `tail` ones (all for -1), then, with `follow`, new
    ones as they are written, until the container stops."""
    path = engine.log_path(c.id)
    pos = 0
    entries: list[Entry] = []
    try:
        with open(path, "rb") as f:
            data = f.read()
            pos = len(data)
    except FileNotFoundError:
        data = b""
    complete, _, rest = data.rpartition(b"\n")
    pos -= len(rest)
    for line in complete.split(b"\n") if complete else []:
        e = _parse(line)
        if e and _in_window(e, since, until):
            entries.append(e)
    if tail >= 0:
        entries = entries[len(entries) - tail:] if tail else []
    yield from entries
    if not follow:
        return
    yield from _follow(engine, c, path, pos, since, until, poll)


def _in_window(e: Entry, since, until) -> bool:
    if since is None and until is None:
        return True
    t = timeutil.parse(e.time)
    return (since is None or t >= since) and (until is None or t <= until)


def _follow(engine, c: Container, path, pos: int, since, until, poll: float):
    buf = b""
    while True:
        try:
            with open(path, "rb") as f:
                f.seek(pos)
                chunk = f.read()
        except FileNotFoundError:
            return
        pos += len(chunk)
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            e = _parse(line)
            if e and _in_window(e, since, until):
                yield e
        if not chunk:
            fresh = engine.load_quiet(c.id)
            if fresh is None or not fresh.state.running:
                if os.path.exists(path) and os.path.getsize(path) > pos:
                    continue
                return
            time.sleep(poll)
