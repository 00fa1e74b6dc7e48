"""Stress: leaks, crashes and concurrency, re-measured (issue 12 §5). Opt-in: not part
of the test suite; takes a few minutes at full scale on a 2-CPU machine.

    .venv/bin/python bench/stress.py [--scale 1.0] [--seed 12] [--only leaks,kills,mixed]

Each part runs on an engine root of its own under /tmp, removed afterwards:

- leaks: 1,000 `docker run --rm busybox true` and 200 cycles of `run -d -p 80` + `rm -f`,
  in-process as the shell runs them, in batches. Afterwards nothing may be left:
  containers, addresses held on networks, veth pairs in the engine's namespace, mounts,
  cgroups, monitors still holding a container, files in the runtime folder. No
  slowdown: afterwards the same commands, alternating call by call between this worn
  root and a fresh one, must cost within 10% (the first and last batches' medians are
  printed too, but they also move with whatever else the machine does meanwhile).
- kills: 100 SIGKILLs of a whole `dockerlings -c` process at a random moment of `run`,
  `commit`, `build`, `rm -f` or `network connect` (each delay drawn between 0 and 1.2x
  that command's own duration, measured first). After each: `engine fsck` may clean,
  and must have no problem; a second fsck must find nothing at all; nothing may be
  stuck (every container removable within 10 s, no container "running" whose monitor
  is gone).
- mixed: two processes, 200 random operations each (run, create, start, stop, kill,
  rm, rename, commit, tag, rmi, pause, network connect/disconnect, build ...) at once;
  no traceback, every exit status one of Docker's, fsck clean afterwards.

--scale multiplies every count (0.05 runs in a minute or two: a check that the script
works; the figures mean something only at 1.0 on a quiet machine). Prints the figures,
and exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from common import PROJECT, compile_project
sys.path.insert(0, PROJECT)

KILL_TARGETS = ("run", "commit", "build", "rm", "connect")


# --- an engine root of our own ------------------------------------------------------------

class Root:
    """A fresh engine root, its Engine, and lines run in this process as the shell
    runs them."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dlstress-", dir="/tmp")
        os.environ["DOCKERLINGS_ROOT"] = self.dir
        for k in [k for k in os.environ if k.startswith("DOCKERLINGS_UPLINK")]:
            del os.environ[k]
        from engine.engine import Engine
        from engine.paths import Paths
        self.engine = Engine(Paths.from_env())

    def run(self, line: str) -> tuple[int, str]:
        from shell.env import Env
        from shell.runner import run_line
        env = Env.buffered(cwd=self.dir)
        env.engine = self.engine
        code = run_line(env, line)
        return code, env.output_text() + env.error_text()

    def ok(self, line: str) -> str:
        code, text = self.run(line)
        if code != 0:
            raise SystemExit(f"{line!r} exited {code}: {text}")
        return text

    def process(self, line: str, **kw) -> subprocess.Popen:
        environ = dict(os.environ, DOCKERLINGS_ROOT=self.dir, PYTHONPATH=PROJECT)
        return subprocess.Popen([sys.executable, "-m", "shell", "-c", line], env=environ,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)

    def fsck(self):
        from engine.system import fsck
        return fsck.check(self.engine)

    def close(self) -> None:
        try:
            self.engine.reset()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def leftovers(root: Root) -> list[str]:
    """What should not be there once every container is gone."""
    from engine.network.store import NetworkStore
    from engine.runtime import cgroups
    eng, out = root.engine, []
    if eng.store.ids():
        out.append(f"{len(eng.store.ids())} containers")
    held = [f"{ep['IPv4Address']} on {n['Name']}" for n in NetworkStore(root.dir).all()
            for ep in n["Containers"].values()]
    if held:
        out.append(f"addresses held: {held}")
    veths = _engine_veths(str(eng.paths.run))
    if veths:
        out.append(f"veth pairs: {veths}")
    with open("/proc/self/mountinfo") as f:
        mounts = [l.split()[4] for l in f if root.dir in l and not l.split()[4].endswith(
            "/netns")]
    if mounts:
        out.append(f"mounts: {mounts}")
    cg = cgroups.leftover_dirs(eng.cgroup_scope)
    if cg:
        out.append(f"cgroups: {cg}")
    busy = _busy_monitors(root.dir)
    if busy:
        out.append(f"monitors still holding a process: {busy}")
    run_files = [n for n in os.listdir(eng.paths.run)
                 if len(n) == 12 and all(ch in "0123456789abcdef" for ch in n)]
    if run_files:
        out.append(f"runtime folders: {run_files}")
    return out


