"""A container given the engine's API socket drives its siblings with curl, as Docker's
Engine API documentation teaches it: curlimages/curl is made offline from the host's
curl (engine/images/offline.py)."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.integration.test_api import api  # noqa: F401  (the fixture: a served engine)

pytestmark = pytest.mark.skipif(shutil.which("curl") is None,
                                reason="curl is not installed (.ci/setup installs it)")

CURL = "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock curlimages/curl"
SOCK = "--unix-socket /var/run/docker.sock"


def test_curl_in_a_container_lists_its_siblings(api, sh):  # noqa: F811
    sh.ok("docker run -d --name sibling busybox sleep 100")
    out = sh.ok(f"{CURL} -s {SOCK} http://localhost/v1.47/containers/json")
    listed = {c["Names"][0]: c for c in json.loads(out)}
    assert listed["/sibling"]["Image"] == "busybox"
    assert listed["/sibling"]["State"] == "running"
    assert len(listed) == 2                     # the sibling and the curl container itself
    sh.ok("docker rm -f sibling")


def test_curl_in_a_container_creates_and_starts_a_sibling(api, sh):  # noqa: F811
    body = json.dumps({"Image": "busybox", "Cmd": ["sleep", "100"]})
    out = sh.ok(f"{CURL} -s {SOCK} -H 'Content-Type: application/json' -d '{body}' "
                f"http://localhost/v1.47/containers/create?name=made-inside")
    cid = json.loads(out)["Id"]
    out = sh.ok(f"{CURL} -s -o /dev/null -w '%{{http_code}}' -X POST {SOCK} "
                f"http://localhost/v1.47/containers/made-inside/start")
    assert out == "204"
    assert sh.ok("docker inspect -f '{{.State.Running}} {{.Id}}' made-inside") == \
        f"true {cid}\n"
    sh.ok("docker rm -f made-inside")


def test_the_image_looks_like_its_namesake(sh):
    sh.ok("docker pull curlimages/curl")
    config = json.loads(sh.ok("docker inspect -f '{{json .Config}}' curlimages/curl"))
    assert config["Entrypoint"] == ["curl"]
    r = sh.run("docker run --rm curlimages/curl")        # curl without a URL: its own words
    assert r.code == 2 and "curl: try 'curl --help'" in r.err
