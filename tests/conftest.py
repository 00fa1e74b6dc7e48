"""Shared test helpers: run docker command lines through the real shell code with
in-memory streams, on an engine root of the test's own."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Tests never reach a registry off this machine, network or not: what they see of an
# image that is not here is the same on every machine (registries on loopback, which
# the registry tests start themselves, are still reached).
os.environ["DOCKERLINGS_OFFLINE"] = "1"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __iter__(self):
        return iter((self.code, self.out, self.err))


class Shell:
    """Runs lines as the dockerlings shell would, in this process."""

    def __init__(self, engine, cwd: str):
        self.engine = engine
        self.cwd = cwd

    def run(self, line: str, stdin: bytes = b"", environ: dict | None = None) -> Result:
        from shell.env import Env
        from shell.runner import run_line
        env = Env.buffered(stdin=stdin, cwd=self.cwd)
        env.engine = self.engine
        if environ:
            env.environ.update(environ)
        code = run_line(env, line)
        return Result(code, env.output_text(), env.error_text())

    def ok(self, line: str, stdin: bytes = b"") -> str:
        r = self.run(line, stdin)
        assert r.code == 0, f"{line!r} exited {r.code}: {r.err}"
        return r.out


def dockerlings(*args: str, root: str, stdin: bytes | None = None, timeout: float = 60,
                env_extra: dict | None = None, umask: int = -1) -> subprocess.CompletedProcess:
    """Run the real `dockerlings` program as a separate process."""
    environ = dict(os.environ, DOCKERLINGS_ROOT=root, PYTHONPATH=str(ROOT))
    environ.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "shell", *args], input=stdin,
                          capture_output=True, env=environ, timeout=timeout, umask=umask)
