"""Everything a command touches outside itself, in one injectable object.

Commands never reach for sys.stdout or os.getcwd(): they use the Env they are given,
so tests drive the real command code with in-memory streams, and the REPL and
`dockerlings -c` share one implementation.
"""
from __future__ import annotations

import io
import os
import sys


OWNER_VARIABLE = "DOCKERLINGS_OWNER"


class Env:
    def __init__(self, stdin, stdout, stderr, cwd: str | None = None,
                 environ: dict | None = None, stdin_tty: bool = False,
                 stdout_tty: bool = False, debug: bool = False, engine=None,
                 columns: int | None = None, stderr_tty: bool = False):
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.cwd = cwd or os.getcwd()
        self.environ = dict(os.environ) if environ is None else environ
        self.stdin_tty, self.stdout_tty, self.debug = stdin_tty, stdout_tty, debug
        self.stderr_tty = stderr_tty
        self._engine = engine
        self._columns = columns
        # The lesson this shell follows (lessons/session.py), and who what the engine
        # makes is made for (its step, "LESSON/STEP"), so a reset removes only what the
        # lesson made; a `docker` run from a host pipeline gets it through the
        # environment.
        self.lesson = None
        self.prefill_supported = False     # the REPL puts `solution` commands at its prompt
        self.last_status = 0               # the last line's status: $? on the next line
        from .conversation import SILENT
        self.api = SILENT                  # the command's API requests, when traced
        self._owner = self.environ.get(OWNER_VARIABLE) or None
        if engine is not None and self._owner and hasattr(engine, "owner"):
            engine.owner = self._owner

    @classmethod
    def from_process(cls) -> "Env":
        return cls(stdin=sys.stdin.buffer, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer,
                   stdin_tty=sys.stdin.isatty(), stdout_tty=sys.stdout.isatty(),
                   stderr_tty=sys.stderr.isatty())

    @classmethod
    def buffered(cls, stdin: bytes = b"", **kw) -> "Env":
        """An Env with in-memory streams (tests)."""
        return cls(stdin=io.BytesIO(stdin), stdout=io.BytesIO(), stderr=io.BytesIO(), **kw)

    @property
    def engine(self):
        if self._engine is None:
            from engine.engine import Engine
            self._engine = Engine()
            if self._owner:
                self._engine.owner = self._owner
        return self._engine

    @property
    def owner(self) -> str | None:
        return self._owner

    @owner.setter
    def owner(self, value: str | None) -> None:
        """Name who the engine's new objects are for (None: nobody), in this process and
        for the docker commands of host pipelines."""
        self._owner = value or None
        if value:
            self.environ[OWNER_VARIABLE] = value
        else:
            self.environ.pop(OWNER_VARIABLE, None)
        if self._engine is not None and hasattr(self._engine, "owner"):
            self._engine.owner = self._owner

    @property
    def api_trace(self) -> bool:
        """`set api-trace on`: every docker command prints the API requests behind it
        (shell/conversation.py); kept in the environment for host pipelines' docker."""
        from .conversation import VARIABLE
        return self.environ.get(VARIABLE, "") not in ("", "0")

    @api_trace.setter
    def api_trace(self, on: bool) -> None:
        from .conversation import VARIABLE
        if on:
            self.environ[VARIABLE] = "1"
        else:
            self.environ.pop(VARIABLE, None)

    @property
    def engine_paths(self):
        """Where the engine keeps its state, without loading the engine (the REPL's
        toolbar shows it before the engine is needed)."""
        if self._engine is not None:
            return self._engine.paths
        from engine.paths import Paths
        return Paths.from_env()

    @engine.setter
    def engine(self, value) -> None:
        self._engine = value
        if self._owner and value is not None and hasattr(value, "owner"):
            value.owner = self._owner

    def chdir(self, path: str) -> None:
        """The shell's working folder (cd): commands and host programs run there. The
        process's own folder is left alone, so several Envs can live in one process."""
        self.environ["OLDPWD"] = self.cwd
        self.cwd = path
        self.environ["PWD"] = path

    @property
    def home(self) -> str:
        """Where the shell keeps its own files (history, first-start mark):
        $DOCKERLINGS_HOME, else the XDG data folder."""
        custom = self.environ.get("DOCKERLINGS_HOME")
        if custom:
            return custom
        data = self.environ.get("XDG_DATA_HOME") or os.path.join(
            self.environ.get("HOME") or os.path.expanduser("~"), ".local", "share")
        return os.path.join(data, "dockerlings")

    def out(self, text: str = "", end: str = "\n") -> None:
        self.stdout.write((text + end).encode("utf-8", "replace"))
        self.stdout.flush()

    def err(self, text: str = "", end: str = "\n") -> None:
        self.stderr.write((text + end).encode("utf-8", "replace"))
        self.stderr.flush()

    def hint(self, text: str) -> str:
        """A `hint:` line: the label in bold on a terminal (NO_COLOR honoured), the text
        in the terminal's normal colours (faint text is unreadable on some themes)."""
        if self.stderr_tty and "NO_COLOR" not in self.environ:
            return f"\x1b[1mhint:\x1b[22m {text}"
        return f"hint: {text}"

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
            try:
                return os.get_terminal_size(self.stdout.fileno()).columns or 80
            except (OSError, ValueError, AttributeError):
                return 80
        return 80

    def output_text(self) -> str:
        """What a buffered Env printed on stdout (tests)."""
        return self.stdout.getvalue().decode()

    def error_text(self) -> str:
        return self.stderr.getvalue().decode()
