"""Words that must be Docker's own (issue 14, part 3): what `id` shows for a user, the
order of a map's keys in JSON, and the runtime's words for a start that failed."""
from __future__ import annotations

import json

from tests.integration.cli_helpers import pull


def test_a_user_has_its_primary_group_among_its_groups(sh):
    pull(sh)
    assert sh.ok("docker run --rm -u nobody busybox id") == \
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n"
    assert sh.ok("docker run --rm busybox id") == \
        "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n"
    assert sh.ok("docker run --rm -u 1234 busybox id") == "uid=1234 gid=0(root) groups=0(root)\n"


def test_exec_as_a_user_has_the_same_groups(sh):
    pull(sh)
    sh.ok("docker run -d --name box busybox sleep 30")
    assert sh.ok("docker exec -u nobody box id") == \
        "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n"


def test_json_sorts_a_maps_keys_as_go_does(sh):
    pull(sh)
    sh.ok("docker network create appnet")
    sh.ok("docker create --name lab -l zeta=1 -l alpha=2 -l mid=3 busybox")
    labels = sh.ok("docker inspect --format '{{json .Config.Labels}}' lab")
    assert list(json.loads(labels)) == sorted(json.loads(labels))
    doc = json.loads(sh.ok("docker inspect lab"))[0]
    assert list(doc["Config"]["Labels"]) == sorted(doc["Config"]["Labels"])
    # a struct keeps its field order: Hostname comes first, not alphabetically
    assert list(doc["Config"])[:2] == ["Hostname", "Domainname"]
    ids = []
    for name in ("zz", "aa", "mm"):
        ids.append(sh.ok(f"docker run -d --name {name} --network appnet busybox sleep 30")
                   .strip())
    containers = json.loads(sh.ok("docker network inspect --format '{{json .Containers}}' "
                                  "appnet"))
    assert list(containers) == sorted(ids)


def test_a_failed_start_says_what_runc_says(sh):
    pull(sh)
    r = sh.run("docker run busybox nosuchcommand")
    assert r.code == 127
    assert r.err.splitlines()[0] == (
        "docker: Error response from daemon: failed to create task for container: failed to "
        "create shim task: OCI runtime create failed: runc create failed: unable to start "
        "container process: error during container init: exec: \"nosuchcommand\": executable "
        "file not found in $PATH: unknown")
