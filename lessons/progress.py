"""A learner's progress: one plain-text file per user, shared by every shell they open.

    # dockerlings progress ...
    current images-to-containers
    lesson hello-world done at=run-again passed=meet,run-hello,run-again
    lesson images-to-containers started at=second passed=first captured=box=container:3f2a...

A person can read and edit it; a line they delete is a lesson forgotten. Changes are
read-modify-write under a lock and land by atomic rename, so two shells never lose each
other's progress and a reader never sees half a file.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

FILE = "progress.txt"
HEADER = ("# dockerlings progress: plain text, one line per lesson; delete a line to "
          "forget that lesson")


def home(environ) -> Path:
    """Where dockerlings keeps a user's files: $DOCKERLINGS_HOME, else the XDG data dir."""
    if environ.get("DOCKERLINGS_HOME"):
        return Path(environ["DOCKERLINGS_HOME"])
    data = environ.get("XDG_DATA_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".local", "share")
    return Path(data) / "dockerlings"


class LessonProgress:
    """status: started | done (done stays: a lesson finished once is finished); again: a
    finished lesson taken again, whose run is open; at: the current step's id;
    passed/skipped: step ids of the current run;
    captured: name -> (kind, id); since: when the current step began (engine time).
    (What the lesson made is in the engine's own records: lessons/cleanup.py.)"""

    def __init__(self, lesson_id: str, status: str = "started", at: str = "",
                 passed=(), skipped=(), captured: dict | None = None, since: str = "",
                 again: bool = False):
        self.id, self.status, self.at = lesson_id, status, at
        self.again = again
        self.passed, self.skipped = list(passed), list(skipped)
        self.captured = dict(captured or {})
        self.since = since

    @property
    def open(self) -> bool:
        """Is a run of the lesson under way (first time, or again)?"""
        return self.status != "done" or self.again

    def finished(self, step_id: str) -> bool:
        return step_id in self.passed or step_id in self.skipped

    def mark(self, step_id: str, skipped: bool = False) -> None:
        for other in (self.passed, self.skipped):
            if step_id in other:
                other.remove(step_id)
        (self.skipped if skipped else self.passed).append(step_id)

    def to_line(self) -> str:
        words = ["lesson", self.id, self.status] + (["again"] if self.again else [])
        if self.at:
            words.append(f"at={self.at}")
        if self.passed:
            words.append("passed=" + ",".join(self.passed))
        if self.skipped:
            words.append("skipped=" + ",".join(self.skipped))
        if self.captured:
            words.append("captured=" + ",".join(f"{n}={k}:{i}"
                                                for n, (k, i) in self.captured.items()))
        if self.since:
            words.append(f"since={self.since}")
        return " ".join(words)

    @classmethod
    def from_words(cls, words: list[str]) -> "LessonProgress":
        p = cls(words[0], words[1] if len(words) > 1 and "=" not in words[1] else "started")
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if not sep:
                p.again = p.again or word == "again"
                continue
            items = [v for v in value.split(",") if v]
            if key == "at":
                p.at = value
            elif key == "passed":
                p.passed = items
            elif key == "skipped":
                p.skipped = items
            elif key == "since":
                p.since = value
            elif key == "captured":
                for item in items:
                    name, _, rest = item.partition("=")
                    kind, _, oid = rest.partition(":")
                    if name and kind and oid:
                        p.captured[name] = (kind, oid)
        return p


class Progress:
    def __init__(self, current: str | None = None, lessons: dict | None = None):
        self.current = current
        self.lessons: dict[str, LessonProgress] = dict(lessons or {})

    def of(self, lesson_id: str) -> LessonProgress:
        if lesson_id not in self.lessons:
            self.lessons[lesson_id] = LessonProgress(lesson_id)
        return self.lessons[lesson_id]

    def to_text(self) -> str:
        lines = [HEADER]
        if self.current:
            lines.append(f"current {self.current}")
        lines += [p.to_line() for p in self.lessons.values()]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> "Progress":
        p = cls()
        for line in text.splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0] == "current" and len(words) > 1:
                p.current = words[1]
            elif words[0] == "lesson" and len(words) > 1:
                lp = LessonProgress.from_words(words[1:])
                p.lessons[lp.id] = lp
        return p


class Store:
    """The progress file of one user."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.path = self.dir / FILE

    def read(self) -> Progress:
        try:
            return Progress.parse(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Progress()

    def stamp(self) -> tuple:
        """Changes when the file does (another shell wrote it)."""
        try:
            st = self.path.stat()
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            return ()

    @contextmanager
    def change(self):
        """with store.change() as progress: ... — read, modify, write back, under a lock."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".progress.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            progress = self.read()
            yield progress
            self._write(progress.to_text())

    def _write(self, text: str) -> None:
        tmp = self.path.with_name(f".{FILE}.{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
