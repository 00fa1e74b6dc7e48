"""Registries through the Engine API: the real docker CLI pushes (POST /images/NAME/push,
with X-Registry-Auth and the JSON progress stream), logs in (POST /auth), pulls and
searches (GET /images/search), all through the engine functions `dockerlings -c 'docker
push|login|search ...'` uses. The registries are on 127.0.0.1 (tests/integration/
test_registries.py's): nothing leaves the machine."""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.integration.cli_helpers import inspect
from tests.integration.test_api import DOCKER, api, needs_docker  # noqa: F401 (fixture)
from tests.integration.test_registries import (REGISTRY, Flaky, RealRegistry,  # noqa: F401
                                               registry, serving)


def docker(path: str, *args: str, config: str = "/nonexistent", stdin: bytes | None = None
           ) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST=f"unix://{path}", DOCKER_CONFIG=config)
    return subprocess.run([DOCKER, *args], capture_output=True, env=env, timeout=120,
                          input=stdin)


@needs_docker
def test_the_docker_cli_pushes_and_pulls_through_the_api(api, sh, other, registry):
    ref = f"{registry.host}/team/app:v1"
    sh.ok("docker run --name mk busybox sh -c 'echo pushed > /p'")
    sh.ok(f"docker commit mk {ref}")
    image_id = inspect(sh, ref, "{{.Id}}")
    done = docker(api, "push", ref)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0] == f"The push refers to repository [{registry.host}/team/app]"
    assert sum(l.endswith(": Pushed") for l in lines) == 2
    assert not any("[=" in l for l in lines)        # the bars are for terminals only
    m = re.fullmatch(r"v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)", lines[-1])
    assert m, lines
    # the in-process door pushes the same way: everything is there already
    again = sh.ok(f"docker push {ref}").splitlines()
    assert sum(l.endswith(": Layer already exists") for l in again) == 2
    assert again[-1] == lines[-1]
    assert inspect(sh, ref, "{{json .RepoDigests}}") == \
        json.dumps([f"{registry.host}/team/app@{m.group(1)}"]).replace(" ", "")
    # pulled back on another engine, and through the API after removing it here
    other.ok(f"docker pull {ref}")
    assert inspect(other, ref, "{{.Id}}") == image_id
    assert docker(api, "rmi", ref).returncode == 0
    pulled = docker(api, "pull", ref)
    assert pulled.returncode == 0, pulled.stderr
    assert f"Digest: {m.group(1)}" in pulled.stdout.decode()
    assert inspect(sh, ref, "{{.Id}}") == image_id
    assert sh.ok(f"docker run --rm {ref} cat /p") == "pushed\n"
    sh.ok("docker rm mk")


@needs_docker
def test_push_all_tags_and_the_daemons_words_for_mistakes(api, sh, registry):
    for tag in ("v1", "v2"):
        sh.ok(f"docker tag busybox {registry.host}/many:{tag}")
    done = docker(api, "push", "--all-tags", f"{registry.host}/many")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert re.search(r"^v1: digest: sha256:[0-9a-f]{64} size: \d+$", out, re.M)
    assert re.search(r"^v2: digest: sha256:[0-9a-f]{64} size: \d+$", out, re.M)
    for tag in ("v1", "v2"):
        sh.ok(f"docker rmi {registry.host}/many:{tag}")
    done = docker(api, "pull", "--all-tags", f"{registry.host}/many")   # tag=: every tag
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[-1] == f"{registry.host}/many"
    assert sorted(sh.ok("docker images --format '{{.Tag}}' " f"{registry.host}/many")
                  .split()) == ["v1", "v2"]
    done = docker(api, "push", f"{registry.host}/nope:v1")
    assert done.returncode == 1
    assert done.stderr.decode() == sh.run(f"docker push {registry.host}/nope:v1").err
    sh.ok("docker tag busybox 127.0.0.1:1/closed:v1")        # nothing listens there
    done = docker(api, "push", "127.0.0.1:1/closed:v1")
    assert done.returncode == 1
    assert "connection refused" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


