"""A lesson on the real engine: what the learner makes during a lesson (containers, the
images committed from them, networks) carries its labels — through the shell's own
docker commands and through host pipelines — and a reset takes exactly that away."""
from __future__ import annotations

from lessons.model import LESSON_LABEL, STEP_LABEL


def test_reset_removes_what_the_lesson_made_and_nothing_else(engine, tmp_path):
    from shell.env import Env
    from shell.runner import run_line
    env = Env.buffered(cwd=str(tmp_path), environ={
        "DOCKERLINGS_HOME": str(tmp_path / "home"), "DOCKERLINGS_ROOT": str(engine.paths.root),
        "PATH": "/usr/bin:/bin"})
    env.engine = engine

    def run(line: str) -> int:
        return run_line(env, line)

    assert run("docker create --name mine busybox true") == 0          # before the lesson
    assert run("docker network create my-net") == 0
    assert run("lesson start containers-to-images") == 0
    assert run("docker network create lesson-net") == 0
    assert run("docker run --name changed busybox sh -c 'echo hi > /greeting.txt'") == 0
    assert run("docker commit changed snapshot") == 0
    assert run("true; docker create --name piped busybox true") == 0   # through /bin/sh
    labels = engine.container("changed").config.label_dict()
    assert labels[LESSON_LABEL] == "containers-to-images"
    assert labels[STEP_LABEL] == "change-a-container"
    assert engine.container("piped").config.label_dict()[LESSON_LABEL] == "containers-to-images"
    assert engine.get_image("snapshot").run_config["Labels"][LESSON_LABEL] == \
        "containers-to-images"
    assert "✓ Change a container" in env.output_text()

    assert engine.network("lesson-net")["Labels"][LESSON_LABEL] == "containers-to-images"
    assert run("reset lesson") == 0
    assert [c.name for c in engine.containers()] == ["mine"]
    assert sorted(n["Name"] for n in engine.networks()) == ["bridge", "host", "my-net", "none"]
    assert sorted(t for i in engine.list_images() for t in i.repo_tags) == ["busybox:latest"]
    assert env.lesson.index == 0
    run("lesson stop")
    assert run("docker create --name free busybox true") == 0            # after: unlabelled
    assert LESSON_LABEL not in engine.container("free").config.label_dict()
