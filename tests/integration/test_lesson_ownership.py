"""A lesson on the real engine: what the learner makes during a lesson, by any route
(docker run/create, commit, build, network and volume create, a volume made by `run -v`,
an anonymous volume, a docker in a host pipeline), is recorded by the engine as the
lesson's, in its own records: nothing Docker would show changes (no labels in inspect, a
cached rebuild keeps its image ID), and a reset takes exactly that away."""
from __future__ import annotations

import json


def shown(run, line: str) -> str:
    """What `line` prints (the shell's output so far is dropped first)."""
    run.env.stdout.seek(0)
    run.env.stdout.truncate()
    assert run(line) == 0
    return run.env.output_text()


def test_nothing_docker_shows_carries_the_lesson(run, engine, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /hi.txt\n")
    assert run(f"docker build -q -t site:v1 {site}") == 0               # before the lesson
    first = engine.get_image("site:v1").id
    assert run("lesson start containers-to-images") == 0
    assert run(f"docker build -q -t site:v1 {site}") == 0               # cached rebuild
    assert engine.get_image("site:v1").id == first
    assert all(i.repo_tags for i in engine.list_images())               # no <none> left
    assert run("docker run --name box -v sitedata:/srv busybox true") == 0
    assert run("docker network create lesson-net") == 0
    assert run("docker commit box snapshot") == 0
    for line in ("docker inspect box", "docker image inspect snapshot",
                 "docker network inspect lesson-net", "docker volume inspect sitedata"):
        said = shown(run, line)
        assert "org.dockerlings.lesson" not in said and "org.dockerlings.step" not in said
    doc = json.loads(shown(run, "docker inspect box"))[0]
    assert set(doc["Config"]["Labels"]) == {"org.dockerlings.source"}   # busybox's own


def test_reset_removes_what_the_lesson_made_by_any_route(run, engine, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "Dockerfile").write_text("FROM busybox\nRUN echo lesson > /l.txt\n")
    assert run("docker create --name mine -v own-vol:/o busybox true") == 0   # before
    assert run("docker network create my-net") == 0
    assert run("docker volume create my-vol") == 0
    assert run("lesson start containers-to-images") == 0
    routes = [
        "docker network create lesson-net",
        "docker volume create lesson-vol",
        "docker run --name box -v sitedata:/srv -v /anon busybox true",
        "docker create --name made busybox true",
        "docker run --name changed busybox sh -c 'echo hi > /greeting.txt'",
        "docker commit changed snapshot",
        f"docker build -q -t lesson-site:v1 {site}",
        "true; docker create --name piped -v piped-vol:/p busybox true",   # via /bin/sh
        "docker tag busybox lesson-box:v1",                  # a name for an image of yours
    ]
    for line in routes:
        assert run(line) == 0, line
    assert "✓ Change a container" in run.env.output_text()
    assert run("docker rm box") == 0                 # its volumes stay, unused

    assert run("reset lesson") == 0
    assert [c.name for c in engine.containers()] == ["mine"]
    assert sorted(n["Name"] for n in engine.networks()) == ["bridge", "host", "my-net", "none"]
    assert sorted(v["Name"] for v in engine.volumes()) == ["my-vol", "own-vol"]
    assert sorted(t for i in engine.list_images() for t in i.repo_tags) == ["busybox:latest"]
    assert run.env.lesson.index == 0
    run("lesson stop")
    assert run("docker create --name free busybox true") == 0            # after: nobody's
    assert engine.owners() == {}
