"""docker system prune: every kind of unused object, in the docker CLI's order and words."""
from __future__ import annotations

from tests.integration.cli_helpers import inspect

WARNING = ("WARNING! This will remove:\n"
           "  - all stopped containers\n"
           "  - all networks not used by at least one container\n"
           "  - all dangling images\n"
           "  - unused build cache\n\n"
           "Are you sure you want to continue? [y/N] ")


def test_prune_asks_then_removes_only_what_is_unused(sh, tmp_path):
    sh.ok("docker network create unused")
    sh.ok("docker network create used")
    sh.ok("docker run -d --name keeper --network used busybox sleep 60")
    sh.ok("docker run --name done busybox true")
    done = inspect(sh, "done", "{{.Id}}")
    sh.ok("docker run -v /scratch --name anon busybox true")
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM busybox\nRUN echo hi > /f\n")
    sh.ok(f"docker build -q -t built {tmp_path / 'ctx'}")
    sh.ok("docker rmi built")                 # its layer stays, pinned by the build cache

    no = sh.run("docker system prune", stdin=b"n\n")
    assert (no.code, no.out) == (0, WARNING)
    assert "done" in sh.ok("docker ps -a --format '{{.Names}}'")

    out = sh.ok("docker system prune -f")
    assert out.startswith("Deleted Containers:\n")
    assert done in out.split("\n\n")[0].splitlines()
    assert "\n\nDeleted Networks:\nunused\n\n" in out
    assert "Deleted build cache objects:\n" in out
    assert out.rstrip("\n").splitlines()[-1].startswith("Total reclaimed space: ")
    assert "Deleted Images:" not in out        # busybox is used by keeper; nothing dangles
    assert sh.ok("docker ps -a --format '{{.Names}}'") == "keeper\n"
    assert sorted(sh.ok("docker network ls --format '{{.Name}}'").split()) == \
        ["bridge", "host", "none", "used"]
    assert len(sh.ok("docker volume ls -q").split()) == 1     # volumes kept without --volumes
    df = sh.ok("docker system df --format '{{.Type}} {{.TotalCount}}'")
    assert "Build Cache 0" in df


def test_prune_all_with_volumes(sh):
    sh.ok("docker run -v /scratch busybox true")
    out = sh.ok("docker system prune -a --volumes -f")
    sections = [block.splitlines()[0] for block in out.split("\n\n") if block]
    assert sections[:3] == ["Deleted Containers:", "Deleted Volumes:", "Deleted Images:"]
    assert "untagged: busybox:latest" in out
    assert sh.ok("docker volume ls -q") == "" and sh.ok("docker images -q") == ""
