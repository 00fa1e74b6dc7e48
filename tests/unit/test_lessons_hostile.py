"""Lesson files are hostile until read (issue 12 §4): `dockerlings lessons validate`
answers every file with file:line:column and plain words, never a traceback, quickly and
in little memory: control characters, nesting thousands deep, aliases inside what they
name or standing for billions of values, numbers thousands of digits long, dates that
do not exist, files of megabytes. Then the same, fuzzed: the course's own lessons
mutated, alias bombs and nesting of every size."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import cli as lessons_cli
from lessons.loader import LessonErrors, load
from lessons.source import MAX_CHARS, LessonError
from shell.env import Env
from tests.time_limit import time_limit

ROOT = Path(__file__).resolve().parents[2]
COURSE = {p.name: p.read_text() for p in sorted((ROOT / "content").glob("*.yaml"))}
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def validate(path: Path) -> tuple[int, str]:
    env = Env.buffered()
    with time_limit(10, f"lessons validate {path.name}"):
        code = lessons_cli.main(env, ["validate", str(path)])
    return code, env.error_text()


def bomb(levels: int, fan: int = 10) -> str:
    lines = ["format: 1", "a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return "\n".join(lines + [f"id: *a{levels - 1}"]) + "\n"


def deep_aliases(levels: int) -> str:
    """Each anchor 40 levels deep, each the next one's innermost value: few values,
    but nested 40 more levels for every alias."""
    lines = ["format: 1", "d0: &d0 " + "[" * 40 + "x" + "]" * 40]
    for i in range(1, levels):
        lines.append(f"d{i}: &d{i} " + "[" * 40 + f"*d{i - 1}" + "]" * 40)
    return "\n".join(lines) + "\n"


HOSTILE = {
    "nul": ("format: 1\nid: x\0y\n", 2, 6, "not valid YAML: the control character #x0000 "
            "cannot be in a YAML file (inside double quotes, write it as \\x00)"),
    "c1": ("format: 1\nid: xy\x90\n", 2, 7, "not valid YAML: the control character #x0090"),
    "brackets": ("format: 1\nid: " + "[" * 5000 + "]" * 5000 + "\n", 2, 68,
                 "values are nested more than 64 levels deep"),
    "braces": ("format: 1\nid: " + "{a: " * 5000 + "b" + "}" * 5000 + "\n", 2, 254,
               "values are nested more than 64 levels deep"),
    "self-alias": ("format: 1\nid: &a [*a]\n", 2, 9, "the alias *a stands for a value it is "
                   "itself inside of, which would never end"),
    "self-alias-map": ("format: 1\nid: &a {x: {y: *a}}\n", 2, 16, "the alias *a stands for"),
    "digits": ("format: 1\nid: " + "9" * 5000 + "\n", 2, 5,
               "a number 5,000 characters long is more than a lesson needs"),
    "sexagesimal": ("format: 1\nid: 1" + ":59" * 100000 + "\n", 2, 5,
                    "a number 300,001 characters long"),
    "bad-date": ("format: 1\nid: 2020-13-45\n", 2, 5,
                 "'2020-13-45' cannot be read as timestamp: month must be in 1..12"),
    "empty-int": ("format: 1\nid: !!int ''\n", 2, 5, "'' cannot be read as int (quote it "
                  "to keep it as text)"),       # IndexError inside PyYAML, found by fuzzing
    "python-tag": ("format: 1\nid: !!python/object:os.system x\n", 2, 5,
                   "not valid YAML: could not determine a constructor for the tag"),
    "bomb-6": (bomb(6), 6, 55, "this file holds more than 100,000 values (counting what "
               "aliases stand for): too big to be a lesson"),
    "bomb-9": (bomb(9), 6, 55, "this file holds more than 100,000 values"),
    "many-keys": ("format: 1\n" + "".join(f"k{i}: v\n" for i in range(60000)), 50000, 9,
                  "this file holds more than 100,000 values"),
    "deep-aliases": (deep_aliases(3), 3, 49, "values are nested more than 64 levels deep "
                     "(counting what aliases stand for)"),
    "huge": ("format: 1\nid: x\n#" + "x" * MAX_CHARS + "\n", 0, 0,
             "the file is over 1,000,000 characters long: too big to be a lesson"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_get_a_place_and_words(tmp_path, name):
    text, line, column, message = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    code, err = validate(path)
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{column}: {message}"), first
    assert "Traceback" not in err


def test_bytes_that_are_not_utf8_get_their_place(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"format: 1\n" + b"# padding\n" * 2000 + b"id: caf\xe9\n")
    code, err = validate(path)
    assert (code, err.splitlines()[0]) == (
        1, f"{path}:2002:8: the file is not UTF-8 text (byte 0xe9): save it as UTF-8")


def test_a_name_too_long_for_the_file_system_is_said_plainly(tmp_path):
    path = tmp_path / ("x" * 300 + ".yaml")
    env = Env.buffered()
    assert lessons_cli.main(env, ["test", str(path)]) == 1
    assert env.error_text().startswith(f"{path}:0:0: cannot read the file: File name too long")


def test_what_is_not_a_file_is_refused_without_waiting(tmp_path):
    """A device never ends and a pipe waits for a writer forever, also found in a
    folder of lessons."""
    import os
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo, tmp_path):
        code, err = validate(path)
        assert code == 1
        what = fifo if path == tmp_path else path
        assert err.startswith(f"{what}:0:0: not a regular file: a lesson is a .yaml file")


def test_anchors_aliases_and_merge_keys_still_load(tmp_path):
    """Aliases are YAML an author may use: only what they cost is bounded."""
    text = COURSE["01-hello-world.yaml"].replace("format: 1\n", "format: 1\nx-note: &note "
                                                 "{explain: Done.}\n", 1)
    path = tmp_path / "anchors.yaml"
    path.write_text(text)
    code, err = validate(path)
    assert "x-note" in err                      # unknown key, said plainly; no traceback
    bounded = ("format: 1\n" + "\n".join(f"k{i}: &k{i} [" + ", ".join(["v"] * 9) + "]"
                                         for i in range(100)) +
               "\nall: [" + ", ".join(f"*k{i}" for i in range(100)) + "]\n")
    path.write_text(bounded)
    code, err = validate(path)
    assert "more than 100,000 values" not in err
    assert "nested more than" not in err


def _check_loads_or_says_where(text: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "lesson.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with time_limit(10, "loading a mutated lesson"):
            try:
                load(path)
            except LessonErrors as e:
                errors = e.errors
            except LessonError as e:
                errors = [e]
            else:
                return
        assert errors
        for error in errors:
            assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S", str(error)), str(error)


SNIPPETS = st.sampled_from([
    "\0", "\x85", "\x90", "\x1b", "\ufeff", "\ud800", "é", "[", "]", "{", "}", ": ", "- ",
    "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "!!binary ", "!!int ", "!!set ",
    "? ", "|\n", ">-\n", "'", '"', "\\", "#", "---\n", "...\n", "%YAML 1.1\n", "\t", "\r",
    "9" * 5000, "2020-13-45", "1:" * 50 + "1", "0x" + "f" * 500, "1e99999", ".nan",
    "[" * 200, "]" * 200, "\n" + " " * 40, "~", "null", "yes", "on",
]) | st.text(max_size=20)


@FUZZ
@given(lesson=st.sampled_from(sorted(COURSE)), edits=st.lists(
    st.tuples(st.floats(0, 1), st.integers(0, 30), SNIPPETS), min_size=1, max_size=6))
def test_mutated_course_lessons_load_or_say_where(lesson, edits):
    text = COURSE[lesson]
    for where, cut, snippet in edits:
        at = int(where * len(text))
        text = text[:at] + snippet + text[at + cut:]
    _check_loads_or_says_where(text)


@FUZZ
@given(levels=st.integers(1, 12), fan=st.integers(1, 12))
def test_alias_bombs_of_every_size_are_bounded(levels, fan):
    _check_loads_or_says_where(bomb(levels, fan))


@FUZZ
@given(depth=st.integers(1, 3000), flow=st.booleans(), mapping=st.booleans())
def test_nesting_of_every_depth_is_bounded(depth, flow, mapping):
    if flow:
        value = ("{k: " * depth + "v" + "}" * depth) if mapping else \
            ("[" * depth + "v" + "]" * depth)
    else:
        value = "".join(("\n" + "  " * (i + 1) + ("k:" if mapping else "-"))
                        for i in range(min(depth, 400))) + " v"
    _check_loads_or_says_where("format: 1\nid: " + value + "\n")
