"""`dockerlings lessons ...`: the list of lessons, and the author tools.

    dockerlings lessons                     the lessons, with your progress
    dockerlings lessons validate PATH...    check lesson files: errors at file:line:column
    dockerlings lessons test [-v] PATH...   replay every step's solution on a throwaway engine
    dockerlings lessons schema              the JSON Schema of the format (for editors)
"""
from __future__ import annotations

import json
import os

USAGE = """Usage:  dockerlings lessons [validate PATH... | test [-v] PATH... | schema]

  dockerlings lessons                     the course's lessons, with your progress
  dockerlings lessons validate PATH...    check lesson files (folders are searched for
                                          *.yaml); errors point at file:line:column
  dockerlings lessons test [-v] PATH...   for every step: setup, the checks must fail,
                                          the solution runs, the checks must pass,
                                          cleanup; on a throwaway engine (needs root)
  dockerlings lessons schema              print the JSON Schema of the lesson format"""


def main(env, argv: list[str], run_line=None, parse=None) -> int:
    if not argv:
        from .builtins import handle
        return handle(env, ["lessons"], run_line, parse)
    head, rest = argv[0], argv[1:]
    if head in ("-h", "--help", "help"):
        env.out(USAGE)
        return 0
    if head == "validate":
        return validate(env, rest) if rest else _usage(env)
    if head == "test":
        verbose = bool(rest) and rest[0] in ("-v", "--verbose")
        paths = rest[1:] if verbose else rest
        if not paths:
            return _usage(env)
        from . import tester
        return tester.run(env, paths, run_line, parse, verbose)
    if head == "schema" and not rest:
        from .format import schema
        env.out(json.dumps(schema(), indent=2, ensure_ascii=False))
        return 0
    return _usage(env)


def _usage(env) -> int:
    env.err(USAGE)
    return 2


def validate(env, paths: list[str]) -> int:
    from .loader import lesson_files, load_all
    missing = [p for p in paths if not os.path.exists(p)]
    for p in missing:
        env.err(f"{p}: no such file or folder")
    files = lesson_files([p for p in paths if p not in missing])
    lessons, errors = load_all(files)
    for e in errors:
        env.err(str(e))
    steps = sum(len(lesson.steps) for lesson in lessons)
    if errors or missing:
        env.err(f"{len(files)} file(s): {len(errors)} error(s)")
        return 1
    if not files:
        env.err("no lesson files (*.yaml) found")
        return 1
    env.out(f"{len(lessons)} lesson(s), {steps} step(s): valid")
    return 0
