"""Monitors come from the engine's spawner (engine/supervisor/spawner.py): the shell that starts a
container never forks, a monitor whose container is done takes the next start, and
engine reset takes the spawner and its idle monitors along."""
from __future__ import annotations

import os

import pytest

from engine.supervisor import spawner
from engine.runtime import syscalls as sc
from tests.integration.cli_helpers import pull


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


def _spawner_pid(engine) -> int:
    path = os.path.join(str(engine.paths.run), f"spawner-{spawner.version()}.pid")
    with open(path) as f:
        return int(f.read())


def _children(pid: int) -> set[int]:
    out = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(name))
    return out


def test_the_starting_process_never_forks(bb, monkeypatch):
    assert bb.ok("docker run --rm busybox echo warm") == "warm\n"   # the spawner is up

    def no_fork():
        raise AssertionError("docker run forked the shell")
    monkeypatch.setattr(os, "fork", no_fork)
    r = bb.run("docker run --rm busybox sh -c 'echo out; echo err >&2; exit 3'")
    assert (r.code, r.out, r.err) == (3, "out\n", "err\n")


def test_a_monitor_whose_container_is_done_takes_the_next_start(bb, engine):
    bb.ok("docker run --rm busybox true")
    monitors = set()
    for i in range(10):
        assert bb.ok(f"docker run --rm busybox echo {i}") == f"{i}\n"
        monitors |= _children(_spawner_pid(engine))
    # a fresh fork for every start would show eleven; monitors used again, two or three
    # (more when a start comes before the last monitor is back, on a busy machine)
    assert 1 <= len(monitors) <= 6, monitors


def test_reset_ends_the_spawner_and_its_idle_monitors(bb, engine):
    bb.ok("docker run --rm busybox true")
    pid = _spawner_pid(engine)
    idle = _children(pid)
    assert idle
    engine.reset()
    assert not spawner._is_spawner(pid)
    for child in idle:
        assert sc.process_start_time(child) == 0       # gone, or a zombie


def test_a_monitor_used_again_forgets_the_pid_namespace_it_joined(bb):
    """`--pid container:X` makes the monitor join X's pid namespace for its children;
    the next container that monitor starts must get a namespace of its own again,
    not one inside X's."""
    bb.ok("docker run -d --name pidhost busybox sleep 30")
    try:
        for _ in range(3):        # through both idle monitors, whichever served the join
            bb.ok("docker run --rm --pid container:pidhost busybox true")
            out = bb.ok("docker run --rm busybox sh -c 'echo $$; ps -o pid,comm'")
            assert out.splitlines()[0] == "1", out       # its own namespace: pid 1
            seen = bb.ok("docker exec pidhost ps -o comm")
            assert seen.split().count("sh") == 0, seen  # and nothing of it inside pidhost
    finally:
        bb.run("docker rm -f pidhost")


CLEAN_VIEW = "echo pid=$$; umask; pwd; ls /proc/self/fd | xargs; env | sort | xargs"


def test_a_container_started_by_a_used_monitor_sees_nothing_of_the_last_one(bb):
    """Whatever the monitor served before (ports, a terminal, a failed start, a
    network, a user, a working directory, an environment), the next container starts
    as a fresh one would."""
    first = bb.ok(f"docker run --rm --network none busybox sh -c '{CLEAN_VIEW}'")
    for before in ("docker run --rm -p 18093:80 busybox true",
                   "docker run --rm -t busybox true",
                   "docker run --rm busybox no-such-command",
                   "docker run --rm -u nobody -w /tmp -e SEEN=1 busybox true",
                   "docker network create spawnnet",
                   "docker run --rm --network spawnnet busybox true",
                   "docker network rm spawnnet"):
        bb.run(before)
        for _ in range(2):         # through both idle monitors
            view = bb.ok(f"docker run --rm --network none busybox sh -c '{CLEAN_VIEW}'")
            assert view.replace(_hostname(view), "") == first.replace(_hostname(first), ""), \
                (before, view, first)


def _hostname(view: str) -> str:
    return next(w for w in view.split() if w.startswith("HOSTNAME="))
