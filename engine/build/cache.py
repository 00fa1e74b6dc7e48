"""The build cache: what each step made, keyed by everything that step depends on.

A step's key is a digest of its parent's key and of the step itself: the instruction
after substitution, the values of the build arguments it can see, and for COPY/ADD a
digest of every file it reads (content and metadata). FROM's key is the base image's
ID. So a key names one exact result: change anything a step depends on and its key,
and every key after it, changes; the steps before keep theirs. That is the whole
invalidation rule, and why the cache is never wrong.

A record stores what cannot be recomputed cheaply: the layer the step made (its chain
ID, diff ID and tar blob) and when it was made, so that a fully cached rebuild gives
the very same image, ID included. Records are also pins: `ImageStore.collect_garbage`
keeps the layers and blobs they name, so removing an image does not empty the cache
(as in Docker, where `docker builder prune` does that).
"""
from __future__ import annotations

import hashlib
import os

from ..util.fsutil import read_json, unlink_quiet, write_json

VERSION = "dockerlings-build-1"


def key(parent: str, *parts: str) -> str:
    h = hashlib.sha256(parent.encode())
    for p in parts:
        h.update(b"\0" + p.encode())
    return h.hexdigest()


def root_key(*parts: str) -> str:
    return key(VERSION, *parts)


class Record:
    """created: the step's time; layer: {"chain", "diff_id", "blob"} or None (a step
    that changed no files)."""

    __slots__ = ("created", "layer")

    def __init__(self, created: str, layer: dict | None = None):
        self.created, self.layer = created, layer

    def to_json(self) -> dict:
        out: dict = {"created": self.created, "layers": [], "blobs": []}
        if self.layer:
            out["layers"] = [self.layer["chain"]]
            out["blobs"] = [self.layer["blob"]]
            out["diff_ids"] = [self.layer["diff_id"]]
        return out

    @classmethod
    def from_json(cls, d: dict) -> "Record":
        layer = None
        if d.get("layers"):
            layer = {"chain": d["layers"][0], "blob": d["blobs"][0],
                     "diff_id": d["diff_ids"][0]}
        return cls(d["created"], layer)


class BuildCache:
    def __init__(self, engine):
        self.engine = engine
        self.dir = engine.paths.build_cache

    def _path(self, k: str):
        return self.dir / (k + ".json")

    def get(self, k: str) -> Record | None:
        """The record for key `k`, if its layer is still whole (an image removal may
        have taken a layer that no record pinned yet: then it is a miss, never wrong)."""
        try:
            rec = Record.from_json(read_json(self._path(k)))
        except (FileNotFoundError, ValueError, KeyError, IndexError):
            return None
        if rec.layer and not self._intact(rec.layer):
            return None
        return rec

    def _intact(self, layer: dict) -> bool:
        eng = self.engine
        return eng.layers.exists(layer["chain"]) and \
            eng.images.blob_path(layer["blob"]).exists()

    def put(self, k: str, rec: Record) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json(self._path(k), rec.to_json(), sync=False)

    def prune(self) -> int:
        """Forget every record (`docker builder prune`); the layers go with the next
        garbage collection. Returns how many records there were."""
        if not self.dir.exists():
            return 0
        names = [n for n in os.listdir(self.dir) if n.endswith(".json")]
        for n in names:
            unlink_quiet(self.dir / n)
        return len(names)


__all__ = ["BuildCache", "Record", "key", "root_key"]
