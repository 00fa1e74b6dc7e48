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
