"""A lesson's start on the real engine: what holds the names and host ports its steps
will take is named with whose it is and offered for removal; a port held outside the
engine is named with its program."""
from __future__ import annotations

import io
import os
import socket

from shell.env import Env
from shell.runner import run_line

LESSON = """\
format: 1
id: porty
title: Porty
chapter: "0-1"
summary: Publishes two ports.
images: [busybox]
steps:
  - id: publish
    title: Publish
    text: Publish them.
    checks:
      - container: {name: web, status: running}
        message: No web yet.
    solve:
      - docker run -d --name web -p PORT1:80 -p PORT2:81 busybox sleep 30
    explain: Published.
recap: Done.
explore: [more]
"""


def _free_port() -> int:
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_the_start_clears_a_name_and_a_port_and_names_a_port_held_outside(engine, tmp_path):
    mine, outside = _free_port(), None
    held = socket.socket()
    held.bind(("0.0.0.0", 0))
    held.listen()
    outside = held.getsockname()[1]
    course = tmp_path / "course"
    course.mkdir()
    (course / "porty.yaml").write_text(LESSON.replace("PORT1", str(mine))
                                       .replace("PORT2", str(outside)))
    env = Env.buffered(cwd=str(tmp_path), environ={
        "DOCKERLINGS_HOME": str(tmp_path / "home"), "DOCKERLINGS_ROOT": str(engine.paths.root),
        "DOCKERLINGS_LESSONS": str(course), "PATH": "/usr/bin:/bin"})
    env.engine = engine
    try:
        assert run_line(env, f"docker run -d --name holder -p {mine}:80 busybox sleep 30") == 0
        assert run_line(env, "docker create --name web busybox true") == 0
        env.stdin = io.BytesIO(b"\n")
        assert run_line(env, "lesson start porty") == 0
        said = " ".join(env.output_text().split())
        assert f"container holder (it publishes port {mine}) (your own)" in said
        assert "container web (your own)" in said
        with open("/proc/self/comm") as f:
            comm = f.read().strip()
        assert f"port {outside} (held by {comm} (pid {os.getpid()}), outside this " \
               "engine)" in said
        assert "Removed container web, container holder." in said
        assert f"Still taken: port {outside}" in said
        assert [c.name for c in engine.containers()] == []
    finally:
        held.close()
        run_line(env, "lesson stop")
