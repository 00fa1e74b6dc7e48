"""The engine run by an ordinary user (issue 20): every command of these tests runs as an
unprivileged user, through `dockerlings -c`, on an engine root of its own. The engine
works as root inside its user namespace (engine/runtime/userns.py); these tests prove it
does the real things there (overlay roots, layers with several owners, networks, builds)
and that it can do nothing the user could not (a root-only file stays closed), and that
`engine reset` leaves nothing behind.

The user: $DOCKERLINGS_TEST_USER (else dockerlings-test), with subordinate ids in
/etc/subuid and /etc/subgid (.ci/setup makes it). The tests are skipped, with the reason,
when there is no such user or it cannot run this Python (an interpreter under /root, say).
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile

import pytest

from tests.integration.conftest import _engine_processes, _mounts

USER = os.environ.get("DOCKERLINGS_TEST_USER", "dockerlings-test")
RUNUSER = shutil.which("runuser") or "runuser"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root, to run commands as the test user"
    if not shutil.which(RUNUSER):
        return "needs runuser (util-linux)"
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        return f"no test user {USER} (.ci/setup makes it; DOCKERLINGS_TEST_USER names another)"
    probe = subprocess.run([RUNUSER, "-u", USER, "--", sys.executable, "-c",
                            "import engine, shell"], capture_output=True, text=True,
                           cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                         "PYTHONPATH": _REPO})
    if probe.returncode:
        return (f"the test user {USER} cannot run {sys.executable} with this checkout: "
                f"{probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ''}")
    del pw
    return None


_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WHY_NOT = _why_not()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"rootless: {WHY_NOT}")


class UserShell:
    """`dockerlings -c LINE` as the test user, on the engine root `root`."""

    def __init__(self, base: str):
        self.base = base
        self.root = os.path.join(base, "engine")
        self.home = os.path.join(base, "home")

    def env(self) -> dict:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home, "USER": USER,
                "LOGNAME": USER, "DOCKERLINGS_ROOT": self.root, "PYTHONPATH": _REPO,
                "NO_COLOR": "1"}

    def __call__(self, line: str, check: bool = True, stdin: str | None = None):
        done = subprocess.run([RUNUSER, "-u", USER, "--", sys.executable, "-m", "shell",
                               "-c", line], capture_output=True, text=True, cwd=self.base,
                              env=self.env(), input=stdin, timeout=120)
        if check and done.returncode:
            raise AssertionError(f"{line!r} exited {done.returncode}:\n{done.stdout}"
                                 f"\n{done.stderr}")
        return done

    def keeper(self) -> int | None:
        try:
            with open(os.path.join(self.root, "run", "keeper.pid")) as f:
                return int(f.read().split()[0])
        except OSError:
            return None


@pytest.fixture
def user_sh():
    """A base folder the test user owns (in /tmp: pytest's own is root's, closed), its
    engine reset as the user afterwards and checked for leftovers."""
    base = tempfile.mkdtemp(prefix="dl-rootless-")
    pw = pwd.getpwnam(USER)
    os.chown(base, pw.pw_uid, pw.pw_gid)
    sh = UserShell(base)
    os.mkdir(sh.home, 0o700)
    os.chown(sh.home, pw.pw_uid, pw.pw_gid)
    try:
        yield sh
        keeper = sh.keeper()
        reset = subprocess.run([RUNUSER, "-u", USER, "--", sys.executable, "-m", "shell",
                                "engine", "reset"], capture_output=True, text=True,
                               cwd=base, env=sh.env(), timeout=120)
        assert reset.returncode == 0, reset.stderr
        assert leftovers(sh, keeper) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def leftovers(sh: UserShell, keeper: int | None) -> list[str]:
    import time
    out = []
    for _ in range(100):               # init reaps the helpers a moment after they end
        out = [f"process {p}" for p in _engine_processes(sh.root)]
        out += [f"mount {m}" for m in _mounts(sh.root)]
        if keeper and os.path.exists(f"/proc/{keeper}") and \
                open(f"/proc/{keeper}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
            out.append(f"keeper {keeper}")
        if not out:
            break
        time.sleep(0.05)
    return out


def test_a_container_runs_for_an_ordinary_user(user_sh):
    done = user_sh("docker run --rm busybox echo hi")
    assert done.stdout == "hi\n"
    keeper = user_sh.keeper()
    assert keeper is not None
    with open(f"/proc/{keeper}/status") as f:
        uid = next(line for line in f if line.startswith("Uid:")).split()[1]
    assert int(uid) == pwd.getpwnam(USER).pw_uid          # nothing runs as the host's root
    # root in the container is the user outside: its uid_map says so
    mapped = user_sh("docker run --rm busybox cat /proc/self/uid_map").stdout.split()
    assert mapped[:3] == ["0", str(pwd.getpwnam(USER).pw_uid), "1"]


def test_ps_logs_exec_and_stop(user_sh):
    user_sh("docker run -d --name web busybox sh -c 'echo started; sleep 60'")
    assert "web" in user_sh("docker ps --format '{{.Names}} {{.Status}}'").stdout
    assert user_sh("docker logs web").stdout == "started\n"
    assert user_sh("docker exec web cat /etc/hostname").stdout.strip() == \
        user_sh("docker inspect -f '{{.Config.Hostname}}' web").stdout.strip()
    top = user_sh("docker top web").stdout     # no cgroup: its pid namespace says who
    assert "sleep 60" in top
    user_sh("docker stop -t 1 web")
    assert user_sh("docker ps -a --format '{{.Status}}'").stdout.startswith("Exited")


def test_a_build_keeps_the_owners_of_its_files(user_sh):
    ctx = os.path.join(user_sh.base, "ctx")
    os.mkdir(ctx)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM busybox\n"
                "RUN mkdir /data && echo a > /data/a && echo b > /data/b && "
                "chown 1000:1000 /data/a && chown 65534:65534 /data/b\n"
                "COPY --chown=2000:3000 hello.txt /hello.txt\n"
                "RUN rm /data/b && mkdir /gone && rm -rf /gone && mkdir /gone\n")
    with open(os.path.join(ctx, "hello.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(ctx, 0o755)
    user_sh(f"docker build -q -t owners {ctx}")
    listing = user_sh("docker run --rm owners ls -ln /data /hello.txt").stdout
    assert " 1000 " in listing and " 2000 " in listing and " 3000 " in listing
    assert " b\n" not in listing + "\n"                  # the whiteout hides it
    # the files really belong to subordinate ids on the host, not to the user
    layer_owners = set()
    for top, dirs, files in os.walk(os.path.join(user_sh.root, "layers")):
        for name in files:
            layer_owners.add(os.lstat(os.path.join(top, name)).st_uid)
    pw = pwd.getpwnam(USER)
    assert pw.pw_uid in layer_owners and len(layer_owners) > 1
    assert 0 not in layer_owners


def test_commit_cp_and_volumes(user_sh):
    user_sh("docker run --name c1 -v data:/data busybox sh -c "
            "'echo kept > /data/f; echo mine > /note; rm /etc/group'")
    user_sh("docker commit c1 snap")
    assert user_sh("docker run --rm snap cat /note").stdout == "mine\n"
    assert user_sh("docker run --rm snap ls /etc/group", check=False).returncode != 0
    assert user_sh("docker run --rm -v data:/d busybox cat /d/f").stdout == "kept\n"
    out = os.path.join(user_sh.base, "note.txt")
    user_sh(f"docker cp c1:/note {out}")
    with open(out) as f:
        assert f.read() == "mine\n"
    assert os.stat(out).st_uid == pwd.getpwnam(USER).pw_uid     # the user's own file
    src = os.path.join(user_sh.base, "in.txt")
    user_sh(f"echo in > {src}")
    user_sh(f"docker cp {src} c1:/in.txt")
    user_sh("docker commit c1 snap2")
    assert user_sh("docker run --rm snap2 cat /in.txt").stdout == "in\n"


def test_limits_are_dropped_with_docker_rootless_words(user_sh):
    if user_sh("docker info --format '{{.CgroupDriver}}'").stdout.strip() != "none":
        pytest.skip("a cgroup is delegated to the test user here: limits work")
    done = user_sh("docker run --rm --memory 64m busybox echo ran")
    assert done.stdout == "ran\n"
    assert "WARNING: Your kernel does not support memory limit capabilities or the cgroup " \
           "is not mounted. Limitation discarded." in done.stderr
    assert "hint:" in done.stderr and "cgroup v2" in done.stderr
    cpus = user_sh("docker run --rm --cpus 1 busybox true", check=False)
    assert cpus.returncode == 125
    assert "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or " \
           "the cgroup is not mounted" in cpus.stderr
    user_sh("docker run -d --name frozen busybox sleep 30")
    paused = user_sh("docker pause frozen", check=False)
    assert paused.returncode == 1 and "cgroups not configured for container" in paused.stderr
    info = user_sh("docker info").stdout + user_sh("docker info").stderr
    assert "rootless" in info and "Cgroup Driver: none" in info
    assert "Running in rootless-mode without cgroups" in info


def test_the_engine_reads_only_what_the_user_may(user_sh):
    secret = os.path.join(user_sh.base, "secret")
    with open(secret, "w") as f:
        f.write("root's\n")
    os.chmod(secret, 0o600)                 # root's, in a folder the user owns
    denied = user_sh(f"docker run --rm -v {secret}:/s busybox cat /s", check=False)
    assert denied.returncode == 1 and "Permission denied" in denied.stderr
    wrote = user_sh(f"docker run --rm -v {secret}:/s busybox sh -c 'echo x > /s'",
                    check=False)
    assert wrote.returncode != 0
    with open(secret) as f:
        assert f.read() == "root's\n"
    shadow = user_sh("docker run --rm -v /etc/shadow:/s busybox cat /s", check=False)
    assert shadow.returncode == 1 and "Permission denied" in shadow.stderr


def test_reset_ends_the_keeper_and_its_namespaces(user_sh):
    user_sh("docker run -d --name bg busybox sleep 60")
    keeper = user_sh.keeper()
    assert keeper is not None
    done = user_sh("docker ps -q", check=True)
    assert done.stdout.strip()
    reset = subprocess.run([RUNUSER, "-u", USER, "--", sys.executable, "-m", "shell",
                            "engine", "reset"], capture_output=True, text=True,
                           cwd=user_sh.base, env=user_sh.env(), timeout=120)
    assert "the engine's user namespace" in reset.stdout
    assert leftovers(user_sh, keeper) == []
    assert not os.path.exists(os.path.join(user_sh.root, "run", "keeper.pid"))
    # and the next command makes a fresh one
    assert user_sh("docker run --rm busybox echo again").stdout == "again\n"
    assert user_sh.keeper() not in (None, keeper)
