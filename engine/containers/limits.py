"""`docker update`: new limits and restart policy for a container, running or not.

The record changes first in memory, by the daemon's rules (container.UpdateContainer:
what is given replaces, what is not stays; --cpus against a CFS period or quota already
set, and the other way round, is refused; a memory limit above the swap total already
set needs --memory-swap with it). A running container's cgroups are then written for
real; if the kernel refuses (a memory limit below what the container already uses) the
record is left as it was, as Docker restores its HostConfig.
"""
from __future__ import annotations

from collections import namedtuple

from ..config import RestartPolicy
from ..errors import Conflict, System

Change = namedtuple("Change", "memory memory_swap cpu_shares cpu_quota cpu_period nano_cpus "
                              "pids_limit restart_policy",
                    defaults=(0, 0, 0, 0, 0, 0, None, None))
Change.__doc__ = """What `docker update` asks: 0 (None for pids_limit and restart_policy)
means "keep what is set"."""


def swap_total(host) -> int:
    """MemorySwap as Docker records it: given at create, or twice the memory limit
    (adaptContainerSettings), or 0 without a memory limit."""
    if host.memory_swap:
        return host.memory_swap
    return 2 * host.memory if host.memory else 0


def applied(c, ch: Change):
    """The container's HostConfig with `ch` applied, or Docker's refusal."""
    h = c.host

    def refuse(text: str):
        return Conflict(f"Cannot update container {c.id}: {text}")

    if ch.nano_cpus > 0 and h.cpu_period > 0:
        raise refuse("Conflicting options: Nano CPUs cannot be updated as CPU Period has "
                     "already been set")
    if ch.nano_cpus > 0 and h.cpu_quota > 0:
        raise refuse("Conflicting options: Nano CPUs cannot be updated as CPU Quota has "
                     "already been set")
    if ch.cpu_period > 0 and h.nano_cpus > 0:
        raise refuse("Conflicting options: CPU Period cannot be updated as NanoCPUs has "
                     "already been set")
    if ch.cpu_quota > 0 and h.nano_cpus > 0:
        raise refuse("Conflicting options: CPU Quota cannot be updated as NanoCPUs has "
                     "already been set")
    swap = swap_total(h)
    new: dict = {}
    for field in ("cpu_shares", "nano_cpus", "cpu_period", "cpu_quota"):
        if getattr(ch, field):
            new[field] = getattr(ch, field)
    if ch.memory:
        if ch.memory > swap and ch.memory_swap == 0:
            raise refuse("Memory limit should be smaller than already set memoryswap limit, "
                         "update the memoryswap at the same time")
        new["memory"], new["memory_swap"] = ch.memory, swap
    if ch.memory_swap:
        new["memory_swap"] = ch.memory_swap
    if ch.pids_limit is not None:
        new["pids_limit"] = ch.pids_limit if ch.pids_limit > 0 else 0
    policy = ch.restart_policy
    if policy is not None and policy.name:
        if h.auto_remove and policy.name != "no":
            raise refuse("Restart policy cannot be updated because AutoRemove is enabled "
                         "for the container")
        new["restart_policy"] = RestartPolicy(policy.name, policy.maximum_retry_count)
    return h._replace(**new)


def write_cgroups(engine, c, old_host) -> None:
    """Put a running container's cgroups to its (new) record's limits; on a refusal,
    back to `old_host`'s, and the daemon's error."""
    from ..supervisor import launch
    from ..runtime import cgroups
    cg = cgroups.Cgroup(c.id, engine.cgroup_scope)
    try:
        cg.update(launch.limits(c))
    except cgroups.LimitRefused as e:
        new, c.host = c.host, old_host
        try:
            cg.update(launch.limits(c))
        except (OSError, cgroups.LimitRefused):
            pass
        c.host = new
        raise System(f"Cannot update container {c.id}: {e}") from None
    except OSError as e:
        raise System(f"Cannot update container {c.id}: {e}") from None


# What the daemon says when the host cannot apply a limit (moby's
# verifyPlatformContainerResources): it drops the limit, and the CLI prints the warning.
NO_MEMORY = ("Your kernel does not support memory limit capabilities or the cgroup is not "
             "mounted. Limitation discarded.")
NO_SHARES = ("Your kernel does not support CPU shares or the cgroup is not mounted. Shares "
             "discarded.")
NO_CFS = "Your kernel does not support CPU CFS scheduler. CPU period/quota discarded."
NO_PIDS = ("Your kernel does not support PIDs limit capabilities or the cgroup is not "
           "mounted. PIDs limit discarded.")
NO_NANO_CPUS = ("NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler "
                "or the cgroup is not mounted")


def discard_unsupported(host, layout) -> tuple:
    """(HostConfig, warnings): the limits this host has no cgroup controller for taken
    away, each with the daemon's warning, as Docker does; --cpus there is refused
    (InvalidParameter). A rootless engine (no cgroup at all) has none."""
    from ..errors import InvalidParameter
    has = {c: layout.controller_home(c) is not None for c in ("memory", "cpu", "pids")}
    changes, warnings = {}, []
    if host.memory > 0 and not has["memory"]:
        warnings.append(NO_MEMORY)
        changes.update(memory=0, memory_swap=0)
    if host.nano_cpus > 0 and not has["cpu"]:
        raise InvalidParameter(NO_NANO_CPUS, hint=why_no_limits(layout))
    if host.cpu_shares > 0 and not has["cpu"]:
        warnings.append(NO_SHARES)
        changes.update(cpu_shares=0)
    if (host.cpu_period or host.cpu_quota) and not has["cpu"]:
        warnings.append(NO_CFS)
        changes.update(cpu_period=0, cpu_quota=0)
    if host.pids_limit is not None and not has["pids"]:
        if host.pids_limit > 0:
            warnings.append(NO_PIDS)
        changes.update(pids_limit=None)
    return (host._replace(**changes) if changes else host), warnings


def why_no_limits(layout) -> str | None:
    """A hint: why a rootless engine applies no limit, and what works instead."""
    if not layout.undelegated:
        return None
    why = ("this machine's cgroups (v1) cannot be handed to a user" if not layout.unified
           else "dockerlings does not use systemd's cgroup delegation (yet)")
    return ("dockerlings runs rootless here, without cgroups: " + why + ", so containers "
            "run without limits, as rootless Docker's do without cgroups. To practise "
            "limits, run dockerlings as root (sudo dockerlings): there they work")
