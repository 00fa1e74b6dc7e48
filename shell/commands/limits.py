"""docker update: new limits and restart policy for containers, running or stopped."""
from __future__ import annotations

from engine.errors import CliError, EngineError
from engine.containers.limits import Change

from ..cli.parser import Invocation
from . import options
from .containers import report_all


def update(env, inv: Invocation) -> int:
    o = inv.opts
    if not inv.given:
        raise CliError("you must provide one or more flags when using this command")
    policy = options.restart_policy(inv, o["restart"]) if o["restart"] else None
    change = Change(memory=o["memory"] or 0, memory_swap=o["memory_swap"] or 0,
                    cpu_shares=o["cpu_shares"] or 0, cpu_quota=o["cpu_quota"] or 0,
                    cpu_period=o["cpu_period"] or 0, nano_cpus=o["cpus"] or 0,
                    pids_limit=o["pids_limit"] or None, restart_policy=policy)
    errors = []
    for name in inv.args:       # each one as typed, then every error (errors.Join)
        try:
            with env.api.request("POST", f"/containers/{name}/update"):
                env.engine.update(name, change)
            env.out(name)
        except EngineError as e:
            errors.append(e)
    if errors:
        report_all(env, inv, errors)
        return 1
    return 0
