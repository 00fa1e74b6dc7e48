"""Concurrency and crashes leave a consistent store (what `engine fsck` checks)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT


def _fsck(engine):
    from engine.system import fsck
    return fsck.check(engine)


def test_two_processes_200_mixed_operations_each(engine_root, engine, sh):
    sh.ok("docker pull busybox")
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    workers = [subprocess.Popen([sys.executable, "-m", "tests.integration.workers", str(seed),
                                 "200"], env=environ, stderr=subprocess.PIPE)
               for seed in (1, 2)]
    for w in workers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err.decode()
    report = _fsck(engine)
    assert report.problems == []
    # every container the store lists is whole and its name is its own
    for c in engine.containers(all=True):
        assert engine.store.name_owner(c.name) == c.id


@pytest.mark.parametrize("delay", [0.005, 0.02, 0.04, 0.08, 0.15])
def test_sigkill_during_run_leaves_nothing_for_fsck(engine_root, engine, sh, delay):
    sh.ok("docker pull busybox")
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-m", "shell", "-c",
                          "docker run --name victim busybox sh -c 'echo hi'"], env=environ,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
    time.sleep(0.3)
    assert _fsck(engine).problems == []


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3])
def test_sigkill_during_commit_leaves_nothing_for_fsck(engine_root, engine, sh, delay):
    sh.ok("docker run -d --name box busybox sh -c "
          "'dd if=/dev/urandom of=/big bs=1M count=24 2>/dev/null; sleep 60'")
    time.sleep(0.5)
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-m", "shell", "-c", "docker commit box snap"],
                         env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert _fsck(engine).problems == []
    # a commit that died while the container was paused does not leave it frozen
    assert sh.ok("docker inspect -f '{{.State.Status}}' box") == "running\n"
