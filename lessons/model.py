"""A loaded lesson, as plain objects: what the runner, the checks and the author tools
work on. Built by loader.py from a lesson file; never written back."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1                      # the lesson format this dockerlings reads


@dataclass
class Command:
    """A line to run. input: what is typed into it once it runs (a container shell's
    commands, or Ctrl-P Ctrl-Q); status: the exit status it must give."""
    line: str
    input: str | None = None
    status: int = 0


@dataclass
class Check:
    """One node of a step's checks. kind: a check type (container, image, ...) or
    all | any | not; spec: the type's fields, normalised; where: (file, line, column)
    for authors."""
    kind: str
    spec: dict = field(default_factory=dict)
    message: str | None = None
    capture: str | None = None
    children: list["Check"] = field(default_factory=list)
    where: tuple = ("", 0, 0)
    path: tuple = ()            # where in the lesson file (for errors about its fields)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Step:
    id: str
    title: str
    text: str
    checks: list[Check]
    solve: list[Command]
    explain: str
    hints: list[str] = field(default_factory=list)
    setup: list[Command] = field(default_factory=list)
    cleanup: list[Command] = field(default_factory=list)
    may_pass_before: str | None = None
    timeout: float = 10.0
    where: tuple = ("", 0, 0)

    def captures(self) -> dict[str, str]:
        """Names this step captures -> the kind of object (container, image ...)."""
        return {c.capture: c.kind for check in self.checks for c in check.walk() if c.capture}


@dataclass
class FileSpec:
    """A file the lesson writes into its work folder: its text, or a file next to the
    lesson (`source`) to copy."""
    text: str | None = None
    source: Path | None = None

    def content(self) -> bytes:
        if self.source is not None:
            return self.source.read_bytes()
        return (self.text or "").encode()


@dataclass
class Lesson:
    id: str
    title: str
    chapter: str
    summary: str
    steps: list[Step]
    recap: str
    explore: list[str]
    images: list[str] = field(default_factory=list)
    files: dict[str, FileSpec] = field(default_factory=dict)
    path: Path | None = None
    format: int = FORMAT

    def step_index(self, step_id: str) -> int | None:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        return None

    def capture_origins(self) -> dict[str, int]:
        """Capture name -> index of the step that captures it (the first one)."""
        out: dict[str, int] = {}
        for i, step in enumerate(self.steps):
            for name in step.captures():
                out.setdefault(name, i)
        return out
