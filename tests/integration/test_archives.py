"""docker save / load / export / import on a real engine: Docker's archive layouts both
ways, compressed input, bad archives refused with nothing half-stored, and round trips
with podman and skopeo where they are installed."""
from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from engine.system.fsck import check
from engine.images.hello import go_arch
from shell.env import Env
from shell.runner import run_line
from tests.integration.cli_helpers import inspect, pull


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else b"") for m in t}


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def store_snapshot(sh) -> tuple:
    p = sh.engine.paths
    return (sorted(os.listdir(p.blobs)), sorted(os.listdir(p.layers)),
            sorted(os.listdir(p.image_meta)), sh.engine.images.refs())


# --- save ----------------------------------------------------------------------------

def test_save_writes_dockers_and_the_oci_layout(sh):
    pull(sh)
    sh.ok("docker tag busybox busybox:second")
    data = _save(sh, "busybox")
    files = members(data)
    image_id = inspect(sh, "busybox", "{{.Id}}")
    manifest = json.loads(files["manifest.json"])
    assert len(manifest) == 1                       # a name alone: every tag, one image
    assert sorted(manifest[0]["RepoTags"]) == ["busybox:latest", "busybox:second"]
    assert manifest[0]["Config"] == f"blobs/sha256/{image_id[7:]}"
    assert sha(files[manifest[0]["Config"]]) == image_id
    for layer in manifest[0]["Layers"]:
        assert sha(files[layer]) == "sha256:" + layer.rsplit("/", 1)[1]
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(files["index.json"])
    names = {d["annotations"]["io.containerd.image.name"] for d in index["manifests"]}
    assert names == {"docker.io/library/busybox:latest", "docker.io/library/busybox:second"}
    digest = index["manifests"][0]["digest"]
    oci = json.loads(files[f"blobs/sha256/{digest[7:]}"])
    assert sha(files[f"blobs/sha256/{digest[7:]}"]) == digest
    assert oci["config"]["digest"] == image_id
    assert json.loads(files["repositories"]) == {
        "busybox": {"latest": manifest[0]["Layers"][-1].rsplit("/", 1)[1],
                    "second": manifest[0]["Layers"][-1].rsplit("/", 1)[1]}}


def _save(sh, names: str) -> bytes:
    env = Env.buffered(cwd=sh.cwd)
    env.engine = sh.engine
    assert run_line(env, f"docker save {names}") == 0, env.error_text()
    return env.stdout.getvalue()


def test_save_to_a_file_and_its_errors(sh, tmp_path):
    pull(sh)
    sh.ok("docker save -o out.tar busybox")
    path = tmp_path / "out.tar"
    assert path.stat().st_mode & 0o777 == 0o600                      # as the docker CLI
    assert "manifest.json" in members(path.read_bytes())
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]
    r = sh.run("docker save -o /nosuch/dir/x.tar busybox")
    assert (r.code, r.err) == (1, "failed to save image: invalid output path: stat "
                                  "/nosuch/dir: no such file or directory\n")
    r = sh.run("docker save nosuch:tag")
    assert (r.code, r.err) == (1, "Error response from daemon: reference does not exist\n")
    r = sh.run("docker save -o kept.tar nosuch:tag")
    assert r.code == 1 and not (tmp_path / "kept.tar").exists()
    r = sh.run("docker save -o my-images.tar.gz busybox")
    assert r.code == 0 and "hint: " in r.err and "| gzip > my-images.tar.gz" in r.err
    assert (tmp_path / "my-images.tar.gz").read_bytes()[:2] != b"\x1f\x8b"


def test_save_refuses_a_terminal(sh):
    pull(sh)
    env = Env.buffered(cwd=sh.cwd, stdout_tty=True)
    env.engine = sh.engine
    assert run_line(env, "docker save busybox") == 1
    assert env.error_text() == ("cowardly refusing to save to a terminal. Use the -o flag or "
                                "redirect\n")


# --- load ----------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [None, gzip.compress, bz2.compress, lzma.compress])
def test_round_trip_to_another_engine(sh, other, compress):
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'echo two > /two'")
    sh.ok("docker commit mk mine:v1")
    image_id = inspect(sh, "mine:v1", "{{.Id}}")
    data = _save(sh, "mine:v1")
    r = other.run("docker load", stdin=compress(data) if compress else data)
    assert (r.code, r.out) == (0, "Loaded image: mine:v1\n"), r.err
    assert inspect(other, "mine:v1", "{{.Id}}") == image_id          # the same image
    assert other.ok("docker run --rm mine:v1 cat /two") == "two\n"
    assert check(other.engine).ok
    sh.ok("docker rm mk")


