"""The engine as an ordinary user, beside root's and rootless podman, in one run.

    .venv/bin/python bench/rootless.py [--runs 30]

Run as root: it switches to the test user .ci/setup makes (dockerlings-test, with
subordinate ids), installs dockerlings for it from this tree's wheel (as the rootless
tests do: tests/integration/as_user.py), and times `docker run --rm busybox true`
in-process (bench/rootless_worker.py, in the user's process) and whole-process
(`dockerlings -c`) as that user, root's same rows, and `podman run --rm --network none
localhost/busybox true` as the same user (rootless podman, with a store and runtime
folder of its own; busybox imported from the host's static busybox, as
bench/baseline.sh does for root). Targets: rootless in-process median <= 20 ms, rootless
whole-process <= 0.5x rootless podman. Exits 1 when a target is missed. Everything it
made goes at the end: both engines reset, podman's pause process ended by its pid, the
folders removed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from common import PROJECT, compile_project, sh
sys.path.insert(0, PROJECT)

from core import have_podman, in_process, line, program, stats, timed  # noqa: E402
from tests.integration import as_user  # noqa: E402

WORKER = os.path.join(PROJECT, "bench", "rootless_worker.py")
PODMAN_CONF = '[containers]\nnetns = "none"\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'


def user_in_process(user: as_user.UserEngine, runs: int, extra: str = "") -> tuple:
    python = os.path.join(os.path.dirname(user.program), "python")
    with open(WORKER) as f:
        code = f.read()
    p = user.as_user([python, "-c", code, str(runs), extra], capture_output=True, text=True,
                     timeout=600)
    assert p.returncode == 0, p.stderr
    return stats(json.loads(p.stdout))


def user_whole(user: as_user.UserEngine, runs: int, extra: str = "") -> tuple:
    def once():
        r = user.run(f"docker run --rm {extra}busybox true")
        assert r.code == 0, r.err
    return stats(timed(once, runs))


def root_whole(root: str, runs: int, extra: str = "") -> tuple:
    exe = program() + ["-c", f"docker run --rm {extra}busybox true"]
    env = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=PROJECT)
    return stats(timed(lambda: sh(exe, env=env, check=True), runs))


class RootlessPodman:
    """podman as the user, on a store of its own in the user's folder."""

    def __init__(self, user: as_user.UserEngine):
        self.user = user
        self.home = str(user.home)
        self.run_dir = str(user.runtime)
        conf = os.path.join(self.home, "containers.conf")
        with open(conf, "w") as f:
            f.write(PODMAN_CONF)
        self.env = dict(user.environ, CONTAINERS_CONF=conf)
        self.base = ["podman", "--root", os.path.join(self.home, "podman-store"),
                     "--runroot", os.path.join(self.run_dir, "podman-run"),
                     "--storage-driver", "overlay"]
        self._import_busybox()

    def podman(self, *args: str):
        p = self.user.as_user(self.base + list(args), env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert p.returncode == 0, f"podman {' '.join(args)}: {p.stderr}"
        return p

    def _import_busybox(self) -> None:
        rootfs = tempfile.mkdtemp(prefix="dlbench-bb-")
        try:
            for d in ("bin", "etc", "proc", "sys", "dev", "tmp", "root"):
                os.makedirs(os.path.join(rootfs, d))
            shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
            os.symlink("busybox", os.path.join(rootfs, "bin", "true"))
            os.symlink("busybox", os.path.join(rootfs, "bin", "sh"))
            with open(os.path.join(rootfs, "etc", "passwd"), "w") as f:
                f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
            tar = os.path.join(self.home, "busybox.tar")
            sh(["tar", "-C", rootfs, "-cf", tar, "."], check=True)
            os.chmod(tar, 0o644)
            self.podman("import", "-q", tar, "localhost/busybox:latest")
        finally:
            shutil.rmtree(rootfs, ignore_errors=True)

    def run_true(self, runs: int) -> tuple:
        return stats(timed(lambda: self.podman("run", "--rm", "--network", "none",
                                               "localhost/busybox", "true"), runs, warmup=2))

    def stop(self) -> None:
        """Its pause process (catatonit) holds the user namespace between commands."""
        for dirpath, _, files in os.walk(self.run_dir):
            if "pause.pid" in files:
                try:
                    with open(os.path.join(dirpath, "pause.pid")) as f:
                        os.kill(int(f.read().strip()), 9)
                except (OSError, ValueError):
                    pass


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    why = as_user.why_not()
    if why:
        print(f"bench/rootless.py: {why}")
        return 1
    compile_project()
    root = tempfile.mkdtemp(prefix="dlbench-", dir="/tmp")
    os.environ["DOCKERLINGS_ROOT"] = root
    install = as_user.UserInstall()
    user = as_user.UserEngine(install.program)
    podman = None
    missed = []
    try:
        print(f"dockerlings as root and as {as_user.USER}, {args.runs} runs each, "
              f"{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs, "
              f"kernel {os.uname().release}")
        print("\nrun --rm busybox true")
        root_in = in_process(args.runs)
        user_in = user_in_process(user, args.runs)
        user_in_none = user_in_process(user, args.runs, "--network none ")
        line("root, in-process (default bridge)", root_in)
        line("rootless, in-process (default bridge; target <= 20 ms)", user_in)
        line("rootless, in-process, --network none", user_in_none)
        if user_in[0] > 20:
            missed.append("rootless in-process")
        root_proc = root_whole(root, args.runs)
        user_proc = user_whole(user, args.runs)
        user_proc_none = user_whole(user, args.runs, "--network none ")
        if have_podman():
            podman = RootlessPodman(user)
            theirs = podman.run_true(args.runs)
        else:
            theirs = None
        line("root, dockerlings -c (default bridge)", root_proc)
        ratio = f"= {user_proc[0] / theirs[0]:.2f}x rootless podman (target <= 0.5x)" \
            if theirs else ""
        line("rootless, dockerlings -c (default bridge)", user_proc, ratio)
        ratio = f"= {user_proc_none[0] / theirs[0]:.2f}x rootless podman" if theirs else ""
        line("rootless, dockerlings -c, --network none", user_proc_none, ratio)
        if theirs:
            line("rootless podman run --rm --network none busybox true", theirs)
            if user_proc[0] > 0.5 * theirs[0]:
                missed.append("rootless whole-process")
        else:
            print("  (podman not available: no rootless podman row)")
    finally:
        if podman:
            podman.stop()
        user.reset()
        user.remove()
        install.remove()
        from engine.engine import Engine
        Engine().reset()
        shutil.rmtree(root, ignore_errors=True)
    if missed:
        print(f"\ntargets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
