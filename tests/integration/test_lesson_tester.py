"""`dockerlings lessons test` on real containers: what it says when a lesson's port is
taken on the host, and `-v` showing all of a command's output."""
from __future__ import annotations

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
