"""Docker's legacy links: `--link NAME[:ALIAS]` on the default bridge.

A link is one-way: the linking container (the parent, "web") learns where the linked
one (the child, "db") is, by /etc/hosts lines and ALIAS_* variables; the child learns
nothing. The parent's record keeps each child by ID with its alias ("<id>:db"), as
Docker's link index does, so a rename of the child keeps the link and a removed child
drops out of it. On a user-defined network `--link` is only a name: the alias resolves
to the child in the embedded DNS for this container alone (network/dns.py).
"""
from __future__ import annotations

from ..errors import InvalidParameter, NoSuchContainer


def parse(text: str) -> tuple[str, str]:
    """(name, alias) of NAME[:ALIAS], as the docker CLI's opts.ParseLink reads it."""
    if text == "":
        raise ValueError("empty string specified for links")
    parts = text.split(":", 2)
    if len(parts) > 2:
        raise ValueError("bad format for links: " + text)
    if len(parts) == 1:
        return text, text
    if parts[0].startswith("/"):           # "/db:/web/db", as inspect shows a link
        return parts[0][1:], parts[1].rsplit("/", 1)[-1]
    return parts[0], parts[1]


def register(engine, links, mode: str) -> tuple[str, ...] | None:
    """The children of a new container on the default bridge, as "<id>:<alias>", with
    the daemon's refusals (daemon_unix.go registerLinks): a child that does not exist,
    or one sharing the host's network."""
    if not links:
        return None
    if mode == "host":
        raise InvalidParameter("conflicting options: host type networking can't be used "
                               "with links. This would result in undefined behavior")
    if mode.startswith("container:"):
        raise InvalidParameter("conflicting options: container type network can't be "
                               "used with links. This would result in undefined behavior")
    out = []
    for text in links:
        name, alias = parse(text)
        child = _find(engine, name)
        while child.host.network_mode.startswith("container:"):
            child = _find(engine, child.host.network_mode.split(":", 1)[1])
        if child.host.network_mode == "host":
            raise InvalidParameter("conflicting options: host type networking can't be "
                                   "used with links. This would result in undefined behavior")
        out.append(f"{child.id}:{alias}")
    return tuple(out)


def _find(engine, name: str):
    try:
        return engine.container(name)
    except NoSuchContainer as e:
        raise InvalidParameter(f"could not get container for {name}: {e}") from None


def children(engine, c) -> list[tuple[str, object]]:
    """(link name "/web/db", child) for each child that still exists."""
    out = []
    for entry in c.host.links or ():
        cid, _, alias = entry.partition(":")
        try:
            child = engine.container(cid)
        except NoSuchContainer:
            continue
        out.append((f"/{c.name}/{alias}", child))
    return out


def bridge_ip(child) -> str:
    net = ((child.state.network or {}).get("Networks") or {}).get("bridge") or {}
    return net.get("IPAddress", "") if child.state.running else ""


def environment(engine, c) -> list[str]:
    """The ALIAS_* variables of every child, refusing a child that is not running, as
    Docker 28's setupLinkedContainers does."""
    from ..runtime.init import LaunchError
    env: list[str] = []
    if "bridge" not in c.networks:
        return env
    for link, child in children(engine, c):
        if not child.state.running:
            raise LaunchError(f"Cannot link to a non running container: /{child.name} AS "
                              f"{link}", 125, runtime=False)
        if "bridge" not in child.networks:
            raise LaunchError(f"Cannot link to /{child.name}, as it does not belong to the "
                              "default network", 125, runtime=False)
        env += link_env(link, bridge_ip(child), child.config.env, child.config.exposed_ports)
    return env


