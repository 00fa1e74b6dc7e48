"""What the bench scripts share: where the project is, how they run a command, and the
byte-compiling an install does before any timing."""
from __future__ import annotations

import os
import subprocess
import sys

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(PROJECT, "bench", "baseline.sh")      # podman + runc beside us


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, **kw)


def compile_project() -> None:
    """As .ci/setup does: with PYTHONDONTWRITEBYTECODE (as on these machines) every
    whole-process run would otherwise compile the sources again."""
    sh([sys.executable, "-m", "compileall", "-q", "engine", "shell", "lessons"], cwd=PROJECT)
