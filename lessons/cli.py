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


HELP = {
    "validate": """Usage:  dockerlings lessons validate PATH...

Check lesson files without running anything: the YAML, known keys and kinds of values,
required fields, unique ids, captures made before they are used, image references that
can match. Folders are searched for *.yaml. Errors point at file:line:column; so do
warnings (the lessons are still valid), such as a code line longer than 76 characters.

Options:
  -h, --help   Print this help""",
    "test": """Usage:  dockerlings lessons test [-v] PATH...

Prove every step of each lesson solvable, on a throwaway engine (needs root): for every
step its setup runs, its checks must fail, its solution runs, its checks must pass,
its cleanup runs; at the end nothing of the lesson may be left.

The throwaway engine has its own containers, images, networks and volumes, but it
shares the host's ports with every other engine on the machine (yours included): a
lesson that publishes 8080 fails while something else listens on 8080, and the report
names what holds it.

Options:
  -v, --verbose   Show every command of the solutions with all of its output
  -h, --help      Print this help""",
}


def main(env, argv: list[str], run_line=None, parse=None) -> int:
    if not argv:
        from .builtins import handle
        return handle(env, ["lessons"], run_line, parse)
    head, rest = argv[0], argv[1:]
    if head in ("-h", "--help", "help"):
        env.out(USAGE)
        return 0
    if head in HELP and any(a in ("-h", "--help") for a in rest):
        env.out(HELP[head])
        return 0
    allowed = ("-v", "--verbose") if head == "test" else ()
    unknown = [a for a in rest if a.startswith("-") and a != "-" and a not in allowed]
    if head in HELP and unknown:
        env.err(f"unknown flag: {unknown[0]}\nSee 'dockerlings lessons {head} --help'.")
        return 2
    if head == "validate":
        return validate(env, rest) if rest else _usage(env)
    if head == "test":
        verbose = any(a in allowed for a in rest)
        paths = [a for a in rest if a not in allowed]
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
    from .advice import warnings
    for lesson in lessons:
        for w in warnings(lesson):
            env.err(w)
    steps = sum(len(lesson.steps) for lesson in lessons)
    if errors or missing:
        env.err(f"{len(files)} file(s): {len(errors)} error(s)")
        return 1
    if not files:
        env.err("no lesson files (*.yaml) found")
        return 1
    env.out(f"{len(lessons)} lesson(s), {steps} step(s): valid")
    return 0