def _engine_veths(run: str) -> list[str]:
    pin = os.path.join(run, "netns")
    if not os.path.exists(pin):
        return []
    p = subprocess.run(["nsenter", f"--net={pin}", "ip", "-o", "link", "show", "type", "veth"],
                       capture_output=True, text=True)
    return [l.split(":")[1].strip() for l in p.stdout.splitlines()]


def _busy_monitors(root: str) -> list[int]:
    """Monitors of this root that still have a child (a container's process); an idle
    monitor waiting in the spawner's pool for the next start has none."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "dl-monitor":
                    continue
            mine = any(os.readlink(f"/proc/{pid}/fd/{fd}").startswith(root)
                       for fd in os.listdir(f"/proc/{pid}/fd"))
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                if mine and f.read().split():
                    out.append(int(pid))
        except OSError:
            continue
    return out


def settle(root: Root, timeout: float = 10.0) -> list[str]:
    """Leftovers once monitors finished their last writes (a moment after an exit)."""
    deadline = time.monotonic() + timeout
    while True:
        found = leftovers(root)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


# --- leaks -----------------------------------------------------------------------------

def leaks(scale: float) -> dict:
    root = Root()
    try:
        root.ok("docker pull busybox")
        runs, publishes = max(20, int(1000 * scale)), max(10, int(200 * scale))
        def run(r, i):
            r.ok("docker run --rm busybox true")

        def cycle(r, i):
            r.ok(f"docker run -d --name pub{i} -p 80 busybox sleep 60")
            r.ok(f"docker rm -f pub{i}")
        timings = _batches(root, runs, lambda i: run(root, i))
        after_runs = settle(root)
        pub_timings = _batches(root, publishes, lambda i: cycle(root, i))
        after_publish = settle(root)
        # the same work on the worn root and on a fresh one, alternating call by call:
        # what the worn root costs more is what its past left behind, whatever else
        # the machine was doing meanwhile
        worn_runs, fresh_runs = _against_fresh(root, run, max(10, runs // 10))
        worn_pub, fresh_pub = _against_fresh(root, cycle, max(5, publishes // 10), 10_000)
        return {"runs": runs, "run_batches": timings, "run_leftovers": after_runs,
                "publishes": publishes, "publish_batches": pub_timings,
                "publish_leftovers": after_publish,
                "run_vs_fresh": (worn_runs, fresh_runs), "publish_vs_fresh": (worn_pub, fresh_pub)}
    finally:
        root.close()


def _against_fresh(root: Root, fn, count: int, first: int = 0) -> tuple[float, float]:
    """Median ms of fn on `root` and on a new root, calls alternating, after a warm-up."""
    fresh = Root()
    try:
        fresh.ok("docker pull busybox")
        for i in range(3):
            fn(fresh, first + 100_000 + i)
            fn(root, first + 100_000 + i)
        worn, new = [], []
        for i in range(count):
            for target, out in ((root, worn), (fresh, new)):
                t = time.perf_counter()
                fn(target, first + i)
                out.append((time.perf_counter() - t) * 1000)
        return statistics.median(worn), statistics.median(new)
    finally:
        fresh.close()
        os.environ["DOCKERLINGS_ROOT"] = root.dir


def _batches(root: Root, count: int, fn, batches: int = 10) -> list[float]:
    """Median milliseconds of each tenth of `count` calls."""
    size = max(1, count // batches)
    medians, samples = [], []
    for i in range(count):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
        if len(samples) == size:
            medians.append(statistics.median(samples))
            samples = []
    return medians


# --- kills -------------------------------------------------------------------------------

def _prepare(root: Root, target: str, i: int, ctx: str) -> str:
    """Set up what `target` needs; returns the command line to kill."""
    if target == "run":
        return f"docker run --name k{i} busybox sh -c 'echo hi > /f'"
    if target == "commit":
        root.ok(f"docker run -d --name k{i} busybox sh -c "
                "'dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null; sleep 60'")
        return f"docker commit k{i} snap{i}"
    if target == "build":
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(f"FROM busybox\nRUN echo {i} > /one\nCOPY . /ctx\n"
                    "RUN sleep 0.3 && echo two > /two\nCMD [\"sh\"]\n")
        return f"docker build -t built{i} {ctx}"
    if target == "rm":
        root.ok(f"docker run -d --name k{i} -p 80 busybox sleep 60")
        return f"docker rm -f k{i}"
    root.ok(f"docker run -d --name k{i} busybox sleep 60")
    return f"docker network connect killnet k{i}"


def _durations(root: Root, ctx: str) -> dict[str, float]:
    """How long each target takes when it is not killed (whole processes)."""
    out = {}
    for n, target in enumerate(KILL_TARGETS):
        line = _prepare(root, target, 1000 + n, ctx)
        t = time.perf_counter()
        if root.process(line).wait(timeout=120) != 0:
            raise SystemExit(f"{line!r} failed before any kill")
        out[target] = time.perf_counter() - t
        _clear(root)
    return out


def _clear(root: Root) -> list[str]:
    """Remove every container, each within 10 s; returns those that were stuck."""
    stuck = []
    for c in root.engine.containers(all=True):
        t = time.monotonic()
        code, text = root.run(f"docker rm -f {c.id}")
        if (code != 0 and "No such container" not in text) or time.monotonic() - t > 10:
            stuck.append(f"{c.name}: {text.strip()[:200]}")
    for img in root.engine.images.refs():
        if not img.startswith("docker.io/library/busybox"):
            root.run(f"docker rmi -f {img}")
    return stuck


def kills(scale: float, rng: random.Random) -> dict:
    root = Root()
    ctx = tempfile.mkdtemp(prefix="dlstress-ctx-", dir="/tmp")
    try:
        root.ok("docker pull busybox")
        root.ok("docker network create killnet")
        durations = _durations(root, ctx)
        count = max(len(KILL_TARGETS), int(100 * scale))
        repaired, problems, second, stuck = {t: 0 for t in KILL_TARGETS}, [], [], []
        for i in range(count):
            target = KILL_TARGETS[i % len(KILL_TARGETS)]
            p = root.process(_prepare(root, target, i, ctx))
            time.sleep(rng.uniform(0, 1.2 * durations[target]))
            p.send_signal(signal.SIGKILL)
            p.wait()
            first = root.fsck()
            if first.cleaned:
                repaired[target] += 1
            problems += [f"{target} #{i}: {x}" for x in first.problems]
            again = root.fsck()
            if again.problems or again.cleaned:
                second.append(f"{target} #{i}: {again.problems + again.cleaned}")
            dead = [c.name for c in root.engine.containers(all=True)
                    if c.state.running and not _monitor_alive(c)]
            stuck += [f"{target} #{i}: {n} running without a monitor" for n in dead]
            stuck += [f"{target} #{i}: {s}" for s in _clear(root)]
        left = settle(root)
        return {"kills": count, "durations": durations, "repaired": repaired,
                "problems": problems, "second_fsck": second, "stuck": stuck,
                "leftovers": left}
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
        root.close()


def _monitor_alive(c) -> bool:
    from engine.runtime import syscalls as sc
    return sc.alive(c.state.monitor_pid, c.state.monitor_start)


# --- mixed --------------------------------------------------------------------------------

def mixed(scale: float, seed: int) -> dict:
    root = Root()
    try:
        root.ok("docker pull busybox")
        root.ok("docker network create mixnet")
        count = max(20, int(200 * scale))
        environ = dict(os.environ, DOCKERLINGS_ROOT=root.dir, PYTHONPATH=PROJECT)
        t = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, os.path.join(PROJECT, "bench",
                                                                  "stress_worker.py"),
                                     str(seed + n), str(count)], env=environ,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for n in range(2)]
        failures, done = [], 0
        for w in workers:
            out, err = w.communicate(timeout=3600)
            done += int(out.split()[0]) if out.split() else 0
            if w.returncode != 0:
                failures.append(err.strip()[-2000:])
        elapsed = time.perf_counter() - t
        report = root.fsck()
        again = root.fsck()
        return {"operations": done, "workers": 2, "per_worker": count, "seconds": elapsed,
                "failures": failures, "fsck_problems": report.problems,
                "fsck_cleaned": report.cleaned, "second_fsck": again.problems + again.cleaned}
    finally:
        root.close()


# --- the report ------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--only", default="leaks,kills,mixed")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("stress.py runs real containers: run it as root")
    compile_project()
    parts = a.only.split(",")
    failed = False
    print(f"bench/stress.py --scale {a.scale} --seed {a.seed} "
          f"({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)")
    if "leaks" in parts:
        failed |= _report_leaks(leaks(a.scale))
    if "kills" in parts:
        failed |= _report_kills(kills(a.scale, random.Random(a.seed)))
    if "mixed" in parts:
        failed |= _report_mixed(mixed(a.scale, a.seed))
    print("all targets met" if not failed else "TARGETS MISSED")
    return 1 if failed else 0


def _slowdown(batches: list[float]) -> float:
    return batches[-1] / batches[0] - 1 if len(batches) > 1 and batches[0] else 0.0


def _report_leaks(r: dict) -> bool:
    bad = False
    for kind, count, batches, left, (worn, fresh) in (
            ("run --rm busybox true", r["runs"], r["run_batches"], r["run_leftovers"],
             r["run_vs_fresh"]),
            ("run -d -p 80 + rm -f", r["publishes"], r["publish_batches"],
             r["publish_leftovers"], r["publish_vs_fresh"])):
        slow = worn / fresh - 1 if fresh else 0.0
        print(f"leaks: {count} x {kind}: {len(left)} kinds of leftovers "
              f"{left if left else ''}; batch medians {batches[0]:.1f} -> {batches[-1]:.1f} ms "
              f"({_slowdown(batches):+.0%} over the run); afterwards, alternating with a fresh "
              f"root: {worn:.1f} vs {fresh:.1f} ms ({slow:+.0%}, target within 10%)")
        bad |= bool(left) or slow > 0.10
    return bad


def _report_kills(r: dict) -> bool:
    shown = ", ".join(f"{t} {d * 1000:.0f} ms" for t, d in r["durations"].items())
    print(f"kills: {r['kills']} SIGKILLs ({shown} unkilled); fsck repaired after "
          + ", ".join(f"{t} {n}" for t, n in r["repaired"].items()))
    print(f"kills: fsck problems {len(r['problems'])}, second fsck not clean "
          f"{len(r['second_fsck'])}, stuck {len(r['stuck'])}, leftovers {r['leftovers']}")
    for line in (r["problems"] + r["second_fsck"] + r["stuck"])[:20]:
        print(f"  {line}")
    return bool(r["problems"] or r["second_fsck"] or r["stuck"] or r["leftovers"])


def _report_mixed(r: dict) -> bool:
    print(f"mixed: {r['workers']} x {r['per_worker']} concurrent operations "
          f"({r['operations']} done) in {r['seconds']:.0f} s: {len(r['failures'])} workers "
          f"saw a traceback or a foreign exit status; fsck problems {r['fsck_problems']}, "
          f"cleaned {len(r['fsck_cleaned'])}, second fsck {r['second_fsck']}")
    for f in r["failures"] + r["fsck_cleaned"]:
        print(f"  {f}")
    return bool(r["failures"] or r["fsck_problems"] or r["fsck_cleaned"] or r["second_fsck"])


if __name__ == "__main__":
    sys.exit(main())
