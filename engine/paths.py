"""Where the engine keeps its state.

Persistent state (images, layers, container records) lives under the root,
/var/lib/dockerlings; runtime files (attach sockets) under /run/dockerlings. Setting
DOCKERLINGS_ROOT moves both into the folder it names, which is how every test gets an
engine of its own.
"""
from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

DEFAULT_ROOT = Path("/var/lib/dockerlings")
DEFAULT_RUN = Path("/run/dockerlings")


class Paths(namedtuple("Paths", "root run")):
    """root: persistent state; run: runtime files (both pathlib.Path)."""

    __slots__ = ()

    @classmethod
    def from_env(cls, environ=os.environ) -> "Paths":
        custom = environ.get("DOCKERLINGS_ROOT")
        if custom:
            root = Path(custom).absolute()
            return cls(root=root, run=root / "run")
        return cls(root=DEFAULT_ROOT, run=DEFAULT_RUN)

    @property
    def lock(self) -> Path:
        return self.root / "lock"

    @property
    def blobs(self) -> Path:
        return self.root / "image" / "blobs" / "sha256"

    @property
    def image_meta(self) -> Path:
        return self.root / "image" / "meta"

    @property
    def repositories(self) -> Path:
        return self.root / "image" / "repositories.json"

    @property
    def build_cache(self) -> Path:
        """Build cache records; they pin the layers they name (see build/cache.py)."""
        return self.root / "image" / "buildcache"

    @property
    def layers(self) -> Path:
        return self.root / "layers"

    @property
    def containers(self) -> Path:
        return self.root / "containers"

    @property
    def names(self) -> Path:
        return self.root / "names"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def container(self, cid: str) -> Path:
        return self.containers / cid

    def container_run(self, cid: str) -> Path:
        return self.run / cid[:12]

    def ensure(self) -> None:
        for d in (self.blobs, self.image_meta, self.layers, self.containers,
                  self.names, self.tmp, self.run):
            d.mkdir(parents=True, exist_ok=True)
