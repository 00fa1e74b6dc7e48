"""What Docker's seccomp filter costs a start, measured A/B in one run.

    .venv/bin/python bench/seccomp.py [--runs 100]

`docker run --rm --network none busybox true` in-process (the command layer and the
engine in this process, as bench/core.py times it), with the default filter and with
`--security-opt seccomp=unconfined`, alternating run by run on the same engine and
spawner, so load on the machine falls on both alike. Also what compiling the default
filter costs when it is not cached (the spawner does it once, before it forks
monitors). Target (issue 12): the filter adds <= 1.5 ms.
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/seccomp.py: run as root (the engine needs it)")
        return 1
    compile_project()
    root = tempfile.mkdtemp(prefix="dlbench-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    from engine.engine import Engine
    from engine.runtime import caps, seccomp
    from shell.env import Env
    from shell.runner import run_line
    eng = Engine()
    try:
        eng.pull("busybox")
        os.sync()

        def run(extra: str) -> float:
            env = Env.buffered()
            env.engine = eng
            t = time.perf_counter()
            code = run_line(env, f"docker run --rm --network none {extra}busybox true")
            ms = (time.perf_counter() - t) * 1000
            assert code == 0, env.error_text()
            return ms

        arms = {"default filter": "", "seccomp=unconfined": "--security-opt "
                "seccomp=unconfined "}
        times: dict[str, list[float]] = {k: [] for k in arms}
        for _ in range(5):
            for extra in arms.values():
                run(extra)
        for i in range(args.runs):
            order = list(arms.items()) if i % 2 == 0 else list(arms.items())[::-1]
            for name, extra in order:
                times[name].append(run(extra))
        print(f"run --rm --network none busybox true, in-process, {args.runs} runs each, "
              f"alternating, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
              f"kernel {os.uname().release}")
        med = {}
        for name, samples in times.items():
            s = sorted(samples)
            med[name] = statistics.median(s)
            print(f"  {name:24s} median {med[name]:7.2f} ms   p95 "
                  f"{s[int(len(s) * 0.95)]:7.2f} ms")
        pairs = [a - b for a, b in zip(times["default filter"], times["seccomp=unconfined"])]
        print(f"  {'filter costs':24s} {med['default filter'] - med['seccomp=unconfined']:+7.2f}"
              f" ms (difference of the medians; median of the run-by-run differences "
              f"{statistics.median(pairs):+.2f} ms; target <= +1.5 ms)")

        seccomp._PROGRAMS.clear()
        t = time.perf_counter()
        prog = seccomp.program(seccomp.BUILTIN, caps.mask(caps.DOCKER_DEFAULT))
        print(f"  compiling the default filter once (cached after): "
              f"{(time.perf_counter() - t) * 1000:.2f} ms, {len(prog) // 8} instructions")
    finally:
        eng.reset()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
