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
