"""Docker's rules for mount requests, as its daemon applies them (moby volume/mounts,
linux parser): `-v` strings, `--mount` structs, `--volumes-from` specs. Pure functions
from text to mount points; nothing here touches the disk, so every bad request is
refused before anything is created.

A mount point is a dict in the shape of Docker's container record (MountPoints): the
keys `inspect` shows (Type, Name, Source, Destination, Driver, Mode, RW, Propagation)
plus Spec (what was asked: an empty Spec.Source marks an anonymous volume) and CopyData
(fill an empty volume from the image the first time).
"""
from __future__ import annotations

import posixpath

from ..errors import InvalidParameter

_RW_MODES = {"rw", "ro"}
_LABEL_MODES = {"z", "Z"}
_PROPAGATION = {"shared", "slave", "private", "rshared", "rslave", "rprivate"}
_COPY_MODES = {"nocopy"}
_CONSISTENCY = {"consistent", "cached", "delegated"}
_MODE_KINDS = (_RW_MODES, _LABEL_MODES, _PROPAGATION, _COPY_MODES, _CONSISTENCY)
DEFAULT_PROPAGATION = "rprivate"


def valid_mode(mode: str) -> bool:
    """Each kind of option at most once, nothing unknown (moby ValidMountMode)."""
    if not mode:
        return True
    counts = [0] * len(_MODE_KINDS)
    for opt in mode.split(","):
        for i, kind in enumerate(_MODE_KINDS):
            if opt in kind:
                counts[i] += 1
                break
        else:
            return False
    return all(n <= 1 for n in counts)


def _opts(mode: str) -> list[str]:
    return mode.split(",") if mode else []


def read_write(mode: str) -> bool:
    return "ro" not in _opts(mode)


def _propagation(mode: str) -> str:
    return next((o for o in _opts(mode) if o in _PROPAGATION), "")


def _spec_error(raw: str) -> str:
    return f"invalid volume specification: '{raw}'"


class MountConfigError(InvalidParameter):
    def __init__(self, kind: str, reason: str, *, hint: str | None = None):
        super().__init__(f'invalid mount config for type "{kind}": {reason}', hint=hint)


def _check_target(kind: str, target: str) -> None:
    if not target:
        raise MountConfigError(kind, "field Target must not be empty")
    if posixpath.normpath(target) == "/" and target.startswith("/"):
        raise MountConfigError(kind, "invalid specification: destination can't be '/'")
    if not target.startswith("/"):
        raise MountConfigError(kind, f"invalid mount path: '{target}' mount path must be "
                                     "absolute")


def mount_point(kind: str, target: str, *, source: str = "", name: str = "", rw: bool = True,
                mode: str = "", propagation: str = "", copy: bool = False,
                spec: dict | None = None) -> dict:
    mp = {"Type": kind}
    if kind == "volume":
        mp["Name"] = name
    mp.update({"Source": source, "Destination": posixpath.normpath(target)})
    if kind == "volume":
        mp["Driver"] = "local"
    mp.update({"Mode": mode, "RW": rw, "Propagation": propagation,
               "Spec": spec or {"Type": kind, "Source": source or name, "Target": target},
               "CopyData": copy})
    return mp


def parse_bind(raw: str) -> dict:
    """One `-v` value (HostConfig.Binds entry): SOURCE:TARGET[:MODE], where SOURCE is a
    host path (bind) or a volume name (volume)."""
    parts = raw.split(":", 3)
    if not parts[0]:
        raise InvalidParameter(_spec_error(raw))
    mode = ""
    if len(parts) == 1:
        source, target = "", parts[0]
    elif len(parts) == 2:
        if valid_mode(parts[1]):       # "/foo:rw": a volume cannot have a mode alone
            raise InvalidParameter(_spec_error(raw))
        source, target = parts
    elif len(parts) == 3:
        source, target, mode = parts
    else:
        raise InvalidParameter(_spec_error(raw))
    if not valid_mode(mode):
        raise InvalidParameter(f"invalid mode: {mode}")
    kind = "bind" if source.startswith("/") else "volume"
    rw = read_write(mode)
    try:
        _check_target(kind, target)
        if kind == "volume" and not source and not rw:
            raise MountConfigError(kind, "must not set ReadOnly mode when using anonymous "
                                         "volumes")
        if kind == "bind" and "nocopy" in _opts(mode):
            raise MountConfigError(kind, "field VolumeOptions must not be specified")
        if kind == "volume" and _propagation(mode):
            raise MountConfigError(kind, "field BindOptions must not be specified")
    except MountConfigError as e:
        raise InvalidParameter(f"{_spec_error(raw)}: {e.message}") from None
    spec = {"Type": kind, "Source": source, "Target": target}
    if not rw:
        spec["ReadOnly"] = True
    if kind == "bind":
        return mount_point("bind", target, source=posixpath.normpath(source), rw=rw,
                           mode=mode, propagation=_propagation(mode) or DEFAULT_PROPAGATION,
                           spec=spec)
    # Docker gives volumes of the local driver the SELinux mode "z" when none was asked
    return mount_point("volume", target, name=source, rw=rw, mode=mode or "z",
                       copy="nocopy" not in _opts(mode), spec=spec)


