"""What the device policy costs a start: an A/B inside one process.

    .venv/bin/python bench/devices.py [--runs 60]

Prints the in-process latency of `docker run --rm --network none busybox true` with the
device policy and without it (launch.device_rules replaced by "no rules", as before the
policy existed), the two interleaved so that the machine's load falls on both alike; and
Cgroup.create and destroy alone with and without it (the part of a start the policy
changes), which is the steadier figure on a busy machine. Run as root.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from common import PROJECT, compile_project
sys.path.insert(0, PROJECT)


def ab_run(runs: int) -> tuple[float, float]:
    from engine.supervisor import launch
    from engine.engine import Engine
    from shell.env import Env
    from shell.runner import run_line
    eng = Engine()
    eng.pull("busybox")
    os.sync()
    real = launch.device_rules

    def once(policy: bool) -> float:
        launch.device_rules = real if policy else (lambda c: ((), None))
        env = Env.buffered()
        env.engine = eng
        t = time.perf_counter()
        assert run_line(env, "docker run --rm --network none busybox true") == 0, \
            env.error_text()
        return (time.perf_counter() - t) * 1000
    try:
        for _ in range(3):
            once(True)
            once(False)
        without, with_ = [], []
        for i in range(runs):
            for policy in ((True, False) if i % 2 else (False, True)):
                (with_ if policy else without).append(once(policy))
    finally:
        launch.device_rules = real
        eng.reset()
    return statistics.median(without), statistics.median(with_)


def ab_create(runs: int) -> tuple[float, float]:
    from engine.runtime import cgroups, devices
    lim, policy = cgroups.Limits(), devices.policy(False)

    def once(i: int, p) -> float:
        cg = cgroups.Cgroup(f"bench{i}", "root-benchdevices")
        t = time.perf_counter()
        cg.create(lim, p)
        cg.destroy()
        return (time.perf_counter() - t) * 1e6
    try:
        once(0, policy)              # the program is loaded once per process
        without = [once(i, None) for i in range(runs)]
        with_ = [once(i, policy) for i in range(runs)]
    finally:
        cgroups.remove_scope("root-benchdevices")
    return statistics.median(without), statistics.median(with_)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=60)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/devices.py: run as root (the engine needs it)")
        return 1
    compile_project()
    root = tempfile.mkdtemp(prefix="dlbench-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    try:
        from engine.runtime import cgroups
        print(f"device policy ({cgroups.layout().devices}), {args.runs} runs each, "
              f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        a, b = ab_run(args.runs)
        print(f"  in-process run --rm --network none busybox true: median {a:.2f} ms "
              f"without, {b:.2f} ms with ({b - a:+.2f} ms)")
        a, b = ab_create(args.runs * 5)
        print(f"  Cgroup.create + destroy: median {a:.0f} us without, {b:.0f} us with "
              f"({b - a:+.0f} us)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
