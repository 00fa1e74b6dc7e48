"""Registries for real: Debian's docker-registry started on 127.0.0.1 (a random port, a
temporary storage folder), plain and with htpasswd basic auth; a small token service of
the tests' own for the Bearer flow; the course's `registry:2` flow inside dockerlings;
skopeo on the other side where it is installed."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from engine.system.fsck import check
from engine.images.hello import go_arch
from tests.integration.cli_helpers import free_port, inspect, pull, wait_until

REGISTRY = shutil.which("docker-registry")
needs_registry = pytest.mark.skipif(REGISTRY is None, reason="docker-registry is not "
                                    "installed (.ci/setup installs it)")


def _bcrypt(password: str) -> str:
    """An htpasswd bcrypt hash (the registry takes no other kind), from the C library's
    crypt (libxcrypt) through Python's crypt module while it lasts (gone in 3.13)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt
        except ImportError:
            pytest.skip("no crypt module in this Python to make an htpasswd bcrypt hash")
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))



class RealRegistry:
    def __init__(self, auth: tuple[str, str] | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix="dlreg-", dir="/tmp"))
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        config = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:",
                  f"    rootdirectory: {self.dir}/data", "  delete:", "    enabled: true",
                  "http:", f"  addr: 127.0.0.1:{self.port}"]
        if auth:
            user, password = auth
            hashed = _bcrypt(password)
            (self.dir / "htpasswd").write_text(f"{user}:{hashed}\n")
            config += ["auth:", "  htpasswd:", "    realm: test", f"    path: {self.dir}/htpasswd"]
        (self.dir / "config.yml").write_text("\n".join(config) + "\n")
        self.proc = subprocess.Popen([REGISTRY, "serve", str(self.dir / "config.yml")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._up, timeout=10, what="the registry to listen")

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def blobs(self) -> Path:
        return self.dir / "data" / "docker" / "registry" / "v2" / "blobs" / "sha256"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def registry():
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    r = RealRegistry()
    try:
        yield r
    finally:
        r.stop()


def test_push_then_pull_on_another_engine(sh, other, registry):
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'echo pushed > /p'")
    sh.ok(f"docker commit mk {registry.host}/team/app:v1")
    image_id = inspect(sh, f"{registry.host}/team/app:v1", "{{.Id}}")
    out = sh.ok(f"docker push {registry.host}/team/app:v1")
    lines = out.splitlines()
    assert lines[0] == f"The push refers to repository [{registry.host}/team/app]"
    assert sum(l.endswith(": Pushed") for l in lines) == 2
    assert lines[-1].startswith("v1: digest: sha256:") and " size: " in lines[-1]
    digest = lines[-1].split()[2]
    again = sh.ok(f"docker push {registry.host}/team/app:v1").splitlines()
    assert sum(l.endswith(": Layer already exists") for l in again) == 2
    sh.ok(f"docker tag busybox {registry.host}/team/other:v1")
    mounted = sh.ok(f"docker push {registry.host}/team/other:v1")
    assert "Mounted from team/app" in mounted or "Layer already exists" in mounted
    out = other.ok(f"docker pull {registry.host}/team/app:v1")
    assert "v1: Pulling from team/app" in out and f"Digest: {digest}" in out
    assert f"Status: Downloaded newer image for {registry.host}/team/app:v1" in out
    assert inspect(other, f"{registry.host}/team/app:v1", "{{.Id}}") == image_id
    assert other.ok(f"docker run --rm {registry.host}/team/app:v1 cat /p") == "pushed\n"
    assert inspect(other, f"{registry.host}/team/app:v1", "{{json .RepoDigests}}") == \
        json.dumps([f"{registry.host}/team/app@{digest}"]).replace(" ", "")
    again = other.ok(f"docker pull {registry.host}/team/app:v1")
    assert f"Status: Image is up to date for {registry.host}/team/app:v1" in again
    other.ok(f"docker rmi {registry.host}/team/app:v1")
    by_digest = other.ok(f"docker pull {registry.host}/team/app@{digest}")
    assert "Already exists" in by_digest or "Pull complete" in by_digest
    assert digest in other.ok("docker images --digests")
    assert check(other.engine).ok
    sh.ok("docker rm mk")


def test_registry_errors_in_dockers_words(sh, registry):
    r = sh.run(f"docker pull {registry.host}/nothing:here")
    assert r.code == 1
    assert (f"manifest for {registry.host}/nothing:here not found: manifest unknown: "
            "manifest unknown") in r.err
    r = sh.run(f"docker push {registry.host}/not-local:v1")
    assert r.code == 1 and "An image does not exist locally with the tag" in r.err
    port = free_port()
    r = sh.run(f"docker pull 127.0.0.1:{port}/x")
    assert r.code == 1 and "connection refused" in r.err and "Traceback" not in r.err


def test_a_corrupt_blob_is_refused_and_nothing_half_stored(sh, other, registry):
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'head -c 300000 /dev/urandom > /r'")
    sh.ok(f"docker commit mk {registry.host}/c:v1")
    sh.ok(f"docker push {registry.host}/c:v1")
    sh.ok("docker rm mk")
    before = sorted(os.listdir(other.engine.paths.blobs))
    big = max(registry.blobs().rglob("data"), key=lambda p: p.stat().st_size)
    data = bytearray(big.read_bytes())
    data[len(data) // 2] ^= 0xFF
    big.write_bytes(bytes(data))
    r = other.run(f"docker pull {registry.host}/c:v1")
    assert r.code == 1 and "verification failed" in r.err and "Traceback" not in r.err
    assert sorted(os.listdir(other.engine.paths.blobs)) == before
    assert other.engine.images.find(f"{registry.host}/c:v1") is None
    assert check(other.engine).ok


def test_login_push_logout_with_basic_auth(sh, tmp_path):
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    reg = RealRegistry(auth=("learner", "s3cret"))
    config = tmp_path / "dockercfg"
    env = {"DOCKER_CONFIG": str(config)}
    try:
        pull(sh)
        sh.ok(f"docker tag busybox {reg.host}/mine:v1")
        r = sh.run(f"docker push {reg.host}/mine:v1", environ=env)
        assert r.code == 1 and "hint:" in r.err and "docker login" in r.err
        r = sh.run(f"docker login -u learner -p wrong {reg.host}", environ=env)
        assert r.code == 1 and "401 Unauthorized" in r.err
        r = sh.run(f"docker login -u learner --password-stdin {reg.host}", stdin=b"s3cret\n",
                   environ=env)
        assert (r.code, r.out) == (0, "Login Succeeded\n"), r.err
        assert "stored unencrypted" in r.err
        doc = json.loads((config / "config.json").read_text())
        assert base64.b64decode(doc["auths"][reg.host]["auth"]) == b"learner:s3cret"
        assert (config / "config.json").stat().st_mode & 0o777 == 0o600
        r = sh.run(f"docker push {reg.host}/mine:v1", environ=env)
        assert r.code == 0, r.err
        r = sh.run(f"docker logout {reg.host}", environ=env)
        assert r.out == f"Removing login credentials for {reg.host}\n"
        assert reg.host not in json.loads((config / "config.json").read_text())["auths"]
        r = sh.run("docker login -p x", environ=env)
        assert r.code == 1
        r = sh.run("docker login --password-stdin", environ=env)
        assert (r.code, r.err.splitlines()[-1]) == (1, "the --password-stdin option requires "
                                                       "--username to be set")
    finally:
        reg.stop()


class FakeRegistry(http.server.BaseHTTPRequestHandler):
    """The little a registry of the tests' own needs: one image (busybox's manifest and
    blobs, set by `serving`) and answers with a body."""

    manifest = b""
    blobs: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def _send(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serving(sh, handler):
    """busybox served as app:v1 by `handler` on a loopback port: (host, image)."""
    pull(sh)
    img = sh.engine.images.find("busybox")
    layer = sh.engine.images.blob_path(img.diff_ids[0]).read_bytes()
    config = sh.engine.images.blob_path(img.id).read_bytes()
    handler.blobs = {img.id: config, img.diff_ids[0]: layer}
    handler.manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": img.id, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": img.diff_ids[0], "size": len(layer)}]}).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", img
    finally:
        server.shutdown()
        server.server_close()


