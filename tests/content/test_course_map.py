"""docs/course.md maps the course's 24 sections to lessons; the lessons' `chapter`
fields (read as `lessons` reads them: lessons/catalog.py) must say the same, so a
section never silently loses its lesson."""
from __future__ import annotations

import re
from pathlib import Path

from lessons.catalog import sections
from lessons.loader import load_all

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["1-1", "1-2", "1-3"] + [f"2-{i}" for i in range(1, 11)] + \
    [f"3-{i}" for i in range(1, 6)] + [f"4-{i}" for i in range(1, 5)] + ["5-1", "5-2"]


def course_table() -> dict[str, list[str]]:
    """Section -> the lessons its row names (none: "not yet")."""
    rows = {}
    for line in (ROOT / "docs" / "course.md").read_text().splitlines():
        m = re.match(r"\| (\d-\d+) \| [^|]+ \| ((?:`[\w-]+`(?:, )?)+|not yet) \|$", line)
        if m:
            rows[m.group(1)] = re.findall(r"`([\w-]+)`", m.group(2))
    return rows


def test_the_table_lists_every_section_once_in_order():
    assert list(course_table()) == SECTIONS


def test_the_table_and_the_lessons_agree():
    lessons, errors = load_all([ROOT / "content"])
    assert not errors
    covered = {}
    for lesson in lessons:
        for section in sections(lesson.chapter):
            covered.setdefault(section, []).append(lesson.id)
    table = course_table()
    for section, lesson_ids in table.items():
        if not lesson_ids:
            assert section not in covered, f"{section} has {covered[section]}: update the table"
        assert sorted(lesson_ids) == sorted(covered.get(section, [])), \
            f"docs/course.md says {lesson_ids} cover {section}; the lessons' chapters say " \
            f"{covered.get(section, [])}"
    assert set(covered) <= set(table)
    named = {lesson_id for lesson_ids in table.values() for lesson_id in lesson_ids}
    assert named == {lesson.id for lesson in lessons}, "a lesson missing from docs/course.md"


def test_the_chapter_5_capstone_ties_the_course_together():
    assert "capstone" in course_table()["5-1"] and "capstone" in course_table()["5-2"]


def test_every_section_of_the_course_has_a_lesson():
    """24 of 24: a section that loses its lesson is a regression."""
    assert [s for s, lesson_ids in course_table().items() if not lesson_ids] == []
