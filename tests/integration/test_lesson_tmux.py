"""A scripted learner follows whole lessons in a real terminal: one of each chapter of
the course (the one with the fewest steps, to keep the suite's time down), and three in
a row.

dockerlings runs in tmux (a server of this test's own, on a private socket); the learner
reads each step's text, types the commands its code blocks show — at the dockerlings
prompt, or inside the container for lines written after a `/ # ` prompt — waits for the
✓, and goes on until the lesson is done. Marked slow (seconds each when the machine is
idle, far more under load): `-m "not slow"` leaves them out.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lessons.catalog import Catalog
from lessons.loader import load, load_all
from lessons.progress import Store

ROOT = Path(__file__).resolve().parents[2]
CONTAINER_PROMPT = "/ # "

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
              pytest.mark.slow]


def shortest_of_each_chapter() -> dict[str, object]:
    """Chapter number -> the course's lesson with the fewest steps in it (the first,
    on a tie)."""
    lessons, errors = load_all([ROOT / "content"])
    assert not errors
    return {chapter.key: min((lesson for lesson, _ in chapter.entries),
                             key=lambda lesson: len(lesson.steps))
            for chapter in Catalog(lessons, []).chapters()}


class Terminal:
    """A tmux window on a private server, read and typed into like a person would."""

    def __init__(self, command: str, width: int = 120, height: int = 45):
        self.server = f"dlt-lesson-{os.getpid()}-{os.urandom(3).hex()}"
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), command)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.server, *args], capture_output=True,
                              text=True, check=True).stdout

    def screen(self) -> list[str]:
        return self._tmux("capture-pane", "-p").split("\n")

    def history(self) -> str:
        # -J joins lines the terminal wrapped: a question longer than the window (the
        # made-up container names vary in length) still ends in its own words.
        return self._tmux("capture-pane", "-p", "-J", "-S", "-3000")

    def cursor_line(self) -> str:
        y = int(self._tmux("display-message", "-p", "#{cursor_y}").strip())
        lines = self.screen()
        return lines[y] if y < len(lines) else ""

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-l", "--", text)     # a line may start with "-d"
        self._tmux("send-keys", "Enter")

    def wait(self, predicate, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout}s for {what}; the screen:\n" + self.history())

    def settles(self, predicate, timeout: float) -> bool:
        """Does `predicate` come true within `timeout` seconds?"""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()

    def wait_for_prompt(self, container: bool) -> None:
        if container:
            self.wait(lambda: self.cursor_line().rstrip().endswith(CONTAINER_PROMPT.strip()),
                      "the container's shell prompt")
        else:
            self.wait(lambda: self.cursor_line().rstrip().endswith("$"),
                      "the dockerlings prompt")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.server, "kill-server"], capture_output=True)


def commands_in(text: str) -> list[tuple[bool, list[str]]]:
    """(inside a container?, lines) for each command of the fenced code blocks in a
    step: a command whose line ends in ` \\` goes on over the next lines, typed one by
    one as shown."""
    out: list[tuple[bool, list[str]]] = []
    going_on = False
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if going_on:
                out[-1][1].append(line.strip())
            elif line.startswith(CONTAINER_PROMPT):
                out.append((True, [line[len(CONTAINER_PROMPT):]]))
            elif line.strip():
                out.append((False, [line.strip()]))
            else:
                continue
            going_on = line.rstrip().endswith("\\")
    return out


def inline_commands(text: str) -> list[str]:
    """Docker commands the prose of a step names in `code` (outside code blocks)."""
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return [c for c in re.findall(r"`([^`\n]+)`", prose)
            if c.startswith("docker ") and not re.search(r"[A-Z]{3,}", c)]


@pytest.fixture
def terminal(engine, engine_root, tmp_path):
    home = tmp_path / "home"
    environ = {"DOCKERLINGS_ROOT": engine_root, "DOCKERLINGS_HOME": str(home),
               "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "HOME": str(tmp_path),
               "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    command = "env -i " + " ".join(f"{k}={v}" for k, v in environ.items()) + \
        f" {sys.executable} -m shell"
    term = Terminal(command)
    try:
        yield term, home
    finally:
        term.close()


def follow(term, lesson, at_the_end: str = "") -> None:
    """Take the lesson step by step as its texts say; at the end answer the offer to
    remove what it made (Enter: remove)."""
    for step in lesson.steps:
        term.wait(lambda: step.title in term.history(), f"step '{step.title}' to show")
        typed = commands_in(step.text)
        assert typed, f"step {step.id} shows no command to type"
        for inside, lines in typed:
            term.wait_for_prompt(container=inside)
            for i, line in enumerate(lines):
                if i:
                    term.wait(lambda: term.cursor_line().rstrip().endswith(">"),
                              "the prompt for the rest of the command")
                term.type(line)
        passed = lambda: f"✓ {step.title}" in term.history()      # noqa: E731
        for line in inline_commands(step.text):     # what the prose says to do next
            if term.settles(passed, 3):
                break
            term.wait_for_prompt(container=False)
            term.type(line)
        term.wait(passed, f"the ✓ of '{step.title}'")
    term.wait(lambda: f"{lesson.title}: done" in term.history(), "the end of the lesson")
    offered = lambda: term.history().rstrip().endswith("[Y/keep]")   # noqa: E731
    # a lesson whose last step removed all it made (compose down) has nothing to offer
    term.wait(lambda: offered() or term.cursor_line().rstrip().endswith("$"),
              "the offer to remove what the lesson made, or the prompt")
    if offered():
        term.type(at_the_end)
        term.wait_for_prompt(container=False)
    else:
        assert not at_the_end, "the lesson left nothing to keep"


def test_the_learner_follows_every_chapter_of_the_course():
    assert list(shortest_of_each_chapter()) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("chapter", ["1", "2", "3", "4", "5"])
def test_a_learner_follows_a_lesson_of_each_chapter(terminal, chapter):
    term, home = terminal
    lesson = shortest_of_each_chapter()[chapter]
    term.wait_for_prompt(container=False)
    term.type(f"lesson start {lesson.id}")
    follow(term, lesson)
    progress = Store(home).read()
    assert progress.lessons[lesson.id].status == "done"
    assert progress.lessons[lesson.id].passed == [s.id for s in lesson.steps]


@pytest.mark.parametrize("name", ["15-client-server", "20-capstone"])
def test_a_learner_follows_the_most_intricate_texts(terminal, name):
    """client-server's lines hold JSON in quotes and one starts with -d (typed as
    text, not read as an option); the capstone ties the course together in 8 steps."""
    term, home = terminal
    lesson = load(ROOT / "content" / f"{name}.yaml")
    term.wait_for_prompt(container=False)
    term.type(f"lesson start {lesson.id}")
    follow(term, lesson)
    assert Store(home).read().lessons[lesson.id].status == "done"


def test_three_lessons_in_a_row_without_a_name_conflict(terminal, engine):
    """managing-containers leaves web running when its objects are kept;
    publishing-ports, next, offers to remove it (it needs the name) and goes through;
    container-networks follows on a clean engine."""
    term, home = terminal
    names = ["05-managing-containers", "06-publishing-ports", "07-container-networks"]
    lessons = [load(ROOT / "content" / f"{n}.yaml") for n in names]
    term.wait_for_prompt(container=False)
    term.type(f"lesson start {lessons[0].id}")
    follow(term, lessons[0], at_the_end="keep")
    assert "web" in {c.name for c in engine.containers()}

    term.type(f"lesson start {lessons[1].id}")
    term.wait(lambda: term.history().rstrip().endswith("Remove them? [Y/n]"),
              "the offer to clear web")
    assert "container web (made in lesson managing-containers)" in term.history()
    term.type("")
    follow(term, lessons[1])
    assert not {c.name for c in engine.containers()} & {"web", "web2"}

    term.type(f"lesson start {lessons[2].id}")
    follow(term, lessons[2])
    later = term.history().split(f"lesson start {lessons[1].id}", 1)[1]
    assert "already in use" not in later and "is already allocated" not in later
    progress = Store(home).read()
    assert all(progress.lessons[l.id].status == "done" for l in lessons)
