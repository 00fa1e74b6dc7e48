"""Parity with the real docker CLI: the same command line, run by docker and by
dockerlings, must print the same thing.

Two oracles:

* the docker CLI alone, pointed at a socket that does not exist: whatever it prints
  before it tries to connect (flag and argument errors, its own value checks, help
  pages) is decided by the CLI itself, so dockerlings must print it byte for byte;
* the docker CLI in front of podman's Docker-compatible API (podman-baseline.sh
  --docker-api): the columns, time strings and --format handling are then the docker
  CLI's own, rendering data that legitimately differs (IDs, times, podman's
  localhost/busybox), so those tests compare structure, not values.

Neither oracle is needed for the rest of the suite: without a docker CLI (or podman)
these tests skip and say why.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCKER_VERSION = "28.2.2"          # the version these tables were made from
BASELINE = Path(__file__).resolve().parents[2] / "bench" / "baseline.sh"   # the project's own


@dataclass(frozen=True)
class Out:
    code: int
    out: str
    err: str


def docker_cli() -> str | None:
    return shutil.which("docker") or (
        "/usr/local/bin/docker" if os.access("/usr/local/bin/docker", os.X_OK) else None)


def _docker_version(path: str) -> str | None:
    try:
        p = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version (\S+),", p.stdout)
    return m.group(1) if m else None


def docker_skip_reason() -> str | None:
    """Why the docker-CLI parity tests cannot run here (None: they can)."""
    path = docker_cli()
    if path is None:
        return "no docker CLI on this machine"
    version = _docker_version(path)
    if version != DOCKER_VERSION:
        return (f"docker CLI {version} at {path}; these tables compare against "
                f"{DOCKER_VERSION}'s texts")
    return None


def clean_environ(home: str, docker_host: str) -> dict:
    """The environment the docker CLI runs in: no config file, context or user
    preferences of this machine (a psFormat in ~/.docker/config.json would change ps)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(HOME=home, DOCKER_HOST=docker_host, DOCKER_CLI_HINTS="false", LC_ALL="C.UTF-8")
    env.pop("COLUMNS", None)
    return env


class RealDocker:
    """Runs the real docker CLI with stdin not a terminal (so help is 80 columns wide,
    as dockerlings' buffered Env is)."""

    def __init__(self, path: str, docker_host: str, home: str):
        self.path = path
        self.environ = clean_environ(home, docker_host)

    def run(self, argv: list[str], timeout: float = 60) -> Out:
        p = subprocess.run([self.path, *argv], stdin=subprocess.DEVNULL, capture_output=True,
                           env=self.environ, timeout=timeout)
        return Out(p.returncode, p.stdout.decode(), p.stderr.decode())

    def line(self, line: str) -> Out:
        return self.run(argv_of(line))


def argv_of(line: str) -> list[str]:
    words = shlex.split(line)
    assert words[0] == "docker", line
    return words[1:]


def run_dockerlings(argv: list[str], engine=None, cwd: str = "/") -> Out:
    """One docker command line through dockerlings' own code, in this process."""
    from shell.env import Env
    from shell.runner import run_docker
    env = Env.buffered(cwd=cwd)
    if engine is not None:
        env.engine = engine
    code = run_docker(env, list(argv))
    return Out(code, env.output_text(), env.error_text())


# --- what the two sides may differ in, by design ------------------------------------------
# Every intended difference from Docker's output, listed once, with its reason. Each parity
# test removes exactly these and compares the rest line by line.

HINT = re.compile(r"^hint: .*\n", re.M)

LEGACY_BUILDER = ("DEPRECATED: The legacy builder is deprecated and will be removed in a "
                  "future release.\n"
                  "            Install the buildx component to build images with BuildKit:\n"
                  "            https://docs.docker.com/go/buildx/\n\n")

INTENDED = {
    "hint": "dockerlings adds one plain-words `hint: ...` line after Docker's own words, for "
            "the mistakes learners make most (shell/hints.py); docker has no such line",
    "legacy-builder": "the docker CLI here has no buildx plugin, so `docker build` warns that "
                      "it falls back to the legacy builder; dockerlings builds as BuildKit "
                      "does and never says so",
}


