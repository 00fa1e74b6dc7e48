"""The core flows of the course, each run twice: as root (the shell in this process, on
the test's engine root) and as an ordinary user (the `dockerlings` program installed
from the wheel, run as the test user on an engine root of its own: as_user.py). The
same lines, the same expectations, and the same leak checks afterwards; where the two
differ (who owns a file on the host) the difference is the point of the test."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result, dockerlings
from tests.integration.cli_helpers import free_port, http_get, wait_until
from tests.integration.test_terminal import Terminal, start_terminal


class AsRoot:
    kind = "root"

    def __init__(self, sh, engine, tmp_path: Path):
        self.sh, self.engine, self.tmp = sh, engine, tmp_path
        self.cwd = Path(sh.cwd)
        self.host_uid = 0           # whom the container's root is on the host

    def run(self, line: str) -> Result:
        return self.sh.run(line)

    def ok(self, line: str) -> str:
        return self.sh.ok(line)

    def write(self, rel: str, text: str) -> Path:
        path = self.cwd / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def terminal(self) -> Terminal:
        return start_terminal(self.engine, self.tmp)

    def lessons_test(self, name: str) -> Result:
        r = dockerlings("lessons", "test", str(ROOT / "content" / name),
                        root=str(self.engine.paths.root), timeout=300)
        return Result(r.returncode, r.stdout.decode(), r.stderr.decode())


class UserTerminal(Terminal):
    """tmux run as the test user (its server's socket in the user's runtime folder)."""

    def __init__(self, user):
        super().__init__(f"dlt-{os.getpid()}-{os.urandom(4).hex()}")
        self.user = user

    def tmux(self, *args: str, check: bool = True) -> str:
        r = self.user.as_user(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=10)
        if check and r.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {r.stderr}")
        return r.stdout


class AsUser:
    kind = "user"

    def __init__(self, user, install):
        self.user, self.install = user, install
        self.cwd = user.cwd
        self.host_uid = user.uid

    def run(self, line: str) -> Result:
        return self.user.run(line)

    def ok(self, line: str) -> str:
        return self.user.ok(line)

    def write(self, rel: str, text: str) -> Path:
        path = self.cwd / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for p in [path, *path.relative_to(self.cwd).parents]:
            os.chown(self.cwd / p, self.user.uid, self.user.gid)
        return path

    def terminal(self) -> Terminal:
        term = UserTerminal(self.user)
        term.tmux("new-session", "-d", "-s", "learner", "-x", "100", "-y", "30", "-c",
                  str(self.cwd), self.user.program)
        return term

    def lessons_test(self, name: str) -> Result:
        return self.user.command("lessons", "test", str(self.install.content / name),
                                 timeout=300)


@pytest.fixture(params=["root", "user"])
def who(request, tmp_path):
    if request.param == "root":
        return AsRoot(request.getfixturevalue("sh"), request.getfixturevalue("engine"),
                      tmp_path)
    return AsUser(request.getfixturevalue("user_engine"),
                  request.getfixturevalue("user_install"))


def test_run(who):
    assert who.ok("docker run --rm busybox echo hello") == "hello\n"
    assert "Hello from dockerlings!" in who.ok("docker run hello-world")
    assert who.run("docker run --rm busybox sh -c 'exit 3'").code == 3
    # root inside; images with several users need the other ids mapped too
    assert who.ok("docker run --rm busybox id -u") == "0\n"
    assert who.ok("docker run --rm -u nobody busybox id -un") == "nobody\n"
    assert who.ok("docker run --rm busybox stat -c %U /etc/passwd") == "root\n"
    # a host pipeline's docker is dockerlings' (the program on its PATH), on this engine
    assert who.ok("docker run -d --name piped busybox sleep 60 && docker ps -q | wc -l") \
        .split()[-1] == "1"
    who.ok("docker rm -f piped")


def test_run_ti_in_a_terminal(who):
    t = who.terminal()
    try:
        t.wait_for(t.at_prompt, "the first prompt")
        # the first start's engine check: nothing stops containers, nothing asks for root
        welcome = " ".join(" ".join(t.lines()).split())
        assert "Engine check: this machine can run containers." in welcome, welcome
        assert "sudo" not in welcome and "Missing on this machine" not in welcome, welcome
        t.type("docker run -ti --name box busybox sh")
        t.wait_for(lambda ls: ls[-1].endswith("/ #"), "the container's shell")
        t.type("echo inside-$((6*7)) as $(id -u)")
        t.wait_for(lambda ls: "inside-42 as 0" in ls, "output from inside the container")
        t.type("exit")
        t.wait_for(t.at_prompt, "the prompt after the container exited")
        t.keys("C-d")
    finally:
        t.tmux("kill-server", check=False)
    wait_until(lambda: who.ok("docker ps -a --format '{{.Names}} {{.Status}}'")
               .startswith("box Exited (0)"), 5, what="box to be exited")


def test_ps_logs_exec(who):
    who.ok("docker run -d --name web busybox sh -c 'echo started; exec sleep 60'")
    wait_until(lambda: "started" in who.ok("docker logs web"), 5, what="web's log")
    assert who.ok("docker ps --format '{{.Names}} {{.Status}}'").startswith("web Up")
    assert who.ok("docker exec web sh -c 'xargs -0 echo < /proc/1/cmdline; id -u'") \
        == "sleep 60\n0\n"
    who.ok("docker rm -f web")
    assert who.ok("docker ps -aq") == ""


def test_commit(who):
    who.ok("docker run --name maker busybox sh -c 'echo made > /hello.txt'")
    who.ok("docker commit maker mine:v1")
    assert who.ok("docker run --rm mine:v1 cat /hello.txt") == "made\n"
    assert "mine" in who.ok("docker images --format '{{.Repository}}:{{.Tag}}'")


def test_build_with_a_user_of_the_image(who):
    who.write("app/Dockerfile", "FROM busybox\n"
              "RUN echo app:x:1234:1234::/home/app:/bin/sh >> /etc/passwd "
              "&& echo app:x:1234: >> /etc/group && mkdir -p /home/app "
              "&& echo built > /home/app/built.txt && chown -R app:app /home/app\n"
              "USER app\n"
              'CMD ["sh", "-c", "cat /home/app/built.txt; id -u; stat -c %U /home/app/built.txt"]\n')
    who.ok("docker build -q -t built app")
    assert who.ok("docker run --rm built") == "built\n1234\napp\n"


def test_volumes_named_and_bind(who):
    who.ok("docker run --rm -v data:/data busybox sh -c 'echo kept > /data/f'")
    assert who.ok("docker run --rm -v data:/data busybox cat /data/f") == "kept\n"
    site = who.write("site/index.html", "from the host\n").parent
    assert who.ok(f"docker run --rm -v {site}:/www busybox cat /www/index.html") \
        == "from the host\n"
    who.ok(f"docker run --rm -v {site}:/www busybox sh -c 'echo back > /www/new.txt'")
    made = site / "new.txt"
    assert made.read_text() == "back\n"
    # the container's root wrote it: on the host that is root, or the user itself
    assert made.stat().st_uid == who.host_uid
    assert "data" in who.ok("docker volume ls -q")


def test_cp_both_ways(who):
    src = who.write("in.txt", "copied in\n")
    who.ok("docker create --name box busybox true")
    who.ok(f"docker cp {src} box:/in.txt")
    who.ok(f"docker cp box:/in.txt {who.cwd / 'out.txt'}")
    out = who.cwd / "out.txt"
    assert out.read_text() == "copied in\n"
    assert out.stat().st_uid == who.host_uid


def test_user_network_with_names(who):
    who.ok("docker network create appnet")
    who.ok("docker run -d --name db --network appnet busybox sleep 60")
    r = who.run("docker run --rm --network appnet busybox ping -c 1 -W 2 db")
    assert r.code == 0 and "1 packets received" in r.out, r.out + r.err
    who.ok("docker rm -f db")
    who.ok("docker network rm appnet")




def test_published_port_on_loopback(who):
    port = free_port()
    who.ok(f"docker run -d --name web -p 127.0.0.1:{port}:80 busybox sh -c "
           "'mkdir /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www'")
    assert who.ok("docker port web") == f"80/tcp -> 127.0.0.1:{port}\n"
    body = wait_until(lambda: http_get(port), 10, 0.1, what="the published port to answer")
    assert body.endswith(b"served\n"), body
    who.ok("docker rm -f web")
    time.sleep(0.1)
    assert http_get(port) == b""        # the proxy went with the container


def test_lesson_replay(who):
    r = who.lessons_test("01-hello-world.yaml")
    assert r.code == 0 and "all pass" in r.out, r.out + r.err


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def test_the_leak_check_sees_what_a_users_engine_leaves(user_engine):
    """The harness's own check can fail: a process of the user's engine (naming its
    root), and one that only shares its namespaces, are both reported until they go."""
    import subprocess
    from tests.integration import as_user
    eng = user_engine
    before = as_user.host_view()
    kw = dict(user=eng.uid, group=eng.gid, extra_groups=[], cwd=eng.cwd,
              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = subprocess.Popen(["unshare", "-Urn", "sleep", "30"], env=eng.environ, **kw)
    second = None
    try:
        wait_until(lambda: as_user.engine_namespaces(eng.root), 5, what="its namespaces")
        namespaces = as_user.engine_namespaces(eng.root)
        assert any(n.startswith("user:") for n in namespaces)
        said = " ".join(as_user.leaks(eng, namespaces, before))
        assert f"{first.pid} (unshare)" in said or f"{first.pid} (sleep)" in said, said
        # one that names nothing of the engine, in its namespaces
        second = subprocess.Popen(["nsenter", "-t", str(first.pid), "-U", "-n",
                                   "--preserve-credentials", "env", "-i", "sleep", "30"],
                                  env={"PATH": as_user.PATH}, **kw)
        wait_until(lambda: _comm(second.pid) == "sleep", 5, what="nsenter to join them")
        first.kill()
        first.wait()
        wait_until(lambda: f"{second.pid} (" in " ".join(as_user.leaks(eng, namespaces, before)),
                   5, what="the process in the engine's namespaces to be reported")
        assert "namespaces of the user's engine still alive" in \
            " ".join(as_user.leaks(eng, namespaces, before))
        second.kill()
        second.wait()
        assert as_user.leaks(eng, namespaces, before) == []
    finally:
        for p in (first, second):
            if p and p.poll() is None:
                p.kill()
                p.wait()


@pytest.fixture
def roots_secret():
    """A file of root's, 0600, in a folder anyone may pass through."""
    import shutil
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="dlu-secret-", dir="/tmp"))
    os.chmod(folder, 0o755)
    secret = folder / "secret"
    secret.write_text("root's own\n")
    os.chmod(secret, 0o600)
    try:
        yield secret
    finally:
        shutil.rmtree(folder)


def test_a_bind_mount_reads_only_what_its_user_could(who, roots_secret):
    """The container's root is its user: root's 0600 file, bind-mounted, is not readable
    to the user's containers (it belongs to no id of theirs: nobody), and root reads it."""
    r = who.run(f"docker run --rm -v {roots_secret}:/s busybox sh -c 'stat -c %U /s; cat /s'")
    if who.kind == "root":
        assert (r.code, r.out) == (0, "root\nroot's own\n"), r.err
    else:
        assert r.code == 1 and r.out == "nobody\n", r
        assert "Permission denied" in r.err and "root's own" not in r.err
    assert roots_secret.read_text() == "root's own\n"
