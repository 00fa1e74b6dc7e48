"""Images: content-addressed blobs plus a table of names.

Shaped like OCI: an image is a config blob (its sha256 is the image ID), a manifest blob
listing the config and the layer tars, and the layer tar blobs themselves. Alongside,
`meta/<id>.json` records what Docker keeps outside the blobs (the parent image a commit
or build started from, the unpacked layer chain, the size), and `repositories.json` maps
normalised references (docker.io/library/busybox:latest) to image IDs.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..system import owners
from ..images import reference
from ..util import timeutil
from .. import trust
from ..errors import AmbiguousPrefix
from ..util.fsutil import read_json, unlink_quiet, write_atomic, write_json
from ..paths import Paths
from .layers import Layer, LayerStore

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar"


def digest_of(data: bytes) -> str:
    import hashlib
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest_of_file(path, chunk: int = 1 << 20) -> str:
    """The sha256 digest of a file's content, read a chunk at a time."""
    import hashlib
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while data := f.read(chunk):
            sha.update(data)
    return "sha256:" + sha.hexdigest()


def short_id(image_id: str) -> str:
    return image_id.split(":", 1)[-1][:12]


class Image:
    """id: sha256 of the config blob; config: the OCI image config; layers: chain IDs,
    bottom first; repo_tags: familiar names ("busybox:latest")."""

    def __init__(self, id: str, config: dict, parent: str | None, layers: list[str],
                 size: int, manifest: str, repo_tags: list[str] | None = None,
                 last_tag_time: str = ""):
        self.id, self.config, self.parent = id, config, parent
        self.layers, self.size, self.manifest = layers, size, manifest
        self.repo_tags = repo_tags or []
        self.last_tag_time = last_tag_time
        self.repo_digests: list[str] = []      # familiar NAME@sha256:... (pulled or pushed)

    @property
    def created(self) -> str:
        return self.config.get("created", "")

    @property
    def run_config(self) -> dict:
        return self.config.get("config") or {}

    @property
    def diff_ids(self) -> list[str]:
        return list((self.config.get("rootfs") or {}).get("diff_ids") or [])

    @property
    def history(self) -> list[dict]:
        return list(self.config.get("history") or [])


