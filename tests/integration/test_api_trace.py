"""Seeing the conversation (issue 16 §3): `docker --debug ...` and `set api-trace on`
print the Engine API requests behind each docker command, and they are the requests
the real docker CLI sends for the same command, with the statuses dockerlings' server
answers them with (its log is what it really received)."""
from __future__ import annotations

import os
import re
import time

import pytest

from tests.integration.test_api import api, docker, needs_docker, raw  # noqa: F401

REQUEST = re.compile(r"^(GET|HEAD|POST|PUT|DELETE) /\S* -> \d{3}$")
ID = re.compile(r"[0-9a-f]{64}")

# The course's commands, and their mistakes; the script leaves the engine as it found it
# (busybox pulled), so the real docker CLI meets the same state afterwards.
SCRIPT = [
    "run -d --name web busybox sleep 100",
    "ps", "ps -a", "ps -a --filter status=exited", "ps -l", "ps -s",
    "logs web", "logs --tail 2 -t web",
    "exec web true", "exec -d web true",
    "top web", "port web",
    "cp web:/etc/hostname {tmp}/hostname", "cp web:/nope {tmp}/nope",
    "cp {tmp}/src/f.txt web:/tmp/", "cp {tmp}/src/f.txt web:/tmp/new.txt",
    "cp {tmp}/src/f.txt web:/nodir/new.txt", "cp -a {tmp}/src web:/tmp/d",
    "cp {tmp}/src/f.txt nosuch:/tmp/",
    "commit -m note web snap", "rmi snap",
    "rename web web2", "rename web2 web",
    "pause web", "unpause web",
    "stop -t 1 web", "stop web",
    "start web", "start web",
    "restart -t 0 web",
    "kill web", "kill web",
    "rm web", "rm nosuch", "rm -f nosuch",
    "run --rm busybox echo hi",
    "run -d --name att busybox sh -c 'sleep 2; echo done'", "attach att", "attach att",
    "rm att",
    "run --name once busybox echo hi", "rm once",
    "create --name made busybox true", "start -a made", "wait made", "rm -v made",
    "images", "images -a", "images busybox", "images --filter dangling=true",
    "pull busybox", "pull nosuch", "push nosuch",
    "tag busybox localhost:1/bb:1", "push localhost:1/bb:1", "push -a localhost:1/bb",
    "rmi localhost:1/bb:1", "search busybox",
    "search --limit 3 -f is-official=true busybox", "login -u a -p b localhost:1",
    "tag busybox mine:1", "rmi mine:1", "rmi nosuch", "tag nosuch mine:2",
    "build -t built {tmp}/ctx", "build --no-cache --pull -q {tmp}/ctx",
    "build --build-arg A=1 --build-arg B --label l=v --label k=w --target base -t x:1 "
    "-t x:2 -f {tmp}/ctx/Dockerfile.two {tmp}/ctx", "build {tmp}/nonexistent",
    "build {tmp}/bad", "rmi x:1 x:2 built",
    "history busybox", "inspect busybox", "inspect nosuch", "image inspect busybox",
    "network create n1", "network ls", "network inspect n1", "network rm n1",
    "volume create v1", "volume ls", "volume inspect v1", "volume rm v1",
    "info --format '{{.ID}}'", "system df", "version --format '{{.Client.Version}}'",
    "save -o {tmp}/busybox.tar busybox", "load -i {tmp}/busybox.tar",
    "events --since 0 --until 2026-01-01T00:00:00Z --filter type=image",
]


def normal(lines: list[str]) -> list[str]:
    return [ID.sub("<id>", line) for line in lines if REQUEST.match(line)]


def in_process(sh, command: str) -> list[str]:
    return normal(sh.run(f"docker -D {command}").err.splitlines())


def through_server(path: str, command: str, n: int) -> list[str]:
    """What the server logged while the real docker CLI ran `command`: the lines up to
    a mark sent after it (so that nothing of the command is still to come)."""
    import shlex
    docker(path, *shlex.split(command))
    lines = mark(path, n)
    return normal(lines[lines.index(f"GET /trace-mark-{n - 1} -> 404") + 1:
                        lines.index(f"GET /trace-mark-{n} -> 404")])


