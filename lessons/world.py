"""What exists right now, as the checks see it: one read of the engine per round of checks.

Everything goes through the Engine facade (and the Docker-shaped documents of
engine.containers.inspect). Networks and volumes are read defensively — through whatever the
engine offers (`engine.networks()`, `engine.volumes()` ...) and the container records'
own `networks` and `mounts` — so checks written against them work as those parts of the
engine arrive.
"""
from __future__ import annotations

import os
import select
import shlex
import signal
import time
from collections import namedtuple

from engine.errors import EngineError

from . import layerfs

Network = namedtuple("Network", "name id driver subnet members")
Volume = namedtuple("Volume", "name driver mountpoint labels", defaults=(None,))

ANONYMOUS_LABEL = "com.docker.volume.anonymous"   # on volumes made by -v /path (Docker's)

BUILDKIT_COMMENT = "buildkit.dockerfile.v0"     # how docker build marks its history


def _get(obj, *names, default=None):
    """A field of a dict (Docker's "Name") or an object (`name`), whichever it is."""
    for n in names:
        if isinstance(obj, dict):
            if n in obj:
                return obj[n]
        elif hasattr(obj, n):
            return getattr(obj, n)
    return default


def _listing(source) -> list:
    """Call a listing method or read a store, whichever the engine has."""
    if source is None:
        return []
    try:
        if callable(source):
            return list(source())
        for method in ("all", "list"):
            if callable(getattr(source, method, None)):
                return list(getattr(source, method)())
    except (EngineError, OSError):
        return []
    return []


