"""docker version and docker info."""
from __future__ import annotations

import os
import platform

from ..cli.parser import Invocation
from ..render import gotemplate

VERSION = "0.1.0"


def version(env, inv: Invocation) -> int:
    info = {"Client": {"Version": VERSION, "Os": "linux", "Arch": platform.machine()},
            "Server": {"Engine": {"Version": VERSION}}}
    if inv.format:
        env.out(gotemplate.compile(inv.format).execute(info))
        return 0
    env.out(f"Client: dockerlings\n Version:           {VERSION}\n OS/Arch:           "
            f"linux/{platform.machine()}\n\nServer: dockerlings engine (in-process, no "
            f"daemon)\n Engine:\n  Version:          {VERSION}\n  Root:             "
            f"{env.engine.paths.root}")
    return 0


def info(env, inv: Invocation) -> int:
    from ..engine_cmd import describe
    eng = env.engine
    containers = eng.containers(all=True)
    running = sum(1 for c in containers if c.state.status == "running")
    paused = sum(1 for c in containers if c.state.status == "paused")
    lines = [
        "Client: dockerlings", "",
        "Server:",
        f" Containers: {len(containers)}",
        f"  Running: {running}",
        f"  Paused: {paused}",
        f"  Stopped: {len(containers) - running - paused}",
        f" Images: {len(eng.list_images())}",
        " Storage Driver: overlay2",
        f" Docker Root Dir: {eng.paths.root}",
        *_security_options(),
        f" Kernel Version: {os.uname().release}",
        f" CPUs: {os.cpu_count()}",
    ]
    lines += [" " + l for l in describe(eng)]
    env.out("\n".join(lines))
    return 0


def _security_options() -> list[str]:
    """As the docker CLI prints the daemon's SecurityOptions (name=seccomp,profile=builtin)."""
    from engine.runtime import seccomp
    if not seccomp.supported():
        return []
    return [" Security Options:", "  seccomp", f"   Profile: {seccomp.BUILTIN}"]