def mark(path: str, n: int) -> list[str]:
    """Send a request no client sends and wait for the server to log it: the log's
    lines up to it."""
    raw(path, f"GET /trace-mark-{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    log = os.path.join(os.path.dirname(path), "docker.log")
    deadline = time.monotonic() + 10
    while True:
        with open(log) as f:
            lines = f.read().splitlines()
        if f"GET /trace-mark-{n} -> 404" in lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def same_conversation(ours: list[str], theirs: list[str]) -> bool:
    """The same requests with the same statuses, in the same order, except that the
    docker CLI sends its wait for the exit from a goroutine of its own, so that line may
    come before or after the start's."""
    def ordered(lines):
        return [line for line in lines if "/wait?" not in line]
    return sorted(ours) == sorted(theirs) and ordered(ours) == ordered(theirs)


@needs_docker
def test_the_trace_is_what_the_docker_cli_sends(api, sh, tmp_path):  # noqa: F811
    from shell.conversation import API_VERSION
    speaks = docker(api, "version", "--format", "{{.Client.APIVersion}}").stdout.decode()
    if speaks.strip() != API_VERSION:
        pytest.skip(f"this docker CLI speaks API {speaks.strip()}, the trace shows "
                    f"{API_VERSION} (the docker CLI 28.2.2's)")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f.txt").write_text("hi\n")
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /x\n")
    (tmp_path / "ctx" / "Dockerfile.two").write_text(
        "FROM busybox AS base\nARG A\nRUN echo $A > /x\nFROM base\n")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "Dockerfile").write_text("FROM busybox\nRUN exit 3\n")
    script = [command.replace("{tmp}", str(tmp_path)) for command in SCRIPT]
    ours = [in_process(sh, command) for command in script]
    assert sh.ok("docker ps -aq") == ""          # the script cleaned up after itself
    mark(api, -1)
    theirs = [through_server(api, command, n) for n, command in enumerate(script)]
    differ = [(c, o, t) for c, o, t in zip(script, ours, theirs)
              if not same_conversation(o, t)]
    assert not differ
    said = dict(zip(SCRIPT, ours))               # a command given twice: the second time
    assert said["stop web"] == ["HEAD /_ping -> 200", "POST /v1.50/containers/web/stop -> 304"]
    assert said["kill web"][-1] == "POST /v1.50/containers/web/kill -> 409"
    assert said["rm nosuch"][-1] == "DELETE /v1.50/containers/nosuch -> 404"
    assert said["run --rm busybox echo hi"][-1] == "POST /v1.50/containers/<id>/start -> 204"


def test_the_trace_of_a_pull_on_first_use(sh):
    """The CLI's create finds no image (404), pulls it and asks again."""
    r = sh.run("docker -D run --name web hello-world")
    assert r.code == 0
    assert normal(r.err.splitlines()) == [
        "HEAD /_ping -> 200",
        "POST /v1.50/containers/create?name=web -> 404",
        "POST /v1.50/images/create?fromImage=docker.io%2Flibrary%2Fhello-world&tag=latest"
        " -> 200",
        "POST /v1.50/containers/create?name=web -> 201",
        "POST /v1.50/containers/<id>/attach?stderr=1&stdout=1&stream=1 -> 101",
        "POST /v1.50/containers/<id>/wait?condition=next-exit -> 200",
        "POST /v1.50/containers/<id>/start -> 204"]
    assert "Unable to find image 'hello-world:latest' locally" in r.err
    assert "Hello from dockerlings!" in r.out


def test_debug_is_for_one_command_and_the_setting_keeps_it_on(sh):
    from shell.env import Env
    from shell.runner import run_line
    env = Env.buffered(cwd=sh.cwd)
    env.engine = sh.engine
    assert run_line(env, "docker -D ps") == 0
    assert run_line(env, "docker ps") == 0
    assert normal(env.error_text().splitlines()) == ["HEAD /_ping -> 200",
                                                     "GET /v1.50/containers/json -> 200"]
    assert not env.debug
    assert run_line(env, "set api-trace on") == 0
    assert run_line(env, "docker ps -a") == 0
    assert run_line(env, "docker volume ls -q") == 0
    assert normal(env.error_text().splitlines())[2:] == [
        "HEAD /_ping -> 200", "GET /v1.50/containers/json?all=1 -> 200",
        "HEAD /_ping -> 200", "GET /v1.50/volumes -> 200"]
    run_line(env, "docker ps | cat")            # a docker in a host pipeline traces too
    assert normal(env.error_text().splitlines())[-1] == "GET /v1.50/containers/json -> 200"
    assert run_line(env, "set api-trace off") == 0
    before = env.error_text()
    assert run_line(env, "docker ps") == 0
    assert env.error_text() == before
    assert env.output_text().splitlines()[-2:] == ["api-trace off", "CONTAINER ID   IMAGE   "
                                                   "  COMMAND   CREATED   STATUS    PORTS  "
                                                   "   NAMES"]


def test_a_command_not_traced_yet_says_so(sh):
    r = sh.run("docker -D stats --no-stream")
    assert r.err.splitlines()[0] == \
        "(api-trace: the requests behind 'docker stats' are not shown yet)"
    assert not normal(r.err.splitlines())


def test_a_failing_step_shows_the_daemons_status(sh):
    sh.ok("docker run -d --name web busybox sleep 100")
    r = sh.run("docker -D kill -s HUP web")
    assert normal(r.err.splitlines()) == ["HEAD /_ping -> 200",
                                          "POST /v1.50/containers/web/kill?signal=HUP -> 204"]
    r = sh.run("docker -D ps --filter colour=red")
    assert r.code == 1
    assert normal(r.err.splitlines())[-1] == (
        "GET /v1.50/containers/json?filters=%7B%22colour%22%3A%7B%22red%22%3Atrue%7D%7D"
        " -> 400")
    sh.ok("docker rm -f web")


