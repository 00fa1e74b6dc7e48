"""The REPL on a real engine: docker commands typed through prompt_toolkit's pipe input,
completion of live engine objects (and its cache following every change), the map."""
from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from shell.completion import Context, DockerCompleter
from shell.env import Env
from shell.listings import Listings
from shell.repl import Repl
from tests.integration.cli_helpers import pull, wait_status


@pytest.fixture
def env(engine, tmp_path):
    e = Env.buffered(cwd=str(tmp_path), environ={"PATH": "/usr/bin:/bin",
                                                  "DOCKERLINGS_HOME": str(tmp_path / "h")})
    e.engine = engine
    return e


def drive(env, keys: str) -> int:
    with create_pipe_input() as inp:
        inp.send_text(keys + "\x04")
        return Repl(env, input=inp, output=DummyOutput()).run()


def test_docker_commands_through_the_repl(env):
    code = drive(env, "docker run --rm busybox echo hi from a container\r"
                      "docker run -d --name web busybox sleep 30\r"
                      "docker ps --format '{{.Names}} {{.Image}}'\r"
                      "docker rm web\r")
    out, err = env.output_text(), env.error_text()
    assert "hi from a container\n" in out and "web busybox\n" in out
    assert "container is running" in err and "hint: " in err
    assert code == 1                       # the last line failed


def test_host_pipelines_call_docker(env):
    drive(env, "docker pull -q busybox\rdocker images -q | wc -l\r")
    assert env.output_text().splitlines()[-1].strip() == "1"


def test_dollar_question_mark_is_the_status_of_the_line_before(env):
    """`$?` on a line of its own was always 0, even after a container exited 137."""
    drive(env, "docker run --rm busybox sh -c 'exit 137'\recho status=$?\r"
               "echo status=$?\r")
    assert env.output_text().splitlines()[-2:] == ["status=137", "status=0"]


@pytest.fixture
def complete(engine, tmp_path):
    listings = Listings(engine)
    ctx = Context(str(tmp_path), listings)
    completer = DockerCompleter(lambda: ctx)

    def run(text: str) -> set[str]:
        listings.invalidate()              # as the REPL does after every command
        return {c.text for c in completer.get_completions(Document(text), CompleteEvent())}
    return run


def test_completion_follows_the_engine(sh, complete):
    pull(sh)
    sh.ok("docker run -d --name web busybox sleep 30")
    sh.ok("docker create --name idle busybox")
    sh.ok("docker tag busybox mine:v1")
    wait_status(sh, "web", "running")
    assert complete("docker exec ") == {"web"}
    assert complete("docker start ") == {"idle"}
    assert {"web", "idle"} <= complete("docker rm ")
    assert {"busybox:latest", "busybox", "mine:v1"} <= complete("docker run ")
    sh.ok("docker stop -t 0 web")
    assert complete("docker exec ") == set()
    assert complete("docker start ") == {"idle", "web"}
    sh.ok("docker rename idle renamed")
    assert complete("docker start ") == {"renamed", "web"}
    sh.ok("docker rm renamed")
    assert complete("docker start ") == {"web"}
    sh.ok("docker rmi mine:v1")
    assert "mine:v1" not in complete("docker run ")


def test_map_of_a_real_engine(sh):
    pull(sh)
    sh.ok("docker run -d --name web busybox sleep 30")
    sh.ok("docker create --name idle busybox")
    out = sh.ok("dockerlings map")
    assert "busybox:latest" in out
    assert "● web  running" in out and "○ idle  created" in out
    assert sh.ok("map") == out
