"""docker cp both ways, for running and stopped containers, through volumes too."""
from __future__ import annotations

import io
import os
import tarfile

import pytest


@pytest.fixture
def tree(tmp_path):
    d = tmp_path / "site"
    (d / "css").mkdir(parents=True)
    (d / "index.html").write_text("<h1>hi</h1>\n")
    (d / "css" / "main.css").write_text("body{}\n")
    os.symlink("index.html", d / "home.html")
    return d


def _files(root) -> dict[str, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            out[rel] = ("-> " + os.readlink(p)) if os.path.islink(p) else open(p).read()
    return out


@pytest.mark.parametrize("state", ["running", "stopped"])
def test_round_trip(sh, tree, tmp_path, state):
    sh.ok("docker run -d --name box busybox sleep 600")
    if state == "stopped":
        sh.ok("docker stop -t 0 box")
    sh.ok(f"docker cp {tree} box:/srv")                     # /srv is new: named after dest
    sh.ok(f"docker cp {tree}/index.html box:/tmp/")         # into an existing directory
    sh.ok(f"docker cp {tree}/. box:/tmp")                   # the content only
    back = tmp_path / "back"
    sh.ok(f"docker cp box:/srv {back}")
    assert _files(back) == _files(tree)
    sh.ok(f"docker cp box:/tmp/home.html {tmp_path}/link")
    assert os.readlink(tmp_path / "link") == "index.html"    # links stay links
    sh.ok(f"docker cp -L box:/tmp/home.html {tmp_path}/followed")
    assert (tmp_path / "followed").read_text() == "<h1>hi</h1>\n"
    if state == "stopped":
        sh.ok("docker start box")
    out = sh.ok("docker exec box sh -c 'cat /srv/css/main.css /tmp/index.html; ls /tmp'")
    assert out == "body{}\n<h1>hi</h1>\ncss\nhome.html\nindex.html\n"


@pytest.mark.parametrize("state", ["running", "stopped"])
def test_cp_goes_through_volumes(sh, tmp_path, state):
    (tmp_path / "in.txt").write_text("into the volume\n")
    sh.ok("docker run -d --name box -v vol:/data busybox sleep 600")
    if state == "stopped":
        sh.ok("docker stop -t 0 box")
    sh.ok(f"docker cp {tmp_path}/in.txt box:/data/")
    assert sh.ok("docker run --rm -v vol:/v busybox cat /v/in.txt") == "into the volume\n"
    sh.ok("docker run --rm -v vol:/v busybox sh -c 'echo made in another > /v/out.txt'")
    sh.ok(f"docker cp box:/data/out.txt {tmp_path}/out.txt")
    assert (tmp_path / "out.txt").read_text() == "made in another\n"


def test_tar_streams_with_dash(sh):
    sh.ok("docker run -d --name box busybox sleep 600")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = b"from stdin\n"
        info = tarfile.TarInfo("piped/note.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    sh.ok("docker cp - box:/tmp", stdin=buf.getvalue())
    assert sh.ok("docker exec box cat /tmp/piped/note.txt") == "from stdin\n"
    from shell.env import Env
    from shell.runner import run_line
    env = Env.buffered(cwd=sh.cwd)             # the tar's raw bytes, not decoded text
    env.engine = sh.engine
    assert run_line(env, "docker cp box:/tmp/piped -") == 0
    with tarfile.open(fileobj=io.BytesIO(env.stdout.getvalue())) as tar:
        assert sorted(tar.getnames()) == ["piped", "piped/note.txt"]
        assert tar.extractfile("piped/note.txt").read() == b"from stdin\n"


def test_owner_is_the_containers_root_unless_archive_mode(sh, tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    os.chown(f, 1234, 1234)
    sh.ok("docker run -d --name box busybox sleep 600")
    sh.ok(f"docker cp {f} box:/tmp/plain")
    sh.ok(f"docker cp -a {f} box:/tmp/kept")
    assert sh.ok("docker exec box stat -c %u:%g /tmp/plain /tmp/kept") == "0:0\n1234:1234\n"


def test_success_line_only_on_a_terminal(engine, tmp_path):
    from shell.env import Env
    from shell.runner import run_line
    (tmp_path / "f").write_text("123456")

    def run(line, tty):
        env = Env.buffered(cwd=str(tmp_path), stdout_tty=tty)
        env.engine = engine
        return run_line(env, line), env.output_text(), env.error_text()
    run("docker run -d --name box busybox sleep 600", False)
    assert run("docker cp f box:/tmp/", True) == (
        0, "", "Successfully copied 2.05kB to box:/tmp/\n")
    assert run("docker cp f box:/tmp/", False) == (0, "", "")
    assert run("docker cp -q f box:/tmp/", True) == (0, "", "")
    assert run("docker cp box:/tmp/f back", True) == (
        0, "", f"Successfully copied 2.05kB to {tmp_path}/back\n")


@pytest.mark.parametrize("line, message", [
    ("docker cp box:/nope {tmp}/x",
     "Error response from daemon: Could not find the file /nope in container box"),
    ("docker cp nosuch:/etc {tmp}/x", "Error response from daemon: No such container: nosuch"),
    ("docker cp {tmp}/a {tmp}/b", "must specify at least one container source"),
    ("docker cp box:/a box:/b", "copying between containers is not supported"),
    ("docker cp box:/etc {tmp}/file", "cannot copy directory"),
    ("docker cp box:/etc {tmp}/missing/x",
     'invalid output path: directory "{tmp}/missing" does not exist'),
    ("docker cp {tmp}/file box:/etc/passwd/x", "Error response from daemon: extraction point "
     "is not a directory"),
    ("docker cp {tmp}/file box:/nodir/", "no such directory"),
    ("docker cp - box:/etc/passwd", 'destination "box:/etc/passwd" must be a directory'),
    ("docker cp {tmp}/file ro:/", "Error response from daemon: container rootfs is marked "
     "read-only"),
    ("docker cp {tmp}/file ro:/data/", "Error response from daemon: mounted volume is marked "
     "read-only"),
])
def test_cp_errors(sh, tmp_path, line, message):
    (tmp_path / "file").write_text("x")
    sh.ok("docker run -d --name box busybox sleep 600")
    sh.ok("docker create --name ro --read-only -v vol:/data:ro busybox true")
    before = sh.ok("docker diff box")
    r = sh.run(line.format(tmp=tmp_path))
    assert r.code == 1
    assert r.err.splitlines()[0] == message.format(tmp=tmp_path)
    assert sh.ok("docker diff box") == before
    assert sorted(os.listdir(tmp_path)) == ["file"]
