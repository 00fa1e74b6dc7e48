"""Named and anonymous volumes, kept as Docker's local driver keeps them.

A volume is a directory <root>/volumes/<name>/ holding `_data` (what containers see)
and `volume.json` (labels, options, creation time). Which containers use a volume is
not stored twice: it is read from the container records' mount points, so it can never
disagree with them. Light on purpose: the monitor's slim interpreter uses it to drop a
--rm container's anonymous volumes.
"""
from __future__ import annotations

import json
import os
import re
import time

from ..system import events, owners
from .. import trust
from ..util.fsutil import remove_tree, write_json

ANONYMOUS_LABEL = "com.docker.volume.anonymous"
NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]"
_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
META = "volume.json"
RECORD = "config.v2.json"          # the container record (store/containers.py)


def name_error(name: str) -> str | None:
    """Docker's local driver's complaint about a volume name, or None if it is fine."""
    if len(name) == 1:
        return "volume name is too short, names should be at least two alphanumeric characters"
    if not _NAME_RE.match(name):
        return (f'"{name}" includes invalid characters for a local volume name, only '
                f'"{NAME_CHARS}" are allowed. If you intended to pass a host directory, '
                "use absolute path")
    return None


def _created_at() -> str:
    """RFC 3339 in local time, seconds only: what `docker volume inspect` shows."""
    t = time.localtime()
    off = time.strftime("%z", t)
    zone = "Z" if off in ("+0000", "-0000") else off[:3] + ":" + off[3:]
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + zone


class VolumeStore:
    def __init__(self, root: str):
        self.engine_root = str(root)
        self.root = os.path.join(root, "volumes")
        self.containers = os.path.join(root, "containers")

    def dir(self, name: str) -> str:
        return os.path.join(self.root, name)

    def data(self, name: str) -> str:
        """The mount point: what containers see of the volume."""
        return os.path.join(self.root, name, "_data")

    def exists(self, name: str) -> bool:
        return os.path.isfile(os.path.join(self.root, name, META))

    def names(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.root) if self.exists(n))
        except FileNotFoundError:
            return []

    def meta(self, name: str) -> dict:
        with open(os.path.join(self.root, name, META), "rb") as f:
            return json.loads(f.read())

    def create(self, name: str, labels: dict | None = None,
               options: dict | None = None) -> bool:
        """Make the volume unless it exists (an existing one keeps its labels, as in
        Docker); returns whether it was made. Call with the engine lock held."""
        if self.exists(name):
            return False
        d = self.dir(name)
        trust.make_dir(self.root)
        try:
            os.makedirs(os.path.join(d, "_data"), 0o755, exist_ok=True)
        except OSError as e:       # a name too long for a folder: the local driver's words
            from ..errors import System
            raise System(f"create {name}: error while creating volume root path '{d}': "
                         f"mkdir {d}: {os.strerror(e.errno).lower()}", errno=e.errno) from None
        os.chmod(d, 0o701)
        # None stays null: Docker shows null for volumes a container made on first use
        write_json(os.path.join(d, META), {"Name": name, "CreatedAt": _created_at(),
                                            "Labels": labels, "Options": options})
        owners.note(self.engine_root, "volume", name)
        events.emit(self.engine_root, "volume", "create", name, {"driver": "local"})
        return True

    def create_anonymous(self) -> str:
        name = os.urandom(32).hex()
        self.create(name, {ANONYMOUS_LABEL: ""})
        return name

    def remove(self, name: str) -> None:
        """Delete the volume and its data. One rename takes it away for every reader;
        a crash while deleting leaves `.del-NAME`, which fsck finishes."""
        d = self.dir(name)
        trash = os.path.join(self.root, f".del-{name}")
        try:
            os.rename(d, trash)
        except FileNotFoundError:
            return
        owners.forget(self.engine_root, "volume", name)
        remove_tree(trash)

    def users(self) -> dict[str, list[str]]:
        """Volume name -> IDs of the containers (in any state) that mount it."""
        out: dict[str, list[str]] = {}
        try:
            ids = os.listdir(self.containers)
        except FileNotFoundError:
            return out
        for cid in ids:
            if len(cid) != 64:
                continue
            try:
                with open(os.path.join(self.containers, cid, RECORD), "rb") as f:
                    mounts = json.loads(f.read()).get("MountPoints") or []
            except (OSError, ValueError):
                continue
            for m in mounts:
                if m.get("Type") == "volume" and m.get("Name"):
                    out.setdefault(m["Name"], []).append(cid)
        return out

    def drop_anonymous(self, mounts: list[dict]) -> None:
        """After a container is gone (rm -v, --rm): remove the anonymous volumes it had,
        unless another container still uses them. Named volumes always stay."""
        names = [m["Name"] for m in mounts if m.get("Type") == "volume" and m.get("Name")
                 and not (m.get("Spec") or {}).get("Source")]
        if not names:
            return
        used = self.users()
        for name in names:
            if name not in used:
                self.remove(name)