class World:
    def __init__(self, engine):
        self.engine = engine
        self._containers = None
        self._images = None
        self._networks = None
        self._volumes = None
        self._found: dict[str, object] = {}

    # --- containers -----------------------------------------------------------------------
    def containers(self) -> list:
        if self._containers is None:
            self._containers = self.engine.containers(all=True)
        return self._containers

    def container(self, ref: str):
        for c in self.containers():
            if c.name == ref.lstrip("/") or c.id == ref:
                return c
        try:
            return self.engine.container(ref)
        except EngineError:
            return None

    def container_layers(self, c) -> list[str]:
        from engine.containers import inspect
        data = inspect.graph_driver(self.engine, c)["Data"]
        return [data["UpperDir"]] + [d for d in data.get("LowerDir", "").split(":") if d]

    def container_mounts(self, c) -> list[dict]:
        """Docker-shaped mount points: Type, Name, Source, Destination (and a tmpfs entry
        for each --tmpfs, which Docker lists in HostConfig instead). The record's own
        mount points, made when the container was created, are the truth; a record
        without them (an older engine, a fake one) is read from its host config."""
        recorded = [dict(m) for m in getattr(c, "mounts", None) or () if isinstance(m, dict)]
        out = recorded or self._configured_mounts(c)
        for m in out:
            m.setdefault("Destination", m.get("Target", ""))
        for t in getattr(c.host, "tmpfs", None) or ():
            target = t[0] if isinstance(t, (tuple, list)) else str(t).partition(":")[0]
            if not any(m["Destination"] == target for m in out):
                out.append({"Type": "tmpfs", "Source": "", "Destination": target})
        return out

    @staticmethod
    def _configured_mounts(c) -> list[dict]:
        out = []
        for m in c.host.mounts or ():
            out.append({"Type": m.type, "Destination": m.target,
                        "Source": "" if m.type == "volume" else m.source,
                        "Name": m.source if m.type == "volume" else ""})
        for bind in c.host.binds or ():
            src, _, rest = bind.partition(":")
            dst = rest.split(":")[0]
            kind = "bind" if src.startswith("/") else "volume"
            out.append({"Type": kind, "Destination": dst,
                        "Source": src if kind == "bind" else "",
                        "Name": src if kind == "volume" else ""})
        return out

    def container_file(self, c, path: str) -> tuple[bool, bytes | None]:
        """(exists, content or None when it is no regular file). Volumes and bind mounts
        are read where they live on the host; what a tmpfs holds is in the running
        container's memory only, so nothing under one is seen from here."""
        mounts: dict[str, str | None] = {}
        for m in self.container_mounts(c):
            target = m.get("Destination")
            if not target:
                continue
            if m.get("Type") == "volume":
                mounts[target] = self._volume_path(m.get("Name")) or m.get("Source") or None
            elif m.get("Type") == "tmpfs":
                mounts[target] = None
            else:
                mounts[target] = m.get("Source") or None
        layers = self.container_layers(c)
        return layerfs.exists(layers, path, mounts), layerfs.read(layers, path, mounts)

    # A server writes its log line a little after it answered (and the monitor stamps it
    # when it reads it): how long after a port check's request its lines may still come.
    PROBE_SLACK_NS = 500_000_000

    def logs(self, c, tail: int = 2000, since: str = "", quiet=()) -> str:
        """Its output (the last `tail` entries): only what was written `since` (engine
        time), and none of what it wrote during the `quiet` (start, end, container ID)
        ns windows (the dockerlings checks' own requests to it)."""
        from engine.containers import logs
        from engine.util import timeutil
        try:
            entries = list(logs.read(self.engine, c, tail=tail))
        except OSError:
            return ""
        if since or quiet:
            start = timeutil.parse_ns(since) if since else None
            windows = [(a, b + self.PROBE_SLACK_NS) for a, b, asked in quiet
                       if asked == c.id]
            entries = [e for e in entries if _kept(timeutil.parse_ns(e.time), start, windows)]
        return b"".join(e.data for e in entries).decode("utf-8", "replace")

    def exec(self, c, command, timeout: float = 5.0) -> tuple[int, str]:
        """Run a command inside the running container: (status, stdout + stderr)."""
        from engine.containers import execs
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        proc = execs.start(self.engine, c, argv)
        out = _drain([proc.stdout, proc.stderr], timeout)
        if out is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return -1, "(timed out)"
        return proc.wait(), out

    def published(self, c) -> list[tuple[str, str, int | None]]:
        """(container port "80/tcp", host ip, host port) for each published port. The host
        port comes from the running container's settings when Docker's -p 80 chose it."""
        out = []
        live = self._live_ports(c)
        for port, bindings in c.host.port_bindings or ():
            port = port if "/" in port else port + "/tcp"
            for b in bindings or ():
                host_port = int(b.host_port) if str(b.host_port).isdigit() else None
                if host_port is None:
                    host_port = next((p for ip, p in live.get(port, [])), None)
                out.append((port, b.host_ip, host_port))
        known = {p for p, _, _ in out}
        for port, pairs in live.items():
            if port not in known:
                out.extend((port, ip, p) for ip, p in pairs)
        return out

    def _live_ports(self, c) -> dict:
        """{"80/tcp": [(host ip, host port)]} as the running container has them: from
        engine.ports() (`docker port`), else from its inspect document."""
        if not c.state.running:
            return {}
        pairs: list = []
        ports = getattr(self.engine, "ports", None)
        try:
            if callable(ports):
                pairs = [(key, addr) for key, addr in ports(c.id)]
            else:
                from engine.containers import inspect
                doc = inspect.container(self.engine, c)["NetworkSettings"].get("Ports") or {}
                pairs = [(key, f"{b.get('HostIp', '')}:{b.get('HostPort', '')}")
                         for key, bindings in doc.items() for b in bindings or ()]
        except (EngineError, OSError, KeyError, TypeError, ValueError):
            return {}
        out: dict = {}
        for key, addr in pairs:
            ip, _, port = str(addr).rpartition(":")
            if port.isdigit():
                out.setdefault(key, []).append((ip, int(port)))
        return out

    def networks_of(self, c) -> set[str]:
        live = getattr(c.state, "network", None) or {}
        names = set(c.networks or {}) | set(live.get("Networks") or {})
        mode = c.host.network_mode
        if not names and mode:
            names.add("bridge" if mode == "default" else mode)
        return names

    # --- images -----------------------------------------------------------------------------
    def images(self) -> list:
        if self._images is None:
            self._images = sorted(self.engine.list_images(), key=lambda i: i.created,
                                  reverse=True)
        return self._images

    def image(self, ref: str):
        if ref not in self._found:
            try:
                self._found[ref] = self.engine.get_image(ref)
            except EngineError:
                self._found[ref] = None
        return self._found[ref]

    def image_layers(self, img) -> list[str]:
        from engine.containers import inspect
        data = inspect.image(self.engine, img)["GraphDriver"]["Data"]
        return [d for d in [data.get("UpperDir", "")] + data.get("LowerDir", "").split(":")
                if d]

    def image_file(self, img, path: str) -> tuple[bool, bytes | None]:
        layers = self.image_layers(img)
        return layerfs.exists(layers, path), layerfs.read(layers, path)

    @staticmethod
    def made_by(img) -> str:
        """commit, build or pull, from how the image's own (topmost) history entry was
        made: `docker build` marks its entries as BuildKit does; a commit records the
        container it came from; anything else was pulled (or made offline, which stands
        in for a pull). An image pulled from a registry that BuildKit built elsewhere
        would read as a build: there is no telling them apart from the image alone."""
        history = img.history
        top = history[-1] if history else {}
        if top.get("comment") == BUILDKIT_COMMENT:
            return "build"
        if img.config.get("container"):
            return "commit"
        return "pull"

    # --- networks and volumes -----------------------------------------------------------------
    def networks(self) -> list[Network]:
        if self._networks is None:
            self._networks = self._read_networks()
        return self._networks

    def _read_networks(self) -> list[Network]:
        eng = self.engine
        raw = _listing(getattr(eng, "networks", None) or getattr(eng, "list_networks", None))
        members: dict[str, set[str]] = {}
        for c in self.containers():
            for name in self.networks_of(c):
                members.setdefault(name, set()).add(c.name)
        out = []
        for n in raw:
            name = _get(n, "Name", "name", default="")
            listed = _member_names(_get(n, "Containers", "containers", default={}))
            out.append(Network(name, _get(n, "Id", "id", default=""),
                               _get(n, "Driver", "driver", default=""), _subnet(n),
                               members.get(name, set()) | listed))
        if not raw:      # an engine without networks yet: Docker's three, plus what is used
            defaults = {"bridge": "bridge", "host": "host", "none": "null"}
            for name in sorted(set(defaults) | set(members)):
                out.append(Network(name, "", defaults.get(name, "bridge"), "",
                                   members.get(name, set())))
        return out

    def volumes(self) -> list[Volume]:
        if self._volumes is None:
            eng = self.engine
            raw = _listing(getattr(eng, "volumes", None) or getattr(eng, "list_volumes", None))
            self._volumes = [Volume(_get(v, "Name", "name", default=""),
                                    _get(v, "Driver", "driver", default="local"),
                                    str(_get(v, "Mountpoint", "mountpoint", "path",
                                             default="") or ""),
                                    dict(_get(v, "Labels", "labels", default=None) or {}))
                             for v in raw]
        return self._volumes

    def _volume_path(self, name: str | None) -> str | None:
        if not name:
            return None
        for v in self.volumes():
            if v.name == name:
                return v.mountpoint or None
        return None

    def volume_users(self, name: str) -> set[str]:
        """Names of the containers (running or not) that mount the volume."""
        return {c.name for c in self.containers() for m in self.container_mounts(c)
                if m.get("Type") == "volume" and m.get("Name") == name}


