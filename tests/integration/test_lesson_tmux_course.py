"""The scripted learner of test_lesson_tmux.py follows one lesson of each chapter of
the course besides chapter 2 (which test_lesson_tmux.py follows), typing what each step's
text shows, in a real terminal."""
from __future__ import annotations

import pytest

from lessons.loader import load
from lessons.progress import Store
from tests.integration.test_lesson_tmux import ROOT, follow, terminal  # noqa: F401

pytestmark = pytest.mark.skipif(
    __import__("shutil").which("tmux") is None, reason="needs tmux")


@pytest.mark.parametrize("name", ["01b-one-kernel", "13-multi-stage", "18-storage",
                                  "11-registries"])
def test_a_learner_follows_a_lesson_of_each_chapter(terminal, name):  # noqa: F811
    term, home = terminal
    lesson = load(ROOT / "content" / f"{name}.yaml")
    term.wait_for_prompt(container=False)
    term.type(f"lesson start {lesson.id}")
    follow(term, lesson)
    progress = Store(home).read()
    assert progress.lessons[lesson.id].status == "done"
    assert progress.lessons[lesson.id].passed == [s.id for s in lesson.steps]