def test_load_untagged_and_retagged(sh, other):
    pull(sh)
    image_id = inspect(sh, "busybox", "{{.Id}}")
    r = other.run("docker load", stdin=_save(sh, image_id[7:19]))
    assert r.out == f"Loaded image ID: {image_id}\n"
    sh.ok("docker run --name mk busybox touch /x")
    sh.ok("docker commit mk busybox:latest")
    other.run("docker load", stdin=_save(sh, "busybox:latest"))
    new_id = inspect(sh, "busybox", "{{.Id}}")
    data = _save(sh, "busybox")
    other.ok("docker tag " + image_id[7:19] + " busybox:latest")
    r = other.run("docker load", stdin=data)
    assert "Loaded image: busybox:latest\n" in r.out
    assert inspect(other, "busybox", "{{.Id}}") == new_id
    sh.ok("docker rm mk")


def test_load_errors_leave_the_store_as_it_was(sh, tmp_path):
    pull(sh)
    good = _save(sh, "busybox")
    sh.ok("docker rmi busybox")
    before = store_snapshot(sh)
    files = members(good)
    manifest = json.loads(files["manifest.json"])
    layer_name = manifest[0]["Layers"][0]

    def archive(replace: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w") as t:
            for name, data in {**files, **replace}.items():
                if name.endswith("/") or (not data and name.startswith("blobs") and
                                          name.count("/") < 2):
                    continue
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        return out.getvalue()
    corrupt_layer = bytearray(files[layer_name])
    corrupt_layer[1000] ^= 0xFF
    cases = {
        "garbage": (b"this is not a tar archive" * 40, "archive/tar: invalid tar header"),
        "truncated": (good[:3000], "unexpected EOF"),
        "empty": (b"", "invalid archive: does not contain a manifest.json"),
        "corrupt layer": (archive({layer_name: bytes(corrupt_layer)}), "invalid diffID for layer 0"),
        "missing blob": (archive({"manifest.json": json.dumps([dict(
            manifest[0], Layers=["blobs/sha256/" + "0" * 64])]).encode()}),
            "no such file in the archive"),
        "escaping name": (archive({"manifest.json": json.dumps([dict(
            manifest[0], Config="../../../etc/passwd")]).encode()}),
            "etc/passwd: no such file in the archive"),     # confined, as Docker's safePath
        "bad json": (archive({"manifest.json": b"[{"}), "failed to decode manifest.json"),
    }
    for what, (data, words) in cases.items():
        r = sh.run("docker load", stdin=data)
        assert r.code == 1 and words in r.err, (what, r.err)
        assert "Traceback" not in r.err
        assert store_snapshot(sh) == before, what
    assert not os.listdir(sh.engine.paths.tmp)
    assert check(sh.engine).ok
    r = sh.run("docker load -i nosuch.tar")
    assert (r.code, r.err) == (1, "open nosuch.tar: no such file or directory\n")
    env = Env.buffered(cwd=sh.cwd, stdin_tty=True)
    env.engine = sh.engine
    assert run_line(env, "docker load") == 1
    assert env.error_text() == "requested load from stdin, but stdin is empty\n"


def test_load_refuses_symlinks_out_of_the_archive(sh):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        link = tarfile.TarInfo("manifest.json")
        link.type, link.linkname = tarfile.SYMTYPE, "../../../../etc/passwd"
        t.addfile(link)
    r = sh.run("docker load", stdin=out.getvalue())      # the link leads nowhere inside
    assert (r.code, r.err) == (1, "Error response from daemon: invalid archive: does not "
                                  "contain a manifest.json\n")
    assert not os.listdir(sh.engine.paths.tmp)


def _oci_layout(platforms: list[tuple[str, str]], name: str,
                pack=gzip.compress, media="application/vnd.oci.image.layer.v1.tar+gzip"
                ) -> tuple[bytes, dict]:
    """An OCI image layout with a multi-platform index and gzip layers, one image per
    platform, each holding /arch with its platform's name."""
    blobs: dict[str, bytes] = {}

    def put(data: bytes) -> dict:
        d = sha(data)
        blobs[f"blobs/sha256/{d[7:]}"] = data
        return {"digest": d, "size": len(data)}
    manifests = []
    for os_name, arch in platforms:
        layer = io.BytesIO()
        with tarfile.open(fileobj=layer, mode="w") as t:
            body = f"{os_name}/{arch}\n".encode()
            info = tarfile.TarInfo("arch")
            info.size = len(body)
            t.addfile(info, io.BytesIO(body))
        raw = layer.getvalue()
        config = json.dumps({"architecture": arch, "os": os_name,
                             "config": {"Cmd": ["cat", "/arch"]},
                             "rootfs": {"type": "layers", "diff_ids": [sha(raw)]}}).encode()
        mf = json.dumps({"schemaVersion": 2,
                         "mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "config": dict(put(config), mediaType="application/vnd.oci.image.config.v1+json"),
                         "layers": [dict(put(pack(raw)), mediaType=media)]}).encode()
        manifests.append(dict(put(mf), mediaType="application/vnd.oci.image.manifest.v1+json",
                              platform={"os": os_name, "architecture": arch}))
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": manifests}).encode()
    top = json.dumps({"schemaVersion": 2, "manifests": [dict(
        put(index), mediaType="application/vnd.oci.image.index.v1+json",
        annotations={"io.containerd.image.name": name,
                     "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]})]}).encode()
    files = {**blobs, "index.json": top, "oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for n, data in files.items():
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue(), files


def test_load_an_oci_layout_picks_this_machines_platform(sh):
    data, _ = _oci_layout([("linux", "s390x"), ("linux", go_arch()), ("windows", go_arch())],
                          "docker.io/library/multi:v1")
    r = sh.run("docker load", stdin=data)
    assert (r.code, r.out) == (0, "Loaded image: multi:v1\n"), r.err
    assert inspect(sh, "multi:v1", "{{.Os}}/{{.Architecture}}") == f"linux/{go_arch()}"
    sh.ok("docker create --name mm multi:v1")
    assert members(_export(sh, "mm"))["arch"] == f"linux/{go_arch()}\n".encode()
    assert check(sh.engine).ok
    sh.ok("docker rm mm")


# --- export and import ---------------------------------------------------------------

def test_export_a_stopped_and_a_running_container(sh):
    pull(sh)
    sh.ok("docker run --name stopped -v /data busybox sh -c 'echo hi > /made; echo v > /data/v'")
    files = members(_export(sh, "stopped"))
    assert files["made"] == b"hi\n" and "data" in files and "data/v" not in files
    assert "bin/busybox" in files and not any(n.startswith("proc/") for n in files)
    sh.ok("docker run -d --name running busybox sleep 30")
    sh.ok("docker exec running sh -c 'echo live > /live'")
    files = members(_export(sh, "running"))
    assert files["live"] == b"live\n"
    assert not any(n.startswith(("proc/", "sys/")) and n.count("/") > 1 for n in files)
    sh.ok("docker rm -f running stopped")


def _export(sh, name: str) -> bytes:
    env = Env.buffered(cwd=sh.cwd)
    env.engine = sh.engine
    assert run_line(env, f"docker export {name}") == 0, env.error_text()
    return env.stdout.getvalue()


def test_import_makes_a_one_layer_image(sh, tmp_path):
    pull(sh)
    sh.ok("docker run --name src busybox sh -c 'echo imported > /note'")
    sh.ok("docker export -o fs.tar src")
    out = sh.ok("docker import -c 'CMD [\"cat\", \"/note\"]' -m 'from a tar' fs.tar mine:v1")
    image_id = out.strip()
    assert image_id.startswith("sha256:") and inspect(sh, "mine:v1", "{{.Id}}") == image_id
    assert sh.ok("docker run --rm mine:v1") == "imported\n"
    assert inspect(sh, "mine:v1", "{{len .RootFS.Layers}} {{.Comment}}") == "1 from a tar"
    gz = gzip.compress((tmp_path / "fs.tar").read_bytes())
    out = sh.ok("docker import - piped", stdin=gz)
    assert inspect(sh, "piped", "{{.Comment}}") == "Imported from -"
    before = store_snapshot(sh)
    r = sh.run("docker import - bad", stdin=b"not a tar at all" * 64)
    assert r.code == 1 and "Traceback" not in r.err
    assert store_snapshot(sh) == before
    sh.ok("docker rm src")


# --- with the rest of the world ------------------------------------------------------

@pytest.fixture
def podman(tmp_path):
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (bench/baseline.sh installs it)")
    store = tempfile.mkdtemp(prefix="dlpodarc-", dir="/tmp")
    base = ["podman", "--root", f"{store}/root", "--runroot", f"{store}/runroot",
            "--storage-driver", "overlay"]
    # podman's containers stay off every network: nothing may touch the host's interfaces
    # (and within this machine's open-files limit, as bench/baseline.sh sets it)
    import resource
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 1048576 if hard == resource.RLIM_INFINITY else hard
    conf = Path(store) / "containers.conf"
    conf.write_text(f'[containers]\ndefault_ulimits = [ "nofile={hard}:{hard}", '
                    f'"nproc=4096:4096" ]\nnetns = "none"\n[engine]\nruntime = "runc"\n')
    environ = dict(os.environ, CONTAINERS_CONF=str(conf))

    def run(*args: str) -> str:
        p = subprocess.run([*base, *args], capture_output=True, text=True, timeout=120,
                           env=environ)
        assert p.returncode == 0, p.stderr
        return p.stdout
    try:
        yield run
    finally:
        subprocess.run([*base, "system", "reset", "-f"], capture_output=True, timeout=120,
                       env=environ)
        shutil.rmtree(store, ignore_errors=True)


def test_podman_and_skopeo_read_what_we_save(sh, podman, tmp_path):
    pull(sh)
    sh.ok("docker run --name mk busybox sh -c 'echo ours > /ours'")
    sh.ok("docker commit mk ours:v1")
    image_id = inspect(sh, "ours:v1", "{{.Id}}")
    sh.ok("docker save -o ours.tar ours:v1")
    podman("load", "-i", str(tmp_path / "ours.tar"))
    assert podman("images", "--no-trunc", "--format", "{{.ID}}", "ours:v1").strip() == image_id
    assert podman("run", "--rm", "--network", "none", "ours:v1", "cat", "/ours") == "ours\n"
    diff_ids = inspect(sh, "ours:v1", "{{json .RootFS.Layers}}")
    if shutil.which("skopeo"):
        for transport in ("docker-archive", "oci-archive"):
            p = subprocess.run(["skopeo", "inspect", "--config", f"{transport}:{tmp_path}/ours.tar"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr
            assert json.loads(p.stdout)["rootfs"]["diff_ids"] == json.loads(diff_ids)
    sh.ok("docker rm mk")


@pytest.mark.parametrize("fmt", ["docker-archive", "oci-archive"])
def test_we_load_what_podman_saves(sh, podman, tmp_path, fmt):
    pull(sh)
    sh.ok("docker save -o bb.tar busybox")
    podman("load", "-i", str(tmp_path / "bb.tar"))
    podman("run", "--name", "mk", "--network", "none", "busybox", "sh", "-c", "echo p > /p")
    podman("commit", "-q", "mk", "localhost/theirs:v1")
    want = podman("images", "--no-trunc", "--format", "{{.ID}}", "localhost/theirs:v1").strip()
    podman("save", "--format", fmt, "-o", str(tmp_path / "theirs.tar"), "localhost/theirs:v1")
    r = sh.run("docker load -i theirs.tar")
    assert (r.code, r.out) == (0, "Loaded image: localhost/theirs:v1\n"), r.err
    assert inspect(sh, "localhost/theirs:v1", "{{.Id}}") == want
    assert sh.ok("docker run --rm localhost/theirs:v1 cat /p") == "p\n"


def test_load_zstd_layers(sh):
    zstandard = pytest.importorskip("zstandard", reason="the zstandard package (test extra)")
    data, _ = _oci_layout([("linux", go_arch())], "docker.io/library/zst:v1",
                          pack=zstandard.ZstdCompressor().compress,
                          media="application/vnd.oci.image.layer.v1.tar+zstd")
    r = sh.run("docker load", stdin=zstandard.ZstdCompressor().compress(data))
    assert (r.code, r.out) == (0, "Loaded image: zst:v1\n"), r.err
    sh.ok("docker create --name zz zst:v1")
    assert members(_export(sh, "zz"))["arch"] == f"linux/{go_arch()}\n".encode()
    sh.ok("docker rm zz")


def test_a_nul_in_a_file_name_gets_words(sh):
    from shell.env import Env
    from shell.runner import run_docker
    for argv, words in ((["image", "import", "\x00"], "open \x00: invalid argument"),
                        (["load", "-i", "a\x00b"], "open a\x00b: invalid argument"),
                        (["save", "-o", "x\x00y", "busybox"], "invalid argument")):
        env = Env.buffered(cwd=sh.cwd)
        env.engine = sh.engine
        assert run_docker(env, argv) == 1
        assert words in env.error_text() and "internal error" not in env.error_text()