def link_env(link: str, ip: str, child_env, exposed_ports) -> list[str]:
    """moby's links.ToEnv: the first port as ALIAS_PORT, each port's four variables,
    runs of consecutive ports as _START/_END, ALIAS_NAME, then the child's environment
    (but HOME and PATH) as ALIAS_ENV_*."""
    alias = link.rsplit("/", 1)[-1].upper().replace("-", "_")
    ports = sorted((_port(p) for p in exposed_ports),
                   key=lambda p: (p[1] != "tcp", "" if p[1] == "tcp" else p[1], p[0]))
    env: list[str] = []
    start = end = None
    for i, (num, proto) in enumerate(ports):
        if i == 0:
            start = end = (num, proto)
            env.append(f"{alias}_PORT={proto}://{ip}:{num}")
        prefix = f"{alias}_PORT_{num}_{proto.upper()}"
        env += [f"{prefix}={proto}://{ip}:{num}", f"{prefix}_ADDR={ip}",
                f"{prefix}_PORT={num}", f"{prefix}_PROTO={proto}"]
        if num == end[0] + 1 and proto == end[1]:
            end = (num, proto)
            if i < len(ports) - 1:
                continue
        if end != start:
            prefix = f"{alias}_PORT_{start[0]}_{start[1].upper()}"
            env += [f"{prefix}_START={start[1]}://{ip}:{start[0]}",
                    f"{prefix}_PORT_START={start[0]}",
                    f"{prefix}_END={end[1]}://{ip}:{end[0]}", f"{prefix}_PORT_END={end[0]}"]
        start = end = (num, proto)
    env.append(f"{alias}_NAME={link}")
    for kv in child_env or ():
        name, sep, value = kv.partition("=")
        if sep and name not in ("HOME", "PATH"):
            env.append(f"{alias}_ENV_{name}={value}")
    return env


def _port(text: str) -> tuple[int, str]:
    num, _, proto = text.partition("/")
    return int(num), (proto or "tcp").lower()


def hosts_entries(engine, c, fresh: dict | None = None) -> list[str]:
    """/etc/hosts lines for the running children: the alias, the child's hostname, and
    its name when the alias is not it (addLegacyLinks). `fresh`: {child id: address} of
    a child starting now, whose record does not have it yet."""
    lines = []
    for link, child in children(engine, c):
        ip = (fresh or {}).get(child.id) or bridge_ip(child)
        if not ip:
            continue
        alias = link.rsplit("/", 1)[-1]
        names = f"{alias} {child.config.hostname}"
        if alias != child.name:
            names += f" {child.name}"
        lines.append(f"{ip}\t{names}")
    return lines


def inspect(engine, c) -> list[str] | None:
    """HostConfig.Links as `docker inspect` shows it: "/db:/web/db"."""
    return [f"/{child.name}:{link}" for link, child in children(engine, c)] or None


PARENTS = "linked-by"


def note_parent(engine, parent) -> None:
    """Tell each child who links to it (a line in its folder), so that its next start
    can correct their /etc/hosts without reading every container's record."""
    for entry in parent.host.links or ():
        cid = entry.partition(":")[0]
        try:
            with open(engine.paths.container(cid) / PARENTS, "a") as f:
                f.write(parent.id + "\n")
        except OSError:
            pass


def refresh_parents(engine, child, address: str) -> None:
    """The child starts on `address`: rewrite the /etc/hosts of the running containers
    linking to it, as Docker updates its parents' entries (addLegacyLinks)."""
    from ..network import endpoints
    try:
        ids = (engine.paths.container(child.id) / PARENTS).read_text().split()
    except OSError:
        return
    for pid in dict.fromkeys(ids):
        parent = engine.load_quiet(pid)
        live = ((parent.state.network or {}).get("Networks") or {}) if parent else {}
        if parent is None or not parent.state.running or "bridge" not in live:
            continue
        addresses = [n.get("IPAddress") for n in live.values() if n.get("IPAddress")]
        gateway = next((n.get("Gateway") for n in live.values() if n.get("Gateway")), None)
        text = endpoints.hosts_text(parent, addresses, gateway,
                                    hosts_entries(engine, parent, {child.id: address}))
        endpoints.write_in_place(engine.paths.container(pid) / "hosts", text)
