"""Rows for list commands, shaped like the docker CLI's formatter contexts: each public
attribute is a `--format` field (`{{.Names}}`), the table headers are Docker's, and
`{{json .}}` gives Docker's keys, sorted as Docker's map marshalling sorts them."""
from __future__ import annotations

import time

from engine.util import timeutil

from .units import ellipsis, go_time_string, human_duration, human_size, rfc3339_local


def _quote(s: str) -> str:
    """strconv.Quote for the COMMAND column. (gotemplate is a big module: images.py
    imports this one for commands that never show a container row.)"""
    from .gotemplate import go_quote
    return go_quote(s)


def _is_zero(text: str | None) -> bool:
    """Go's zero time ("0001-01-01T00:00:00Z", or none at all). Unlike
    timeutil.is_zero, the Unix epoch is a real time here: docker shows it."""
    return not text or text.startswith("0001-01-01")


def status_text(state, now: float | None = None) -> str:
    """moby's State.String()."""
    now = time.time() if now is None else now
    s = state
    if s.status == "paused":
        return f"Up {human_duration(now - timeutil.parse(s.started_at))} (Paused)"
    if s.status == "running":
        return f"Up {human_duration(now - timeutil.parse(s.started_at))}"
    if s.status == "restarting":
        return (f"Restarting ({s.exit_code}) "
                f"{human_duration(now - timeutil.parse(s.finished_at))} ago")
    if s.status == "removing":
        return "Removal In Progress"
    if s.status == "dead":
        return "Dead"
    if s.status == "created" or _is_zero(s.started_at):
        return "Created"
    if _is_zero(s.finished_at):
        return ""
    return f"Exited ({s.exit_code}) {human_duration(now - timeutil.parse(s.finished_at))} ago"


def command_text(path: str, args: list[str]) -> str:
    """The daemon's command string: arguments with spaces in single quotes."""
    words = [path] + [f"'{a}'" if " " in a else a for a in args]
    return " ".join(words)


class ContainerRow:
    __go_type__ = "*formatter.ContainerContext"
    HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND",
               "CreatedAt": "CREATED AT", "RunningFor": "CREATED", "Ports": "PORTS",
               "State": "STATE", "Status": "STATUS", "Size": "SIZE", "Names": "NAMES",
               "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES",
               "Networks": "NETWORKS", "Platform": "PLATFORM", "Label": "LABEL"}
    DEFAULT = ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
               "{{.Ports}}\t{{.Names}}")

    def __init__(self, c, image_text: str, trunc: bool = True, size: tuple | None = None,
                 ports: str = "", now: float | None = None):
        self._c, self._trunc, self._size = c, trunc, size
        self._now = time.time() if now is None else now
        self.ID = c.id[:12] if trunc else c.id
        self.Image = image_text
        cmd = command_text(c.path, c.args)
        self.Command = _quote(ellipsis(cmd, 20) if trunc else cmd)
        created = timeutil.parse(c.created)
        self.CreatedAt = go_time_string(created)
        self.RunningFor = human_duration(self._now - created) + " ago"
        self.Ports = ports
        self.State = c.state.status
        self.Status = status_text(c.state, self._now)
        self.Names = c.name
        labels = c.config.label_dict()
        self.Labels = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        mounts = [m.get("Name") or m.get("Source", "") for m in c.mounts]
        self.Mounts = ",".join(ellipsis(m, 15) if trunc else m for m in mounts)
        self.LocalVolumes = str(sum(1 for m in c.mounts if m.get("Driver") == "local"))
        self.Networks = ",".join(sorted(c.networks))
        self.Platform = None
        if size is None:
            self.Size = "0B"
        else:
            rw, root = size
            self.Size = human_size(rw) + (f" (virtual {human_size(root)})" if root else "")

    def Label(self, name: str) -> str:
        return self._c.config.label_dict().get(name, "")

    def __json__(self):
        keys = ("Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts",
                "Names", "Networks", "Platform", "Ports", "RunningFor", "Size", "State",
                "Status")
        return {k: getattr(self, k) for k in keys}


