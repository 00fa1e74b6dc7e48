"""The one error a build raises, carrying what BuildKit shows with it.

BuildKit reports a failed build in three parts: the failing step with its last output
lines (`> [2/3] RUN exit 3:`), the Dockerfile lines around the instruction (`>>>`
marks it), and `ERROR: failed to build: failed to solve: <message>`. A BuildError holds
the pieces; the shell lays them out (engine/ stays free of presentation details beyond
the words themselves).
"""
from __future__ import annotations

from ..errors import EngineError


class BuildError(EngineError):
    """message: Docker's words after "failed to solve: "; lines: (first, last) line
    numbers of the instruction in the Dockerfile, or None; step: the progress name of
    the step that failed ("[2/3] RUN exit 3"), or None; logs: its last output lines;
    hint: a plain-words explanation for a learner."""

    from_daemon = False

    def __init__(self, message: str, *, lines: tuple[int, int] | None = None,
                 step: str | None = None, logs: list[str] | None = None,
                 hint: str | None = None, exit_code: int | None = None):
        super().__init__(message, hint=hint)
        self.lines = lines
        self.step = step
        self.logs = list(logs or [])
        self.exit_code = exit_code
        self.detail: str | None = None    # the step's ERROR line, when it differs
        self.warnings: list = []          # lint warnings found before the failure
        self.hints: list[str] = []        # build hints (RUN cd ...) to show with it
        self.filename = "Dockerfile"
        self.source = ""          # the Dockerfile's text, filled in by the builder

    def at(self, lines: tuple[int, int] | None) -> "BuildError":
        if self.lines is None:
            self.lines = lines
        return self


class ParseError(BuildError):
    """A Dockerfile that does not parse: "dockerfile parse error on line N: ..."."""

    def __init__(self, message: str, line: int, end: int | None = None, *,
                 hint: str | None = None):
        super().__init__(f"dockerfile parse error on line {line}: {message}",
                         lines=(line, end or line), hint=hint)
        self.reason = message
