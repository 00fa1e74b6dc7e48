"""Starting one of the engine's helper processes (dl-netd, dl-spawner) detached: in a
session of its own, adopted by init, with a fresh interpreter."""
from __future__ import annotations

import os
import sys

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(module: str, args: list[str], log: str, pass_fd: int | None = None) -> None:
    """Run `module`.main(*args) in a new interpreter: fork, leave the session, fork
    again (init adopts it), stdout and stderr to `log`, `pass_fd` (if any) as fd 3 and
    no other fd of ours. Returns once the first fork is reaped."""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        devnull = os.open("/dev/null", os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        first_free = 3
        if pass_fd is not None:
            os.dup2(pass_fd, 3)
            first_free = 4
        os.closerange(first_free, 65536)
        os.chdir("/")
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                f"from {module} import main; main(*sys.argv[2:])")
        os.execv(sys.executable, [sys.executable, "-I", "-c", code, PACKAGE_ROOT, *args])
    finally:
        os._exit(1)
