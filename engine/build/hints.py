"""Plain-words hints for the Dockerfile mistakes learners make most.

The classic one: `RUN cd /app` (or `RUN mkdir /app && cd /app`) followed by
instructions that expect to be in /app. Each RUN is a new container that starts in the
WORKDIR, so the cd is forgotten the moment its RUN ends; WORKDIR is what moves the
following instructions. Found by reading the Dockerfile, so the hint is there whether
the build then fails or (worse) quietly does the wrong thing.
"""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"&&|\|\||;|\n")
_CD = re.compile(r"cd(?:\s+(\S+))?")


def _trailing_cd(command: str) -> str | None:
    """The directory of a `cd` that is the last thing a shell command does, if it is."""
    parts = [p.strip() for p in _SEPARATORS.split(command) if p.strip()]
    if not parts:
        return None
    m = _CD.fullmatch(parts[-1])
    if not m:
        return None
    return m.group(1) or "~"


def _relies_on_directory(inst) -> bool:
    if inst.cmd in ("RUN", "CMD", "ENTRYPOINT"):
        return True
    if inst.cmd in ("COPY", "ADD") and inst.args:
        return not inst.args[-1].startswith("/")
    return False


def cd_hints(instructions, filename: str = "Dockerfile") -> list[str]:
    out = []
    for i, inst in enumerate(instructions):
        if inst.cmd != "RUN" or inst.json or inst.heredocs or not inst.args:
            continue
        directory = _trailing_cd(inst.args[0])
        if directory is None:
            continue
        later = []
        for nxt in instructions[i + 1:]:
            if nxt.cmd == "WORKDIR":
                break
            later.append(nxt)
        if any(_relies_on_directory(n) for n in later):
            out.append(f"{filename}:{inst.start}: the `cd {directory}` in this RUN is "
                       "forgotten when the RUN ends: every instruction starts again in the "
                       f"WORKDIR. Write `WORKDIR {directory}` to move the instructions after "
                       "it there.")
    return out
