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


def _lesson(lesson_id: str, chapter: str, steps: int = 2):
    from lessons.model import Lesson, Step
    return Lesson(id=lesson_id, title=f"About {lesson_id}", chapter=chapter, summary="",
                  steps=[Step(id=f"s{i}", title="", text="", checks=[], solve=[],
                              explain="") for i in range(steps)],
                  recap="", explore=[])


def test_sections_reads_single_sections_ranges_and_pairs():
    from lessons.catalog import sections
    assert sections("3-1 to 3-3 Dockerfiles") == ["3-1", "3-2", "3-3"]
    assert sections("2-10 and 5-1 Registries") == ["2-10", "5-1"]
    assert sections("1-2 and 1-3 Docker Desktop, Docker on a Mac") == ["1-2", "1-3"]
    assert sections("Bonus: my own") == []


def test_lessons_shows_the_course_by_chapter_with_progress(tmp_path):
    """A heading per chapter (numbered ones in order, titled from chapters.txt, then
    a chapter that names no section), done/total under it, each lesson's state; a
    lesson covering two chapters is under both, with that chapter's section."""
    from lessons.catalog import Catalog, chapter_titles
    from lessons.progress import LessonProgress, Progress
    (tmp_path / "chapters.txt").write_text("# titles\n1 Getting started\n2 Using it\n")
    lessons = [_lesson("first", "1-1 Setting up"), _lesson("bonus", "My extras"),
               _lesson("second", "1-2 to 1-4 More"), _lesson("reg", "2-10 and 5-1 Registries"),
               _lesson("ports", "2-5 Ports")]
    progress = Progress(lessons={
        "first": LessonProgress("first", status="done", passed=["s0", "s1"]),
        "second": LessonProgress("second", passed=["s0"]),
        "reg": LessonProgress("reg", status="done", passed=["s0", "s1"]),
        "ports": LessonProgress("ports", passed=["s0"], skipped=["s1"])})
    catalog = Catalog(lessons, [], chapter_titles([tmp_path]))
    screen = shown(80, lambda v: v.catalog(catalog, progress))
    rows = [" ".join(line.split()) for line in screen.splitlines()]
    assert rows == [
        "Chapter 1 · Getting started · 1/2 done",
        "✓ 1-1 first About first 2/2",
        "▶ 1-2–1-4 second About second 1/2",
        "Chapter 2 · Using it · 1/2 done",
        "✓ 2-10 reg About reg 2/2",
        "↷ 2-5 ports About ports 1/2 ↷1",
        "Chapter 5 · 1/1 done",
        "✓ 5-1 reg About reg 2/2",
        "My extras · 0/1 done",
        "· bonus About bonus 0/2",
        "2 of 5 lessons done. Start or resume one with: lesson start ID"]
    columns = {line.index(word) for line in screen.splitlines()
               for word in (" first ", " second ", " reg ", " ports ", " bonus ") if word in line}
    assert len(columns) == 1, "the lesson ids line up in every chapter"


def test_the_course_has_a_title_for_each_of_its_chapters():
    from lessons.catalog import Catalog, chapter_titles
    catalog = Catalog(LESSONS, [], chapter_titles([CONTENT]))
    assert [c.key for c in catalog.chapters()] == ["1", "2", "3", "4", "5"]
    assert all(c.title for c in catalog.chapters())
