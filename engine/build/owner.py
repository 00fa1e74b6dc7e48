"""Who is building. What a build makes for a moment — a RUN step's container, the
snapshot image of a step's state it is created from — carries the building process's
pid and start time, so that when that process dies mid-build (SIGKILL, a crash)
`engine fsck` can tell its leftovers from those of a build still running in another
shell, and remove them, as it removes what any interrupted operation left.

The container carries it as a label, set in the same write that creates it. A snapshot
image is marked by an empty file, image/.snapshot-PID-START-HEX, made before the image
and removed after the image is dropped again.
"""
from __future__ import annotations

import os
import re

from ..runtime import syscalls as sc

LABEL = "org.dockerlings.build.owner"
_MARK = re.compile(r"^\.snapshot-(\d+)-(\d+)-([0-9a-f]{64})$")


def token() -> str:
    pid = os.getpid()
    return f"{pid}-{sc.process_start_time(pid)}"


def dead(tok: str) -> bool:
    """Whether the process a token names has ended (a token that does not parse names
    nobody alive)."""
    pid, _, start = tok.partition("-")
    if not (pid.isdigit() and start.isdigit()):
        return True
    return not sc.alive(int(pid), int(start))


def snapshot_mark(engine, image_id: str):
    return engine.paths.root / "image" / f".snapshot-{token()}-{image_id[7:]}"


def dead_snapshots(engine) -> list[tuple[str, object]]:
    """(image ID, its mark) of every snapshot whose build has died."""
    d = engine.paths.root / "image"
    out = []
    for name in os.listdir(d) if d.is_dir() else []:
        m = _MARK.match(name)
        if m and dead(f"{m.group(1)}-{m.group(2)}"):
            out.append(("sha256:" + m.group(3), d / name))
    return out
