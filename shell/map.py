"""`map` and `dockerlings map`: a picture of what exists, so a learner sees the state
their commands made.

Four views: images and the containers made from each; containers grouped by network
with their addresses; published ports from the host to a container; volumes (and bind
mounts) with the containers that mount them. Networks, ports and volumes are read
defensively, from the container records (Networks, MountPoints, HostConfig's
PortBindings, Mounts and Binds) and from engine methods if the engine has them, because
the engine grows them chapter by chapter: the map shows them as they land.
"""
from __future__ import annotations

from collections import namedtuple

from .listings import name_of

# Everything the map draws, gathered first so drawing is a pure function of it.
Picture = namedtuple("Picture", "images containers networks volumes")

RUNNING = ("running", "restarting", "paused")
QUIET_NETWORKS = ("host", "none")    # always there; drawn only when someone uses them


def gather(engine) -> Picture:
    return Picture(engine.list_images(), engine.containers(), _records(engine, "networks"),
                   _records(engine, "volumes"))


def _records(engine, method: str) -> list:
    fn = getattr(engine, method, None)
    if not callable(fn):
        return []
    try:
        return list(fn() or ())
    except Exception:
        return []


def _get(obj, *keys, default=None):
    """A field of a dict (Docker-shaped JSON) or an object, by the first key present."""
    for k in keys:
        if isinstance(obj, dict):
            if k in obj and obj[k] not in (None, ""):
                return obj[k]
        else:
            v = getattr(obj, k, None)
            if v not in (None, ""):
                return v
    return default


# --- what each view lists ----------------------------------------------------------------

def containers_by_image(pic: Picture) -> list[tuple[str, list]]:
    """(image label, its containers) for every image, and for containers whose image
    is gone, under the ID they were made from."""
    out, seen = [], set()
    for img in sorted(pic.images, key=lambda i: (not i.repo_tags, i.repo_tags[:1], i.id)):
        tags = ", ".join(img.repo_tags) or "<none>"
        label = f"{tags}  {img.id[7:19]}"
        out.append((label, [c for c in pic.containers if c.image_id == img.id]))
        seen.add(img.id)
    orphans = [c for c in pic.containers if c.image_id not in seen]
    for image_id in sorted({c.image_id for c in orphans}):
        out.append((f"(image removed) {image_id[7:19]}",
                    [c for c in orphans if c.image_id == image_id]))
    return out


def containers_by_network(pic: Picture) -> dict[str, list[tuple]]:
    """network name -> [(container, IP address, aliases)]; a container not yet on any
    network is listed under its network mode (bridge, host, none)."""
    groups: dict[str, list[tuple]] = {}
    for n in pic.networks:
        name = name_of(n)
        if name:
            groups.setdefault(name, [])
    for c in pic.containers:
        nets = c.networks or {}
        live = _live(c).get("Networks") or {}
        if not nets:
            groups.setdefault(c.host.network_mode or "bridge", []).append((c, "", []))
        for name, endpoint in nets.items():
            ip = _get(live.get(name) or {}, "IPAddress") or \
                _get(endpoint or {}, "IPAddress", "ip_address", "ip", default="")
            aliases = [a for a in (_get(endpoint or {}, "Aliases", "aliases") or [])
                       if a not in (c.name, c.id[:12])]
            groups.setdefault(name, []).append((c, ip, aliases))
    return groups


def published_ports(pic: Picture) -> list[tuple[str, str, object]]:
    """(host address:port, container port/proto, container) for every binding."""
    out = []
    for c in pic.containers:
        # a running container's own record of what it bound (random ports included),
        # else what it asked for
        asked = _live(c).get("Ports") or c.host.port_bindings
        for port, bindings in _port_items(asked):
            for b in bindings or ():
                host_ip = _get(b, "host_ip", "HostIp", default="0.0.0.0")
                host_port = _get(b, "host_port", "HostPort", default="?")
                out.append((f"{host_ip}:{host_port}", port, c))
    return out


def _live(c) -> dict:
    """What the container's current start made on the network (addresses, bound
    ports), kept in its state while it runs; {} when stopped or not recorded."""
    live = getattr(c.state, "network", None)
    return live if isinstance(live, dict) and c.state.status in RUNNING else {}


def _port_items(bindings):
    if isinstance(bindings, dict):
        return list(bindings.items())
    return list(bindings or ())


def mounts_by_source(pic: Picture) -> dict[tuple[str, str], list[tuple]]:
    """(kind, volume name or host path) -> [(container, path inside, read-only)]."""
    groups: dict[tuple[str, str], list[tuple]] = {}
    for v in pic.volumes:
        name = name_of(v)
        if name:
            groups.setdefault(("volume", name), [])
    for c in pic.containers:
        for kind, source, target, ro in _mounts_of(c):
            groups.setdefault((kind, source), []).append((c, target, ro))
    return groups


