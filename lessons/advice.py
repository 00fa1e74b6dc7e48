"""Warnings from `lessons validate`: what is valid but trips learners up. They are not
errors (the lesson still loads and runs), and they point at file:line:column."""
from __future__ import annotations

from pathlib import Path

from .view import FENCE

WIDEST_CODE = 76        # fits an 80-column terminal with the step's indent


def warnings(lesson) -> list[str]:
    """Code lines in step texts, hints and explanations longer than WIDEST_CODE: on a
    narrow screen they run past the edge, and a learner who types the first visual line
    gets `No closing quotation`. Break them at a space with a trailing ` \\`."""
    from .source import read
    source = read(Path(lesson.path))
    out = []
    for i, step in enumerate(lesson.steps):
        for field in ("text", "explain"):
            out += _long_lines(source, ("steps", i, field), getattr(step, field))
        for j, hint in enumerate(step.hints):
            out += _long_lines(source, ("steps", i, "hints", j), hint)
    return out


def _long_lines(source, path: tuple, text: str) -> list[str]:
    line, column = source.where(path)
    raw = source.path.read_text(encoding="utf-8").split("\n")
    block = line <= len(raw) and raw[line - 1].rstrip().endswith(("|", "|-", "|+"))
    out = []
    for number, content in _code_lines(text):
        if len(content) <= WIDEST_CODE:
            continue
        at, col = line, column
        if block and line + number <= len(raw):      # a literal block: line by line
            at = line + number
            col = len(raw[at - 1]) - len(raw[at - 1].lstrip()) + 1
        out.append(f"{source.path}:{at}:{col}: warning: this code line is {len(content)} "
                   f"characters long (more than {WIDEST_CODE}): break it at a space with "
                   f"a trailing ' \\' (the shell joins the lines), or keep it shorter")
    return out


def _code_lines(text: str):
    """(its line number in the text, from 1; the line) for every fenced code line, as
    view.split_code reads the fences."""
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        if (line.strip() == FENCE) if inside else line.startswith(FENCE):
            inside = not inside
        elif inside:
            yield number, line