def test_the_push_stream_is_the_daemons(api, sh, registry):
    """The JSON messages as moby sends them: status lines, each layer's by id with its
    progressDetail, and the aux message with the tag, digest and size at the end."""
    import http.client
    import socket

    class Unix(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect(api)
    sh.ok(f"docker tag busybox {registry.host}/stream:v1")
    conn = Unix("localhost")
    conn.request("POST", f"/v1.51/images/{registry.host}/stream/push?tag=v1",
                 headers={"X-Registry-Auth": "e30="})        # base64url("{}"): anonymous
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type") == "application/json"
    docs = [json.loads(l) for l in resp.read().decode().splitlines()]
    conn.close()
    assert docs[0] == {"status": f"The push refers to repository [{registry.host}/stream]"}
    layer = [d for d in docs if d.get("id") and d.get("status") == "Pushed"]
    assert len(layer) == 1 and layer[0]["progressDetail"] == {}
    pushing = [d for d in docs if d.get("status") == "Pushing" and d["progressDetail"]]
    assert pushing and pushing[-1]["progressDetail"]["current"] == \
        pushing[-1]["progressDetail"]["total"]
    aux = docs[-1]["aux"]
    assert set(aux) == {"Tag", "Digest", "Size"} and aux["Tag"] == "v1"
    assert docs[-2] == {"status": f"v1: digest: {aux['Digest']} size: {aux['Size']}"}


@needs_docker
def test_docker_login_then_push_with_its_auth(api, sh, tmp_path):
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    reg = RealRegistry(auth=("learner", "s3cret"))
    config = str(tmp_path / "dockercfg")
    try:
        sh.ok(f"docker tag busybox {reg.host}/mine:v1")
        done = docker(api, "push", f"{reg.host}/mine:v1", config=config)
        assert done.returncode == 1
        assert done.stderr.decode().splitlines()[-1] == "no basic auth credentials"
        done = docker(api, "login", "-u", "learner", "--password-stdin", reg.host,
                      config=config, stdin=b"wrong\n")
        assert done.returncode == 1
        assert done.stderr.decode().splitlines()[-1] == (
            f"Error response from daemon: login attempt to http://{reg.host}/v2/ failed "
            "with status: 401 Unauthorized")
        done = docker(api, "login", "-u", "learner", "--password-stdin", reg.host,
                      config=config, stdin=b"s3cret\n")
        assert (done.returncode, done.stdout) == (0, b"Login Succeeded\n"), done.stderr
        done = docker(api, "push", f"{reg.host}/mine:v1", config=config)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().splitlines()[-1].startswith("v1: digest: sha256:")
        assert docker(api, "rmi", f"{reg.host}/mine:v1").returncode == 0
        done = docker(api, "pull", f"{reg.host}/mine:v1", config=config)
        assert done.returncode == 0, done.stderr
        done = docker(api, "pull", f"{reg.host}/mine:v1")       # and no login, no pull
        assert done.returncode == 1
    finally:
        reg.stop()


@pytest.fixture
def flaky(sh):
    Flaky.mode = "ok"
    with serving(sh, Flaky) as served:
        yield served


@needs_docker
def test_docker_search_through_the_api(api, sh, flaky):
    host, _ = flaky
    for words in ([f"{host}/app"], ["--limit", "2", f"{host}/app"],
                  ["-f", "stars=20", "--format", "{{.Name}}", f"{host}/app"],
                  ["-f", "is-official=true", f"{host}/app"], ["--no-trunc", f"{host}/app"]):
        done = docker(api, "search", *words)
        assert done.returncode == 0, done.stderr
        line = "docker search " + " ".join(f"'{w}'" for w in words)
        assert done.stdout.decode() == sh.ok(line), words
    assert len(docker(api, "search", f"{host}/app").stdout.decode().splitlines()) == 5
    for words in (["-f", "nosuch=1"], ["-f", "stars=x"], ["-f", "is-official=maybe"],
                  ["--limit", "101"]):
        done = docker(api, "search", *words, f"{host}/app")
        assert done.returncode == 1
        line = "docker search " + " ".join(f"'{w}'" for w in words) + f" {host}/app"
        assert done.stderr.decode() == sh.run(line).err, words
