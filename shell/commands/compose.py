"""`docker compose ...`: the command line's side. The project is read by
shell/compose/loader.py, made real and taken down by reconcile.py, its containers
started, stopped and entered by lifecycle.py and shown by views.py, all through the
engine's ordinary API, as Docker's compose plugin is a client of dockerd."""
from __future__ import annotations

import json

from ..cli.parser import Invocation
from ..compose import lifecycle, loader, reconcile, views


def _project(env, inv: Invocation):
    project = loader.load(env, inv.opts)
    unknown = [s for s in inv.args if s not in project.services]
    if unknown and inv.command.path[1] not in ("exec", "port", "run"):
        raise loader.ComposeError(f"no such service: {unknown[0]}")
    return project


def config(env, inv: Invocation) -> int:
    project = _project(env, inv)
    if inv.quiet:
        return 0
    if inv.services:
        env.out("\n".join(project.order()))
        return 0
    if inv.volumes or inv.networks:
        env.out("\n".join(list(project.volumes if inv.volumes else project.networks)))
        return 0
    doc = _escaped(project.document())
    if inv.args:
        doc["services"] = {n: s for n, s in doc["services"].items() if n in inv.args}
    if inv.format == "json":
        env.out(json.dumps(doc, indent=4))
        return 0
    import yaml
    for key, value in doc.items():
        env.out(yaml.safe_dump({key: value}, sort_keys=True, default_flow_style=False,
                               allow_unicode=True), end="")
    return 0


def _escaped(value):
    """Every literal $ doubled, as Compose renders its model, so the output can be read
    again as a Compose file."""
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value.replace("$", "$$") if isinstance(value, str) else value


def up(env, inv: Invocation) -> int:
    return reconcile.up(env, _project(env, inv), inv)


def down(env, inv: Invocation) -> int:
    return reconcile.down(env, _project(env, inv), inv)


def ps(env, inv: Invocation) -> int:
    return views.ps(env, _project(env, inv), inv)


def logs(env, inv: Invocation) -> int:
    return views.logs(env, _project(env, inv), inv)


def start(env, inv: Invocation) -> int:
    return lifecycle.start(env, _project(env, inv), inv)


def stop(env, inv: Invocation) -> int:
    return lifecycle.stop(env, _project(env, inv), inv)


def restart(env, inv: Invocation) -> int:
    return lifecycle.restart(env, _project(env, inv), inv)


def rm(env, inv: Invocation) -> int:
    return lifecycle.rm(env, _project(env, inv), inv)


def exec(env, inv: Invocation) -> int:
    return lifecycle.exec_(env, _project(env, inv), inv)


def kill(env, inv: Invocation) -> int:
    return lifecycle.kill(env, _project(env, inv), inv)


def port(env, inv: Invocation) -> int:
    return views.port(env, _project(env, inv), inv)


def top(env, inv: Invocation) -> int:
    return views.top(env, _project(env, inv), inv)


def images(env, inv: Invocation) -> int:
    return views.images(env, _project(env, inv), inv)


def ls(env, inv: Invocation) -> int:
    """Every project the engine has containers of: no file is read."""
    return views.ls(env, inv)


def version(env, inv: Invocation) -> int:
    from importlib.metadata import PackageNotFoundError, version as package_version
    try:
        number = package_version("dockerlings")
    except PackageNotFoundError:
        number = "0.0.0"
    if inv.short:
        env.out(number)
    elif inv.format == "json":
        env.out(json.dumps({"version": f"v{number}"}))
    else:
        env.out(f"Docker Compose version v{number} (dockerlings)")
    return 0


def run(env, inv: Invocation) -> int:
    return reconcile.run(env, _project(env, inv), inv)


def build(env, inv: Invocation) -> int:
    return reconcile.build(env, _project(env, inv), inv)


def pull(env, inv: Invocation) -> int:
    return reconcile.pull(env, _project(env, inv), inv)


def push(env, inv: Invocation) -> int:
    return reconcile.push(env, _project(env, inv), inv)
