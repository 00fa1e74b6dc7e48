"""What a container is asked to be, as data: Docker's Config and HostConfig.

These are the two halves of a create request. They are frozen: a container's
configuration never changes after `create` (rename and restart counts live in the
container record, not here). `to_dict()` gives Docker's JSON shape and key order, so
`inspect` shows what learners will see from Docker.
"""
from __future__ import annotations

from collections import namedtuple

# These are namedtuples rather than dataclasses: they are built on every `docker run`,
# and importing `dataclasses` alone costs more start-up time than the whole run.


def _tuple(v):
    return tuple(v) if v is not None else None


class RestartPolicy(namedtuple("RestartPolicy", "name maximum_retry_count",
                               defaults=("no", 0))):
    """no | always | on-failure | unless-stopped, and on-failure's retry limit."""

    __slots__ = ()

    def to_dict(self) -> dict:
        return {"Name": self.name, "MaximumRetryCount": self.maximum_retry_count}

    @classmethod
    def from_dict(cls, d: dict | None) -> "RestartPolicy":
        d = d or {}
        return cls(d.get("Name") or "no", int(d.get("MaximumRetryCount") or 0))


class PortBinding(namedtuple("PortBinding", "host_ip host_port", defaults=("", ""))):
    __slots__ = ()

    def to_dict(self) -> dict:
        return {"HostIp": self.host_ip, "HostPort": self.host_port}


class DeviceMapping(namedtuple("DeviceMapping", "path_on_host path_in_container "
                                               "cgroup_permissions", defaults=("rwm",))):
    """One --device HOST[:CONTAINER][:PERMS]."""

    __slots__ = ()

    def to_dict(self) -> dict:
        return {"PathOnHost": self.path_on_host, "PathInContainer": self.path_in_container,
                "CgroupPermissions": self.cgroup_permissions}

    @classmethod
    def from_dict(cls, d: dict) -> "DeviceMapping":
        return cls(d.get("PathOnHost", ""), d.get("PathInContainer", ""),
                   d.get("CgroupPermissions") or "rwm")


class Mount(namedtuple("Mount", "type source target read_only bind_options volume_options "
                               "tmpfs_options", defaults=(False, None, None, None))):
    """One --mount: type bind | volume | tmpfs; the *_options are Docker's BindOptions,
    VolumeOptions and TmpfsOptions dicts (or None)."""

    __slots__ = ()
    _OPTIONS = (("bind_options", "BindOptions"), ("volume_options", "VolumeOptions"),
                ("tmpfs_options", "TmpfsOptions"))

    def to_dict(self) -> dict:
        d = {"Type": self.type, "Source": self.source, "Target": self.target}
        if self.read_only:
            d["ReadOnly"] = True
        for attr, key in self._OPTIONS:
            if getattr(self, attr):
                d[key] = dict(getattr(self, attr))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Mount":
        return cls(d["Type"], d.get("Source", ""), d.get("Target", ""),
                   bool(d.get("ReadOnly")),
                   *(d.get(key) or None for _, key in cls._OPTIONS))


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


_CONFIG_FIELDS = (
    ("image", ""), ("cmd", None), ("entrypoint", None), ("env", ()), ("working_dir", ""),
    ("user", ""), ("hostname", ""), ("domainname", ""), ("labels", ()), ("exposed_ports", ()),
    ("volumes", ()), ("tty", False), ("open_stdin", False), ("stdin_once", False),
    ("attach_stdin", False), ("attach_stdout", False), ("attach_stderr", False),
    ("stop_signal", None), ("stop_timeout", None), ("on_build", None),
)


class ContainerConfig(namedtuple("ContainerConfig", [f for f, _ in _CONFIG_FIELDS],
                                 defaults=[d for _, d in _CONFIG_FIELDS])):
    """Docker's `Config`: what runs, as whom, with what environment. cmd/entrypoint are
    tuples or None; env a tuple of "K=V"; labels a tuple of (key, value)."""

    __slots__ = ()

    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)

    def to_dict(self) -> dict:
        out: dict = {}
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
        kw: dict = {}
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
        return self._replace(**changes)


_HOST_KEYS = [
    ("binds", "Binds"), ("network_mode", "NetworkMode"), ("port_bindings", "PortBindings"),
    ("restart_policy", "RestartPolicy"), ("auto_remove", "AutoRemove"),
    ("volumes_from", "VolumesFrom"), ("cap_add", "CapAdd"), ("cap_drop", "CapDrop"),
    ("dns", "Dns"), ("extra_hosts", "ExtraHosts"), ("pid_mode", "PidMode"),
    ("privileged", "Privileged"), ("publish_all_ports", "PublishAllPorts"),
    ("readonly_rootfs", "ReadonlyRootfs"), ("security_opt", "SecurityOpt"), ("tmpfs", "Tmpfs"),
    ("cpu_shares", "CpuShares"),
    ("memory", "Memory"), ("nano_cpus", "NanoCpus"), ("cpu_period", "CpuPeriod"),
    ("cpu_quota", "CpuQuota"), ("memory_swap", "MemorySwap"), ("pids_limit", "PidsLimit"),
    ("mounts", "Mounts"), ("devices", "Devices"), ("device_cgroup_rules", "DeviceCgroupRules"),
    ("links", "Links"), ("init", "Init"), ("console_size", "ConsoleSize"),
]


_HOST_FIELDS = (
    ("auto_remove", False), ("restart_policy", RestartPolicy()), ("privileged", False),
    ("readonly_rootfs", False), ("pid_mode", ""), ("network_mode", "bridge"), ("memory", 0),
    ("memory_swap", 0), ("cpu_shares", 0), ("cpu_quota", 0), ("cpu_period", 0),
    ("nano_cpus", 0), ("pids_limit", None), ("binds", None), ("mounts", ()),
    ("volumes_from", None), ("tmpfs", ()), ("port_bindings", ()), ("publish_all_ports", False),
    ("dns", ()), ("extra_hosts", None), ("cap_add", None), ("cap_drop", None),
    ("devices", ()), ("device_cgroup_rules", None), ("security_opt", None),
    ("links", None), ("init", None), ("console_size", (0, 0)),
)


class HostConfig(namedtuple("HostConfig", [f for f, _ in _HOST_FIELDS],
                            defaults=[d for _, d in _HOST_FIELDS])):
    """Docker's `HostConfig`: how the host runs it (limits, policies, sharing). pid_mode
    is "" | "host" | "container:<id>"; memory in bytes (0: unlimited)."""

    __slots__ = ()

    def to_dict(self) -> dict:
        out: dict = {}
        for attr, key in _HOST_KEYS:
            v = getattr(self, attr)
            if attr == "restart_policy":
                v = v.to_dict()
            elif attr == "port_bindings":
                v = {port: [b.to_dict() for b in bs] for port, bs in v}
            elif attr == "mounts":
                v = [m.to_dict() for m in v] if v else None
            elif attr == "devices":
                v = [d.to_dict() for d in v]
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
        kw: dict = {}
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
                v = tuple(Mount.from_dict(m) for m in (v or ()))
            elif attr == "devices":
                v = tuple(DeviceMapping.from_dict(d) for d in (v or ()))
            elif attr == "tmpfs":
                v = tuple((v or {}).items())
            elif attr == "dns":
                v = tuple(v or ())
            elif isinstance(v, list):
                v = tuple(v)
            kw[attr] = v
        return cls(**kw)


__all__ = ["ContainerConfig", "HostConfig", "RestartPolicy", "PortBinding", "Mount",
           "DeviceMapping"]