def test_a_tty_on_a_terminal_sends_its_size(sh, tmp_path):
    """-ti on a terminal: the docker CLI sends the terminal's size once started (checked
    by hand against the docker CLI 28.2.2 under `script`: the same lines)."""
    import shutil
    import subprocess
    import sys
    from tests.conftest import ROOT
    if shutil.which("script") is None:
        pytest.skip("script (util-linux) is not installed")
    sh.ok("docker pull busybox")
    env = dict(os.environ, DOCKERLINGS_ROOT=str(sh.engine.paths.root), PYTHONPATH=str(ROOT))
    line = (f"stty rows 30 cols 100; {sys.executable} -m shell -c "
            "'docker -D run -ti --rm busybox true'")
    done = subprocess.run(["script", "-qec", line, "/dev/null"], env=env, timeout=60,
                          capture_output=True, cwd=str(tmp_path))
    said = normal(done.stdout.decode().replace("\r", "").splitlines())
    assert said == [
        "HEAD /_ping -> 200", "POST /v1.50/containers/create -> 201",
        "POST /v1.50/containers/<id>/attach?stderr=1&stdin=1&stdout=1&stream=1 -> 101",
        "POST /v1.50/containers/<id>/wait?condition=removed -> 200",
        "POST /v1.50/containers/<id>/start -> 204",
        "POST /v1.50/containers/<id>/resize?h=30&w=100 -> 200"]


def test_what_the_server_does_not_serve_yet_is_traced_as_the_cli_sends_it(sh, tmp_path):
    """update, export, import and the build cache's prune: the requests the docker CLI
    28.2.2 sends (seen in the server's log, which answers them 404, import 400, for
    now), with the statuses of this engine's outcome."""
    sh.ok("docker run -d --name web busybox sleep 100")
    said = normal(sh.run("docker -D update --cpus 1 web").err.splitlines())
    assert said == ["HEAD /_ping -> 200", "POST /v1.50/containers/web/update -> 200"]
    said = normal(sh.run(f"docker -D export -o {tmp_path}/web.tar web").err.splitlines())
    assert said == ["HEAD /_ping -> 200", "GET /v1.50/containers/web/export -> 200"]
    said = normal(sh.run("docker -D import -m msg -c 'CMD [\"sh\"]' -c 'ENV A=1' "
                         f"{tmp_path}/web.tar imp:1").err.splitlines())
    assert said == ["HEAD /_ping -> 200",
                    "POST /v1.50/images/create?changes=CMD+%5B%22sh%22%5D&changes=ENV+A%3D1"
                    "&fromSrc=-&message=msg&repo=imp%3A1 -> 200"]
    sh.ok("docker rmi imp:1")
    sh.ok("docker rm -f web")
    said = normal(sh.run("docker -D system prune -f").err.splitlines())
    assert said == [
        "HEAD /_ping -> 200", "POST /v1.50/containers/prune -> 200",
        "POST /v1.50/networks/prune -> 200",
        "POST /v1.50/images/prune?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D"
        " -> 200",
        "POST /v1.50/build/prune?filters= -> 200"]


def test_a_signal_forwarded_while_attached_is_a_kill_request(sh):
    """Docker's sig-proxy: a signal the attached CLI gets goes to the container as a
    kill request (seen from the docker CLI 28.2.2 attached and sent SIGTERM:
    POST /v1.50/containers/web/kill?signal=TERM -> 204)."""
    import signal as signals

    from shell.commands.attach import Interrupts
    from shell.conversation import Conversation
    from shell.env import Env
    sh.ok("docker run -d --name web busybox sh -c "
          "'trap \"exit 3\" TERM; while true; do sleep 0.1; done'")
    env = Env.buffered(cwd=sh.cwd)
    env.engine = sh.engine
    said = []
    env.api = Conversation(said.append)
    interrupts = Interrupts(env, sh.engine.container("web"), "web")
    interrupts(signals.SIGTERM)
    from tests.integration.cli_helpers import wait_status
    wait_status(sh, "web", "exited")
    interrupts(signals.SIGTERM)
    assert said == ["HEAD /_ping -> 200", "POST /v1.50/containers/web/kill?signal=TERM -> 204",
                    "POST /v1.50/containers/web/kill?signal=TERM -> 409"]
    sh.ok("docker rm web")


def test_an_untraced_command_shows_nothing_of_the_docker_commands_it_runs(sh, tmp_path):
    """docker compose build runs a docker build of its own: with the trace on, it is
    not shown as if it were the compose plugin's conversation."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /x\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    build: app\n"
                                           "    image: traced-web\n")
    r = sh.run(f"docker -D compose -f {tmp_path}/compose.yaml -p traced build")
    assert r.code == 0, r.err
    assert r.err.splitlines()[0] == \
        "(api-trace: the requests behind 'docker compose build' are not shown yet)"
    assert not normal(r.err.splitlines())
    sh.ok("docker rmi traced-web")
