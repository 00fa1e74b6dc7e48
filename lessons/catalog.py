"""Which lessons there are: the course in content/, plus any folders an instructor adds
with DOCKERLINGS_LESSONS (paths separated by ':')."""
from __future__ import annotations

import os
from pathlib import Path

from .loader import lesson_files, load_all


def content_dir() -> Path:
    import content
    return Path(content.__file__).parent


def course_dirs(environ) -> list[Path]:
    extra = [Path(p) for p in (environ.get("DOCKERLINGS_LESSONS") or "").split(os.pathsep) if p]
    return [content_dir()] + extra


class Catalog:
    """Lessons in course order (file order within each folder), and the errors of the
    files that did not load."""

    def __init__(self, lessons: list, errors: list):
        self.lessons = lessons
        self.errors = errors
        self.by_id = {lesson.id: lesson for lesson in lessons}

    def get(self, lesson_id: str):
        return self.by_id.get(lesson_id)

    def ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]


_cache: dict = {}


def load(environ) -> Catalog:
    """The catalog, loaded again only when a lesson file changed."""
    dirs = course_dirs(environ)
    files = lesson_files([d for d in dirs if d.exists()])
    key = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    if _cache.get("key") != key:
        lessons, errors = load_all(files)
        _cache.update(key=key, catalog=Catalog(lessons, errors))
    return _cache["catalog"]