class TokenRegistry(FakeRegistry):
    """A registry front that wants Bearer tokens, and the token service beside it: just
    enough of both to prove the client's flow (challenge, token per scope, retry)."""

    tokens_issued: list[str] = []

    def do_GET(self):
        if self.path.startswith("/token"):
            auth = self.headers.get("Authorization", "")
            if auth != "Basic " + base64.b64encode(b"learner:pw").decode():
                return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            type(self).tokens_issued.append(self.path)
            return self._send(200, json.dumps({"token": "tok-" + self.path}).encode())
        if not self.headers.get("Authorization", "").startswith("Bearer tok-"):
            port = self.server.server_address[1]
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Bearer realm="http://127.0.0.1:{port}/token",'
                             'service="test",scope="repository:app:pull"')
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if self.path == "/v2/app/manifests/v1":
            return self._send(200, self.manifest,
                              "application/vnd.oci.image.manifest.v1+json")
        digest = self.path.rsplit("/", 1)[-1]
        if digest in self.blobs:
            return self._send(200, self.blobs[digest])
        self._send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')


def test_bearer_token_flow(sh, tmp_path):
    TokenRegistry.tokens_issued = []
    cfg = tmp_path / "cfg"
    env = {"DOCKER_CONFIG": str(cfg)}
    with serving(sh, TokenRegistry) as (host, data):
        r = sh.run(f"docker pull {host}/app:v1", environ=env)
        assert r.code == 1 and "pull access denied" in r.err       # no login: no token
        cfg.mkdir()
        (cfg / "config.json").write_text(json.dumps({"auths": {host: {
            "auth": base64.b64encode(b"learner:pw").decode()}}}))
        r = sh.run(f"docker pull {host}/app:v1", environ=env)
        assert r.code == 0, r.err
        assert inspect(sh, f"{host}/app:v1", "{{.Id}}") == data.id
        assert TokenRegistry.tokens_issued, "no token was asked for"
        assert all("scope=repository%3Aapp%3Apull" in t for t in TokenRegistry.tokens_issued)
        assert len(TokenRegistry.tokens_issued) == 1              # cached for the scope


