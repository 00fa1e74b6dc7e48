"""The Engine API routes the docker CLI 28 needs beyond the course's first commands
(diff, builder and system prune, update, export, stats, import): the real docker CLI
through `dockerlings engine serve` shows what `dockerlings -c 'docker ...'` shows."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import tarfile
import time

from tests.integration.test_api import (api, docker, needs_docker, ok,  # noqa: F401
                                        raw, status_and_json)


@needs_docker
def test_docker_diff_of_a_container_with_no_changes(api, sh):
    sh.ok("docker create --name idle busybox true")
    done = docker(api, "diff", "idle")
    assert (done.returncode, done.stderr.decode()) == (0, "")
    assert done.stdout.decode() == sh.ok("docker diff idle") == ""
    done = docker(api, "diff", "nope")
    assert done.returncode == 1
    assert done.stderr.decode() == "Error response from daemon: No such container: nope\n"


def _build_cache(sh, tmp_path) -> None:
    """A build whose image is gone: its layer is kept by the build cache alone."""
    (tmp_path / "ctx").mkdir(exist_ok=True)
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /f\n")
    sh.ok(f"docker build -q -t built {tmp_path / 'ctx'}")
    sh.ok("docker rmi built")
    assert "Build Cache 0" not in sh.ok("docker system df --format '{{.Type}} {{.TotalCount}}'")


@needs_docker
def test_docker_builder_prune_through_the_api(api, sh, tmp_path):
    _build_cache(sh, tmp_path)
    done = docker(api, "builder", "prune", "-f")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode().splitlines()
    assert out[0] == "Deleted build cache objects:"
    assert out[-1].startswith("Total reclaimed space: ") and out[-1] != \
        "Total reclaimed space: 0B"
    assert "Build Cache 0" in sh.ok("docker system df --format '{{.Type}} {{.TotalCount}}'")
    assert ok(api, "builder", "prune", "-f") == "Total reclaimed space: 0B\n"


@needs_docker
def test_docker_system_prune_through_the_api_as_in_process(api, sh, tmp_path):
    _build_cache(sh, tmp_path)
    sh.ok("docker network create unused")
    sh.ok("docker run --name done busybox true")
    theirs = docker(api, "system", "prune", "-f")
    assert theirs.returncode == 0, theirs.stderr
    sections = [block.splitlines()[0] for block in theirs.stdout.decode().split("\n\n")]
    assert sections[:3] == ["Deleted Containers:", "Deleted Networks:",
                            "Deleted build cache objects:"]
    assert sh.ok("docker ps -aq") == ""
    assert "Build Cache 0" in sh.ok("docker system df --format '{{.Type}} {{.TotalCount}}'")
    # a second time nothing is left, through either door alike
    assert ok(api, "system", "prune", "-f") == sh.ok("docker system prune -f") == \
        "Total reclaimed space: 0B\n"


def _docker_env(path: str) -> dict:
    return dict(os.environ, DOCKER_HOST=f"unix://{path}", DOCKER_CONFIG="/nonexistent")


def _docker_argv(path: str) -> list[str]:
    from tests.integration.test_api import DOCKER
    return [DOCKER]


def _host(sh, name: str) -> dict:
    return json.loads(sh.ok(f"docker inspect {name}"))[0]["HostConfig"]


@needs_docker
def test_docker_update_through_the_api_as_in_process(api, sh):
    sh.ok("docker run -d --name one busybox sleep 100")
    sh.ok("docker run -d --name two busybox sleep 100")
    flags = "--memory 64m --memory-swap 128m --cpus 0.5 --pids-limit 50 --restart on-failure:3"
    assert ok(api, "update", *flags.split(), "one") == "one\n"
    assert sh.ok(f"docker update {flags} two") == "two\n"
    theirs, ours = _host(sh, "one"), _host(sh, "two")
    assert (theirs["Memory"], theirs["NanoCpus"], theirs["PidsLimit"]) == \
        (64 << 20, 500_000_000, 50)
    assert theirs["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert theirs == ours
    # the kernel's limit on the running container: the same cgroup file the command's
    from tests.integration.test_update import _limit_file, _read
    cid = sh.ok("docker inspect -f '{{.Id}}' one").strip()
    assert _read(_limit_file(sh.engine, cid, "memory", "memory.limit_in_bytes",
                             "memory.max")) == str(64 << 20)
    # the daemon's words for mistakes, as the command line gives them
    for args in ("--cpu-period 100000 one", "--restart bogus one", "--memory 8m nope"):
        theirs = docker(api, "update", *args.split())
        ours = sh.run(f"docker update {args}")
        words = "".join(l for l in ours.err.splitlines(True) if not l.startswith("hint:"))
        assert (theirs.returncode, theirs.stderr.decode()) == (ours.code, words), args
    assert theirs.stderr.decode() == "Error response from daemon: No such container: nope\n"


def test_an_update_body_that_does_not_fit_is_a_400(api, sh):
    sh.ok("docker create --name one busybox true")
    for body, words in ((b'{"Memory": "lots"}', "UpdateConfig.Memory of type int64"),
                        (b'{"RestartPolicy": {"Name": "bogus"}}', "unknown policy 'bogus'"),
                        (b'[1]', "the body must be an object")):
        code, doc = status_and_json(raw(api, b"POST /v1.51/containers/one/update HTTP/1.1\r\n"
                                              b"Host: x\r\nContent-Type: application/json\r\n"
                                              b"Content-Length: %d\r\n\r\n%s"
                                              % (len(body), body)))
        assert code == 400 and words in doc["message"], (body, doc)
    assert json.loads(sh.ok("docker inspect one"))[0]["HostConfig"]["Memory"] == 0


def _members(data: bytes) -> list[tuple[str, int, int]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return sorted((m.name, m.type[0], m.size) for m in tar.getmembers())


@needs_docker
def test_docker_export_through_the_api_as_in_process(api, sh, tmp_path):
    sh.ok("docker run --name done busybox sh -c 'echo hi > /hello.txt; rm /bin/ls'")
    sh.ok("docker run -d --name up busybox sh -c 'echo there > /up.txt; sleep 100'")
    for name in ("done", "up"):
        done = docker(api, "export", name)
        assert (done.returncode, done.stderr) == (0, b""), done.stderr
        sh.ok(f"docker export -o {tmp_path}/{name}.tar {name}")
        ours = (tmp_path / f"{name}.tar").read_bytes()
        assert _members(done.stdout) == _members(ours)
    names = [m[0] for m in _members(done.stdout)]
    assert "up.txt" in names and "bin/ls" in names
    assert "bin/ls" not in [m[0] for m in _members((tmp_path / "done.tar").read_bytes())]
    done = docker(api, "export", "-o", str(tmp_path / "no.tar"), "nope")
    assert (done.returncode, done.stderr.decode()) == \
        (1, "Error response from daemon: No such container: nope\n")


_STABLE = "{{.ID}} {{.Name}} {{.MemUsage}} {{.PIDs}}"


def _stable(row: str) -> list[str]:
    """A stats row without what moves between two readings (CPU, memory used, I/O)."""
    cid, name, _used, _slash, limit, pids = row.split()
    return [cid, name, limit, pids]


@needs_docker
def test_docker_stats_no_stream_through_the_api_as_in_process(api, sh):
    sh.ok("docker run -d --name one -m 64m busybox sleep 100")
    sh.ok("docker create --name idle busybox true")
    theirs = ok(api, "stats", "--no-stream", "--format", _STABLE)
    ours = sh.ok(f"docker stats --no-stream --format '{_STABLE}'")
    assert [_stable(r) for r in theirs.splitlines()] == \
        [_stable(r) for r in ours.splitlines()]
    assert _stable(theirs.splitlines()[0])[1:] == ["one", "64MiB", "1"]
    table = ok(api, "stats", "--no-stream", "-a").splitlines()
    assert table[0].split() == sh.ok("docker stats --no-stream -a").splitlines()[0].split()
    idle = [r for r in table if " idle " in r][0]
    assert idle.split()[2:] == ["0.00%", "0B", "/", "0B", "0.00%", "0B", "/", "0B", "0B",
                                "/", "0B", "0"]
    busy = ok(api, "exec", "-d", "one", "sh", "-c", "while :; do :; done")
    assert busy == ""
    time.sleep(0.5)
    cpu = ok(api, "stats", "--no-stream", "--format", "{{.CPUPerc}}", "one").strip()
    assert float(cpu.rstrip("%")) > 10, cpu           # the kernel's count, measured
    done = docker(api, "stats", "--no-stream", "nope")
    assert (done.returncode, done.stderr.decode()) == \
        (1, "Error response from daemon: No such container: nope\n")


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


@needs_docker
def test_docker_stats_streams_and_its_client_is_let_go(api, sh):
    sh.ok("docker run -d --name one busybox sleep 100")
    pid = int(open(sh.engine.paths.run / "docker.pid").read())
    idle = _threads(pid)
    watch = subprocess.Popen([*_docker_argv(api), "stats", "--format", "{{.Name}} {{.PIDs}}",
                              "one"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=_docker_env(api))
    time.sleep(3)
    watch.kill()                # (the CLI keeps on after SIGTERM; its stream ends with it)
    out, err = watch.communicate(timeout=10)
    assert err == b""
    assert out.decode().count("one 1") >= 2, out          # a frame for each reading
    _settles(pid, idle)                                    # its stream ended with it
    # the API's own stream: a document a second, each against the one before
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(api)
    s.sendall(b"GET /v1.51/containers/one/stats HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while data.count(b'"preread"') < 2 or not data.endswith(b"\r\n"):
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"Transfer-Encoding: chunked" in head
    docs = [json.loads(line) for line in body.split(b"\r\n") if line.startswith(b"{")]
    assert len(docs) >= 2, body[:3000]
    first, second = docs[:2]
    assert first["precpu_stats"]["cpu_usage"]["total_usage"] == 0
    assert second["precpu_stats"] == first["cpu_stats"]
    assert second["preread"] == first["read"] and second["pids_stats"] == {"current": 1}
    assert _threads(pid) == idle + 1
    s.close()
    _settles(pid, idle)


def _settles(pid: int, idle: int) -> None:
    """The server's threads come back to `idle` once a streaming client hangs up (the
    stream notices it at its next reading, a second at most)."""
    deadline = time.monotonic() + 5
    while _threads(pid) > idle and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _threads(pid) == idle


@needs_docker
def test_docker_import_through_the_api_as_in_process(api, sh, tmp_path):
    import gzip
    sh.ok("docker run --name src busybox sh -c 'echo imported > /note'")
    fs = tmp_path / "fs.tar"
    sh.ok(f"docker export -o {fs} src")
    change, message = 'CMD ["cat", "/note"]', "from a tar"
    theirs = ok(api, "import", "-c", change, "-m", message, str(fs), "theirs:v1")
    ours = sh.ok(f"docker import -c '{change}' -m '{message}' {fs} ours:v1")
    assert theirs.startswith("sha256:") and len(theirs) == len(ours) == 72
    # the same image but for the time it was made (in its config, so in its ID)
    fmt = "{{.RootFS.Layers}} {{.Comment}} {{json .Config.Cmd}} {{.Architecture}}"
    assert ok(api, "image", "inspect", "-f", fmt, "theirs:v1") == \
        sh.ok(f"docker image inspect -f '{fmt}' ours:v1")
    assert sh.ok("docker image inspect -f '{{.Id}}' theirs:v1") == theirs
    assert sh.ok("docker run --rm theirs:v1") == "imported\n"
    piped = docker(api, "import", "-", "piped", stdin=gzip.compress(fs.read_bytes()))
    assert piped.returncode == 0, piped.stderr
    assert sh.ok("docker image inspect -f '{{.Comment}}' piped") == "Imported from -\n"
    # the daemon's words for a body that is no archive, and nothing kept of it
    images = sh.ok("docker images -q --no-trunc")
    theirs = docker(api, "import", "-", "bad", stdin=b"not a tar at all" * 64)
    ours = sh.run("docker import - bad", stdin=b"not a tar at all" * 64)
    assert (theirs.returncode, theirs.stderr.decode()) == (ours.code, ours.err)
    theirs = docker(api, "import", "http://example.invalid/fs.tar")
    ours = sh.run("docker import http://example.invalid/fs.tar")
    assert (theirs.returncode, theirs.stderr.decode()) == (ours.code, ours.err)
    assert "works offline" in ours.err
    assert sh.ok("docker images -q --no-trunc") == images