class ImageRow:
    __go_type__ = "*formatter.ImageContext"
    HEADERS = {"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
               "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE",
               "Containers": "CONTAINERS", "SharedSize": "SHARED SIZE",
               "UniqueSize": "UNIQUE SIZE", "VirtualSize": "VIRTUAL SIZE"}
    DEFAULT = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}"
               "{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
    DEFAULT_DIGESTS = ("table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                       "{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")

    def __init__(self, img, repository: str, tag: str, trunc: bool = True,
                 now: float | None = None):
        now = time.time() if now is None else now
        self.ID = img.id[7:19] if trunc else img.id
        self.Repository, self.Tag = repository, tag
        self.Digest = next((d.split("@", 1)[1] for d in getattr(img, "repo_digests", ())
                            if d.split("@", 1)[0] == repository), "<none>")
        created = timeutil.parse(img.created)
        self.CreatedSince = "" if _is_zero(img.created) else human_duration(now - created) + " ago"
        self.CreatedAt = go_time_string(created)
        self.Size = human_size(img.size)
        self.VirtualSize = human_size(img.size, 4)
        self.Containers = self.SharedSize = self.UniqueSize = "N/A"

    def __json__(self):
        keys = ("Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository",
                "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize")
        return {k: getattr(self, k) for k in keys}


class HistoryRow:
    __go_type__ = "*image.historyContext"
    HEADERS = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
               "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"}
    DEFAULT = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    DEFAULT_RAW = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"

    def __init__(self, row: dict, trunc: bool = True, human: bool = True,
                 now: float | None = None):
        now = time.time() if now is None else now
        rid = row["Id"]
        self.ID = rid[7:19] if trunc and rid.startswith("sha256:") else rid
        created = timeutil.parse(row["Created"])
        self.CreatedAt = rfc3339_local(created)
        if not human:
            self.CreatedSince = self.CreatedAt
        elif created <= 946684800:      # Docker prints N/A for anything before 2000
            self.CreatedSince = "N/A"
        else:
            self.CreatedSince = human_duration(now - created) + " ago"
        by = row["CreatedBy"].replace("\t", " ")
        self.CreatedBy = ellipsis(by, 45) if trunc else by
        self.Size = human_size(row["Size"]) if human else str(row["Size"])
        self.Comment = row["Comment"]

    def __json__(self):
        keys = ("Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size")
        return {k: getattr(self, k) for k in keys}


def ports_text(c) -> str:
    """The PORTS column: docker's DisplayablePorts over the ports of the current start
    (published as "0.0.0.0:8080->80/tcp", exposed only as "80/tcp", runs grouped)."""
    published = (c.state.network or {}).get("Ports") or {}
    ports = []
    for key, bindings in published.items():
        port, _, proto = key.partition("/")
        if not bindings:
            ports.append(("", int(port), 0, proto))
        for b in bindings or ():
            ports.append((b["HostIp"], int(port), int(b["HostPort"]), proto))
    ports.sort(key=lambda p: (p[1], p[0], p[2], p[3]))
    groups: dict[str, list[int]] = {}
    mappings = []
    for ip, private, public, proto in ports:
        key = proto
        if ip:
            if public != private:
                host = f"[{ip}]" if ":" in ip else ip
                mappings.append(f"{host}:{public}->{private}/{proto}")
                continue
            key = f"{ip}/{proto}"
        groups.setdefault(key, []).append(private)
    result = []
    for key, members in groups.items():
        result.extend(_port_groups(key, members))
    return ", ".join(result + mappings)


def _port_groups(key: str, ports: list[int]) -> list[str]:
    out, first, last = [], ports[0], ports[0]
    for p in ports[1:] + [None]:
        if p is not None and p == last + 1:
            last = p
            continue
        ip, _, proto = key.rpartition("/")
        group = str(first) if first == last else f"{first}-{last}"
        out.append(f"{ip}:{group}->{group}/{proto}" if ip else f"{group}/{proto}")
        if p is not None:
            first = last = p
    return out
