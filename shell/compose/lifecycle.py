"""docker compose start, stop, restart, kill, rm and exec: the project's containers,
one engine call each."""
from __future__ import annotations

from .containers import anonymous_mounts, drop_volumes, number_of, project_containers
from .loader import ComposeError
from .model import Project
from .progress import Progress
from .reconcile import given_timeout, stop_all


def _selected(env, project: Project, inv, running: bool | None = None):
    out = project_containers(env.engine, project, inv.args or None)
    if running is not None:
        out = [c for c in out if c.state.running == running]
    return out


def start(env, project: Project, inv) -> int:
    progress = Progress(env)
    try:
        for c in _selected(env, project, inv, running=False):
            env.engine.start(c.id)
            progress.add("Container", c.name, "Started")
    finally:
        progress.print()
    return 0


def stop(env, project: Project, inv) -> int:
    progress = Progress(env, "Stopping")
    try:
        stop_all(env, project, _selected(env, project, inv), given_timeout(inv), progress,
                 "Stopped")
    finally:
        progress.print()
    return 0


def restart(env, project: Project, inv) -> int:
    progress = Progress(env, "Restarting")
    try:
        for c in _selected(env, project, inv):
            env.engine.restart(c.id, given_timeout(inv))
            progress.add("Container", c.name, "Started")
    finally:
        progress.print()
    return 0


def rm(env, project: Project, inv) -> int:
    eng = env.engine
    if inv.stop:
        for c in _selected(env, project, inv, running=True):
            eng.stop(c.id)
    stopped = _selected(env, project, inv, running=False)
    if not stopped:
        env.err("No stopped containers")
        return 0
    if not inv.force:
        env.out(f"Going to remove {', '.join(c.name for c in stopped)}")
        env.out("? Are you sure? (y/N) ", end="")
        answer = env.stdin.readline().decode(errors="replace").strip().lower()
        if answer not in ("y", "yes"):
            return 0
    progress = Progress(env, "Removing")
    try:
        for c in stopped:
            anonymous = anonymous_mounts(eng, c) if inv.volumes else []
            eng.remove(c.id, volumes=inv.volumes)
            drop_volumes(eng, [name for name, _ in anonymous])
            progress.add("Container", c.name, "Removed")
    finally:
        progress.print()
    return 0


def exec_(env, project: Project, inv) -> int:
    from ..runner import _call
    from ..cli.parser import parse
    service, *command = inv.args
    if service not in project.services:
        raise ComposeError(f"service \"{service}\" is not running")
    running = [c for c in project_containers(env.engine, project, [service])
               if c.state.running and number_of(c) == inv.index]
    if not running:
        raise ComposeError(f"service \"{service}\" is not running")
    words = ["exec", "-i"]
    if not inv.no_TTY and env.stdin_tty:
        words.append("-t")
    if inv.detach:
        words.append("-d")
    for e in inv.env:
        words += ["-e", e]
    if inv.user:
        words += ["-u", inv.user]
    if inv.workdir:
        words += ["-w", inv.workdir]
    return _call(env, parse(words + [running[0].name] + command))


def kill(env, project: Project, inv) -> int:
    progress = Progress(env, "Killing")
    try:
        for c in _selected(env, project, inv, running=True):
            env.engine.kill(c.id, inv.signal)
            progress.add("Container", c.name, "Killed")
    finally:
        progress.print()
    return 0
