"""How steps look on the screen: the course's code blocks are shown whole, as they are
to be typed (never broken inside a word or a quoted string), with one blank line
between the pieces of a step, never more."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons import loader
from lessons.view import View, split_code
from shell.env import Env

CONTENT = Path(__file__).resolve().parents[2] / "content"
LESSONS = [loader.load(p) for p in sorted(CONTENT.glob("*.yaml"))]


def shown(columns: int, draw) -> str:
    env = Env.buffered(columns=columns, environ={})
    draw(View(env))
    return env.output_text()


def code_lines(text: str) -> list[str]:
    return [line for kind, piece in split_code(text) if kind == "code"
            for line in piece.split("\n")]


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.id)
def test_every_code_line_of_the_course_is_shown_whole(lesson, columns):
    for i, step in enumerate(lesson.steps):
        screen = shown(columns, lambda v: v.step(lesson, i))
        lines = [l.strip() for l in screen.splitlines()]
        for code in code_lines(step.text):
            assert code.strip() in lines, (step.id, code)
        assert "\n\n\n" not in screen, (step.id, screen)
        after = shown(columns, lambda v: v.passed(step))
        assert "\n\n\n" not in after, (step.id, after)


def test_a_long_command_runs_past_the_width_and_fences_are_not_shown():
    text = ("Run it:\n\n```\ndocker run -d --name web busybox sh -c 'echo \"a long "
            "quoted text\" > /index.html; httpd -f -p 80 -h /'\n```\n\n```\nls\n```\n\nDone.")
    step = type("S", (), {"title": "T", "explain": text})
    screen = shown(40, lambda v: v.passed(step))
    assert screen.splitlines() == [
        "✓ T", "  Run it:", "",
        "    docker run -d --name web busybox sh -c 'echo \"a long quoted text\" > "
        "/index.html; httpd -f -p 80 -h /'", "", "    ls", "", "  Done."]


def test_split_code_keeps_prose_and_code_apart():
    assert split_code("a\n\n```sh\nx\n  y\n```\nb") == [("prose", "a"), ("code", "x\n  y"),
                                                      ("prose", "b")]
    assert split_code("```\nnever closed") == [("code", "never closed")]
    assert split_code("`inline` only") == [("prose", "`inline` only")]