class ImageStore:
    def __init__(self, paths: Paths, layers: LayerStore):
        self.paths = paths
        self.layers = layers
        self._cache: dict[str, Image] = {}

    # --- blobs -------------------------------------------------------------------
    def blob_path(self, digest: str) -> Path:
        return self.paths.blobs / digest.split(":", 1)[1]

    def put_blob(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self.blob_path(digest)
        if not path.exists():
            write_atomic(path, data, mode=trust.SECRET)    # a config holds ENV
        return digest

    def new_blob_file(self) -> Path:
        """A temp path in the blob dir, for streaming a big blob before its digest is known."""
        return self.paths.blobs / f".new-{os.getpid()}-{os.urandom(8).hex()}"

    def adopt_blob_file(self, tmp: Path, digest: str) -> None:
        final = self.blob_path(digest)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)

    # --- references ----------------------------------------------------------------
    def refs(self) -> dict[str, str]:
        try:
            return read_json(self.paths.repositories).get("refs", {})
        except FileNotFoundError:
            return {}

    def _write_refs(self, refs: dict[str, str]) -> None:
        write_json(self.paths.repositories, {"refs": dict(sorted(refs.items()))})

    def set_ref(self, ref: str, image_id: str, tagged: bool = True) -> str | None:
        """Point `ref` at `image_id`; returns the image it pointed to before, if another.
        `tagged` (docker tag, commit -t, build -t, not pull) records LastTagTime."""
        refs = self.refs()
        old = refs.get(ref)
        refs[ref] = image_id
        self._write_refs(refs)
        if old != image_id:              # a name given (or moved) now: a tag made
            owners.note(self.paths.root, "tag", ref)
        if not tagged:
            return old if old != image_id else None
        meta_path = self._meta_path(image_id)
        meta = read_json(meta_path)
        meta["last_tag_time"] = timeutil.now()
        write_json(meta_path, meta)
        self._cache.pop(image_id, None)
        return old if old != image_id else None

    def remove_ref(self, ref: str) -> None:
        refs = self.refs()
        if refs.pop(ref, None) is not None:
            self._write_refs(refs)
            owners.forget(self.paths.root, "tag", ref)

    def refs_of(self, image_id: str, refs: dict[str, str] | None = None) -> list[str]:
        refs = self.refs() if refs is None else refs
        return sorted(r for r, i in refs.items() if i == image_id)

    # --- images --------------------------------------------------------------------
    def _meta_path(self, image_id: str) -> Path:
        return self.paths.image_meta / (image_id.split(":", 1)[1] + ".json")

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.paths.image_meta)
        except FileNotFoundError:
            return []
        return ["sha256:" + n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")]

    def exists(self, image_id: str) -> bool:
        return self._meta_path(image_id).exists()

    def get(self, image_id: str, refs: dict[str, str] | None = None) -> Image:
        img = self._cache.get(image_id)
        if img is None:
            meta = read_json(self._meta_path(image_id))
            with open(self.blob_path(image_id), "rb") as f:
                config = json.loads(f.read())
            img = Image(image_id, config, meta.get("parent"), meta["layers"], meta["size"],
                        meta["manifest"], last_tag_time=meta.get("last_tag_time", ""))
            img.repo_digests = [_familiar_digest(d) for d in meta.get("repo_digests") or []]
            self._cache[image_id] = img
        tags = [reference.parse(r).familiar() for r in self.refs_of(image_id, refs)]
        out = Image(img.id, img.config, img.parent, img.layers, img.size, img.manifest, tags,
                    img.last_tag_time)
        out.repo_digests = img.repo_digests
        return out

    def all(self) -> list[Image]:
        refs = self.refs()
        return [self.get(i, refs) for i in self.ids()]

    def create(self, config: dict, layers: list[Layer], layer_blobs: list[str],
               parent: str | None = None, raw: bytes | None = None) -> Image:
        """Store a new image whose unpacked layers already exist; returns it.

        The same config gives the same ID, so creating an image twice is harmless.
        `raw`: the config's bytes as they came (a loaded or pulled image keeps its ID).
        """
        config_bytes = raw if raw is not None else json.dumps(config, separators=(",", ":")).encode()
        image_id = self.put_blob(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": {"mediaType": MEDIA_CONFIG, "digest": image_id, "size": len(config_bytes)},
            "layers": [{"mediaType": MEDIA_LAYER, "digest": d,
                        "size": self.blob_path(d).stat().st_size} for d in layer_blobs],
        }
        manifest_digest = self.put_blob(json.dumps(manifest, separators=(",", ":")).encode())
        meta = {"parent": parent, "layers": [l.chain_id for l in layers],
                "size": sum(l.size for l in layers), "manifest": manifest_digest}
        existed = self.exists(image_id)
        write_json(self._meta_path(image_id), meta)
        if not existed:                  # the same image again was not made now
            owners.note(self.paths.root, "image", image_id)
        return self.get(image_id)

    def find(self, text: str) -> Image | None:
        """An image by reference, full ID, or unique ID prefix, as `docker` resolves them."""
        refs = self.refs()
        # only a well-formed ID is looked up on disk (never a NUL, a path, a name too long)
        if len(text) == 71 and text.startswith("sha256:") and _hex(text[7:]) and \
                self.exists(text):
            return self.get(text, refs)
        try:
            ref = reference.parse(text)
        except Exception:
            ref = None
        if ref is not None and str(ref) in refs:
            return self.get(refs[str(ref)], refs)
        prefix = text[7:] if text.startswith("sha256:") else text
        if _hex(prefix):
            matches = [i for i in self.ids() if i[7:].startswith(prefix)]
            if len(matches) > 1:
                raise AmbiguousPrefix(f"multiple IDs found with provided prefix: {prefix}")
            if matches:
                return self.get(matches[0], refs)
        return None

    def children(self, image_id: str) -> list[str]:
        out = []
        for i in self.ids():
            try:
                if read_json(self._meta_path(i)).get("parent") == image_id:
                    out.append(i)
            except FileNotFoundError:
                pass
        return out

    def forget(self, image_id: str) -> None:
        """Drop the image record alone, leaving its blobs and layers to the next
        garbage collection (a build's throw-away snapshot of a step's state)."""
        unlink_quiet(self._meta_path(image_id))
        self._cache.pop(image_id, None)
        owners.forget(self.paths.root, "image", image_id)

    def delete(self, image_id: str, keep_layers: set[str]) -> None:
        """Forget the image; blobs and layers no other image (and no container, whose
        layers the caller passes in `keep_layers`) needs go with it."""
        unlink_quiet(self._meta_path(image_id))
        self._cache.pop(image_id, None)
        owners.forget(self.paths.root, "image", image_id)
        self.collect_garbage(keep_layers)

    def collect_garbage(self, keep_layers: set[str]) -> None:
        """Remove layers and blobs no image uses. `keep_layers` protects layers that
        containers stack (the caller knows the containers)."""
        used_layers = set(keep_layers)
        used_blobs: set[str] = set()
        _add_pins(self.paths.build_cache, used_layers, used_blobs)
        for i in self.ids():
            try:
                meta = read_json(self._meta_path(i))
            except FileNotFoundError:
                continue
            used_layers.update(meta["layers"])
            used_blobs.add(i[7:])
            used_blobs.add(meta["manifest"][7:])
            try:
                manifest = read_json(self.blob_path(meta["manifest"]))
                used_blobs.update(l["digest"][7:] for l in manifest["layers"])
            except FileNotFoundError:
                pass
        for cid in self.layers.all_ids():
            if cid not in used_layers:
                self.layers.remove(cid)
        for name in os.listdir(self.paths.blobs):
            if name not in used_blobs and not name.startswith("."):
                unlink_quiet(self.paths.blobs / name)


def _familiar_digest(full: str) -> str:
    name, _, digest = full.partition("@")
    try:
        return f"{reference.parse(name, default_tag=None).familiar_name}@{digest}"
    except Exception:                        # noqa: BLE001 - a record we cannot read
        return full


def _add_pins(directory: Path, layers: set[str], blobs: set[str]) -> None:
    """Records in `directory` ({"layers": [chain IDs], "blobs": [digests]}) keep what
    they name: the build cache outlives the images built from it, as in Docker."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(".") or not name.endswith(".json"):
            continue
        try:
            pins = read_json(directory / name)
        except (OSError, ValueError):
            continue
        layers.update(pins.get("layers") or ())
        blobs.update(b.split(":", 1)[-1] for b in pins.get("blobs") or ())


def _hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdef" for c in text)
