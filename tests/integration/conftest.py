"""Integration tests run real containers, as root, each on an engine root of its own,
and fail if anything is left on the machine afterwards: a mount, a monitor, spawner or
network helper process, a cgroup, a network interface or route. The checks look at what
this test's engine made (several test runs may share the machine), and at the host's whole
interface and route lists, which the engine must never change."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.conftest import Shell

CAN_RUN = os.geteuid() == 0 and shutil.which("busybox") is not None
WHY_NOT = ("needs root" if os.geteuid() != 0 else
           "needs a static busybox (apt-get install busybox-static)")


def pytest_collection_modifyitems(config, items):
    if CAN_RUN:
        return
    skip = pytest.mark.skip(reason=f"real containers: {WHY_NOT}")
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(skip)


def _mounts(root: str) -> list[str]:
    """Mounts of this engine root (its network namespace pin). Containers' own mounts
    live in their mount namespaces and never show here."""
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[3:5]) for l in f if root in l)


def _engine_processes(root: str) -> set[int]:
    """Living monitors, spawners, network helpers and uplinks (slirp4netns) of this
    engine root (by the files they hold open or the arguments they were given)."""
    out = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() not in ("dl-monitor", "dl-spawner", "dl-netd", "dl-api",
                                            "slirp4netns"):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue          # a zombie holds nothing; init reaps orphans lazily
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                mine = root.encode() in f.read()
            fd_dir = f"/proc/{pid}/fd"
            mine = mine or any(os.readlink(os.path.join(fd_dir, fd)).startswith(root)
                               for fd in os.listdir(fd_dir))
            if mine:
                out.add(int(pid))
        except OSError:
            pass
    return out


def host_routes() -> list[str]:
    """The host's routing tables (IPv4 and IPv6), as the kernel lists them."""
    out = []
    for name in ("/proc/net/route", "/proc/net/ipv6_route"):
        try:
            with open(name) as f:
                out.extend(line.strip() for line in f)
        except OSError:
            pass
    return sorted(out)


def _interfaces() -> list[str]:
    return sorted(os.listdir("/sys/class/net"))


def snapshot(root: str):
    from engine.runtime import cgroups
    return {"mounts": _mounts(root), "processes": _engine_processes(root),
            "interfaces": _interfaces(), "routes": host_routes(),
            "cgroups": cgroups.leftover_dirs(cgroups.scope_for(root))}


def leaks(before, after) -> list[str]:
    out = []
    for key in ("mounts", "interfaces", "routes", "cgroups"):
        new = sorted(set(after[key]) - set(before[key]))
        if new:
            out.append(f"{key} left behind: {new}")
    if after["processes"]:
        out.append(f"engine processes still running: {sorted(after['processes'])}")
    return out


@pytest.fixture
def engine_root():
    # short path: unix socket paths must stay under 108 bytes
    d = tempfile.mkdtemp(prefix="dlt-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = d
    # the uplink is off under tests whatever the caller's environment says; the uplink
    # tests turn it on for themselves
    uplink = {k: os.environ.pop(k) for k in list(os.environ)
              if k.startswith("DOCKERLINGS_UPLINK")}
    try:
        yield d
    finally:
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        os.environ.update(uplink)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def engine(engine_root):
    """A fresh engine; afterwards everything it made is removed through the engine
    itself, and the test fails if that left anything on the machine."""
    from engine.engine import Engine
    from engine.paths import Paths
    before = snapshot(engine_root)
    eng = Engine(Paths.from_env())
    try:
        yield eng
    finally:
        eng.reset()
        after = _settle(engine_root, before)
        problems = leaks(before, after)
        assert not problems, "; ".join(problems)


def _settle(root: str, before, tries: int = 50):
    """Monitors finish their last writes a moment after reset returns."""
    import time
    after = snapshot(root)
    for _ in range(tries):
        if not leaks(before, after):
            break
        time.sleep(0.05)
        after = snapshot(root)
    return after


@pytest.fixture
def sh(engine, tmp_path):
    return Shell(engine, str(tmp_path))


@pytest.fixture
def other(tmp_path):
    """A second engine root beside the test's own, as another machine would have one:
    where archives are loaded and registries pulled from. Reset and removed after."""
    from pathlib import Path

    from engine.engine import Engine
    from engine.paths import Paths
    root = tempfile.mkdtemp(prefix="dlt2-", dir="/tmp")
    eng = Engine(Paths(root=Path(root), run=Path(root) / "run"))
    try:
        yield Shell(eng, str(tmp_path))
    finally:
        eng.reset()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def run(engine, tmp_path):
    """A shell on the test's engine, as the lesson tests drive it: run("docker ps")
    gives the exit status, run.env what it printed (its own home for progress)."""
    from shell.env import Env
    from shell.runner import run_line
    env = Env.buffered(cwd=str(tmp_path), environ={
        "DOCKERLINGS_HOME": str(tmp_path / "home"), "DOCKERLINGS_ROOT": str(engine.paths.root),
        "PATH": "/usr/bin:/bin"})
    env.engine = engine

    def line(text: str) -> int:
        return run_line(env, text)
    line.env = env
    return line


# --- the same engine as an ordinary user (tests/integration/as_user.py) ---------------

@pytest.fixture(scope="session")
def user_install():
    """dockerlings built as a wheel and installed for the test user, once a session;
    the tests that use it skip, with the reason, where that user cannot be had."""
    from tests.integration import as_user
    why = as_user.why_not()
    if why:
        pytest.skip(f"as an ordinary user: {why}")
    installed = as_user.UserInstall()
    try:
        yield installed
    finally:
        installed.remove()


@pytest.fixture
def user_engine(user_install):
    """The test user's dockerlings on an engine root of its own (run/ok/command as the
    user); afterwards reset as the user, and the test fails if anything of that engine
    is left: a process, a namespace, a mount, a host interface or route, or a file
    of root's in the user's folder."""
    from tests.integration import as_user
    eng = as_user.UserEngine(user_install.program)
    before = as_user.host_view()
    try:
        yield eng
    finally:
        namespaces = as_user.engine_namespaces(eng.root)
        reset = eng.reset()
        problems = _settle_user(eng, namespaces, before)
        if reset.code != 0:
            problems.append(f"engine reset as {as_user.USER} exited {reset.code}: {reset.err}")
        eng.remove()
        assert not problems, "; ".join(problems)


def _settle_user(eng, namespaces, before, tries: int = 50) -> list[str]:
    """As _settle: the last processes take a moment to go after reset returns."""
    import time
    from tests.integration import as_user
    problems = as_user.leaks(eng, namespaces, before)
    for _ in range(tries):
        if not problems:
            break
        time.sleep(0.05)
        problems = as_user.leaks(eng, namespaces, before)
    return problems
