"""Networking benchmarks.

    .venv/bin/python bench/network.py [--runs 50] [--megabytes 256]

Prints the in-process latency of `docker run --rm busybox true` on the default bridge
(a veth pair, an address and the embedded DNS server per run; target median <= 30 ms)
next to the same with --network none, and the throughput of a published port against a
direct loopback copy measured in the same run (target >= 0.5x): the same receiver, once
on the host's loopback, once inside a container reached through `-p`. Traffic stays on
loopback and in the engine's own namespace. Run as root.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, PROJECT)


def latency(eng, line: str, runs: int) -> tuple[float, float]:
    from shell.env import Env
    from shell.runner import run_line

    def once():
        env = Env.buffered()
        env.engine = eng
        assert run_line(env, line) == 0, env.error_text()
    for _ in range(3):
        once()
    xs = []
    for _ in range(runs):
        t = time.perf_counter()
        once()
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    return statistics.median(xs), xs[int(len(xs) * 0.95) - 1]


def _sink(server: socket.socket, done: list) -> None:
    conn, _ = server.accept()
    total = 0
    while chunk := conn.recv(1 << 20):
        total += len(chunk)
    done.append(total)
    conn.close()


def _push(port: int, total: int) -> float:
    """Seconds to send `total` bytes to 127.0.0.1:port and see the receiver finish."""
    block = b"x" * (1 << 20)
    t = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as s:
        sent = 0
        while sent < total:
            s.sendall(block)
            sent += len(block)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)       # wait for the far end to close: every byte arrived
    return time.perf_counter() - t


def direct_throughput(total: int) -> float:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    done: list = []
    t = threading.Thread(target=_sink, args=(server, done))
    t.start()
    seconds = _push(server.getsockname()[1], total)
    t.join()
    server.close()
    return total / seconds / 1e6


def published_throughput(eng, total: int) -> float:
    """The same sink as the direct copy, but listening inside a container's own network
    namespace and reached through its published port: client -> proxy -> engine
    namespace -> veth -> container."""
    from engine.network import netns
    from shell.env import Env
    from shell.runner import run_line
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = Env.buffered()
    env.engine = eng
    assert run_line(env, f"docker run -d --name sink -p {port}:9000 busybox sleep 600") == 0
    try:
        ns = os.open(f"/proc/{eng.container('sink').state.pid}/ns/net", os.O_RDONLY)
        with netns.entered(ns):
            server = socket.socket()
        os.close(ns)
        server.bind(("0.0.0.0", 9000))
        server.listen(1)
        done: list = []
        t = threading.Thread(target=_sink, args=(server, done))
        t.start()
        seconds = _push(port, total)
        t.join()
        server.close()
        return total / seconds / 1e6
    finally:
        run_line(env, "docker rm -f sink")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--megabytes", type=int, default=256)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench/network.py: run as root")
        return 1
    root = tempfile.mkdtemp(prefix="dlbench-net-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    from engine.engine import Engine
    eng = Engine()
    try:
        eng.pull("busybox")
        os.sync()      # the new image store on disk first: time starts, not its writeback
        print(f"dockerlings networking, {args.runs} runs each, "
              f"{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs")
        bridge = latency(eng, "docker run --rm busybox true", args.runs)
        none = latency(eng, "docker run --rm --network none busybox true", args.runs)
        print(f"  run --rm busybox true, default bridge (target median <= 30 ms)   "
              f"median {bridge[0]:6.1f} ms  p95 {bridge[1]:6.1f} ms")
        print(f"  run --rm --network none busybox true                            "
              f"median {none[0]:6.1f} ms  p95 {none[1]:6.1f} ms")
        total = args.megabytes << 20
        direct = direct_throughput(total)
        published = published_throughput(eng, total)
        print(f"  throughput, direct loopback copy          {direct:8.0f} MB/s")
        print(f"  throughput, through a published port      {published:8.0f} MB/s "
              f"= {published / direct:.2f}x direct (target >= 0.5x)")
    finally:
        eng.reset()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
