"""`dockerlings lessons test` on real containers: what it says when a lesson's port is
taken on the host, `-v` showing all of a command's output, and how long checks take."""
from __future__ import annotations

import re
import socket

from lessons import tester
from shell.cli.parser import parse
from shell.env import Env
from shell.runner import run_line

LESSON = """\
format: 1
id: porty
title: Porty
chapter: "0-1"
summary: Publishes a port.
images: [busybox]
steps:
  - id: publish
    title: Publish
    text: Publish it.
    checks:
      - container: {name: web, status: running}
        message: No web yet.
    solve:
      - seq 1 40
      - docker run -d --name web -p PORT:80 busybox sleep 30
    explain: Published.
recap: Done.
explore: [more]
"""


def _lesson(tmp_path, port: int):
    path = tmp_path / "porty.yaml"
    path.write_text(LESSON.replace("PORT", str(port)))
    return path


def _run(tmp_path, path, verbose: bool) -> str:
    env = Env.buffered(cwd=str(tmp_path), environ={"PATH": "/usr/bin:/bin",
                                                    "HOME": str(tmp_path)})
    tester.run(env, [str(path)], run_line, parse, verbose)
    return env.output_text() + env.error_text()


def test_a_taken_port_is_named_with_what_holds_it(tmp_path):
    held = socket.socket()
    held.bind(("0.0.0.0", 0))
    held.listen()
    port = held.getsockname()[1]
    try:
        said = _run(tmp_path, _lesson(tmp_path, port), verbose=False)
    finally:
        held.close()
    assert f"host port {port} is taken" in said
    assert "(pid " in said and "shares the host's ports" in said
    assert f"Bind for 0.0.0.0:{port} failed: port is already allocated" in said


def test_verbose_shows_all_of_a_commands_output(tmp_path):
    probe = socket.socket()
    probe.bind(("0.0.0.0", 0))
    port = probe.getsockname()[1]
    probe.close()
    said = _run(tmp_path, _lesson(tmp_path, port), verbose=True)
    lines = said.splitlines()
    assert all(f"      {n}" in lines for n in range(1, 41)), said
    assert "all pass" in said


SLOW = """\
format: 1
id: slowpoke
title: Slowpoke
chapter: "0-1"
summary: A step whose checks are slow.
images: [busybox]
steps:
  - id: quick
    title: Quick
    text: Make box.
    checks:
      - container: {name: box, status: running}
        message: No box yet.
    solve:
      - docker run -d --name box busybox sleep 30
    explain: Made.
  - id: slow
    title: Slow
    text: Make a file.
    checks:
      - container: {name: box, file: {path: /made}}
        message: No /made yet.
      - exec: {container: box, command: "sleep 0.08"}
        message: box does not sleep.
    solve:
      - docker exec box touch /made
    explain: Made.
recap: Done.
explore: [more]
"""


def test_the_slowest_step_is_named_and_checks_over_the_budget_are_flagged(tmp_path):
    path = tmp_path / "slowpoke.yaml"
    path.write_text(SLOW)
    said = _run(tmp_path, path, verbose=False)
    summary = said.strip().splitlines()
    assert "all pass" in summary[-2]
    slowest = re.search(r"the slowest (\d+\.\d) ms \(slowpoke/slow\)$", summary[-2])
    assert slowest and float(slowest.group(1)) >= 80, said
    assert re.fullmatch(r"  ⚠ checks over 50\.0 ms \(best of 3 or more\): slowpoke/slow "
                        r"\d+\.\d ms",
                        summary[-1]), said


def _timed(rounds: list[float]) -> tuple[float, int]:
    """(what _check_seconds makes of these rounds, how many it took)."""
    taken = []

    class Session:
        def evaluate(self, every=True):
            assert every is False, "timed as after a learner's command"
            taken.append(rounds[len(taken)])
            return type("Outcome", (), {"seconds": taken[-1]})()

    return tester._check_seconds(Session()), len(taken)


def test_a_steps_checks_are_timed_at_their_best_and_again_while_over_the_budget():
    """A slow round on a busy machine says more about the machine than the checks: the
    best of three counts, and over the budget more rounds are taken, spaced out, until
    one is under it (a busy moment passed) or ten more were all over (a slow check)."""
    assert _timed([0.09, 0.01, 0.05]) == (0.01, 3)
    assert _timed([0.09, 0.07, 0.06, 0.08, 0.03, 0.01]) == (0.03, 5)
    assert _timed([0.2] * 2 + [0.08] + [0.09] * 10) == (0.08, 13)
    assert tester._timing([(0.004, "a/one"), (0.002, "a/two"), (0.001, "b/x")]) == \
        "; checks took 2.0 ms median, the slowest 4.0 ms (a/one)"
    assert tester._timing([]) == ""
