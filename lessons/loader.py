"""Lesson files -> Lesson objects, or every error in them at file:line:column.

Validation has two layers: the shape (format.py's declarations: known keys, kinds of
values, required fields) and the content rules a shape cannot express (unique ids,
captures defined before they are used, files that exist, references that parse).
"""
from __future__ import annotations

import os
from pathlib import Path

from . import format as fmt
from .model import FORMAT, FileSpec, Lesson, Step
from .source import LessonError, Source, read


class LessonErrors(Exception):
    """All the errors found in one or more lesson files, sorted by place."""

    def __init__(self, errors: list[LessonError]):
        self.errors = sorted(errors, key=LessonError.sort_key)
        super().__init__("\n".join(str(e) for e in self.errors))


def load(path) -> Lesson:
    source = read(Path(path))
    problems = fmt.Problems(source)
    data = source.data
    if not isinstance(data, dict):
        raise LessonErrors([source.error((), "a lesson file holds a mapping (format:, id:, "
                                              "title: ...), not " + fmt._what(data))])
    if not _format_ok(data, problems):
        raise LessonErrors(problems.errors)
    values = fmt.LESSON.load(data, (), problems)
    if values is fmt.INVALID:
        raise LessonErrors(problems.errors)
    lesson = _lesson(values, source)
    _content_rules(lesson, source, problems)
    if problems.errors:
        raise LessonErrors(problems.errors)
    return lesson


def _format_ok(data: dict, problems) -> bool:
    """The version comes first: a newer format's fields would only confuse the rest."""
    version = data.get("format")
    if version is None:
        problems.add((), f"a lesson needs 'format: {FORMAT}' (the version of the lesson "
                         "format it is written in)")
        return False
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT:
        problems.add(("format",), f"this lesson is written in format {version}, and this "
                                  f"dockerlings reads format {FORMAT}: update dockerlings")
        return False
    if version != FORMAT:
        problems.add(("format",), f"'format' should be {FORMAT}")
        return False
    return True


def _lesson(v: dict, source: Source) -> Lesson:
    steps = []
    for i, s in enumerate(v["steps"]):
        line, col = source.where(("steps", i))
        steps.append(Step(
            id=s["id"], title=s["title"], text=s["text"], checks=s["checks"],
            solve=s["solve"], explain=s["explain"], hints=s.get("hints", []),
            setup=s.get("setup", []), cleanup=s.get("cleanup", []),
            may_pass_before=s.get("may_pass_before"), timeout=float(s.get("timeout", 10)),
            where=(str(source.path), line, col)))
    files = {}
    for name, entry in (v.get("files") or {}).items():
        if isinstance(entry, str):
            files[name] = FileSpec(text=entry)
        else:
            files[name] = FileSpec(source=source.path.parent / entry["from"])
    return Lesson(id=v["id"], title=v["title"], chapter=v["chapter"], summary=v["summary"],
                  steps=steps, recap=v["recap"], explore=v["explore"],
                  images=v.get("images", []), files=files, path=source.path)


# --- content rules ---------------------------------------------------------------------------

def _content_rules(lesson: Lesson, source: Source, problems) -> None:
    seen: dict[str, int] = {}
    for i, step in enumerate(lesson.steps):
        if step.id in seen:
            problems.add(("steps", i, "id"), f"step id '{step.id}' is already used by step "
                                             f"{seen[step.id] + 1}")
        seen.setdefault(step.id, i)
    for name, spec in lesson.files.items():
        if spec.source is not None and not spec.source.is_file():
            problems.add(("files", name, "from"), f"'{_relative(spec.source, source)}' does "
                                                  "not exist next to the lesson")
    for i, ref in enumerate(lesson.images):
        _reference_ok(ref, ("images", i), problems)
    for step in lesson.steps:
        for check in step.checks:
            if not check.message:
                problems.add(check.path, "this check needs a 'message': what the learner "
                                         "sees while it fails")
    _captures(lesson, problems)


def _relative(path: Path, source: Source) -> str:
    try:
        return str(path.relative_to(source.path.parent))
    except ValueError:
        return str(path)


def _reference_ok(text: str, path: tuple, problems) -> None:
    from engine.images import reference
    from engine.errors import EngineError
    try:
        reference.parse(text)
    except EngineError:
        problems.add(path, f"'{text}' is not a valid image reference")


# Fields that name a capture, by check type -> the kind of object they must name
_REFERENCES = {
    "container": {"captured": "container", "other_than": "container",
                  "image_captured": "image"},
    "image": {"captured": "image", "other_than": "image", "from_captured": "container"},
    "network": {"captured": "network", "other_than": "network"},
    "volume": {"captured": "volume", "other_than": "volume"},
    "exec": {"captured": "container"},
    "port": {"captured": "container"},
}


def _captures(lesson: Lesson, problems) -> None:
    """Every capture used must be made earlier: by an earlier step, or by an earlier
    check of the same step; and name the right kind of object."""
    known: dict[str, str] = {}
    for step in lesson.steps:
        for check in step.checks:
            for c in check.walk():
                for field, want in _REFERENCES.get(c.kind, {}).items():
                    names = c.spec.get(field)
                    for name in ([names] if isinstance(names, str) else names or []):
                        _reference(name, want, known, c.path + (c.kind, field), problems)
                if c.capture:
                    if known.get(c.capture, c.kind) != c.kind:
                        problems.add(c.path + ("capture",), f"'{c.capture}' already names a "
                                     f"{known[c.capture]}; pick another name for this "
                                     f"{c.kind}")
                    known[c.capture] = c.kind


def _reference(name: str, want: str, known: dict, path: tuple, problems) -> None:
    if name not in known:
        problems.add(path, f"nothing is captured as '{name}' before this check (add "
                           f"capture: {name} to an earlier {want} check)")
    elif known[name] != want:
        problems.add(path, f"'{name}' names a captured {known[name]}; this needs a captured "
                           f"{want}")


# --- folders ---------------------------------------------------------------------------------

def lesson_files(paths) -> list[Path]:
    """The lesson files named by `paths` (files, or folders searched for *.yaml)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if os.path.isdir(p):            # False, never an error, for a name too long
            out.extend(sorted(q for q in p.rglob("*.y*ml") if q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def load_all(paths) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson that loads, and every error, including ids used twice."""
    lessons, errors = [], []
    first: dict[str, Lesson] = {}
    for path in lesson_files(paths):
        try:
            lesson = load(path)
        except LessonErrors as e:
            errors.extend(e.errors)
            continue
        except LessonError as e:
            errors.append(e)
            continue
        if lesson.id in first:
            line, col = read(path).where(("id",))
            errors.append(LessonError(str(path), line, col,
                                      f"lesson id '{lesson.id}' is already used by "
                                      f"{first[lesson.id].path}"))
            continue
        first[lesson.id] = lesson
        lessons.append(lesson)
    return lessons, sorted(errors, key=LessonError.sort_key)
