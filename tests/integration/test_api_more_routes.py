"""The Engine API routes the docker CLI 28 needs beyond the course's first commands
(diff, builder and system prune, update, export, stats, import): the real docker CLI
through `dockerlings engine serve` shows what `dockerlings -c 'docker ...'` shows."""
from __future__ import annotations

import io
import json
import tarfile

from tests.integration.test_api import api, docker, needs_docker, ok  # noqa: F401


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
