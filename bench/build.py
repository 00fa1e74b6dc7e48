"""docker build benchmark, side by side with `podman build` measured in the same run.

    .venv/bin/python bench/build.py [--runs 10]

A 6-step Dockerfile (FROM, RUN, COPY, WORKDIR, RUN, CMD) is built as whole processes:
`dockerlings -c 'docker build ...'` against `podman build --network none` of the same
file (FROM localhost/busybox for podman, busybox here). "cold" runs every step
(--no-cache for both); "cached" rebuilds with every step from the cache. Runs of the
two alternate, so a noisy machine slows both alike. Targets: cold <= 1x podman, cached
<= 0.5x podman. Run as root; bench/baseline.sh sets up podman.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from common import BASELINE, PROJECT, compile_project, sh

DOCKERFILE = """FROM {base}
RUN mkdir -p /app/data
COPY app.txt /app/
WORKDIR /app
RUN echo built > data/stamp
CMD ["cat", "app.txt"]
"""


def have_podman() -> bool:
    if not shutil.which("podman") and os.path.exists(BASELINE):
        sh(["bash", BASELINE])
    return bool(shutil.which("podman")) and \
        sh(["podman", "image", "exists", "localhost/busybox:latest"]).returncode == 0


def _podman_dangling() -> set[str]:
    return set(sh(["podman", "images", "-q", "--filter", "dangling=true"]).stdout.decode().split())


def make_context(base: str) -> str:
    ctx = tempfile.mkdtemp(prefix="dlbench-build-", dir="/tmp")
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE.format(base=base))
    with open(os.path.join(ctx, "app.txt"), "w") as f:
        f.write("hello from the benchmark\n")
    return ctx


def timed(cmd: list[str], env=None) -> float:
    t = time.perf_counter()
    p = sh(cmd, env=env)
    elapsed = (time.perf_counter() - t) * 1000
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr.decode()}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/build.py: run as root (the engine needs it)")
        return 1
    compile_project()
    root = tempfile.mkdtemp(prefix="dlbench-", dir="/tmp")
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=PROJECT)
    ours_ctx, podman_ctx = make_context("busybox"), make_context("localhost/busybox")
    ours = [sys.executable, "-m", "shell", "-c"]
    podman = have_podman()
    dangling_before = _podman_dangling() if podman else set()
    results: dict[str, list[float]] = {k: [] for k in ("ours cold", "ours cached",
                                                       "podman cold", "podman cached")}
    try:
        print(f"docker build of a 6-step Dockerfile, {args.runs} runs each, "
              f"{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs, kernel "
              f"{os.uname().release}")
        sh(ours + ["docker pull busybox"], env=env)
        for kind, flag in (("cold", "--no-cache "), ("cached", "")):
            timed(ours + [f"docker build -q -t bench:{kind} {ours_ctx}"], env=env)   # warm-up
            if podman:
                timed(["podman", "build", "--network", "none", "-q", "-t",
                       f"localhost/dlbench:{kind}", podman_ctx])
            for _ in range(args.runs):
                results[f"ours {kind}"].append(timed(
                    ours + [f"docker build {flag}-q -t bench:{kind} {ours_ctx}"], env=env))
                if podman:
                    results[f"podman {kind}"].append(timed(
                        ["podman", "build", "--network", "none", *flag.split(), "-q", "-t",
                         f"localhost/dlbench:{kind}", podman_ctx]))
        report(results, podman, ours_ctx)
    finally:
        sh(ours + ["dockerlings engine reset"], env=env)
        if podman:
            sh(["podman", "rmi", "-f", "localhost/dlbench:cold", "localhost/dlbench:cached"])
            # each --no-cache build leaves the image it replaced behind, untagged
            new = sorted(_podman_dangling() - dangling_before)
            if new:
                sh(["podman", "rmi", "-f", *new])
        for d in (root, ours_ctx, podman_ctx):
            shutil.rmtree(d, ignore_errors=True)
    return 0


def report(results: dict, podman: bool, ctx: str) -> None:
    targets = {"cold": 1.0, "cached": 0.5}
    for kind in ("cold", "cached"):
        o = statistics.median(results[f"ours {kind}"])
        flag = "--no-cache " if kind == "cold" else ""
        print(f"\n{kind} ({'every step runs' if kind == 'cold' else 'every step from the cache'})")
        extra = ""
        if podman:
            p = statistics.median(results[f"podman {kind}"])
            extra = f"= {o / p:.2f}x podman (target <= {targets[kind]}x)"
        print(f"  {'dockerlings -c ' + repr(f'docker build {flag}-q -t bench CTX'):58s} "
              f"median {o:7.1f} ms  {extra}")
        if podman:
            print(f"  {f'podman build --network none {flag}-q -t dlbench CTX':58s} "
                  f"median {p:7.1f} ms")
    if not podman:
        print("  (podman not available: no baseline rows)")


if __name__ == "__main__":
    raise SystemExit(main())
