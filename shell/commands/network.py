"""docker network ls, create, rm, inspect, prune, connect, disconnect, and docker port."""
from __future__ import annotations

from engine.errors import CliError, EngineError, NotFound

from ..cli.parser import Invocation
from ..cli.report import message_of
from ..conversation import filters_param
from .containers import each


class NetworkRow:
    __go_type__ = "*formatter.networkContext"
    HEADERS = {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE",
               "IPv4": "IPV4", "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS",
               "CreatedAt": "CREATED AT"}
    DEFAULT = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

    def __init__(self, net: dict, trunc: bool = True):
        self._net = net
        self.ID = net["Id"][:12] if trunc else net["Id"]
        self.Name, self.Driver, self.Scope = net["Name"], net["Driver"], net["Scope"]
        self.IPv4, self.IPv6 = "true", "false"     # as `network inspect`'s EnableIPv4/6
        self.Internal = "true" if net.get("Internal") else "false"
        labels = net.get("Labels") or {}
        self.Labels = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        from engine.util import timeutil
        from ..render.units import go_time_string
        self.CreatedAt = go_time_string(timeutil.parse(net["Created"]))

    def Label(self, name: str) -> str:
        return (self._net.get("Labels") or {}).get(name, "")

    def __json__(self):
        keys = ("CreatedAt", "Driver", "ID", "IPv4", "IPv6", "Internal", "Labels", "Name",
                "Scope")
        return {k: getattr(self, k) for k in keys}


def _split(values: list[str]) -> list[str]:
    """pflag's string slices: repeated flags and commas both add values."""
    return [v for item in values for v in item.split(",") if v]


def _matches(net: dict, filters: list[tuple[str, str]]) -> bool:
    by: dict[str, list[str]] = {}
    for k, v in filters:
        by.setdefault(k, []).append(v)
    for key, wanted in by.items():
        if key == "name" and not any(w in net["Name"] for w in wanted):
            return False
        if key == "driver" and net["Driver"] not in wanted:
            return False
        if key == "id" and not any(net["Id"].startswith(w) for w in wanted):
            return False
        if key == "type":
            kind = "builtin" if net["Name"] in ("bridge", "host", "none") else "custom"
            if kind not in wanted:
                return False
        if key == "label":
            labels = net.get("Labels") or {}
            for w in wanted:
                k, sep, v = w.partition("=")
                if k not in labels or (sep and labels[k] != v):
                    return False
        if key not in ("name", "driver", "id", "type", "label", "scope"):
            raise CliError(f"Error response from daemon: invalid filter '{key}'")
    return True


def ls(env, inv: Invocation) -> int:
    from .containers import render_rows
    fmt = "{{.ID}}" if inv.quiet else (inv.format or NetworkRow.DEFAULT)
    with env.api.request("GET", "/networks", filters=filters_param(inv.filter)):
        nets = sorted(env.engine.networks(), key=lambda n: n["Name"])
    rows = [NetworkRow(n, not inv.no_trunc) for n in nets if _matches(n, inv.filter)]
    out = render_rows(fmt, rows, NetworkRow)
    if out:
        env.out(out, end="")
    return 0


def create(env, inv: Invocation) -> int:
    subnets, gateways = _split(inv.subnet), _split(inv.gateway)
    if len(subnets) > 1:
        raise CliError("dockerlings networks take one subnet")
    if gateways and not subnets:
        raise CliError("every ip-range or gateway must have a corresponding subnet")
    labels = {}
    for item in inv.label:
        k, _, v = item.partition("=")
        labels[k] = v
    with env.api.request("POST", "/networks/create", 201):
        net = env.engine.create_network(inv.args[0], subnet=subnets[0] if subnets else None,
                                        gateway=gateways[0] if gateways else None,
                                        internal=inv.internal, labels=labels,
                                        driver=inv.driver)
    env.out(net["Id"])
    return 0


def rm(env, inv: Invocation) -> int:
    def one(name):
        # the docker CLI looks at the network first (an ingress network asks to confirm)
        with env.api.request("GET", f"/networks/{name}"):
            env.engine.network(name)
        with env.api.request("DELETE", f"/networks/{name}", 204):
            env.engine.remove_network(name)
    return each(env, inv, one, ignore=NotFound if inv.force else None)


def inspect(env, inv: Invocation) -> int:
    from .inspect import _print
    docs, errors = [], []
    from .inspect import _network_doc
    for name in inv.args:
        try:
            docs.append(_network_doc(env, name))
        except EngineError as e:
            errors.append(message_of(e))
    return _print(env, inv, docs, errors)


def prune(env, inv: Invocation) -> int:
    from .containers import _confirm
    if not inv.force and not _confirm(env, "WARNING! This will remove all custom networks not "
                                           "used by at least one container."):
        return 0
    with env.api.request("POST", "/networks/prune", filters=filters_param(inv.filter)):
        removed = env.engine.prune_networks()
    if removed:
        env.out("Deleted Networks:")
        for name in removed:
            env.out(name)
    return 0


def connect(env, inv: Invocation) -> int:
    with env.api.request("POST", f"/networks/{inv.args[0]}/connect"):
        env.engine.network_connect(inv.args[0], inv.args[1], ip=inv.ip or None,
                                   aliases=_split(inv.alias) or None)
    return 0


def disconnect(env, inv: Invocation) -> int:
    with env.api.request("POST", f"/networks/{inv.args[0]}/disconnect"):
        env.engine.network_disconnect(inv.args[0], inv.args[1], force=inv.force)
    return 0


def port(env, inv: Invocation) -> int:
    private = inv.args[1] if len(inv.args) > 1 else None
    with env.api.request("GET", f"/containers/{inv.args[0]}/json"):
        env.engine.container(inv.args[0])        # the CLI reads the ports from inspect
    for key, where in env.engine.ports(inv.args[0], private):
        env.out(where if private else f"{key} -> {where}")
    return 0