def test_multi_platform_index(sh, other, registry):
    """An image index pushed by hand: the pull takes this machine's platform, and says
    Docker's words when the index has none for it."""
    import urllib.parse
    import urllib.request
    pull(sh)
    img = sh.engine.images.find("busybox")
    layer = sh.engine.images.blob_path(img.diff_ids[0]).read_bytes()
    config = sh.engine.images.blob_path(img.id).read_bytes()
    base = f"http://{registry.host}/v2/multi"

    def put_blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        req = urllib.request.Request(f"{base}/blobs/uploads/", method="POST", data=b"")
        with urllib.request.urlopen(req) as resp:
            loc = resp.headers["Location"]
        loc = loc if loc.startswith("http") else f"http://{registry.host}{loc}"
        query = urllib.parse.urlencode({"digest": digest})
        req = urllib.request.Request(loc + ("&" if "?" in loc else "?") + query,
                                     method="PUT", data=data,
                                     headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(req).close()
        return digest

    def put_manifest(ref: str, doc: dict, media: str) -> str:
        body = json.dumps(doc).encode()
        req = urllib.request.Request(f"{base}/manifests/{ref}", method="PUT", data=body,
                                     headers={"Content-Type": media})
        urllib.request.urlopen(req).close()
        return "sha256:" + hashlib.sha256(body).hexdigest()
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": put_blob(config), "size": len(config)},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                     "digest": put_blob(layer), "size": len(layer)}]}
    mdigest = put_manifest("single", m, m["mediaType"])
    size = len(json.dumps(m).encode())
    index_media = "application/vnd.oci.image.index.v1+json"

    def entry(arch):
        return {"mediaType": m["mediaType"], "digest": mdigest, "size": size,
                "platform": {"os": "linux", "architecture": arch}}
    put_manifest("v1", {"schemaVersion": 2, "mediaType": index_media,
                        "manifests": [entry("s390x"), entry(go_arch())]}, index_media)
    put_manifest("elsewhere", {"schemaVersion": 2, "mediaType": index_media,
                               "manifests": [entry("s390x")]}, index_media)
    out = other.ok(f"docker pull {registry.host}/multi:v1")
    assert inspect(other, f"{registry.host}/multi:v1", "{{.Id}}") == img.id
    r = other.run(f"docker pull {registry.host}/multi:elsewhere")
    assert r.code == 1
    assert f"no matching manifest for linux/{go_arch()} in the manifest list entries" in r.err
    assert out


@needs_registry
def test_the_course_flow_with_registry_2(sh, other):
    """Section 2-10/5-1: a registry of one's own on port 5000, inside dockerlings."""
    port = free_port()
    pull(sh)
    sh.ok(f"docker run -d -p {port}:5000 --name registry registry:2")
    try:
        wait_until(lambda: _listening(port), timeout=15, what="registry:2 to listen")
        sh.ok(f"docker tag busybox localhost:{port}/my-busybox")
        out = sh.ok(f"docker push localhost:{port}/my-busybox")
        assert "latest: digest: sha256:" in out
        sh.ok(f"docker rmi localhost:{port}/my-busybox")
        sh.ok(f"docker pull localhost:{port}/my-busybox")
        other.ok(f"docker pull localhost:{port}/my-busybox")
        assert other.ok(f"docker run --rm localhost:{port}/my-busybox echo hi") == "hi\n"
    finally:
        sh.ok("docker rm -f registry")


def _listening(port: int) -> bool:
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


def test_skopeo_and_us_speak_the_same_registry(sh, other, registry, tmp_path):
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo is not installed (.ci/test installs it)")
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'echo s > /s'")
    sh.ok(f"docker commit mk {registry.host}/ours:v1")
    image_id = inspect(sh, f"{registry.host}/ours:v1", "{{.Id}}")
    sh.ok(f"docker push {registry.host}/ours:v1")
    p = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--config",
                        f"docker://{registry.host}/ours:v1"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rootfs"]["diff_ids"] == json.loads(
        inspect(sh, f"{registry.host}/ours:v1", "{{json .RootFS.Layers}}"))
    sh.ok("docker save -o ours.tar " + f"{registry.host}/ours:v1")
    p = subprocess.run(["skopeo", "copy", "--dest-tls-verify=false",
                        f"docker-archive:{tmp_path}/ours.tar",
                        f"docker://{registry.host}/theirs:v1"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    other.ok(f"docker pull {registry.host}/theirs:v1")
    assert inspect(other, f"{registry.host}/theirs:v1", "{{.Id}}") == image_id
    assert other.ok(f"docker run --rm {registry.host}/theirs:v1 cat /s") == "s\n"
    sh.ok("docker rm mk")


def test_search_offline_says_so(sh):
    r = sh.run("docker search busybox")
    assert r.code == 1 and "index.docker.io" in r.err and "hint:" in r.err
    assert "Traceback" not in r.err


class Flaky(FakeRegistry):
    """A registry that serves busybox, except when told to fail: 'cut' closes the
    connection half way through the layer, '500' answers every request with 500; it also
    answers Docker Hub's v1 search API."""

    mode = "ok"

    def do_GET(self):
        if self.mode == "500":
            return self._send(500, b"oops")
        if self.path.startswith("/v1/search"):
            results = [{"name": f"team/app{i}", "description": "an app " * (4 * i + 1),
                        "star_count": i * 10, "is_official": i == 2} for i in range(4)]
            return self._send(200, json.dumps({"results": results}).encode())
        if self.path == "/v2/":
            return self._send(200, b"{}")
        if self.path == "/v2/app/manifests/v1":
            return self._send(200, self.manifest, "application/vnd.oci.image.manifest.v1+json")
        digest = self.path.rsplit("/", 1)[-1]
        body = self.blobs.get(digest)
        if body is None:
            return self._send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"x"}]}')
        if self.mode == "cut" and len(body) > 10000:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, body)