def _mounts_of(c) -> list[tuple[str, str, str, bool]]:
    """(kind, source, target, read-only) from every place a mount may be recorded,
    once per target."""
    found: dict[str, tuple] = {}
    for m in c.mounts or ():
        kind = _get(m, "Type", "type", default="volume")
        source = _get(m, "Name", "name", "Source", "source", default="?")
        target = _get(m, "Destination", "Target", "target", default="?")
        rw = _get(m, "RW", "rw", default=True)
        found[target] = (kind, source, target, not rw)
    for m in c.host.mounts or ():
        found.setdefault(m.target, (m.type, m.source, m.target, m.read_only))
    for bind in c.host.binds or ():
        source, _, rest = bind.partition(":")
        target, _, opts = rest.partition(":")
        kind = "bind" if source.startswith("/") else "volume"
        found.setdefault(target, (kind, source, target, "ro" in opts.split(",")))
    return [m for m in found.values() if m[0] != "tmpfs"]


# --- drawing ------------------------------------------------------------------------

def _state(c) -> tuple[str, str]:
    """(marker, style): a filled dot for a running container, a hollow one otherwise;
    bold carries the difference when there are no colours."""
    if c.state.status in RUNNING:
        return "●", "bold green"
    return "○", ""


def _container_text(c, extra: str = ""):
    from rich.text import Text
    mark, style = _state(c)
    t = Text()
    t.append(f"{mark} ", style=style)
    t.append(c.name, style="bold" if c.state.status in RUNNING else "")
    t.append(f"  {c.state.status}", style=style)
    if extra:
        t.append(f"  {extra}")
    return t


def _images_view(pic: Picture):
    from rich.tree import Tree
    tree = Tree("[bold]Images[/bold] and the containers made from them")
    rows = containers_by_image(pic)
    if not rows:
        tree.add("no images yet: docker pull busybox")
    for label, boxes in rows:
        branch = tree.add(label)
        for c in boxes:
            branch.add(_container_text(c))
        if not boxes:
            branch.add("no containers")
    return tree


def _networks_view(pic: Picture):
    from rich.tree import Tree
    tree = Tree("[bold]Networks[/bold] and who is on them")
    groups = containers_by_network(pic)
    if not groups:
        tree.add("no containers yet")
    for name in sorted(groups):
        if not groups[name] and name in QUIET_NETWORKS:
            continue
        branch = tree.add(name)
        for c, ip, aliases in groups[name]:
            extra = ip or ("no address" if c.state.status in RUNNING else "")
            if aliases:
                extra += "  aka " + ", ".join(aliases)
            branch.add(_container_text(c, extra.strip()))
        if not groups[name]:
            branch.add("nobody")
    return tree


def _ports_view(pic: Picture):
    from rich.tree import Tree
    tree = Tree("[bold]Published ports[/bold] (host -> container)")
    ports = published_ports(pic)
    if not ports:
        tree.add("none: docker run -p HOST:CONTAINER publishes one")
    for host, port, c in sorted(ports, key=lambda p: p[0]):
        tree.add(_container_text(c, f"{host} -> {c.name}:{port}"))
    return tree


def _short_volume(name: str) -> str:
    """An anonymous volume's 64 hex digits, shortened as docker shortens IDs."""
    if len(name) == 64 and all(ch in "0123456789abcdef" for ch in name):
        return f"{name[:12]} (anonymous)"
    return name


def _volumes_view(pic: Picture):
    from rich.tree import Tree
    tree = Tree("[bold]Volumes and bind mounts[/bold] (who mounts them, where)")
    groups = mounts_by_source(pic)
    if not groups:
        tree.add("none: docker run -v NAME:/path mounts a volume")
    for (kind, source) in sorted(groups):
        branch = tree.add(f"{kind} {_short_volume(source) if kind == 'volume' else source}")
        for c, target, ro in groups[(kind, source)]:
            branch.add(_container_text(c, f"at {target}" + (" (read-only)" if ro else "")))
        if not groups[(kind, source)]:
            branch.add("not mounted by any container")
    return tree


def render(pic: Picture, width: int = 100, color: bool = False) -> str:
    from rich.console import Console, Group
    from rich.panel import Panel
    console = Console(width=width, no_color=not color, color_system="standard" if color
                      else None, force_terminal=color, highlight=False)
    body = Group(_images_view(pic), "", _networks_view(pic), "", _ports_view(pic), "",
                 _volumes_view(pic), "",
                 "What each thing is made of: xray CONTAINER, xray image NAME, xray network "
                 "NAME, xray engine.")
    with console.capture() as cap:
        console.print(Panel(body, title="dockerlings map", expand=False))
    return cap.get().rstrip("\n")


def show(env) -> int:
    color = env.stdout_tty and not env.environ.get("NO_COLOR")
    env.out(render(gather(env.engine), min(env.columns, 120), color))
    return 0
