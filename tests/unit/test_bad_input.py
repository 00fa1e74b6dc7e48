"""Bad lines get words and the shell goes on (issue 12 §4): a NUL byte in a line, and
"did you mean" on words far longer than any command or option."""
from __future__ import annotations

import io
import time

import pytest

from shell import main
from shell.env import Env
from shell.runner import run_docker


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKERLINGS_ROOT", str(tmp_path / "engine"))
    return Env.buffered(cwd=str(tmp_path))


@pytest.mark.parametrize("line", [b"echo a\0b", b"docker ps -a\0", b"cd /tmp\0x",
                                  b"echo 'a\0b' | cat"])
def test_a_line_with_a_nul_is_reported_and_the_next_runs(env, line):
    assert main.run_lines(env, io.BytesIO(line + b"\nexit 4\n")) == 4
    shown = line.decode().replace("\0", "\\0")
    assert env.error_text() == (f"dockerlings: this line holds a NUL byte (shown as \\0), "
                                f"which no command can take; it was not run: {shown}\n")


def timed(argv, env) -> float:
    start = time.perf_counter()
    code = run_docker(env, argv)
    assert code in (1, 125)
    return time.perf_counter() - start


@pytest.mark.parametrize("argv", [
    ["x" * 100_000], ["network", "x" * 100_000], ["run", "--" + "x" * 100_000],
    ["ps", "--" + "x" * 100_000], ["ps", "-" + "x" * 100_000],
])
def test_did_you_mean_stays_quick_on_a_huge_word(env, argv):
    """It measured 30 s for a 100,000-character option: the distance is quadratic."""
    assert timed(argv, env) < 1.0
    assert "did you mean" not in env.error_text()


@pytest.mark.parametrize("argv, hint", [
    (["rn"], "did you mean docker run or docker rm?"),
    (["ps", "--al"], "did you mean --all?"),
    (["ps", "--quie"], "did you mean --quiet?"),
    (["netw"], "did you mean docker network?"),
])
def test_did_you_mean_still_finds_near_words(env, argv, hint):
    run_docker(env, argv)
    assert hint in env.error_text()
