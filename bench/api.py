"""The Engine API (`dockerlings engine serve`) under the clients people use, side by side
with podman's Docker-compatible API measured in the same run.

    .venv/bin/python bench/api.py [--runs 20] [--containers 200] [--clients 20 --each 50]

Prints: `docker run --rm busybox true` through the real docker CLI against each server
(target: dockerlings <= 0.5x podman); `docker ps -a` with N containers (target <= 1x);
and C docker-py clients each doing E containers.list() + containers.run(remove=True) at
once against dockerlings (no error; throughput). Run as root; bench/baseline.sh
installs podman; without it those rows say so.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from common import PROJECT, compile_project, sh
sys.path.insert(0, PROJECT)


def median_ms(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def docker(sock: str, *args: str) -> None:
    done = sh(["docker", *args], env=dict(os.environ, DOCKER_HOST=f"unix://{sock}"))
    if done.returncode:
        raise SystemExit(f"docker {' '.join(args)}: {done.stderr.decode().strip()}")


def ours(root: str) -> str:
    env = dict(os.environ, DOCKERLINGS_ROOT=root)
    dl = [sys.executable, "-m", "shell"]
    sh([*dl, "docker", "pull", "busybox"], env=env, cwd=PROJECT)
    done = sh([*dl, "engine", "serve", "-d"], env=env, cwd=PROJECT)
    if done.returncode:
        raise SystemExit(done.stderr.decode())
    return os.path.join(root, "run", "docker.sock")


def podman(folder: str) -> tuple[str | None, subprocess.Popen | None]:
    if not shutil.which("podman"):
        return None, None
    sock = os.path.join(folder, "podman.sock")
    proc = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{sock}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return sock, proc


def clients(sock: str, count: int, each: int) -> tuple[float, int]:
    import docker as docker_py

    def work(_n):
        c = docker_py.DockerClient(base_url=f"unix://{sock}", version="auto", timeout=300)
        try:
            for _ in range(each):
                c.containers.list(all=True, ignore_removed=True)
                c.containers.run("busybox", ["true"], remove=True)
        finally:
            c.close()
    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        list(pool.map(work, range(count)))
    return time.perf_counter() - t, count * each


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--containers", type=int, default=200)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--each", type=int, default=50)
    a = p.parse_args()
    compile_project()
    folder = tempfile.mkdtemp(prefix="dl-bench-api-", dir="/tmp")
    root = os.path.join(folder, "root")
    mine = ours(root)
    theirs, proc = podman(folder)
    try:
        run = {"dockerlings": median_ms(lambda: docker(mine, "run", "--rm", "busybox", "true"),
                                        a.runs)}
        if theirs:
            run["podman"] = median_ms(lambda: docker(theirs, "run", "--rm", "--network",
                                                     "none", "localhost/busybox", "true"),
                                      a.runs)
        for name, ms in run.items():
            print(f"docker run --rm busybox true via {name:12s} {ms:8.1f} ms (median)")
        if "podman" in run:
            print(f"  ratio dockerlings/podman {run['dockerlings'] / run['podman']:.2f} "
                  "(target <= 0.5)")
        for i in range(a.containers):
            docker(mine, "create", "--name", f"c{i}", "busybox", "true")
            if theirs:
                docker(theirs, "create", "--name", f"dl-bench-c{i}", "localhost/busybox", "true")
        ps = {"dockerlings": median_ms(lambda: docker(mine, "ps", "-a"), a.runs)}
        if theirs:
            ps["podman"] = median_ms(lambda: docker(theirs, "ps", "-a"), a.runs)
        for name, ms in ps.items():
            print(f"docker ps -a, {a.containers} containers, via {name:12s} {ms:8.1f} ms")
        if "podman" in ps:
            print(f"  ratio dockerlings/podman {ps['dockerlings'] / ps['podman']:.2f} "
                  "(target <= 1)")
        docker(mine, "container", "prune", "-f")
        seconds, n = clients(mine, a.clients, a.each)
        print(f"{a.clients} docker-py clients x {a.each} list+run: {n} runs in {seconds:.1f} s, "
              f"{n / seconds:.1f} runs/s, no error")
    finally:
        if theirs:
            for i in range(a.containers):
                sh(["podman", "rm", "-f", f"dl-bench-c{i}"])
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
        sh([sys.executable, "-m", "shell", "engine", "reset"],
           env=dict(os.environ, DOCKERLINGS_ROOT=root), cwd=PROJECT)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
