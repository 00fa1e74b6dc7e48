"""The Engine API (`dockerlings engine serve`, shell/api/): the real docker CLI and
docker-py drive the engine through it and see what `dockerlings -c 'docker ...'` shows;
the socket is the owner's alone; hostile requests get moby's 400 and the server stays up."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

from tests.conftest import dockerlings
from tests.integration.cli_helpers import pull

DOCKER = shutil.which("docker")
needs_docker = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not on PATH")


@pytest.fixture
def api(sh):
    """`dockerlings engine serve -d` on the test's engine: yields the socket path."""
    pull(sh)
    root = str(sh.engine.paths.root)
    done = dockerlings("engine", "serve", "-d", root=root, umask=0)
    assert done.returncode == 0, done.stderr
    path = str(sh.engine.paths.run / "docker.sock")
    assert done.stdout.decode().splitlines() == [f"The Engine API is listening on unix://{path}",
                                        f"export DOCKER_HOST=unix://{path}"]
    yield path
    from shell.api import serve
    pid = int(open(sh.engine.paths.run / "docker.pid").read())
    assert serve.stop(sh.engine)
    assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "Z"


def docker(path: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST=f"unix://{path}", DOCKER_CONFIG="/nonexistent")
    return subprocess.run([DOCKER, *args], capture_output=True, env=env, timeout=60,
                          input=stdin)


def ok(path: str, *args: str) -> str:
    done = docker(path, *args)
    assert done.returncode == 0, (args, done.stderr.decode())
    return done.stdout.decode()


