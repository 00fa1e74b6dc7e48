"""The Engine API routes the docker CLI 28 needs beyond the course's first commands
(diff, builder and system prune, update, export, stats, import): the real docker CLI
through `dockerlings engine serve` shows what `dockerlings -c 'docker ...'` shows."""
from __future__ import annotations

import io
import json
import tarfile

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
