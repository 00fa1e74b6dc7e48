"""Engine core benchmarks, side by side with podman and runc measured in the same run.

    .venv/bin/python bench/core.py [--runs 50]

Prints: the in-process latency of `docker run --rm busybox true` (the whole command
layer, in this process), with loopback only (`--network none`: the engine core's
containers, which the target is for) and on the default bridge; whole-process `dockerlings -c 'docker run --rm busybox true'`
against `podman run --rm --network none localhost/busybox true` and `runc run`; `commit`
of a container holding 64 MB of new data against `podman commit`; and the memory (PSS)
a running container's monitor costs. Run as root. bench/baseline.sh sets
up podman and runc; without them the comparison rows say so.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

from common import BASELINE, PROJECT, compile_project, sh
sys.path.insert(0, PROJECT)


def stats(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(len(s) * 0.95))]


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def line(label: str, ms: tuple[float, float], extra: str = "") -> None:
    print(f"  {label:58s} median {ms[0]:8.1f} ms   p95 {ms[1]:8.1f} ms  {extra}")


# --- the runs ----------------------------------------------------------------------

def in_process(runs: int, extra: str = "") -> tuple[float, float]:
    from engine.engine import Engine
    from shell.env import Env
    from shell.runner import run_line
    eng = Engine()
    eng.pull("busybox")
    os.sync()      # the new image store on disk first: time starts, not its writeback

    def once():
        env = Env.buffered()
        env.engine = eng
        assert run_line(env, f"docker run --rm {extra}busybox true") == 0, env.error_text()
    return stats(timed(once, runs))


def program() -> list[str]:
    """`dockerlings` as a user starts it: the console script the install put beside
    this interpreter (without it, the package run as a module)."""
    exe = os.path.join(os.path.dirname(sys.executable), "dockerlings")
    return [exe] if os.access(exe, os.X_OK) else [sys.executable, "-m", "shell"]


def whole_process(runs: int, root: str, extra: str = "") -> tuple[float, float]:
    exe = program() + ["-c", f"docker run --rm {extra}busybox true"]
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=PROJECT)

    def once():
        p = sh(exe, env=env)
        assert p.returncode == 0, p.stderr
    return stats(timed(once, runs))


def have_podman() -> bool:
    if not shutil.which("podman") or not shutil.which("runc"):
        if os.path.exists(BASELINE):
            sh(["bash", BASELINE])
    return bool(shutil.which("podman") and shutil.which("runc"))


def podman_run(runs: int) -> tuple[float, float]:
    cmd = ["podman", "run", "--rm", "--network", "none", "localhost/busybox", "true"]
    return stats(timed(lambda: sh(cmd, check=True), runs, warmup=2))


def runc_run(runs: int) -> tuple[float, float] | None:
    bundle = tempfile.mkdtemp(prefix="dlbench-runc-")
    try:
        if sh(["bash", BASELINE, "--runc-bundle", bundle]).returncode != 0:
            return None
        n = [0]

        def once():
            n[0] += 1
            sh(["runc", "run", f"dlbench-{os.getpid()}-{n[0]}"], cwd=bundle, check=True)
        return stats(timed(once, runs, warmup=2))
    finally:
        shutil.rmtree(bundle, ignore_errors=True)


def commit_ours(root: str, reps: int) -> list[float]:
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=PROJECT)
    exe = program() + ["-c"]
    sh(exe + ["docker rm -f benchbox"], env=env)
    p = sh(exe + ["docker run --name benchbox busybox dd if=/dev/urandom of=/data bs=1M "
                  "count=64"], env=env)
    assert p.returncode == 0, p.stderr
    out = []
    for i in range(reps):
        t = time.perf_counter()
        p = sh(exe + [f"docker commit benchbox bench:{i}"], env=env)
        out.append((time.perf_counter() - t) * 1000)
        assert p.returncode == 0, p.stderr
        sh(exe + [f"docker rmi bench:{i}"], env=env)
    sh(exe + ["docker rm -f benchbox"], env=env)
    return out


def commit_podman(reps: int) -> list[float]:
    sh(["podman", "rm", "-f", "benchbox"])
    sh(["podman", "run", "--network", "none", "--name", "benchbox", "localhost/busybox", "dd",
        "if=/dev/urandom", "of=/data", "bs=1M", "count=64"], check=True)
    out = []
    for i in range(reps):
        t = time.perf_counter()
        sh(["podman", "commit", "-q", "benchbox", f"localhost/dlbench:{i}"], check=True)
        out.append((time.perf_counter() - t) * 1000)
        sh(["podman", "rmi", f"localhost/dlbench:{i}"])
    sh(["podman", "rm", "-f", "benchbox"])
    return out


def monitor_pss(root: str, count: int) -> list[int]:
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=PROJECT)
    exe = program() + ["-c"]
    for i in range(count):
        sh(exe + [f"docker run -d --name pss{i} busybox sleep 60"], env=env, check=True)
    time.sleep(2.5)        # long enough for each monitor to slim down
    from engine.engine import Engine
    eng = Engine()
    out = []
    for i in range(count):
        c = eng.container(f"pss{i}")
        with open(f"/proc/{c.state.monitor_pid}/smaps_rollup") as f:
            out.append(int(re.search(r"^Pss:\s+(\d+)", f.read(), re.M).group(1)))
    sh(exe + [" ".join(["docker rm -f"] + [f"pss{i}" for i in range(count)])], env=env)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--commit-reps", type=int, default=5)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/core.py: run as root (the engine needs it)")
        return 1
    compile_project()
    root = tempfile.mkdtemp(prefix="dlbench-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    try:
        print(f"dockerlings engine core, {args.runs} runs each, {time.strftime('%Y-%m-%d %H:%M')}"
              f" on {os.cpu_count()} CPUs, kernel {os.uname().release}")
        print("\nrun --rm busybox true")
        # The engine core's target is for a container with loopback only, as the core
        # made them (networks came after it): --network none. The default bridge's
        # start has its own target, in bench/network.py.
        line("in-process, --network none (target median <= 15 ms)",
             in_process(args.runs, "--network none "))
        line("in-process, default bridge (bench/network.py: <= 30 ms)", in_process(args.runs))
        whole = whole_process(args.runs, root)
        whole_none = whole_process(args.runs, root, "--network none ")
        podman = runc = None
        if have_podman():
            podman = podman_run(args.runs)
            runc = runc_run(args.runs)
        ratio = f"= {whole[0] / podman[0]:.2f}x podman (target <= 0.5x)" if podman else ""
        line("dockerlings -c 'docker run --rm busybox true'", whole, ratio)
        ratio = f"= {whole_none[0] / podman[0]:.2f}x podman" if podman else ""
        line("dockerlings -c 'docker run --rm --network none busybox true'", whole_none, ratio)
        if podman:
            line("podman run --rm --network none localhost/busybox true", podman)
        if runc:
            line("runc run (bundle running /bin/true)", runc)
        if not podman:
            print("  (podman/runc not available: no baseline rows)")

        print("\ncommit of a container holding 64 MB of new data (whole process)")
        ours = commit_ours(root, args.commit_reps)
        theirs = commit_podman(args.commit_reps) if podman else None
        o = statistics.median(ours)
        extra = f"= {o / statistics.median(theirs):.2f}x podman (target <= 1x)" if theirs else ""
        print(f"  {'dockerlings -c docker commit':58s} median {o:8.1f} ms  {extra}")
        if theirs:
            print(f"  {'podman commit':58s} median {statistics.median(theirs):8.1f} ms")

        print("\nmonitor memory (PSS of a running container's monitor, target <= 10 MB)")
        one = monitor_pss(root, 1)
        print(f"  {'one container running':58s} {one[0] / 1024:8.1f} MB")
        ten = monitor_pss(root, 10)
        print(f"  {'ten containers running (each monitor)':58s} "
              f"{statistics.mean(ten) / 1024:8.1f} MB mean, {max(ten) / 1024:.1f} MB max")
    finally:
        from engine.engine import Engine
        Engine().reset()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
