"""Reading a container's json-file log, as `docker logs` does."""
from __future__ import annotations

import json
import os
import time
from collections import namedtuple

from ..util import timeutil
from ..store.containers import Container


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
         since: float | None = None, until: float | None = None, poll: float = 0.05,
         wanted=lambda: True):
    """Yield Entry objects: the last `tail` ones (all for -1), then, with `follow`, new
    ones as they are written, until the container stops. The log is opened once and
    held, as Docker's follower holds it: a container removed just after it exits
    (docker-py's run(remove=True) reads its logs that way) still gives its last lines.
    A follower stops when wanted() turns false (its reader went away)."""
    try:
        f = open(engine.log_path(c.id), "rb")
    except FileNotFoundError:
        return
    with f:
        data = f.read()
        pos = len(data)
        entries: list[Entry] = []
        complete, _, rest = data.rpartition(b"\n")
        pos -= len(rest)
        for line in complete.split(b"\n") if complete else []:
            e = _parse(line)
            if e and _in_window(e, since, until):
                entries.append(e)
        if tail >= 0:
            entries = entries[len(entries) - tail:] if tail else []
        yield from entries
        if follow:
            yield from _follow(engine, c, f, pos, since, until, poll, wanted)


def _in_window(e: Entry, since, until) -> bool:
    if since is None and until is None:
        return True
    t = timeutil.parse(e.time)
    return (since is None or t >= since) and (until is None or t <= until)


def _follow(engine, c: Container, f, pos: int, since, until, poll: float, wanted):
    buf = b""
    f.seek(pos)
    while True:
        chunk = f.read()
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
                if os.fstat(f.fileno()).st_size > pos:
                    continue
                return
            if not wanted():
                return
            time.sleep(poll)