@pytest.fixture
def flaky(sh):
    Flaky.mode = "ok"
    with serving(sh, Flaky) as served:
        yield served


def test_a_cut_connection_or_a_500_leaves_the_engine_consistent(other, flaky):
    host, img = flaky
    before = sorted(os.listdir(other.engine.paths.blobs))
    for mode, words in (("cut", "failed to download layer"), ("500", "500")):
        Flaky.mode = mode
        r = other.run(f"docker pull {host}/app:v1")
        assert r.code == 1 and words in r.err and "Traceback" not in r.err, (mode, r.err)
        assert sorted(os.listdir(other.engine.paths.blobs)) == before
        assert check(other.engine).ok
    Flaky.mode = "ok"
    other.ok(f"docker pull {host}/app:v1")                 # the pull can be repeated
    assert inspect(other, f"{host}/app:v1", "{{.Id}}") == img.id


def test_search_prints_the_docker_clis_table(sh, flaky):
    host, _ = flaky
    out = sh.ok(f"docker search {host}/app")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"]
    assert len(lines) == 5 and "[OK]" in lines[3]
    assert "…" in out                       # descriptions cut at 45 characters
    assert sh.ok(f"docker search --limit 2 {host}/app").count("\n") == 3
    assert sh.ok(f"docker search -f stars=20 --format '{{{{.Name}}}}' {host}/app") == \
        "team/app2\nteam/app3\n"
    assert sh.ok(f"docker search -f is-official=true --format '{{{{.Name}}}}' {host}/app") == \
        "team/app2\n"
    assert "…" not in sh.ok(f"docker search --no-trunc {host}/app")
    r = sh.run(f"docker search -f nosuch=1 {host}/app")
    assert r.code == 1 and "invalid filter 'nosuch'" in r.err


