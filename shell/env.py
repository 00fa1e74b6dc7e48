"""Everything a command touches outside itself, in one injectable object.

Commands never reach for sys.stdout or os.getcwd(): they use the Env they are given,
so tests drive the real command code with in-memory streams, and the REPL and
`dockerlings -c` share one implementation.
"""
from __future__ import annotations

import io
import os
import shutil
import sys
from dataclasses import dataclass, field


@dataclass
class Env:
    stdin: io.BufferedIOBase
    stdout: io.BufferedIOBase
    stderr: io.BufferedIOBase
    cwd: str = field(default_factory=os.getcwd)
    environ: dict = field(default_factory=lambda: dict(os.environ))
    stdin_tty: bool = False
    stdout_tty: bool = False
    debug: bool = False
    _engine: object = None
    _columns: int | None = None

    @classmethod
    def from_process(cls) -> "Env":
        return cls(stdin=sys.stdin.buffer, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer,
                   stdin_tty=sys.stdin.isatty(), stdout_tty=sys.stdout.isatty())

    @classmethod
    def buffered(cls, stdin: bytes = b"", **kw) -> "Env":
        """An Env with in-memory streams (tests)."""
        return cls(stdin=io.BytesIO(stdin), stdout=io.BytesIO(), stderr=io.BytesIO(), **kw)

    @property
    def engine(self):
        if self._engine is None:
            from engine.engine import Engine
            self._engine = Engine()
        return self._engine

    @engine.setter
    def engine(self, value) -> None:
        self._engine = value

    def out(self, text: str = "", end: str = "\n") -> None:
        self.stdout.write((text + end).encode("utf-8", "replace"))
        self.stdout.flush()

    def err(self, text: str = "", end: str = "\n") -> None:
        self.stderr.write((text + end).encode("utf-8", "replace"))
        self.stderr.flush()

    def write_out(self, data: bytes) -> None:
        self.stdout.write(data)
        self.stdout.flush()

    def write_err(self, data: bytes) -> None:
        self.stderr.write(data)
        self.stderr.flush()

    @property
    def columns(self) -> int:
        if self._columns:
            return self._columns
        if self.stdout_tty:
            return shutil.get_terminal_size((80, 24)).columns
        return 80

    def output_text(self) -> str:
        """What a buffered Env printed on stdout (tests)."""
        return self.stdout.getvalue().decode()

    def error_text(self) -> str:
        return self.stderr.getvalue().decode()
