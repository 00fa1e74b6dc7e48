"""Which lessons there are: the course in content/, plus any folders an instructor adds
with DOCKERLINGS_LESSONS (paths separated by ':')."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .loader import lesson_files, load_all

CHAPTERS_FILE = "chapters.txt"      # a course folder's chapter titles: "2 Using Docker"


def content_dir() -> Path:
    import content
    return Path(content.__file__).parent


def course_dirs(environ) -> list[Path]:
    extra = [Path(p) for p in (environ.get("DOCKERLINGS_LESSONS") or "").split(os.pathsep) if p]
    return [content_dir()] + extra


def sections(chapter: str) -> list[str]:
    """The course sections a lesson's `chapter` names, in order: "3-1 to 3-3
    Dockerfiles" -> 3-1, 3-2, 3-3; "2-10 and 5-1 Registries" -> 2-10, 5-1."""
    found: list[str] = []
    for m in re.finditer(r"\b(\d+)-(\d+)(?: to \1-(\d+))?\b", chapter):
        first, last = int(m.group(2)), int(m.group(3) or m.group(2))
        found += [f"{m.group(1)}-{i}" for i in range(first, last + 1)]
    return list(dict.fromkeys(found))


def chapter_titles(dirs) -> dict[str, str]:
    """Chapter number -> title, from the chapters.txt of each course folder ("N Title"
    a line, # for comments); a later folder's title wins."""
    titles: dict[str, str] = {}
    for d in dirs:
        path = Path(d) / CHAPTERS_FILE
        if not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            number, _, title = line.strip().partition(" ")
            if number.isdigit() and title.strip():
                titles[number] = title.strip()
    return titles


@dataclass
class Chapter:
    """A heading of the course: its number (or, for lessons whose `chapter` names no
    section, that text), its title, and its lessons with the sections each covers in
    it."""
    key: str
    title: str
    entries: list = field(default_factory=list)     # (lesson, [sections in this chapter])


class Catalog:
    """Lessons in course order (file order within each folder), and the errors of the
    files that did not load."""

    def __init__(self, lessons: list, errors: list, titles: dict[str, str] | None = None):
        self.lessons = lessons
        self.errors = errors
        self.titles = titles or {}
        self.by_id = {lesson.id: lesson for lesson in lessons}

    def chapters(self) -> list[Chapter]:
        """The lessons by chapter: numbered chapters in order, then the others as they
        come. A lesson covering sections of two chapters is under both, each time with
        the sections of that chapter."""
        found: dict[str, Chapter] = {}
        for lesson in self.lessons:
            covered = sections(lesson.chapter)
            keys = list(dict.fromkeys(s.split("-")[0] for s in covered)) or [lesson.chapter]
            for key in keys:
                chapter = found.get(key)
                if chapter is None:
                    title = self.titles.get(key, "") if key.isdigit() else key
                    chapter = found[key] = Chapter(key, title)
                chapter.entries.append(
                    (lesson, [s for s in covered if s.split("-")[0] == key]))
        numbered = sorted((c for c in found.values() if c.key.isdigit()),
                          key=lambda c: int(c.key))
        return numbered + [c for c in found.values() if not c.key.isdigit()]

    def get(self, lesson_id: str):
        return self.by_id.get(lesson_id)

    def ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]


_cache: dict = {}


def load(environ) -> Catalog:
    """The catalog, loaded again only when a lesson file or chapters.txt changed."""
    dirs = course_dirs(environ)
    files = lesson_files([d for d in dirs if d.exists()])
    titles = [d / CHAPTERS_FILE for d in dirs]
    key = tuple((str(f), f.stat().st_mtime_ns) for f in files + titles if f.exists())
    if _cache.get("key") != key:
        lessons, errors = load_all(files)
        _cache.update(key=key, catalog=Catalog(lessons, errors, chapter_titles(dirs)))
    return _cache["catalog"]
