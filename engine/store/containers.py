"""Container records on disk: one directory per container, one JSON file per record.

The record (config.v2.json, as Docker names it) holds the configuration, which never
changes, and the state, which the engine and the container's monitor update under the
engine lock. Names are claimed with symlinks in names/: creating a symlink is atomic,
so two shells can never give two containers the same name.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..system import owners
from ..util import timeutil
from .. import trust
from ..config import ContainerConfig, HostConfig
from ..errors import AmbiguousPrefix, NameInUse, NoSuchContainer
from ..util.fsutil import dumps, read_json, remove_tree, unlink_quiet, write_json, write_new
from ..paths import Paths
from . import removal

RECORD = "config.v2.json"
STATE = "state.json"
RUNNING_STATES = ("running", "paused", "restarting")
# Docker's pattern for container names (moby's daemon/names). A name is also a file in
# names/, so it is bounded by the file system's limit on one file name as well.
NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]"
NAME_RE = re.compile(NAME_CHARS + "+")
NAME_MAX = 255


def name_problem(name: str) -> str | None:
    """Why `name` (without its leading /) cannot name a container, or None."""
    if not NAME_RE.fullmatch(name):
        return f"only {NAME_CHARS} are allowed"
    if len(name) > NAME_MAX:
        return f"a name is at most {NAME_MAX} characters long in dockerlings"
    return None


def _hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)


class State:
    """The mutable part of a container. status: created running paused restarting
    removing exited dead; monitor_start tells a reused pid apart; manual_stop keeps
    restart policies quiet after `docker stop`/`kill`; paused_by is the pid of a commit
    that paused it (0: the user did); network holds what a start made on the network
    side — {"Networks": {name: addresses...}, "Ports": {...}} — while it runs."""

    FIELDS = {"status": "created", "pid": 0, "exit_code": 0, "error": "",
              "oom_killed": False, "started_at": timeutil.ZERO, "finished_at": timeutil.ZERO,
              "monitor_pid": 0, "monitor_start": 0, "manual_stop": False, "paused_by": 0,
              "restart_count": 0, "network": None}
    __slots__ = tuple(FIELDS)

    def __init__(self, **values):
        for k, default in self.FIELDS.items():
            setattr(self, k, values.get(k, default))

    def __repr__(self) -> str:
        return "State(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.FIELDS) + ")"

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATES

    def to_docker(self) -> dict:
        return {
            "Status": self.status,
            "Running": self.status in ("running", "paused", "restarting"),
            "Paused": self.status == "paused",
            "Restarting": self.status == "restarting",
            "OOMKilled": self.oom_killed,
            "Dead": self.status == "dead",
            "Pid": self.pid,
            "ExitCode": self.exit_code,
            "Error": self.error,
            "StartedAt": self.started_at,
            "FinishedAt": self.finished_at,
        }

    def to_record(self) -> dict:
        return {k: getattr(self, k) for k in self.FIELDS}

    @classmethod
    def from_record(cls, d: dict) -> "State":
        return cls(**d)


class Container:
    """A container record: its configuration (fixed at create) and its state. `layers`
    are the image's chain IDs, bottom first; `networks` maps network names to endpoint
    settings; `mounts` are Docker-shaped mount points."""

    def __init__(self, id: str, name: str, created: str, path: str, args: list[str],
                 config: ContainerConfig, host: HostConfig, image_id: str, layers: list[str],
                 state: State | None = None, networks: dict | None = None,
                 mounts: list | None = None, dir: Path | None = None):
        self.id, self.name, self.created = id, name, created
        self.path, self.args = path, args
        self.config, self.host = config, host
        self.image_id, self.layers = image_id, layers
        self.state = state or State()
        self.networks = networks or {}
        self.mounts = mounts or []
        self.dir = dir

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def to_record(self) -> dict:
        return {
            "Id": self.id, "Name": "/" + self.name, "Created": self.created,
            "Path": self.path, "Args": self.args, "Image": self.image_id,
            "Layers": self.layers, "Config": self.config.to_dict(),
            "HostConfig": self.host.to_dict(),
            "Networks": self.networks, "MountPoints": self.mounts,
        }

    @classmethod
    def from_record(cls, d: dict, directory: Path | None = None) -> "Container":
        return cls(
            id=d["Id"], name=d["Name"].lstrip("/"), created=d["Created"], path=d["Path"],
            args=list(d["Args"]), config=ContainerConfig.from_dict(d["Config"]),
            host=HostConfig.from_dict(d["HostConfig"]), image_id=d["Image"],
            layers=list(d["Layers"]), state=State.from_record(d.get("State") or {}),
            networks=d.get("Networks") or {}, mounts=d.get("MountPoints") or [],
            dir=directory)


class ContainerStore:
    def __init__(self, paths: Paths):
        self.paths = paths

    def dir(self, cid: str) -> Path:
        return self.paths.container(cid)

    def ids(self) -> list[str]:
        try:
            return [n for n in os.listdir(self.paths.containers) if len(n) == 64]
        except FileNotFoundError:
            return []

    def load(self, cid: str) -> Container:
        d = self.dir(cid)
        try:
            record = read_json(d / RECORD)
            record["State"] = read_json(d / STATE)
            return Container.from_record(record, d)
        except FileNotFoundError:
            raise NoSuchContainer(cid) from None

    def save(self, c: Container, sync: bool = False) -> None:
        """Write the configuration record and the state (each atomically)."""
        write_json(self.dir(c.id) / RECORD, c.to_record(), sync=sync, mode=trust.SECRET)
        self.save_state(c, sync=sync)

    def save_state(self, c: Container, sync: bool = False) -> None:
        """State changes skip fsync: after a power cut no container is running anyway,
        and the rename alone keeps every reader consistent."""
        write_json(self.dir(c.id) / STATE, c.state.to_record(), sync=sync)

    def all(self) -> list[Container]:
        out = []
        for cid in self.ids():
            try:
                out.append(self.load(cid))
            except (NoSuchContainer, ValueError):
                continue   # half-made or half-removed: fsck's business, not a listing's
        return out

    # --- names ---------------------------------------------------------------------
    def _name_link(self, name: str) -> Path:
        return self.paths.names / name

    def name_owner(self, name: str) -> str | None:
        """The ID holding `name`; None also for text that can never be a name, which
        is never looked up on disk (no NUL, no path, no name too long for a file)."""
        if name_problem(name):
            return None
        try:
            return os.readlink(self._name_link(name))
        except FileNotFoundError:
            return None

    def claim_name(self, name: str, cid: str) -> None:
        try:
            os.symlink(cid, self._name_link(name))
        except FileExistsError:
            holder = self.name_owner(name) or ""
            if holder and not self.dir(holder).exists():   # a crashed create's leftover
                unlink_quiet(self._name_link(name))
                return self.claim_name(name, cid)
            raise NameInUse(name, holder) from None

    def release_name(self, name: str, cid: str) -> None:
        if self.name_owner(name) == cid:
            unlink_quiet(self._name_link(name))

    def names(self) -> dict[str, str]:
        out = {}
        try:
            for n in os.listdir(self.paths.names):
                try:
                    out[n] = os.readlink(self.paths.names / n)
                except OSError:
                    pass
        except FileNotFoundError:
            pass
        return out

    # --- lookup ---------------------------------------------------------------------
    def resolve(self, text: str) -> str:
        """A container ID from a full ID, a name, or a unique ID prefix (Docker's order)."""
        name = text[1:] if text.startswith("/") else text
        if len(text) == 64 and _hex(text) and self.dir(text).exists():
            return text
        owner = self.name_owner(name)
        if owner and self.dir(owner).exists():
            return owner
        if _hex(text):
            matches = [i for i in self.ids() if i.startswith(text)]
            if len(matches) > 1:
                raise AmbiguousPrefix(f"multiple IDs found with provided prefix: {text}")
            if matches:
                return matches[0]
        raise NoSuchContainer(text)

    # --- creation and removal ---------------------------------------------------------
    def create(self, c: Container, files: dict[str, str] | None = None) -> None:
        """Claim the name, then build the directory aside and move it into place: a
        create killed halfway leaves only garbage fsck can prove dead, never half a
        container."""
        final = self.dir(c.id)
        staging = self.paths.containers / f".new-{os.getpid()}-{c.id}"
        self.claim_name(c.name, c.id)
        try:
            trust.make_dir(staging)
            # upper's mode is the mode of the container's "/": Docker's 0755
            for sub, mode in (("upper", 0o755), ("work", trust.PRIVATE), ("merged", 0o755)):
                trust.make_dir(staging / sub, mode)
            # files in the staging directory need no atomic replace: nobody reads them
            # before the rename. Only the record of a container meant to outlive a power
            # cut is synced; a --rm one would be removed after it anyway.
            write_new(staging / RECORD, dumps(c.to_record()), sync=not c.host.auto_remove,
                      mode=trust.SECRET)      # the environment: DB_PASSWORD=...
            write_new(staging / STATE, dumps(c.state.to_record()))
            for name, text in (files or {}).items():
                write_new(staging / name, text.encode())
            os.rename(staging, final)
            c.dir = final
            owners.note(self.paths.root, "container", c.id)
        except BaseException:
            self.release_name(c.name, c.id)
            remove_tree(staging)
            raise

    def remove(self, c: Container) -> None:
        """Call with the engine lock held."""
        trash = removal.detach(str(self.paths.root), c.id, c.name)
        owners.forget(self.paths.root, "container", c.id)
        removal.purge(str(self.paths.run), c.id, trash)

    def stale_trash(self) -> list[Path]:
        try:
            return [self.paths.containers / n for n in os.listdir(self.paths.containers)
                    if n.startswith(".del-")]
        except FileNotFoundError:
            return []
