"""Unpacked layers, each a directory in overlay form, keyed by chain ID as Docker does.

A layer is unpacked once and shared by every image and container that stacks it. The
chain ID (sha256 of parent chain ID + " " + diff ID) names a layer *in its place in a
stack*, so the same tar on top of different parents gives different layers.
"""
from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from ..util.fsutil import dir_size, read_json, remove_tree, write_json
from ..paths import Paths


def chain_id(parent: str | None, diff_id: str) -> str:
    if parent is None:
        return diff_id
    import hashlib
    return "sha256:" + hashlib.sha256(f"{parent} {diff_id}".encode()).hexdigest()


def _hex(digest: str) -> str:
    return digest.split(":", 1)[1]


# path: the unpacked directory (a lower dir for overlay)
Layer = namedtuple("Layer", "chain_id diff_id parent size path")


class LayerStore:
    def __init__(self, paths: Paths):
        self.paths = paths

    def _dir(self, cid: str) -> Path:
        return self.paths.layers / _hex(cid)

    def diff_dir(self, cid: str) -> Path:
        return self._dir(cid) / "diff"

    def exists(self, cid: str) -> bool:
        return (self._dir(cid) / "meta.json").exists()

    def get(self, cid: str) -> Layer:
        meta = read_json(self._dir(cid) / "meta.json")
        return Layer(cid, meta["diff_id"], meta["parent"], meta["size"], self.diff_dir(cid))

    def all_ids(self) -> list[str]:
        if not self.paths.layers.exists():
            return []
        return ["sha256:" + n for n in os.listdir(self.paths.layers) if not n.startswith(".")]

    def _staging(self) -> Path:
        d = self.paths.layers / f".new-{os.getpid()}-{os.urandom(8).hex()}"
        (d / "diff").mkdir(parents=True)
        return d

    def _commit(self, staging: Path, cid: str, diff_id: str, parent: str | None) -> Layer:
        size = dir_size(staging / "diff")
        write_json(staging / "meta.json", {"diff_id": diff_id, "parent": parent, "size": size})
        final = self._dir(cid)
        if final.exists():          # someone made the same layer meanwhile: keep theirs
            remove_tree(staging)
        else:
            os.rename(staging, final)
        return self.get(cid)

    def add_from_tar(self, parent: str | None, tar_path: Path, diff_id: str) -> Layer:
        """Unpack the tar blob `tar_path` (whose sha256 is `diff_id`) on top of `parent`."""
        cid = chain_id(parent, diff_id)
        if self.exists(cid):
            return self.get(cid)
        from . import archive
        staging = self._staging()
        try:
            with open(tar_path, "rb") as f:
                archive.unpack(f, staging / "diff")
            return self._commit(staging, cid, diff_id, parent)
        except BaseException:
            remove_tree(staging)
            raise

    def add_from_upper(self, parent: str | None, upper: Path, tar_out,
                       exclude: frozenset[str] = frozenset()) -> Layer:
        """Make a layer from a container's upper dir, writing its OCI tar to `tar_out` (a
        HashingWriter) in the same pass."""
        from . import archive
        staging = self._staging()
        try:
            archive.pack(upper, tar_out, copy_to=staging / "diff", exclude=exclude)
            diff_id = tar_out.digest
            return self._commit(staging, chain_id(parent, diff_id), diff_id, parent)
        except BaseException:
            remove_tree(staging)
            raise

    def remove(self, cid: str) -> None:
        d = self._dir(cid)
        if d.exists():
            trash = self.paths.layers / f".del-{os.getpid()}-{os.urandom(8).hex()}"
            os.rename(d, trash)      # atomic: the layer is gone or whole, never half
            remove_tree(trash)

    def stale_staging(self) -> list[Path]:
        if not self.paths.layers.exists():
            return []
        return [self.paths.layers / n for n in os.listdir(self.paths.layers)
                if n.startswith((".new-", ".del-"))]
