"""docker compose benchmark: `up -d` and `down` of a 3-service project, in-process.

    .venv/bin/python bench/compose.py [--runs 10]

The project (a web server, a worker and a one-shot job on one network, one named
volume) comes up with its image present and goes down again, each timed as the shell
runs it (no process start). The containers stop on SIGKILL (stop_signal), so `down`
measures the engine's work and not a grace period. Targets: up <= 150 ms and
down <= 150 ms (Compose v2 with Docker takes about a second for each on a laptop).
Runs on an engine root of its own, removed afterwards. Run as root.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from common import PROJECT

sys.path.insert(0, PROJECT)

COMPOSE = """
name: bench
services:
  web:
    image: busybox
    command: httpd -f -p 80
    stop_signal: SIGKILL
    volumes: [site:/www]
  worker:
    image: busybox
    command: sleep 300
    stop_signal: SIGKILL
    depends_on: [web]
  job:
    image: busybox
    command: "true"
    depends_on: [web]
volumes:
  site:
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="dlbench-compose-", dir="/tmp")
    folder = tempfile.mkdtemp(prefix="dlbench-compose-project-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    from engine.engine import Engine
    from engine.paths import Paths
    from shell.env import Env
    from shell.runner import run_docker
    with open(os.path.join(folder, "compose.yaml"), "w") as f:
        f.write(COMPOSE)
    eng = Engine(Paths.from_env())
    try:
        eng.pull("busybox")

        def timed(words: list[str]) -> float:
            env = Env.buffered(cwd=folder, environ={})
            env.engine = eng
            t = time.perf_counter()
            code = run_docker(env, words)
            elapsed = (time.perf_counter() - t) * 1000
            assert code == 0, env.error_text()
            return elapsed
        timed(["compose", "up", "-d"])          # warm: first network, volume, imports
        timed(["compose", "down"])
        ups, downs = [], []
        for _ in range(args.runs):
            ups.append(timed(["compose", "up", "-d"]))
            downs.append(timed(["compose", "down"]))
        print(f"docker compose, 3 services, in-process ({args.runs} runs)")
        print(f"  up -d   median {statistics.median(ups):8.1f} ms   max {max(ups):8.1f} ms"
              "   (target <= 150 ms)")
        print(f"  down    median {statistics.median(downs):8.1f} ms   max {max(downs):8.1f} ms"
              "   (target <= 150 ms)")
    finally:
        eng.reset()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