def raw(path: str, request: bytes) -> bytes:
    """Send `request` as it is, read the whole answer (the server closes after it)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    s.sendall(request)
    out = b""
    while True:
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        out += data
        if b"\r\n\r\n" in out and _complete(out):
            break
    s.close()
    return out


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_and_json(answer: bytes):
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), (json.loads(body) if body.strip() else None)


# --- the server itself ---------------------------------------------------------------

def test_the_socket_is_the_owners_alone_whatever_the_umask(api):
    run = os.path.dirname(api)
    assert stat.S_IMODE(os.stat(run).st_mode) == 0o700
    assert stat.S_ISSOCK(os.stat(api).st_mode)
    assert stat.S_IMODE(os.stat(api).st_mode) == 0o600


def test_another_user_is_hung_up_on_before_a_byte_is_read(api, sh):
    from tests.integration.test_trust import _try, as_nobody
    run, root = os.path.dirname(api), str(sh.engine.paths.root)
    kill = b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    assert as_nobody(lambda: _try(api, socket.SOCK_STREAM, kill)) == "refused"
    os.chmod(root, 0o711)          # a folder opened by hand: the peer check still holds
    os.chmod(run, 0o711)
    os.chmod(api, 0o777)
    assert as_nobody(lambda: _try(api, socket.SOCK_STREAM, kill)) == "hung up"
    assert sh.engine.containers(all=True) == []
    assert raw(api, b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").endswith(b"OK")


def test_ping_and_versions(api):
    answer = raw(api, b"HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nApi-Version: 1.51\r\n" in answer and answer.endswith(b"\r\n\r\n")
    assert raw(api, b"GET /v1.24/_ping HTTP/1.1\r\nHost: x\r\n\r\n").endswith(b"\r\n\r\nOK")
    code, doc = status_and_json(raw(api, b"GET /v1.23/version HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert code == 400 and doc == {"message": "client version 1.23 is too old. Minimum "
                                   "supported API version is 1.24, please upgrade your "
                                   "client to a newer version"}
    code, doc = status_and_json(raw(api, b"GET /v1.40/version HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert code == 200 and doc["ApiVersion"] == "1.51" and doc["MinAPIVersion"] == "1.24"


@pytest.mark.parametrize("request_bytes, code", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /_ping HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"POST /containers/create HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{}", 400),
    (b"POST /containers/create HTTP/1.1\r\nContent-Length: 5\r\n\r\n{nope", 400),
    (b"POST /containers/create HTTP/1.1\r\nContent-Length: 2\r\n\r\n[]", 400),
    (b"POST /containers/create HTTP/1.1\r\nContent-Length: 26\r\n\r\n"
     b'{"Image": "busybox", "Cmd"', 400),
    (b"GET /containers/json?filters=%7Bnope HTTP/1.1\r\n\r\n", 400),
    (b"GET /containers/nope/json HTTP/1.1\r\n\r\n", 404),
    (b"GET /no/such/path HTTP/1.1\r\n\r\n", 404),
    (b"BREW /_ping HTTP/1.1\r\n\r\n", 501),
])
def test_a_hostile_request_gets_a_status_and_a_message_never_a_traceback(api, sh,
                                                                         request_bytes, code):
    got, doc = status_and_json(raw(api, request_bytes))
    assert got == code
    assert set(doc) == {"message"} and "Traceback" not in doc["message"]
    assert raw(api, b"GET /_ping HTTP/1.1\r\n\r\n").endswith(b"OK")     # still up
    log = open(os.path.join(os.path.dirname(api), "docker.log")).read()
    assert "Traceback" not in log
    assert sh.engine.containers(all=True) == []


def test_engine_reset_stops_the_server(api, sh):
    pid = int(open(sh.engine.paths.run / "docker.pid").read())
    done = dockerlings("engine", "reset", root=str(sh.engine.paths.root))
    assert done.returncode == 0 and b"stopped the Engine API server" in done.stdout
    assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)
    done = dockerlings("engine", "serve", "-d", root=str(sh.engine.paths.root))
    assert done.returncode == 0, done.stderr           # (and the fixture stops this one)


def test_a_second_server_is_refused(api, sh):
    done = dockerlings("engine", "serve", root=str(sh.engine.paths.root))
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        f"the Engine API is already served on unix://{api}",
        "hint: 'dockerlings engine serve --stop' stops the server that runs"]


# --- the real docker CLI ------------------------------------------------------------

def _same_rows(a: str, b: str) -> None:
    """ps/images tables: the same columns and the same rows (the widths of a time
    column may differ by a second)."""
    import re
    assert re.split(r"  +", a.splitlines()[0]) == re.split(r"  +", b.splitlines()[0])
    assert len(a.splitlines()) == len(b.splitlines())


@needs_docker
def test_the_docker_cli_runs_the_course_commands(api, sh):
    assert ok(api, "run", "--rm", "busybox", "echo", "hi") == "hi\n"
    assert docker(api, "run", "--rm", "busybox", "sh", "-c", "exit 3").returncode == 3
    cid = ok(api, "run", "-d", "--name", "web", "-p", "8080:80", "busybox", "sh", "-c",
             "echo out; echo err >&2; sleep 100").strip()
    assert len(cid) == 64
    ours = sh.ok("docker ps -a")
    theirs = ok(api, "ps", "-a")
    _same_rows(theirs, ours)
    assert theirs.splitlines()[1].split()[-2:] == ["0.0.0.0:8080->80/tcp", "web"]
    assert ok(api, "ps", "--format", "{{.Names}} {{.Image}} {{.Command}} {{.State}}") == \
        sh.ok("docker ps --format '{{.Names}} {{.Image}} {{.Command}} {{.State}}'")
    assert ok(api, "ps", "-a", "--filter", "status=exited", "-q") == ""
    _same_rows(ok(api, "images"), sh.ok("docker images"))
    assert ok(api, "images") == sh.ok("docker images")
    time.sleep(0.3)
    done = docker(api, "logs", "web")
    assert (done.stdout, done.stderr) == (b"out\n", b"err\n")
    theirs = json.loads(ok(api, "inspect", "web"))
    ours = json.loads(sh.ok("docker inspect web"))
    assert theirs == ours
    assert json.loads(ok(api, "image", "inspect", "busybox")) == \
        json.loads(sh.ok("docker image inspect busybox"))
    assert ok(api, "rename", "web", "web2") == ""
    assert ok(api, "stop", "-t", "1", "web2") == "web2\n"
    assert sh.ok("docker ps -a --format '{{.Names}} {{.State}}'") == "web2 exited\n"
    assert ok(api, "rm", "-f", "web2") == "web2\n"
    assert sh.ok("docker ps -aq") == ""


@needs_docker
def test_the_docker_cli_gets_the_daemons_words_for_mistakes(api, sh):
    done = docker(api, "rm", "nope")
    assert done.returncode == 1
    assert done.stderr.decode() == "Error response from daemon: No such container: nope\n"
    assert done.stderr.decode() == sh.run("docker rm nope").err
    sh.ok("docker run -d --name web busybox sleep 100")
    done = docker(api, "rm", "web")
    # (the shell adds a hint: line after the daemon's words)
    assert done.returncode == 1
    assert done.stderr.decode() == sh.run("docker rm web").err.splitlines(True)[0]
    sh.ok("docker rm -f web")


@needs_docker
def test_the_docker_cli_runs_an_interactive_container_with_stdin(api):
    done = docker(api, "run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done",
                  stdin=b"line one\nline two\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"line one\nline two\ndone\n"


@needs_docker
def test_the_docker_cli_makes_networks_volumes_and_tags(api, sh):
    ok(api, "network", "create", "backend")
    ok(api, "volume", "create", "data")
    _same_rows(ok(api, "network", "ls"), sh.ok("docker network ls"))
    assert ok(api, "volume", "ls") == sh.ok("docker volume ls")
    assert json.loads(ok(api, "network", "inspect", "backend")) == \
        json.loads(sh.ok("docker network inspect backend"))
    assert json.loads(ok(api, "volume", "inspect", "data")) == \
        json.loads(sh.ok("docker volume inspect data"))
    ok(api, "tag", "busybox", "mine:1")
    assert "mine" in sh.ok("docker images --format '{{.Repository}}:{{.Tag}}'")
    assert ok(api, "rmi", "mine:1") == "Untagged: mine:1\n"
    assert ok(api, "network", "rm", "backend") == "backend\n"
    assert ok(api, "volume", "rm", "data") == "data\n"
    assert sh.ok("docker network ls --format '{{.Name}}'").split() == ["bridge", "host",
                                                                        "none"]


# --- docker-py ---------------------------------------------------------------------

@pytest.fixture
def client(api):
    docker_py = pytest.importorskip("docker", reason="docker-py (pip install docker)")
    c = docker_py.DockerClient(base_url=f"unix://{api}", version="auto", timeout=60)
    yield c
    c.close()


def test_docker_py_high_level(client, sh):
    assert client.ping() is True
    out = client.containers.run("busybox", ["sh", "-c", "echo hello; echo oops >&2"],
                                remove=True, stderr=True)
    assert out == b"hello\noops\n"
    c = client.containers.run("busybox", ["sh", "-c", "echo one; sleep 100"], detach=True,
                              name="bg", labels={"course": "4-1"})
    assert [x.name for x in client.containers.list()] == ["bg"]
    assert [x.name for x in client.containers.list(filters={"label": "course=4-1"})] == ["bg"]
    assert client.containers.list(filters={"status": "exited"}) == []
    time.sleep(0.3)
    assert c.logs() == b"one\n"
    stream = c.logs(stream=True, follow=True)
    assert next(stream) == b"one\n"
    c.kill()
    assert c.wait()["StatusCode"] == 137
    c.reload()
    assert c.status == "exited"
    assert sh.ok("docker ps -a --format '{{.Names}} {{.Status}}'").startswith("bg Exited (137)")
    c.remove()
    assert [i.tags for i in client.images.list()] == [["busybox:latest"]]
    net = client.networks.create("front")
    vol = client.volumes.create("cache")
    assert "front" in sh.ok("docker network ls")
    assert sh.ok("docker volume ls -q") == "cache\n"
    net.remove()
    vol.remove()
    assert sh.ok("docker volume ls -q") == ""


def test_docker_py_low_level(client, sh):
    low = client.api
    made = low.create_container("busybox", ["sleep", "100"], name="low")
    assert made["Warnings"] == []
    low.start(made["Id"])
    assert low.inspect_container("low")["State"]["Running"] is True
    low.pause("low")
    assert sh.ok("docker ps --format '{{.Status}}'").endswith("(Paused)\n")
    low.unpause("low")
    low.restart("low", timeout=1)
    low.stop("low", timeout=1)
    assert low.wait("low")["StatusCode"] in (137, 143)
    low.remove_container("low")
    import docker as docker_py
    with pytest.raises(docker_py.errors.NotFound) as e:
        low.inspect_container("low")
    assert e.value.explanation == "No such container: low"
    with pytest.raises(docker_py.errors.APIError) as e:
        low.create_container("busybox", name="a b")
    assert e.value.status_code == 400


# --- exec ----------------------------------------------------------------------------

@needs_docker
def test_the_docker_cli_execs_in_a_running_container(api, sh):
    sh.ok("docker run -d --name web busybox sleep 100")
    assert ok(api, "exec", "web", "sh", "-c", "echo in there; echo oops >&2") == \
        "in there\n"
    done = docker(api, "exec", "web", "sh", "-c", "exit 7")
    assert done.returncode == 7
    done = docker(api, "exec", "-i", "web", "sh", "-c", "cat > /note; cat /note",
                  stdin=b"from stdin\n")
    assert (done.returncode, done.stdout) == (0, b"from stdin\n")
    assert sh.ok("docker exec web cat /note") == "from stdin\n"
    # (the engine's exec helper held a copy of stdin's write end: cat never saw EOF)
    done = dockerlings("-c", "docker exec -i web cat", root=str(sh.engine.paths.root),
                       stdin=b"piped\n", timeout=20)
    assert (done.returncode, done.stdout) == (0, b"piped\n")
    assert ok(api, "exec", "-d", "web", "touch", "/made") == ""
    time.sleep(0.3)
    assert sh.run("docker exec web ls /made").code == 0
    done = docker(api, "exec", "web", "nonexistent")
    assert done.returncode == sh.run("docker exec web nonexistent").code == 127
    sh.ok("docker stop -t 0 web")
    done = docker(api, "exec", "web", "true")
    assert done.returncode == 1
    assert done.stderr.decode() == sh.run("docker exec web true").err.splitlines(True)[0]
    sh.ok("docker rm web")


def test_docker_py_exec_run(client):
    c = client.containers.run("busybox", ["sleep", "100"], detach=True, name="ex")
    code, out = c.exec_run(["sh", "-c", "echo $((6*7))"])
    assert (code, out) == (0, b"42\n")
    code, (out, err) = c.exec_run(["sh", "-c", "echo a; echo b >&2; exit 2"], demux=True)
    assert (code, out, err) == (2, b"a\n", b"b\n")
    c.remove(force=True)


# --- events ----------------------------------------------------------------------------

@needs_docker
def test_events_as_the_shell_shows_them(api, sh):
    start = time.time()
    sh.ok("docker run --name once busybox true")
    sh.ok("docker rm once")
    end = time.time() + 0.5
    time.sleep(0.6)
    words = ["--since", f"{start:.3f}", "--until", f"{end:.3f}"]
    theirs = ok(api, "events", *words)
    assert theirs == sh.ok("docker events " + " ".join(words))
    actions = [l.split()[2] for l in theirs.splitlines() if l.split()[1] == "container"]
    assert actions[0] == "create" and actions[-1] == "destroy" and "start" in actions
    fmt = ["--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}", "--filter",
           "event=destroy"]
    assert ok(api, "events", *words, *fmt) == "container destroy once\n"


def test_docker_py_follows_events_as_they_happen(client, sh):
    import threading
    seen = []
    stream = client.events(decode=True, filters={"type": "container", "event": "start"})

    def follow():
        for event in stream:
            seen.append(event)
            return
    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    time.sleep(0.3)
    sh.ok("docker run --name ev busybox true")
    reader.join(10)
    stream.close()
    assert [(e["Type"], e["Action"], e["Actor"]["Attributes"]["name"]) for e in seen] == \
        [("container", "start", "ev")]
    assert seen[0]["status"] == "start" and seen[0]["from"] == "busybox"


# --- a terminal ------------------------------------------------------------------------

def _on_a_terminal(path: str, argv: list[str]):
    """Run the docker CLI on a pty of its own; returns (pid, master fd)."""
    import pty
    pid, master = pty.fork()
    if pid == 0:
        os.environ.update(DOCKER_HOST=f"unix://{path}", DOCKER_CONFIG="/nonexistent")
        os.execv(DOCKER, [DOCKER, *argv])
    return pid, master


def _read_until(fd: int, text: bytes, timeout: float = 15) -> bytes:
    import select
    out, deadline = b"", time.monotonic() + timeout
    while text not in out and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out


@needs_docker
def test_run_ti_on_a_terminal_and_detach_with_ctrl_p_ctrl_q(api, sh):
    pid, master = _on_a_terminal(api, ["run", "-ti", "--name", "term", "busybox", "sh"])
    try:
        os.write(master, b"tty; echo $((40+2))\r")
        seen = _read_until(master, b"42")
        assert b"/dev/pts/0" in seen and b"42" in seen
        os.write(master, b"\x10\x11")                  # ctrl-p ctrl-q: the daemon lets go
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    finally:
        os.close(master)
    assert sh.ok("docker ps --format '{{.Names}} {{.State}}'") == "term running\n"
    pid, master = _on_a_terminal(api, ["attach", "term"])
    try:
        time.sleep(0.5)
        os.write(master, b"exit 5\r")
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 5
    finally:
        os.close(master)
    assert sh.ok("docker ps -a --format '{{.Names}} {{.Status}}'").startswith("term Exited (5)")


def _post(api: str, path: str, doc) -> tuple[int, object]:
    body = json.dumps(doc).encode()
    return status_and_json(raw(api, b"POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                    b"Content-Length: %d"
                                    b"\r\n\r\n%s" % (path.encode(), len(body), body)))


def test_console_size_is_the_first_size_of_the_terminal(api, sh):
    """HostConfig.ConsoleSize (the docker CLI 28 sends its terminal's size with every
    create) and an exec's ConsoleSize: the pty has that size before the command runs,
    with no resize after the start."""
    code, doc = _post(api, "/v1.51/containers/create?name=sized",
                      {"Image": "busybox", "Cmd": ["sh", "-c", "stty size; sleep 100"],
                       "Tty": True, "HostConfig": {"ConsoleSize": [33, 101]}})
    assert code == 201, doc
    assert _post(api, "/v1.51/containers/sized/start", {})[0] == 204
    deadline = time.monotonic() + 10
    while not sh.ok("docker logs sized") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sh.ok("docker logs sized") == "33 101\r\n"
    assert sh.ok("docker inspect -f '{{json .HostConfig.ConsoleSize}}' sized") == "[33,101]\n"
    code, doc = _post(api, "/v1.51/containers/sized/exec",
                      {"Cmd": ["stty", "size"], "Tty": True, "AttachStdout": True,
                       "ConsoleSize": [12, 34]})
    assert code == 201, doc
    body = json.dumps({"Detach": False, "Tty": True}).encode()
    answer = raw(api, b"POST /v1.51/exec/%s/start HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      b"%d\r\n\r\n%s" % (doc["Id"].encode(), len(body), body))
    assert answer.endswith(b"\r\n\r\n12 34\r\n")
    code, doc = _post(api, "/v1.51/containers/create",
                      {"Image": "busybox", "HostConfig": {"ConsoleSize": [-1, 80]}})
    assert (code, doc) == (400, {"message": "json: cannot unmarshal number -1 into Go struct "
                                            "field HostConfig.HostConfig.ConsoleSize of type "
                                            "uint"})
    sh.ok("docker rm -f sized")
    assert sh.ok("docker ps -aq") == ""


# --- top, diff, commit, prune -----------------------------------------------------------

@needs_docker
def test_top_diff_commit_and_prune_through_the_docker_cli(api, sh):
    sh.ok("docker run -d --name web busybox sh -c 'echo hi > /hello.txt; rm /etc/motd; "
          "sleep 100'")
    time.sleep(0.5)
    theirs, ours = ok(api, "top", "web"), sh.ok("docker top web")
    assert theirs.splitlines()[0].split() == ours.splitlines()[0].split()
    assert [l.split()[1] for l in theirs.splitlines()[1:]] == \
        [l.split()[1] for l in ours.splitlines()[1:]]
    assert "sleep 100" in theirs
    assert ok(api, "diff", "web") == sh.ok("docker diff web")
    assert "A /hello.txt" in ok(api, "diff", "web").splitlines()
    image_id = ok(api, "commit", "-c", "CMD cat /hello.txt", "web", "greeting:v1").strip()
    assert image_id.startswith("sha256:")
    assert sh.ok("docker run --rm greeting:v1") == "hi\n"
    sh.ok("docker rm -f web")
    idle = sh.ok("docker create --name idle busybox true").strip()
    assert ok(api, "container", "prune", "-f").splitlines()[:2] == ["Deleted Containers:",
                                                                     idle]
    assert sh.ok("docker ps -aq") == ""
    ok(api, "volume", "create", "spare")
    assert ok(api, "volume", "prune", "-af").splitlines()[:2] == ["Deleted Volumes:", "spare"]
    ok(api, "network", "create", "spare")
    assert ok(api, "network", "prune", "-f") == "Deleted Networks:\nspare\n\n"
    ok(api, "rmi", "greeting:v1")
    assert ok(api, "image", "prune", "-af").startswith("Deleted Images:\n")
    assert sh.ok("docker images -q") == ""


# --- docker cp -------------------------------------------------------------------------

@needs_docker
def test_docker_cp_both_ways_through_the_api(api, sh, tmp_path):
    sh.ok("docker run -d --name box busybox sh -c 'mkdir -p /data/sub; echo one > /data/a; "
          "echo two > /data/sub/b; sleep 100'")
    time.sleep(0.5)
    out = tmp_path / "out"
    done = docker(api, "cp", "box:/data", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "a").read_text() == "one\n" and (out / "sub" / "b").read_text() == "two\n"
    (tmp_path / "up.txt").write_text("up\n")
    done = docker(api, "cp", str(tmp_path / "up.txt"), "box:/data/sub/")
    assert done.returncode == 0, done.stderr
    assert sh.ok("docker exec box cat /data/sub/up.txt") == "up\n"
    done = docker(api, "cp", "box:/nope", str(tmp_path / "x"))
    assert done.returncode == 1
    assert done.stderr.decode() == sh.run(f"docker cp box:/nope {tmp_path}/x").err
    sh.ok("docker rm -f box")


# --- build -----------------------------------------------------------------------------

@needs_docker
def test_docker_build_sends_its_context_and_the_engine_builds_it(api, sh, tmp_path):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "note.txt").write_text("from the context\n")
    (tmp_path / "ctx" / "Dockerfile").write_text(
        "FROM busybox\nCOPY note.txt /note.txt\nRUN echo built >> /note.txt\n"
        'CMD ["cat", "/note.txt"]\n')
    done = docker(api, "build", "-t", "hello:1", str(tmp_path / "ctx"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[-2].startswith("Successfully built ") and lines[-1] == "Successfully tagged hello:1"
    assert sh.ok("docker run --rm hello:1") == "from the context\nbuilt\n"
    assert ok(api, "build", "-q", str(tmp_path / "ctx")).strip() == \
        sh.ok("docker image inspect -f '{{.Id}}' hello:1").strip()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nRUN exit 3\n")
    done = docker(api, "build", str(tmp_path / "ctx"))
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == (
        'ERROR: failed to build: failed to solve: process "/bin/sh -c exit 3" did not '
        "complete successfully: exit code: 3")
    assert os.listdir(sh.engine.paths.tmp) == []          # the context is gone again


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_a_follower_that_hangs_up_is_let_go(api, sh):
    """logs -f and events of a client that went away end, with their threads."""
    pid = int(open(sh.engine.paths.run / "docker.pid").read())
    sh.ok("docker run -d --name talker busybox sleep 100")
    idle = _threads(pid)
    followers = []
    for path in (b"/containers/talker/logs?stdout=1&follow=1", b"/events"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(api)
        s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200 ")
        followers.append(s)
    assert _threads(pid) == idle + 2
    for s in followers:
        s.close()
    deadline = time.monotonic() + 5
    while _threads(pid) > idle and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _threads(pid) == idle
    sh.ok("docker rm -f talker")


# --- a container with the socket ----------------------------------------------------------

@needs_docker
def test_a_container_given_dockers_socket_drives_its_siblings(api, sh):
    """`-v /var/run/docker.sock:/var/run/docker.sock` gives the engine's API socket; the
    docker CLI (a static program, mounted in) lists and starts siblings from inside."""
    sh.ok("docker run -d --name sibling busybox sleep 100")
    inside = (f"docker run --rm -v /var/run/docker.sock:/var/run/docker.sock "
              f"-v {DOCKER}:/usr/bin/docker:ro busybox")
    out = sh.ok(f"{inside} docker ps --format '{{{{.Names}}}} {{{{.Image}}}} {{{{.State}}}}'")
    assert out.splitlines()[1] == "sibling busybox running"     # (the first: itself)
    assert len(out.splitlines()) == 2
    assert sh.ok(f"{inside} docker run --rm busybox echo from a sibling") == \
        "from a sibling\n"
    cid = sh.ok("docker create -v /var/run/docker.sock:/var/run/docker.sock busybox true")
    mounts = json.loads(sh.ok(f"docker inspect -f '{{{{json .Mounts}}}}' {cid.strip()}"))
    assert [(m["Source"], m["Destination"]) for m in mounts] == [(api, "/var/run/docker.sock")]
    sh.ok("docker rm -f sibling")


def test_without_a_server_the_socket_cannot_be_given(sh):
    pull(sh)
    r = sh.run("docker run --rm -v /var/run/docker.sock:/var/run/docker.sock busybox true")
    sock = sh.engine.paths.run / "docker.sock"
    assert r.code == 125
    assert r.err.splitlines()[0] == ("docker: Error response from daemon: invalid mount "
                                     'config for type "bind": bind source path does not '
                                     f"exist: {sock}")
    assert "dockerlings engine serve -d" in r.err
    assert not sock.exists()


# --- many clients at once ---------------------------------------------------------------

def test_many_docker_py_clients_at_once(client, api, sh):
    """8 clients each listing and running containers at the same time: no error, and
    every container they ran is gone again."""
    import concurrent.futures

    import docker as docker_py

    def work(n: int) -> list[bytes]:
        c = docker_py.DockerClient(base_url=f"unix://{api}", version="1.50", timeout=120)
        try:
            outs = []
            for i in range(3):
                c.containers.list(all=True, ignore_removed=True)
                outs.append(c.containers.run("busybox", ["echo", f"{n}-{i}"], remove=True))
            return outs
        finally:
            c.close()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [[f"{n}-{i}\n".encode() for i in range(3)] for n in range(8)]
    deadline = time.monotonic() + 10
    while sh.ok("docker ps -aq") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sh.ok("docker ps -aq") == ""


# --- the foreground server: the conversation on stderr ------------------------------------

def test_the_foreground_server_logs_each_request_and_ends_on_sigterm(sh):
    from tests.conftest import ROOT
    pull(sh)
    root = str(sh.engine.paths.root)
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "shell", "engine", "serve"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    path = str(sh.engine.paths.run / "docker.sock")
    try:
        assert server.stdout.readline().decode() == \
            f"The Engine API is listening on unix://{path}\n"
        assert server.stdout.readline().decode() == f"export DOCKER_HOST=unix://{path}\n"
        answer = raw(path, b"POST /v1.47/containers/create?name=web HTTP/1.1\r\n"
                           b"Content-Length: 40\r\n\r\n"
                           b'{"Image": "busybox", "Cmd": ["true"]}   ')
        assert status_and_json(answer)[0] == 201
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=10)
    assert server.returncode == 0
    assert err.decode().splitlines() == ["POST /v1.47/containers/create?name=web -> 201"]
    assert not os.path.exists(path)
    assert not os.path.exists(sh.engine.paths.run / "docker.pid")
    sh.ok("docker rm web")


# --- save and load -----------------------------------------------------------------------

@needs_docker
def test_docker_save_and_load_through_the_api(api, sh, tmp_path):
    archive = str(tmp_path / "bb.tar")
    ok(api, "tag", "busybox", "mine:1")
    assert ok(api, "save", "-o", archive, "mine:1") == ""
    sh.ok("docker rmi mine:1")
    done = docker(api, "load", "-i", archive)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "Loaded image: mine:1\n"
    assert "mine:1" in sh.ok("docker images --format '{{.Repository}}:{{.Tag}}'").split()
    done = docker(api, "save", "-o", str(tmp_path / "no.tar"), "nope")
    assert done.returncode == 1
    assert done.stderr.decode() == sh.run(f"docker save -o {tmp_path}/no2.tar nope").err


@needs_docker
def test_system_df_through_the_api(api, sh):
    sh.ok("docker run --name keep busybox sh -c 'echo data > /file'")
    ok(api, "volume", "create", "vol")
    assert ok(api, "system", "df") == sh.ok("docker system df")
    sh.ok("docker rm keep")