def _kept(t: int | None, start: int | None, windows) -> bool:
    if t is None:
        return True
    if start is not None and t < start:
        return False
    return not any(a <= t <= b for a, b in windows)


def _member_names(listed) -> set[str]:
    """Docker's network "Containers" ({id: {"Name": ...}}) or a plain list of names."""
    if isinstance(listed, dict):
        return {str(_get(v, "Name", "name", default=k)) for k, v in listed.items()}
    return {str(x) for x in listed or ()}


def _subnet(n) -> str:
    direct = _get(n, "subnet", "Subnet")
    if direct:
        return str(direct)
    ipam = _get(n, "IPAM", "ipam", default={}) or {}
    configs = _get(ipam, "Config", "config", default=[]) or []
    for cfg in configs:
        s = _get(cfg, "Subnet", "subnet")
        if s:
            return str(s)
    return ""


def _drain(fds: list[int], timeout: float) -> str | None:
    """Everything written to the fds until they close; None if that takes too long."""
    deadline = time.monotonic() + timeout
    chunks = []
    open_fds = [fd for fd in fds if fd is not None and fd >= 0]
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select(open_fds, [], [], left)
            for fd in ready:
                data = os.read(fd, 65536)
                if data:
                    chunks.append(data)
                else:
                    open_fds.remove(fd)
                    os.close(fd)
    finally:
        for fd in open_fds:
            os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")