def parse_mount(m) -> dict:
    """One --mount (a config.Mount), checked as the daemon checks it."""
    kind = m.type
    if kind not in ("bind", "volume", "tmpfs"):
        raise InvalidParameter(f'invalid mount config for type "{kind}": mount type unknown')
    _check_target(kind, m.target)
    spec = m.to_dict()
    bind, vol, tmpfs = m.bind_options, m.volume_options, m.tmpfs_options
    if kind == "bind":
        if not m.source:
            raise MountConfigError(kind, "field Source must not be empty")
        if vol:
            raise MountConfigError(kind, "field VolumeOptions must not be specified")
        if tmpfs:
            raise MountConfigError(kind, "field TmpfsOptions must not be specified")
        prop = (bind or {}).get("Propagation", "")
        if prop and prop not in _PROPAGATION:
            raise MountConfigError(kind, f"invalid propagation mode: {prop}")
        if not m.source.startswith("/"):
            raise MountConfigError(kind, f"invalid mount path: '{m.source}' mount path must "
                                         "be absolute")
        mp = mount_point("bind", m.target, source=posixpath.normpath(m.source),
                         rw=not m.read_only, propagation=prop or DEFAULT_PROPAGATION,
                         spec=spec)
        # --mount never creates a missing host path; -v does (Docker's two rules)
        mp["SkipMountpointCreation"] = True
        return mp
    if bind:
        raise MountConfigError(kind, "field BindOptions must not be specified")
    if kind == "volume":
        if tmpfs:
            raise MountConfigError(kind, "field TmpfsOptions must not be specified")
        if m.read_only and not m.source:
            raise MountConfigError(kind, "must not set ReadOnly mode when using anonymous "
                                         "volumes")
        return mount_point("volume", m.target, name=m.source, rw=not m.read_only, mode="z",
                           copy=not (vol or {}).get("NoCopy"), spec=spec)
    if m.source:
        raise MountConfigError(kind, "field Source must not be specified")
    if vol:
        raise MountConfigError(kind, "field VolumeOptions must not be specified")
    return mount_point("tmpfs", m.target, rw=not m.read_only, spec=spec)


def tmpfs_options(m: dict) -> str:
    """mount(2) data for a --mount type=tmpfs: its size and mode."""
    t = (m.get("Spec") or {}).get("TmpfsOptions") or {}
    opts = []
    if t.get("SizeBytes"):
        opts.append(f"size={t['SizeBytes'] // 1024}k")
    if t.get("Mode"):
        opts.append(f"mode={t['Mode']:o}")
    return ",".join(opts)


def parse_volumes_from(spec: str) -> tuple[str, str]:
    """CONTAINER[:ro|rw] -> (container, mode)."""
    if not spec:
        raise InvalidParameter("volumes-from specification cannot be an empty string")
    ref, _, mode = spec.partition(":")
    if not mode:
        return ref, "rw"
    if not valid_mode(mode) or _propagation(mode) or "nocopy" in _opts(mode):
        raise InvalidParameter(f"invalid mode: {mode}")
    return ref, mode


def inherited(m: dict, mode: str) -> dict:
    """A mount point taken over by --volumes-from: same volume, never copied into again."""
    out = dict(m)
    out.update(RW=m["RW"] and read_write(mode), Mode="", CopyData=False)
    return out


def check_anonymous(target: str) -> None:
    """A Config.Volumes entry (-v /path, VOLUME): only a destination."""
    _check_target("volume", target)


def check_tmpfs(target: str) -> None:
    """A --tmpfs destination (HostConfig.Tmpfs key): moby ValidateTmpfsMountDestination."""
    try:
        _check_target("tmpfs", target)
    except MountConfigError as e:
        raise InvalidParameter(e.message.split(": ", 1)[1]) from None


PUBLIC_KEYS = ("Type", "Name", "Source", "Destination", "Driver", "Mode", "RW",
               "Propagation")


def public(m: dict) -> dict:
    """The mount point as `docker inspect` shows it under Mounts."""
    return {k: m[k] for k in PUBLIC_KEYS if k in m}