def test_chunked_upload_and_pull_all_tags(sh, other, registry, monkeypatch):
    from engine.distribution import push as pushing
    monkeypatch.setattr(pushing, "CHUNKED_ABOVE", 64 << 10)     # big enough to be chunked
    monkeypatch.setattr(pushing, "CHUNK", 100 << 10)
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'head -c 400000 /dev/urandom > /r'")
    sh.ok(f"docker commit mk {registry.host}/chunks:one")
    sh.ok(f"docker tag {registry.host}/chunks:one {registry.host}/chunks:two")
    out = sh.ok(f"docker push -a {registry.host}/chunks")
    assert out.count(": digest: sha256:") == 2
    out = other.ok(f"docker pull -a {registry.host}/chunks")
    assert "one: Pulling from chunks" in out and "two: Pulling from chunks" in out
    assert out.splitlines()[-1] == f"{registry.host}/chunks"
    want = inspect(sh, f"{registry.host}/chunks:one", "{{.Id}}")
    assert inspect(other, f"{registry.host}/chunks:two", "{{.Id}}") == want
    assert other.ok(f"docker run --rm {registry.host}/chunks:one wc -c /r") == "400000 /r\n"
    sh.ok("docker rm mk")


def test_credential_helpers_are_honoured(sh, tmp_path):
    if REGISTRY is None:
        pytest.skip("docker-registry is not installed (.ci/setup installs it)")
    reg = RealRegistry(auth=("helped", "pw"))
    bin_dir, store = tmp_path / "bin", tmp_path / "helper-store"
    bin_dir.mkdir()
    store.mkdir()
    helper = bin_dir / "docker-credential-testing"
    helper.write_text(f"""#!/bin/sh
# a credential helper as the docker CLI speaks to them: get/store/erase on stdin
case "$1" in
  store) cat > {store}/entry ;;
  get) read server; [ -f {store}/entry ] && sed 's/"ServerURL":"[^"]*",//' {store}/entry \\
         || {{ echo "credentials not found in native keychain"; exit 1; }} ;;
  erase) read server; rm -f {store}/entry ;;
esac
""")
    helper.chmod(0o755)
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"credsStore": "testing"}))
    env = {"DOCKER_CONFIG": str(config), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    try:
        pull(sh)
        sh.ok(f"docker tag busybox {reg.host}/h:v1")
        r = sh.run(f"docker login -u helped --password-stdin {reg.host}", stdin=b"pw",
                   environ=env)
        assert (r.code, r.out) == (0, "Login Succeeded\n"), r.err
        assert "unencrypted" not in r.err                     # the helper keeps the secret
        assert json.loads((store / "entry").read_text())["Secret"] == "pw"
        assert json.loads((config / "config.json").read_text())["auths"][reg.host] == {}
        r = sh.run(f"docker push {reg.host}/h:v1", environ=env)
        assert r.code == 0, r.err
        sh.run(f"docker logout {reg.host}", environ=env)
        assert not (store / "entry").exists()
    finally:
        reg.stop()
