"""The words the shell makes of a docker line are the words /bin/sh would make of it:
backslashes inside double quotes escape only $ ` " \\ and newline, a backslash-newline
joins lines, a word starting with # begins a comment (shlex.split does none of this)."""
from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from shell.runner import needs_shell, split_words


def sh_words(line: str) -> list[str]:
    """What /bin/sh makes of `line`, word by word."""
    script = "set -- " + line + '\n\nfor a in "$@"; do printf "%s\\0" "$a"; done'
    out = subprocess.run(["/bin/sh", "-c", script], capture_output=True, check=True).stdout
    return out.decode().split("\0")[:-1]


@pytest.mark.parametrize("line,words", [
    (r'docker run --rm busybox sh -c "echo \$\$"', ["docker", "run", "--rm", "busybox", "sh",
                                                    "-c", "echo $$"]),
    (r'echo "a \"b\" \`c\` \\ \d"', ["echo", 'a "b" `c` \\ \\d']),
    ("echo one\\\ntwo", ["echo", "onetwo"]),
    ('echo "one\\\ntwo"', ["echo", "onetwo"]),
    ("echo 'a\\$b' x\\ y", ["echo", "a\\$b", "x y"]),
    ("echo hi # a comment", ["echo", "hi"]),
    ("echo a#b", ["echo", "a#b"]),
    ('echo "" \'\'', ["echo", "", ""]),
])
def test_words_as_sh_makes_them(line, words):
    assert not needs_shell(line)
    assert split_words(line) == words == sh_words(line)


@pytest.mark.parametrize("line", ['echo "open', "echo 'open", 'echo "a\\"'])
def test_an_unclosed_quote_is_an_error(line):
    with pytest.raises(ValueError):
        split_words(line)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab $`\"'\\#\n\t", max_size=14))
def test_any_line_without_shell_syntax_splits_as_sh_splits_it(line):
    """Property over lines made of quotes, backslashes, $, `, #, blanks and newlines."""
    if needs_shell(line):
        return
    try:
        words = split_words(line)
    except ValueError:
        return                      # an unclosed quote: sh refuses it too
    assert words == sh_words(line)


def test_the_shell_runs_the_line_with_those_words(tmp_path):
    """`docker run ... sh -c "echo \\$\\$"` reaches the container's sh as `echo $$`."""
    from shell.env import Env
    from shell import runner
    seen = []
    env = Env.buffered(cwd=str(tmp_path))
    original = runner.run_docker
    runner.run_docker = lambda env, argv: seen.append(argv) or 0
    try:
        runner.run_line(env, r'docker run --rm busybox sh -c "echo \$\$"')
    finally:
        runner.run_docker = original
    assert seen == [["run", "--rm", "busybox", "sh", "-c", "echo $$"]]
