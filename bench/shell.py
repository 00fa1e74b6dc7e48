"""The interactive shell's numbers: launch to a usable prompt, and completion latency.

    .venv/bin/python bench/shell.py [--runs 20] [--objects 500]

Launch: `dockerlings` started under a pseudo-terminal (as a learner starts it), timed
from the spawn until the prompt and its toolbar are on the screen; the first start
(welcome screen with the full engine check) is timed separately from later starts.
Completion: on an engine holding OBJECTS containers (created, not started; a tenth of
them running would change nothing: status comes from the same state files) and
OBJECTS image tags, the completer is asked after every keystroke of typical lines, the
way prompt_toolkit asks it while the learner types. "revalidated" forces the listing
cache to stat every container's state file on each keystroke (as after a command ran,
or when another shell changed something); "steady" is the common case between two
commands. Run as root (the engine makes the containers).
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
sys.path.insert(0, PROJECT)

LINES = ["docker start c12", "docker exec c4", "docker rm c1 c2 c", "docker run --rm img42:v1",
         "docker run --restart on-failure busybox", "docker stop -s SIGKILL c7",
         "docker ps --format '{{.Names}}'", "docker image rm img3", "docker inspect c99",
         "cat bench/shell.py"]


TOOLBAR = " images \xc2\xb7 engine ".encode("latin-1")     # drawn last in the first frame


def stats(samples: list[float]) -> tuple[float, float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(len(s) * 0.95))], s[-1]


def report(label: str, ms: tuple[float, float, float], n: int) -> None:
    print(f"  {label:52s} median {ms[0]:7.2f} ms  p95 {ms[1]:7.2f} ms  max {ms[2]:7.2f} ms"
          f"  (n={n})")


# --- launch to prompt ------------------------------------------------------------------

def launch_once(environ: dict, also: bytes | None = None) -> float | tuple[float, float]:
    """Milliseconds from spawn to the toolbar being drawn (the toolbar is the last
    thing of the first frame, so the prompt is there and reading keys); with `also`,
    (that, milliseconds until `also` is on the screen too)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "shell"], stdin=slave, stdout=slave,
                            stderr=slave, env=environ, cwd=PROJECT, start_new_session=True)
    os.close(slave)
    seen = b""
    elapsed = extra = None
    deadline = t + 10
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if b"\x1b[6n" in data:              # answer the cursor-position question
            os.write(master, b"\x1b[1;1R")
        seen += data
        if elapsed is None and TOOLBAR in seen:
            elapsed = (time.perf_counter() - t) * 1000
        if also is not None and extra is None and also in seen:
            extra = (time.perf_counter() - t) * 1000
        if elapsed is not None and (also is None or extra is not None):
            break
    os.write(master, b"\x04")                # Ctrl-D leaves
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(master)
    if elapsed is None or (also is not None and extra is None):
        raise RuntimeError(f"no prompt within 10 s; the screen said: {seen[-500:]!r}")
    return elapsed if also is None else (elapsed, extra)


def launch_mid_lesson(root: str, runs: int) -> None:
    """A learner who left off in a lesson: the prompt, then the step they were at (the
    lessons load after the prompt is drawn)."""
    home = tempfile.mkdtemp(prefix="dlh-", dir="/tmp")
    environ = dict(os.environ, DOCKERLINGS_ROOT=root, DOCKERLINGS_HOME=home, TERM="xterm")
    with open(os.path.join(home, "progress.txt"), "w") as f:
        f.write("current hello-world\nlesson hello-world started at=run-hello "
                "passed=client-and-engine\n")
    with open(os.path.join(home, "welcomed"), "w") as f:
        f.write("1\n")
    try:
        both = [launch_once(environ, also=b"where you left off") for _ in range(runs)]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    report("later starts, mid-lesson: the prompt", stats([p for p, _ in both]), runs)
    report("later starts, mid-lesson: the step shown above it", stats([s for _, s in both]),
           runs)


def launch(root: str, runs: int, label: str, first_start: bool = True) -> None:
    home = tempfile.mkdtemp(prefix="dlh-", dir="/tmp")
    environ = dict(os.environ, DOCKERLINGS_ROOT=root, DOCKERLINGS_HOME=home, TERM="xterm")
    try:
        first = []
        for _ in range(max(3, runs // 4)):
            shutil.rmtree(home, ignore_errors=True)
            first.append(launch_once(environ))
        later = [launch_once(environ) for _ in range(runs)]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if first_start:
        report(f"first start, welcome + full engine check ({label})", stats(first), len(first))
    report(f"later starts ({label})", stats(later), len(later))


# --- completion -------------------------------------------------------------------------

def populate(eng, n: int) -> None:
    from engine.config import ContainerConfig
    eng.pull("busybox")
    for i in range(n):
        eng.create(ContainerConfig(image="busybox", cmd=("true",)), name=f"c{i}")
        eng.tag("busybox", f"img{i}:v1")


def keystrokes(completer, lines: list[str], revalidate, rounds: int) -> list[float]:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document
    out = []
    for _ in range(rounds):
        for line in lines:
            for k in range(1, len(line) + 1):
                revalidate()
                doc = Document(line[:k])
                t = time.perf_counter()
                list(completer.get_completions(doc, CompleteEvent(text_inserted=True)))
                out.append((time.perf_counter() - t) * 1000)
    return out


def completion(eng, objects: int, rounds: int) -> None:
    from shell.completion import Context, DockerCompleter
    from shell.listings import Listings
    listings = Listings(eng)
    ctx = Context(PROJECT, listings)
    completer = DockerCompleter(lambda: ctx)
    t = time.perf_counter()
    listings.containers(), listings.tags()
    report("first listing (cold cache: every record read)",
           stats([(time.perf_counter() - t) * 1000]), 1)
    steady = keystrokes(completer, LINES, lambda: None, rounds)
    report(f"per keystroke, steady ({objects} containers + tags)", stats(steady), len(steady))
    again = keystrokes(completer, LINES, listings.invalidate, rounds)
    report("per keystroke, revalidated (stat every state file)", stats(again), len(again))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--objects", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="dlb-", dir="/tmp")
    print(f"$ .venv/bin/python bench/shell.py --runs {a.runs} --objects {a.objects} "
          f"--rounds {a.rounds}   ({os.cpu_count()} CPUs)")
    os.environ["DOCKERLINGS_ROOT"] = root
    from engine.engine import Engine
    eng = Engine()
    try:
        print("Launch to a usable prompt (pty, 100x30):")
        launch(root, a.runs, "empty engine")
        launch_mid_lesson(root, a.runs)
        t = time.perf_counter()
        populate(eng, a.objects)
        print(f"  (made {a.objects} containers and {a.objects} image tags in "
              f"{time.perf_counter() - t:.1f} s)")
        launch(root, a.runs, f"{a.objects} containers + tags", first_start=False)
        print("Completion latency:")
        completion(eng, a.objects, a.rounds)
    finally:
        eng.reset()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
