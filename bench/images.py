"""Images that travel, side by side with podman measured in the same run.

    .venv/bin/python bench/images.py [--runs 5]

Prints, for one 64 MB image of three layers (busybox plus two layers of random data):
`docker save` and `docker load` against `podman save` / `podman load` of the same
image; `docker push` then `docker pull` (after rmi) to a local registry (Debian's
docker-registry on 127.0.0.1) against `podman push` / `podman pull` of the same image to
the same registry; and a pull whose layers are all here already. The targets: <= 1x
podman for each, <= 50 ms for the pull with nothing to fetch. Run as root;
bench/baseline.sh sets up podman (its own store here, in a temporary folder).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from common import BASELINE, PROJECT, compile_project, sh
sys.path.insert(0, PROJECT)


def median_ms(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_registry(folder: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    os.makedirs(folder, exist_ok=True)
    cfg = os.path.join(folder, "config.yml")
    with open(cfg, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                f"    rootdirectory: {folder}/data\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen([shutil.which("docker-registry"), "serve", cfg],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"127.0.0.1:{port}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    compile_project()
    os.environ.pop("DOCKERLINGS_OFFLINE", None)
    tmp = tempfile.mkdtemp(prefix="dlbench-img-", dir="/tmp")
    root = os.path.join(tmp, "root")
    os.environ["DOCKERLINGS_ROOT"] = root
    from engine.engine import Engine
    from shell.env import Env
    from shell.runner import run_line
    eng = Engine()

    def run(line: str, stdin: bytes = b"") -> bytes:
        env = Env.buffered(stdin=stdin, cwd=tmp)
        env.engine = eng
        assert run_line(env, line) == 0, (line, env.error_text())
        return env.stdout.getvalue()
    reg, host = start_registry(os.path.join(tmp, "registry"))
    store = os.path.join(tmp, "podman")
    podman = None
    if shutil.which("podman") or os.path.exists(BASELINE):
        if sh(["bash", BASELINE, "--store", store]).returncode == 0:
            podman = ["podman", "--root", f"{store}/root", "--runroot", f"{store}/runroot",
                      "--storage-driver", "overlay"]
    penv = dict(os.environ, CONTAINERS_CONF=f"{store}/containers.conf")
    try:
        run("docker pull busybox")
        run("docker run --name mk busybox sh -c 'head -c 32000000 /dev/urandom > /a'")
        run("docker commit mk big:step")
        run("docker rm mk")
        run("docker run --name mk big:step sh -c 'head -c 32000000 /dev/urandom > /b'")
        run(f"docker commit mk {host}/big:v1")
        run("docker rm mk")
        run("docker rmi big:step")
        archive = os.path.join(tmp, "big.tar")
        print(f"64 MB image of 3 layers, {args.runs} runs each (median)")
        save = median_ms(lambda: run(f"docker save -o {archive} {host}/big:v1"), args.runs)

        def load():
            run(f"docker rmi {host}/big:v1")
            run(f"docker load -i {archive}")
        load_ms = median_ms(load, args.runs)

        def push():
            shutil.rmtree(os.path.join(tmp, "registry", "data"), ignore_errors=True)
            run(f"docker push {host}/big:v1")
        push_ms = median_ms(push, args.runs)

        def pull():
            run(f"docker rmi {host}/big:v1")
            run(f"docker pull -q {host}/big:v1")
        pull_ms = median_ms(pull, args.runs)
        present = median_ms(lambda: run(f"docker pull -q {host}/big:v1"), args.runs * 4)
        rows = [("save", save), ("load", load_ms), ("push (empty registry)", push_ms),
                ("pull (after rmi)", pull_ms)]
        theirs = {}
        if podman:
            p = lambda *a: subprocess.run([*podman, *a], capture_output=True, env=penv,  # noqa: E731
                                          check=True)
            p("load", "-i", archive)
            parchive = os.path.join(tmp, "p.tar")

            def psave():
                if os.path.exists(parchive):
                    os.unlink(parchive)
                p("save", "-o", parchive, f"{host}/big:v1")
            theirs["save"] = median_ms(psave, args.runs)

            def pload():
                p("rmi", "-f", f"{host}/big:v1")
                p("load", "-i", archive)
            theirs["load"] = median_ms(pload, args.runs)

            def ppush():
                shutil.rmtree(os.path.join(tmp, "registry", "data"), ignore_errors=True)
                p("push", "--tls-verify=false", f"{host}/big:v1")
            theirs["push (empty registry)"] = median_ms(ppush, args.runs)

            def ppull():
                p("rmi", "-f", f"{host}/big:v1")
                p("pull", "-q", "--tls-verify=false", f"{host}/big:v1")
            theirs["pull (after rmi)"] = median_ms(ppull, args.runs)
        for label, ours in rows:
            other = theirs.get(label)
            ratio = f"{ours / other:5.2f}x  (podman {other:7.1f} ms)" if other else "(no podman)"
            print(f"  {label:28s} {ours:8.1f} ms   {ratio}   target <= 1x")
        print(f"  {'pull, every layer here':28s} {present:8.1f} ms   target <= 50 ms")
    finally:
        reg.terminate()
        reg.wait()
        eng.reset()
        if podman:
            subprocess.run([*podman, "system", "reset", "-f"], capture_output=True, env=penv)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
