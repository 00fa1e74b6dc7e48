"""docker volume create, ls, inspect, rm, prune."""
from __future__ import annotations

from engine.errors import CliError, EngineError

from ..cli.parser import Invocation
from ..cli.report import message_of
from ..conversation import filters_param
from .containers import each


class VolumeRow:
    __go_type__ = "*formatter.volumeContext"
    HEADERS = {"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE",
               "Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Links": "LINKS",
               "Size": "SIZE", "Group": "GROUP", "Availability": "AVAILABILITY",
               "Status": "STATUS"}
    DEFAULT = "table {{.Driver}}\t{{.Name}}"

    def __init__(self, vol: dict):
        self._vol = vol
        self.Name, self.Driver, self.Scope = vol["Name"], vol["Driver"], vol["Scope"]
        self.Mountpoint = vol["Mountpoint"]
        labels = vol.get("Labels") or {}
        self.Labels = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        self.Links = self.Size = "N/A"
        # the docker CLI prints N/A for these unless the volume is a (swarm) cluster volume
        self.Group = self.Availability = self.Status = "N/A"

    def Label(self, name: str) -> str:
        return (self._vol.get("Labels") or {}).get(name, "")

    def __json__(self):
        keys = ("Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name",
                "Scope", "Size", "Status")
        return {k: getattr(self, k) for k in keys}


_FILTERS = ("dangling", "name", "driver", "label")


def _keep(filters: list[tuple[str, str]], users: dict, allowed=_FILTERS):
    """The filter as a predicate on a volume document, with the daemon's refusals."""
    by: dict[str, list[str]] = {}
    for k, v in filters:
        if k not in allowed:
            raise CliError(f"Error response from daemon: invalid filter '{k}'")
        by.setdefault(k, []).append(v)
    for v in by.get("dangling", ()):
        if v.lower() not in ("true", "false", "1", "0"):
            raise CliError(f"Error response from daemon: invalid filter 'dangling=[{v}]'")

    def keep(vol: dict) -> bool:
        for key, wanted in by.items():
            if key == "dangling":
                dangling = vol["Name"] not in users
                if not any((w.lower() in ("true", "1")) == dangling for w in wanted):
                    return False
            elif key == "name" and not any(w in vol["Name"] for w in wanted):
                return False
            elif key == "driver" and vol["Driver"] not in wanted:
                return False
            elif key in ("label", "label!"):
                labels = vol.get("Labels") or {}
                for w in wanted:
                    k, sep, v = w.partition("=")
                    has = k in labels and (not sep or labels[k] == v)
                    if has != (key == "label"):
                        return False
        return True
    return keep


def ls(env, inv: Invocation) -> int:
    from .containers import render_rows
    eng = env.engine
    with env.api.request("GET", "/volumes", filters=filters_param(inv.filter)):
        keep = _keep(inv.filter, eng.volume_users())
        volumes = eng.volumes()
    fmt = "{{.Name}}" if inv.quiet else (inv.format or VolumeRow.DEFAULT)
    rows = [VolumeRow(v) for v in _natural(volumes) if keep(v)]
    out = render_rows(fmt, rows, VolumeRow)
    if out:
        env.out(out, end="")
    return 0


def _natural(vols: list[dict]) -> list[dict]:
    """The docker CLI lists volumes in natural order (vol2 before vol10)."""
    import re

    def key(v):
        return [(0, int(p), "") if p.isdigit() else (1, 0, p)
                for p in re.split(r"(\d+)", v["Name"]) if p]
    return sorted(vols, key=key)


def create(env, inv: Invocation) -> int:
    flag_name = inv.opts["name"]
    name = inv.args[0] if inv.args else (flag_name or None)
    if inv.args and flag_name and flag_name != inv.args[0]:
        raise CliError("conflicting options: cannot specify a volume-name through both "
                       "--name and as a positional arg")
    labels = {}
    for item in inv.label:
        k, _, v = item.partition("=")
        labels[k] = v
    with env.api.request("POST", "/volumes/create", 201):
        vol = env.engine.create_volume(name, driver=inv.driver, labels=labels)
    env.out(vol["Name"])
    return 0


def inspect(env, inv: Invocation) -> int:
    from .inspect import _print
    docs, errors = [], []
    from .inspect import _volume_doc
    for name in inv.args:
        try:
            docs.append(_volume_doc(env, name))
        except EngineError as e:
            errors.append(message_of(e))
    return _print(env, inv, docs, errors)


def rm(env, inv: Invocation) -> int:
    # the engine itself lets -f pass over a missing volume, which Docker still prints
    def one(name):
        with env.api.request("DELETE", f"/volumes/{name}", 204, force=inv.force):
            env.engine.remove_volume(name, force=inv.force)
    return each(env, inv, one)


def prune(env, inv: Invocation) -> int:
    from .containers import _confirm, pruned
    eng = env.engine
    all_filter = [v for k, v in inv.filter if k == "all"]
    if inv.all and all_filter:
        raise CliError("conflicting options: cannot specify both --all and --filter "
                       f"all={all_filter[0]}")
    keep = _keep([f for f in inv.filter if f[0] != "all"], {},
                 allowed=("label", "label!"))
    everything = inv.all or any(v.lower() in ("true", "1") for v in all_filter)
    what = "all local volumes" if everything else "anonymous local volumes"
    if not inv.force and not _confirm(env, f"WARNING! This will remove {what} not used by "
                                           "at least one container."):
        return 0
    sent = list(inv.filter) + ([("all", "true")] if inv.all else [])
    with env.api.request("POST", "/volumes/prune", filters=filters_param(sent)):
        removed, reclaimed = eng.prune_volumes(everything, keep)
    return pruned(env, "Volumes", removed, reclaimed)