def without_hints(text: str) -> str:
    """The text without dockerlings' `hint:` lines (INTENDED["hint"])."""
    return HINT.sub("", text)


def without_legacy_banner(text: str) -> str:
    """The docker CLI's text without its legacy-builder banner (INTENDED["legacy-builder"])."""
    return text.replace(LEGACY_BUILDER, "", 1)


DAEMON_CONTACT = ("Cannot connect to the Docker daemon", "failed to connect to the docker API",
                  "error during connect")


def contacted_daemon(result: Out) -> bool:
    """True when the CLI got past all its own checks and tried the (missing) daemon:
    the invocation is then not client-side and says nothing about the CLI's texts."""
    return any(s in result.err or s in result.out for s in DAEMON_CONTACT)


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def offline_docker(tmp_path_factory):
    """The real docker CLI with no daemon behind it."""
    reason = docker_skip_reason()
    if reason:
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("docker-home")
    sock = home / "no-daemon-here.sock"
    return RealDocker(docker_cli(), f"unix://{sock}", str(home))


@pytest.fixture(scope="session")
def offline_engine_root():
    """An engine root of this session's own, for the (rare) client-side command that
    reaches the engine in dockerlings; nothing runs in it."""
    d = tempfile.mkdtemp(prefix="dlp-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = d
    try:
        yield d
    finally:
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        shutil.rmtree(d, ignore_errors=True)


# --- podman's Docker API ------------------------------------------------------------------

def podman_skip_reason() -> str | None:
    reason = docker_skip_reason()
    if reason:
        return reason
    if os.geteuid() != 0:
        return "podman's Docker API baseline needs root"
    if shutil.which("podman") is None and os.environ.get("DOCKERLINGS_PARITY_INSTALL") != "1":
        return ("podman is not installed (run bench/baseline.sh, or set "
                "DOCKERLINGS_PARITY_INSTALL=1 to let these tests install it)")
    if not BASELINE.exists():
        return f"{BASELINE} is missing"
    return None


@pytest.fixture(scope="session")
def podman_docker():
    """The real docker CLI talking to podman's Docker-compatible API, served for this
    session only, from a podman store of its own (the machine's podman images and
    containers are never read or changed); the service is stopped at the end (by its
    pid) and the store reset and removed."""
    reason = podman_skip_reason()
    if reason:
        pytest.skip(reason)
    d = tempfile.mkdtemp(prefix="dlpod-", dir="/tmp")
    sock = os.path.join(d, "api.sock")
    store = os.path.join(d, "store")
    p = subprocess.run(["bash", str(BASELINE), "--store", store, "--docker-api", sock],
                       capture_output=True,
                       text=True, timeout=600, stdin=subprocess.DEVNULL)
    m = re.search(r"\(pid (\d+)\)", p.stdout)
    pid = int(m.group(1)) if m else None
    try:
        if p.returncode != 0 or not os.path.exists(sock):
            pytest.skip(f"podman baseline failed (exit {p.returncode}): "
                        f"{(p.stderr or p.stdout).strip()[-300:]}")
        yield RealDocker(docker_cli(), f"unix://{sock}", d)
    finally:
        if pid is not None:
            _stop(pid)
        _reset_store(store)
        shutil.rmtree(d, ignore_errors=True)


def _reset_store(store: str) -> None:
    """Removes what podman made in the store (its containers' mounts among them)."""
    if shutil.which("podman") and os.path.isdir(store):
        subprocess.run(["podman", "--root", f"{store}/root", "--runroot", f"{store}/runroot",
                        "--storage-driver", "overlay", "system", "reset", "-f"],
                       capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, CONTAINERS_CONF=f"{store}/containers.conf"))


def _stop(pid: int) -> None:
    import signal
    import time
    try:
        with open(f"/proc/{pid}/comm") as f:
            if f.read().strip() != "podman":
                return                  # not ours any more
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except OSError:
            return
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
