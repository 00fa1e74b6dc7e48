"""What a container is asked to be, as data: Docker's Config and HostConfig.

These are the two halves of a create request. They are frozen: a container's
configuration never changes after `create` (rename and restart counts live in the
container record, not here). `to_dict()` gives Docker's JSON shape and key order, so
`inspect` shows what learners will see from Docker.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


def _tuple(v):
    return tuple(v) if v is not None else None


@dataclass(frozen=True)
class RestartPolicy:
    name: str = "no"            # no | always | on-failure | unless-stopped
    maximum_retry_count: int = 0

    def to_dict(self) -> dict:
        return {"Name": self.name, "MaximumRetryCount": self.maximum_retry_count}

    @classmethod
    def from_dict(cls, d: dict | None) -> "RestartPolicy":
        d = d or {}
        return cls(d.get("Name") or "no", int(d.get("MaximumRetryCount") or 0))


@dataclass(frozen=True)
class PortBinding:
    host_ip: str = ""
    host_port: str = ""

    def to_dict(self) -> dict:
        return {"HostIp": self.host_ip, "HostPort": self.host_port}


@dataclass(frozen=True)
class Mount:
    type: str                   # bind | volume | tmpfs
    source: str
    target: str
    read_only: bool = False

    def to_dict(self) -> dict:
        return {"Type": self.type, "Source": self.source, "Target": self.target,
                "ReadOnly": self.read_only}


# Field name in Python -> key in Docker's JSON, in Docker's order.
_CONFIG_KEYS = [
    ("hostname", "Hostname"), ("domainname", "Domainname"), ("user", "User"),
    ("attach_stdin", "AttachStdin"), ("attach_stdout", "AttachStdout"),
    ("attach_stderr", "AttachStderr"), ("exposed_ports", "ExposedPorts"), ("tty", "Tty"),
    ("open_stdin", "OpenStdin"), ("stdin_once", "StdinOnce"), ("env", "Env"),
    ("cmd", "Cmd"), ("image", "Image"), ("volumes", "Volumes"),
    ("working_dir", "WorkingDir"), ("entrypoint", "Entrypoint"), ("on_build", "OnBuild"),
    ("labels", "Labels"), ("stop_signal", "StopSignal"), ("stop_timeout", "StopTimeout"),
]


@dataclass(frozen=True)
class ContainerConfig:
    """Docker's `Config`: what runs, as whom, with what environment."""

    image: str = ""
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    env: tuple[str, ...] = ()
    working_dir: str = ""
    user: str = ""
    hostname: str = ""
    domainname: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    tty: bool = False
    open_stdin: bool = False
    stdin_once: bool = False
    attach_stdin: bool = False
    attach_stdout: bool = False
    attach_stderr: bool = False
    stop_signal: str | None = None
    stop_timeout: int | None = None
    on_build: tuple[str, ...] | None = None

    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr, key in _CONFIG_KEYS:
            v = getattr(self, attr)
            if attr == "labels":
                v = dict(v)
            elif attr in ("exposed_ports", "volumes"):
                v = {p: {} for p in v} if v else None
            elif isinstance(v, tuple):
                v = list(v)
            if attr in ("stop_signal", "stop_timeout", "on_build") and v is None:
                continue
            out[key] = v
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "ContainerConfig":
        kw: dict[str, Any] = {}
        for attr, key in _CONFIG_KEYS:
            if key not in d:
                continue
            v = d[key]
            if attr == "labels":
                v = tuple((v or {}).items())
            elif attr in ("exposed_ports", "volumes"):
                v = tuple(v or ())
            elif attr == "env":
                v = tuple(v or ())
            elif attr in ("cmd", "entrypoint", "on_build"):
                v = _tuple(v)
            kw[attr] = v
        return cls(**kw)

    def with_(self, **changes) -> "ContainerConfig":
        return replace(self, **changes)


_HOST_KEYS = [
    ("binds", "Binds"), ("network_mode", "NetworkMode"), ("port_bindings", "PortBindings"),
    ("restart_policy", "RestartPolicy"), ("auto_remove", "AutoRemove"),
    ("volumes_from", "VolumesFrom"), ("cap_add", "CapAdd"), ("cap_drop", "CapDrop"),
    ("dns", "Dns"), ("extra_hosts", "ExtraHosts"), ("pid_mode", "PidMode"),
    ("privileged", "Privileged"), ("publish_all_ports", "PublishAllPorts"),
    ("readonly_rootfs", "ReadonlyRootfs"), ("tmpfs", "Tmpfs"), ("cpu_shares", "CpuShares"),
    ("memory", "Memory"), ("nano_cpus", "NanoCpus"), ("cpu_period", "CpuPeriod"),
    ("cpu_quota", "CpuQuota"), ("memory_swap", "MemorySwap"), ("pids_limit", "PidsLimit"),
    ("mounts", "Mounts"),
]


@dataclass(frozen=True)
class HostConfig:
    """Docker's `HostConfig`: how the host runs it (limits, policies, sharing)."""

    auto_remove: bool = False
    restart_policy: RestartPolicy = field(default_factory=RestartPolicy)
    privileged: bool = False
    readonly_rootfs: bool = False
    pid_mode: str = ""                 # "" | "host" | "container:<id>"
    network_mode: str = "bridge"
    memory: int = 0                    # bytes, 0 = unlimited
    memory_swap: int = 0
    cpu_shares: int = 0
    cpu_quota: int = 0
    cpu_period: int = 0
    nano_cpus: int = 0
    pids_limit: int | None = None
    binds: tuple[str, ...] | None = None
    mounts: tuple[Mount, ...] = ()
    volumes_from: tuple[str, ...] | None = None
    tmpfs: tuple[tuple[str, str], ...] = ()
    port_bindings: tuple[tuple[str, tuple[PortBinding, ...]], ...] = ()
    publish_all_ports: bool = False
    dns: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] | None = None
    cap_add: tuple[str, ...] | None = None
    cap_drop: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr, key in _HOST_KEYS:
            v = getattr(self, attr)
            if attr == "restart_policy":
                v = v.to_dict()
            elif attr == "port_bindings":
                v = {port: [b.to_dict() for b in bs] for port, bs in v}
            elif attr == "mounts":
                v = [m.to_dict() for m in v] if v else None
            elif attr == "tmpfs":
                v = dict(v) if v else None
            elif attr == "dns":
                v = list(v)
            elif isinstance(v, tuple):
                v = list(v)
            out[key] = v
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "HostConfig":
        kw: dict[str, Any] = {}
        for attr, key in _HOST_KEYS:
            if key not in d:
                continue
            v = d[key]
            if attr == "restart_policy":
                v = RestartPolicy.from_dict(v)
            elif attr == "port_bindings":
                v = tuple((port, tuple(PortBinding(b.get("HostIp", ""), b.get("HostPort", ""))
                                       for b in (bs or ())))
                          for port, bs in (v or {}).items())
            elif attr == "mounts":
                v = tuple(Mount(m["Type"], m.get("Source", ""), m["Target"],
                                bool(m.get("ReadOnly"))) for m in (v or ()))
            elif attr == "tmpfs":
                v = tuple((v or {}).items())
            elif attr == "dns":
                v = tuple(v or ())
            elif isinstance(v, list):
                v = tuple(v)
            kw[attr] = v
        return cls(**kw)


def field_names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


__all__ = ["ContainerConfig", "HostConfig", "RestartPolicy", "PortBinding", "Mount",
           "asdict", "field_names"]
