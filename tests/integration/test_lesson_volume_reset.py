"""Resets of what carries no lesson label, on the real engine: a reset takes the volumes
the lesson made — made with `docker volume create` (labelled), or made by its containers
(`-v NAME:/path`, `-v /path`, unlabelled as in Docker), even once their container is gone
— and the images `docker build` made during it; it leaves the learner's own volumes and
images, and any a container of theirs still uses."""
from __future__ import annotations

import io


def volumes(engine) -> set[str]:
    return {v["Name"] for v in engine.volumes()}


def anonymous(engine) -> set[str]:
    return {v["Name"] for v in engine.volumes() if len(v["Name"]) == 64}


def test_reset_lesson_removes_the_lessons_volumes_and_nothing_else(run, engine):
    # the learner's own, from before the lesson
    assert run("docker volume create mine") == 0
    assert run("docker volume create idle-before") == 0
    assert run("docker run --name own -v keep:/k busybox true") == 0

    assert run("lesson start containers-to-images") == 0
    assert run("docker volume create lesson-vol") == 0
    assert engine.volume("lesson-vol")["Labels"] == {}             # nothing Docker shows
    assert run("docker run --name outlived -v gone:/g busybox true") == 0
    assert run("docker rm outlived") == 0                  # its volume stays, unused
    assert run("docker run --name borrow -v mine:/m -v keep:/k busybox true") == 0
    assert run("docker run --name changed -v auto:/a -v /anon busybox "
               "sh -c 'echo hi > /greeting.txt'") == 0
    assert "✓ Change a container" in run.env.output_text()
    lesson_anon = anonymous(engine)
    assert len(lesson_anon) == 1
    assert {"mine", "idle-before", "keep", "lesson-vol", "gone", "auto"} <= volumes(engine)

    assert run("reset lesson") == 0
    assert volumes(engine) == {"mine", "idle-before", "keep"}
    assert [c.name for c in engine.containers()] == ["own"]
    said = " ".join(run.env.output_text().split())     # rich wraps long lines
    for what in ("volume lesson-vol", "volume gone", "volume auto",
                 f"volume {next(iter(lesson_anon))[:12]}…"):
        assert what in said


def test_volumes_made_in_a_pipeline_or_before_a_restart_are_found(run, engine, tmp_path):
    assert run("lesson start containers-to-images") == 0
    assert run("true; docker run --name piped -v through-sh:/x busybox true") == 0
    assert run("docker rm piped") == 0
    assert engine.owners() == {("volume", "through-sh"): "containers-to-images/"
                                                          "change-a-container"}
    run.env.lesson.stop()
    assert run("docker volume create free-play") == 0          # not in the lesson
    assert run("lesson start containers-to-images") == 0
    assert run("reset lesson") == 0
    assert volumes(engine) == {"free-play"}


def test_reset_step_removes_only_what_the_step_made(run, engine):
    assert run("lesson start containers-to-images") == 0
    assert run("docker run --name early -v step-one:/x busybox true") == 0
    assert run("docker rm early") == 0                     # made in step 1, unused now
    assert run("docker run --name changed -v kept-by-changed:/k busybox "
               "sh -c 'echo hi > /greeting.txt'") == 0
    assert run.env.lesson.step.id == "commit"
    assert run("docker volume create made-in-step-two") == 0
    assert run("docker run --name tmp -v step-two:/y -v /anon2 busybox true") == 0
    assert run("docker rm tmp") == 0

    assert run("reset") == 0                               # this step only
    assert volumes(engine) == {"step-one", "kept-by-changed"}
    assert run("reset lesson") == 0
    assert volumes(engine) == set()


def play_through(run, lesson_id: str) -> None:
    """Every step solved by its solution, typed at the prompt (and into the container,
    for commands that take input)."""
    assert run(f"lesson start {lesson_id}") == 0
    session = run.env.lesson
    for step in session.lesson.steps:
        assert session.lesson is not None and session.step.id == step.id
        for cmd in step.solve:
            if cmd.input:
                session.run(cmd)
            else:
                run(cmd.line)
        if session.lesson is not None and session.step.id == step.id:
            assert run("check") == 0, step.id
    assert run.env.lesson is None                       # done


def test_the_volumes_lesson_played_through_then_reset(run, engine, tmp_path):
    """The finished lesson, its objects kept, taken again: all its containers, volumes
    (named, made by -v, anonymous) and images go; the learner's own volume and
    container stay."""
    assert run("docker run --name own -v mine:/m busybox true") == 0
    run.env.stdin = io.BytesIO(b"keep\n")       # at the end: keep what it made
    play_through(run, "volumes")
    assert "notes" in volumes(engine) and len(anonymous(engine)) == 1
    assert (tmp_path / "home" / "work" / "volumes" / "shared" / "reply.txt").exists()

    assert run("lesson start volumes") == 0             # again: from a clean state
    assert volumes(engine) == {"mine"}
    assert run("reset lesson") == 0
    assert volumes(engine) == {"mine"}
    assert [c.name for c in engine.containers()] == ["own"]
    assert sorted(t for i in engine.list_images() for t in i.repo_tags) == ["busybox:latest"]
    assert not (tmp_path / "home" / "work" / "volumes" / "shared" / "reply.txt").exists()


def test_built_images_go_with_a_reset_and_the_learners_own_stay(run, engine, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "Dockerfile").write_text("FROM busybox\nRUN echo mine > /mine.txt\n")
    assert run(f"docker build -q -t mine:v1 {own}") == 0
    run.env.stdin = io.BytesIO(b"keep\n")
    play_through(run, "dockerfiles")
    tags = {t for i in engine.list_images() for t in i.repo_tags}
    assert {"timers:v1", "timers:v2", "timers:v3", "mine:v1"} <= tags
    assert any(not i.repo_tags for i in engine.list_images())   # the older timers:v3

    assert run("lesson start dockerfiles") == 0
    assert run("reset lesson") == 0
    assert sorted(t for i in engine.list_images() for t in i.repo_tags) == \
        ["busybox:latest", "mine:v1"]
    assert all(i.repo_tags for i in engine.list_images())
    assert engine.containers(all=True) == []


def test_reset_step_removes_the_image_this_step_built(run, engine):
    assert run("lesson start dockerfiles") == 0
    assert run("docker build -q -t timers:v1 .") == 0           # step 1 passes
    assert run.env.lesson.step.id == "run-it"
    assert run("docker build -q -t other:v1 v2") == 0           # built in step 2
    assert run("reset") == 0
    tags = {t for i in engine.list_images() for t in i.repo_tags}
    assert "timers:v1" in tags and "other:v1" not in tags
