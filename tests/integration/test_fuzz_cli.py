"""The command line fuzzed (issue 12 §4): docker lines made of real command and option
names, words of any Unicode, NUL bytes, words thousands of characters long and quotes
that do not close, run through the in-process runner and through the real `dockerlings`
program, each on an engine root of the test's own. Every line ends within a hard time
limit, with no traceback and no "internal error", and exits as docker would (0, 1,
125, 126, 127); a line the shell cannot split, or holding a NUL, exits 2 as sh does.

Lines never hold shell syntax (pipes, redirections, $, globs), so nothing here runs on
the host; no image exists, so no container runs."""
from __future__ import annotations

import os
import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shell.cli import spec
from shell.runner import SHELL_SPECIAL, split_words
from tests.conftest import Shell, dockerlings
from tests.time_limit import time_limit

DOCKER_CODES = {0, 1, 125, 126, 127}
SAFE = st.characters(blacklist_characters="".join(SHELL_SPECIAL) + "#\r\0",
                     blacklist_categories=("Cs",))
ODD = st.sampled_from(["'", '"', "\\", "''", "-", "--", "/", "a" * 300, "é" * 200,
                       "sha256:" + "a" * 300, "x:" + "y" * 300, "2020-13-45", "-1", "0",
                       "99999999999999999999999", "1e9", "a=b", "=", "::", "busy box"])
TEXT = st.one_of(st.text(SAFE, min_size=1, max_size=12), ODD,
                 st.text(SAFE, min_size=256, max_size=3000))   # longer than a file name
NUL = st.sampled_from(["a\0b", "\0", "--name=\0"])
QUOTING = st.sampled_from(["raw", "shlex", "double"])
# docker stats and events stream until interrupted, as docker's do
COMMANDS = sorted(path for path in spec.PATHS if path and path[-1] not in ("stats", "events"))
# a piped line that reads standard input takes the lines after it, as with sh
READ_STDIN = ("prune", "load", "import", "build", "run", "create", "exec", "attach", "start",
              "cp", "login")


def _flags(command) -> list[str]:
    out = []
    for f in command.flags:
        out.append(f"--{f.long}")
        if f.short:
            out.append(f"-{f.short}")
    return out or ["--help"]


# what a program's arguments may hold besides text: any bytes but NUL (Python gives
# the ones that are not UTF-8 to dockerlings as lone surrogates)
RAW_BYTES = st.binary(min_size=1, max_size=12).map(
    lambda b: b.decode("utf-8", "surrogateescape")).filter(
    lambda w: not set(w) & (SHELL_SPECIAL | set("#\r\0")))


@st.composite
def lines(draw, nul: bool = True, raw_bytes: bool = False, stdin: bool = True) -> str:
    """docker, mostly a real command, then its own options (with values of any kind)
    and arguments of any kind, each written raw, quoted by shlex or in double quotes."""
    commands = COMMANDS if stdin else [c for c in COMMANDS if c[-1] not in READ_STDIN]
    path = draw(st.sampled_from(commands + [()]))
    flags = _flags(spec.PATHS[path]) if path else ["--help", "--debug", "-v", "--version"]
    text = st.one_of(TEXT, RAW_BYTES) if raw_bytes else TEXT
    word = st.one_of(st.sampled_from(flags), text,
                     st.builds(lambda f, v: f"{f}={v}", st.sampled_from(flags), text))
    words = draw(st.lists(st.tuples(word, QUOTING), max_size=6))
    # about one line in ten holds a NUL (hypothesis favours the first choice)
    if nul and draw(st.sampled_from([False] * 9 + [True])):
        words.insert(draw(st.integers(0, len(words))), (draw(NUL), draw(QUOTING)))
    return _line(" ".join(path), words)


FUZZ = settings(deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def _line(command: str, words: list[tuple[str, str]]) -> str:
    quoted = [w if how == "raw" else shlex.quote(w) if how == "shlex" else f'"{w}"'
              for w, how in words]
    return " ".join(["docker", *command.split(), *quoted])


def _splits(line: str) -> bool:
    try:
        split_words(line)
    except ValueError:
        return False
    return "\0" not in line


def _check(code: int, err: str, line: str) -> None:
    assert "Traceback" not in err, (line, err)
    assert "internal error" not in err, (line, err)
    if _splits(line):
        assert code in DOCKER_CODES, (line, code, err)
    else:
        assert code == 2, (line, code, err)


@FUZZ
@given(line=lines())
def test_fuzzed_lines_in_process(engine, tmp_path, line):
    sh = Shell(engine, str(tmp_path))
    with time_limit(30, repr(line[:200])):
        r = sh.run(line)
    _check(r.code, r.err, line)


@settings(deadline=None, max_examples=int(os.environ.get("FUZZ_PROGRAM_EXAMPLES", 20)),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(line=lines(nul=False, raw_bytes=True))
def test_fuzzed_lines_through_the_program(engine_root, line):
    p = dockerlings("-c", line, root=engine_root, timeout=30)
    _check(p.returncode, p.stderr.decode(errors="replace"), line)


@settings(deadline=None, max_examples=15,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# (a line ending in a backslash continues on the next, as with sh: not one of these)
@given(piped=st.lists(lines(stdin=False).filter(lambda l: not l.endswith("\\")),
                      min_size=1, max_size=4))
def test_piped_lines_all_run(engine_root, piped):
    """Standard input is not a terminal: every line runs, whatever the ones before it
    held, and the last one's status is the program's."""
    text = "\n".join(piped) + "\necho done\n"
    p = dockerlings(root=engine_root, stdin=text.encode("utf-8", "surrogateescape"),
                    timeout=60)
    err = p.stderr.decode(errors="replace")
    assert "Traceback" not in err and "internal error" not in err, (text, err)
    assert p.stdout.endswith(b"done\n")
    assert p.returncode == 0
