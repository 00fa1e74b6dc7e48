"""Build output in the shape of BuildKit's plain progress (`--progress=plain`).

Each unit of work is a numbered vertex: its name (`#5 [2/4] RUN mkdir timers`), status
lines (`#1 transferring dockerfile: 123B done`), the output of a RUN with the seconds
since the step began (`#5 0.153 hello`), and how it ended (`#5 DONE 0.3s`, `#5
CACHED`, `#5 ERROR: ...`). A blank line separates vertices. The builder drives it; the
shell passes where lines go (nowhere with -q, where only the last lines of a failing
step are kept for the error report).
"""
from __future__ import annotations

import time

LOG_KEEP = 10


def human_bytes(n: int) -> str:
    """BuildKit's byte counts: 123B, 1.21kB, 3.40MB (powers of 1024)."""
    if n < 1024:
        return f"{n}B"
    for unit in ("kB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.2f}{unit}"
    return f"{n}B"


class Progress:
    def __init__(self, write=None, clock=time.monotonic):
        self.write = write or (lambda line: None)
        self.clock = clock
        self.count = 0
        self.started = False

    def header(self) -> None:
        self.write('#0 building with "default" instance using docker driver')
        self.started = True

    def vertex(self, name: str) -> "Vertex":
        self.count += 1
        if self.started:
            self.write("")
        self.started = True
        self.write(f"#{self.count} {name}")
        return Vertex(self, self.count, name)


class Vertex:
    def __init__(self, progress: Progress, index: int, name: str):
        self.p, self.index, self.name = progress, index, name
        self.start = progress.clock()
        self.partial = b""
        self.partial_at = 0.0
        self.logs: list[str] = []      # "0.153 hello", for an error report

    def _line(self, text: str) -> None:
        self.p.write(f"#{self.index} {text}")

    def elapsed(self) -> float:
        return self.p.clock() - self.start

    def status(self, text: str, seconds: float | None = None, done: bool = True) -> None:
        """`#1 transferring dockerfile: 123B done`; the time only when it is worth
        showing (BuildKit leaves out anything under 10 ms)."""
        tm = f" {seconds:.1f}s" if seconds is not None and seconds > 0.01 else ""
        self._line(f"{text}{tm}{' done' if done else ''}")

    def output(self, data: bytes) -> None:
        """Container output: whole lines, each with the seconds since the step began."""
        if not self.partial:
            self.partial_at = self.elapsed()
        data = self.partial + data
        *lines, self.partial = data.split(b"\n")
        for line in lines:
            self._log(line, self.partial_at)
            self.partial_at = self.elapsed()

    def _log(self, line: bytes, at: float) -> None:
        text = f"{at:.3f} {line.decode('utf-8', 'replace').rstrip(chr(13))}"
        self.logs = (self.logs + [text])[-LOG_KEEP:]
        self._line(text)

    def flush(self) -> None:
        if self.partial:
            self._log(self.partial, self.partial_at)
            self.partial = b""

    def done(self) -> None:
        self.flush()
        self._line(f"DONE {self.elapsed():.1f}s")

    def cached(self) -> None:
        self._line("CACHED")

    def error(self, message: str) -> None:
        self.flush()
        self._line(f"ERROR: {message}")

    def canceled(self) -> None:
        self.flush()
        self._line("CANCELED")
