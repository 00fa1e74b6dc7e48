"""Integration tests run real containers, as root, each on an engine root of its own,
and fail if anything is left on the machine afterwards: a mount, a monitor process, a
cgroup, a network interface."""
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


def _mounts() -> list[str]:
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[3:5]) for l in f)


def _monitors() -> set[int]:
    out = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "dl-monitor":
                        out.add(int(pid))
            except OSError:
                pass
    return out


def _interfaces() -> list[str]:
    return sorted(os.listdir("/sys/class/net"))


def snapshot():
    from engine.runtime import cgroups
    return {"mounts": _mounts(), "monitors": _monitors(), "interfaces": _interfaces(),
            "cgroups": sorted(str(p) for p in cgroups.leftover_dirs())}


def leaks(before, after) -> list[str]:
    out = []
    for key in ("mounts", "interfaces", "cgroups"):
        new = sorted(set(after[key]) - set(before[key]))
        if new:
            out.append(f"{key} left behind: {new}")
    alive = after["monitors"] - before["monitors"]
    if alive:
        out.append(f"monitor processes still running: {sorted(alive)}")
    return out


@pytest.fixture
def engine_root():
    # short path: unix socket paths must stay under 108 bytes
    d = tempfile.mkdtemp(prefix="dlt-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = d
    try:
        yield d
    finally:
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def engine(engine_root):
    """A fresh engine; afterwards everything it made is removed through the engine
    itself, and the test fails if that left anything on the machine."""
    from engine.engine import Engine
    from engine.paths import Paths
    before = snapshot()
    eng = Engine(Paths.from_env())
    try:
        yield eng
    finally:
        eng.reset()
        from engine import monitor
        monitor.reap()
        after = _settle(before)
        problems = leaks(before, after)
        assert not problems, "; ".join(problems)


def _settle(before, tries: int = 50):
    """Monitors finish their last writes a moment after reset returns."""
    import time
    after = snapshot()
    for _ in range(tries):
        if not leaks(before, after):
            break
        time.sleep(0.05)
        from engine import monitor
        monitor.reap()
        after = snapshot()
    return after


@pytest.fixture
def sh(engine, tmp_path):
    return Shell(engine, str(tmp_path))
