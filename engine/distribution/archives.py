"""`docker save` and `docker load`: images as tar archives, in the layout Docker 25+
writes, so archives go both ways between dockerlings, Docker, podman and skopeo.

A saved archive holds both layouts at once, as Docker's does: Docker's own
(`manifest.json`, `repositories`) and an OCI image layout (`oci-layout`, `index.json`),
sharing one `blobs/sha256/` folder of configs, manifests and uncompressed layer tars.

`load` reads Docker archives (`manifest.json`, Docker 1.10 and later) and OCI layouts
(`index.json`: image indexes resolved to this machine's platform), plain or compressed
with gzip, bzip2 or xz. An archive is untrusted input: it is unpacked into a private
folder under the engine's tmp/ (names confined to it, JSON sizes bounded, every blob
checked against its digest and every layer against its diff ID) before anything enters
the store; what a killed load leaves there is fsck's to clean.
"""
from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import posixpath
import shutil
import tarfile
from pathlib import Path

from ..images import reference
from ..errors import (
    EngineError,
    InvalidArchive as ArchiveError,
    InvalidParameter,
    NoSuchImage,
    NotFound,
)
from ..util.fsutil import remove_tree
from ..images.hello import go_arch
from ..store import lock
from ..store.images import digest_of, digest_of_file
from ..store.layers import chain_id
from . import compress

MEDIA_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
MEDIA_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
INDEXES = (MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST)
ANNOTATION_IMAGE_NAME = "io.containerd.image.name"
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"

JSON_LIMIT = 16 << 20          # manifests, indexes and configs are small; refuse a bomb
MEMBER_LIMIT = 1_000_000       # entries in one archive
LINK_HOPS = 40                 # symbolic links followed inside an archive, as the kernel does
CHUNK = 1 << 20


# --- save --------------------------------------------------------------------------------

def resolve_for_save(engine, names: list[str]) -> dict[str, list[str]]:
    """{image ID: [normalised tagged references to record]}, in the order named, by
    Docker's rules: a name alone saves every tag of that repository; an ID or a digest
    saves the image untagged."""
    chosen: dict[str, list[str]] = {}
    refs = engine.images.refs()
    for name in names:
        image_id, tags = _resolve_one(engine, name, refs)
        have = chosen.setdefault(image_id, [])
        have.extend(t for t in tags if t not in have)
    return chosen


def _resolve_one(engine, name: str, refs: dict[str, str]) -> tuple[str, list[str]]:
    try:
        ref = reference.parse(name)
    except EngineError:
        img = engine.images.find(name)          # an ID or an ID prefix
        if img is None:
            raise NoSuchImage(name) from None
        return img.id, []
    if ref.digest:
        img = engine.images.find(name)
        if img is None:
            raise NotFound("reference does not exist")
        return img.id, []
    if not _has_explicit_tag(name):       # a name alone: every tag of the repository
        repo = f"{ref.domain}/{ref.path}:"
        tagged = sorted(r for r in refs if r.startswith(repo))
        if tagged:
            ids = {refs[r] for r in tagged}
            if len(ids) == 1:
                return refs[tagged[0]], tagged
            # several images in one repository: each with its own tags
            first = refs[tagged[0]]
            return first, [r for r in tagged if refs[r] == first]
        img = engine.images.find(name)
        if img is None:
            raise NoSuchImage(name)
        return img.id, []
    full = str(ref)
    if full not in refs:
        raise NotFound("reference does not exist")
    return refs[full], [full]


def _has_explicit_tag(name: str) -> bool:
    last = name.rsplit("/", 1)[-1]
    return ":" in last


def save(engine, names: list[str], out) -> None:
    """Write the images `names` name as one tar archive into the binary stream `out`."""
    with lock.locked(engine.paths.lock):
        chosen = resolve_for_save(engine, names)
        # several repositories' tags may pick one image twice: a name alone adds all
        plan = [(engine.images.get(i), tags) for i, tags in chosen.items()]
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        _write_archive(engine, tar, plan)
    from ..system import events
    for img, _ in plan:
        events.emit(engine.paths.root, "image", "save", img.id, {"name": img.id})


def _write_archive(engine, tar: tarfile.TarFile, plan) -> None:
    written: set[str] = set()
    manifest_items, index_entries, repositories = [], [], {}
    _add_dir(tar, "blobs")
    _add_dir(tar, "blobs/sha256")
    for img, tags in plan:
        created = _created_time(img.created)
        config_bytes = engine.images.blob_path(img.id).read_bytes()
        _add_blob(tar, engine, img.id, written, mtime=created)
        layers = []
        for diff_id in img.diff_ids:
            _add_blob(tar, engine, diff_id, written, mtime=created)
            layers.append(diff_id)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MEDIA_OCI_MANIFEST,
            "config": {"mediaType": MEDIA_OCI_CONFIG, "digest": img.id,
                       "size": len(config_bytes)},
            "layers": [{"mediaType": MEDIA_OCI_LAYER, "digest": d,
                        "size": engine.images.blob_path(d).stat().st_size} for d in layers],
        }
        data = _go_json(manifest)
        mdigest = digest_of(data)
        if mdigest not in written:
            _add_bytes(tar, f"blobs/sha256/{mdigest[7:]}", data)
            written.add(mdigest)
        plain = {"mediaType": MEDIA_OCI_MANIFEST, "digest": mdigest, "size": len(data)}
        for full in tags:
            ref = reference.parse(full)
            index_entries.append(dict(plain, annotations={ANNOTATION_IMAGE_NAME: full,
                                                          ANNOTATION_REF_NAME: ref.tag}))
            repositories.setdefault(ref.familiar_name, {})[ref.tag] = layers[-1][7:] \
                if layers else ""
        if not tags:
            index_entries.append(plain)
        manifest_items.append({
            "Config": f"blobs/sha256/{img.id[7:]}",
            "RepoTags": [reference.parse(t).familiar() for t in tags] or None,
            "Layers": [f"blobs/sha256/{d[7:]}" for d in layers],
        })
    _add_bytes(tar, "index.json", _go_json({"schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
                                           "manifests": index_entries}))
    _add_bytes(tar, "manifest.json", _go_json(manifest_items) + b"\n")
    _add_bytes(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    if repositories:
        _add_bytes(tar, "repositories", _go_json(repositories, sort=True) + b"\n")


def _go_json(value, sort: bool = False) -> bytes:
    """JSON as Go's encoding/json writes it: compact; `sort` for Go maps (struct fields
    keep their order)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=sort,
                      ensure_ascii=False).encode()


def _created_time(created: str) -> int:
    from ..util import timeutil
    try:
        return int(timeutil.parse(created)) if created else 0
    except (ValueError, TypeError, AttributeError):
        return 0


def _add_dir(tar, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
    tar.addfile(info)


def _add_bytes(tar, name: str, data: bytes, mtime: int = 0) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, mtime
    tar.addfile(info, io.BytesIO(data))


def _add_blob(tar, engine, digest: str, written: set[str], mtime: int = 0) -> None:
    if digest in written:
        return
    path = engine.images.blob_path(digest)
    info = tarfile.TarInfo(f"blobs/sha256/{digest[7:]}")
    info.size, info.mode, info.mtime = path.stat().st_size, 0o644, mtime
    with open(path, "rb") as f:
        tar.addfile(info, f)
    written.add(digest)


# --- load: unpacking the archive ---------------------------------------------------------

class Staged:
    """An archive unpacked into a private folder: its regular files with their sha256,
    its symbolic links kept as names to follow inside the archive only."""

    def __init__(self, root: Path):
        self.root = root
        self.digests: dict[str, str] = {}     # name -> sha256 digest of the file
        self.links: dict[str, str] = {}       # name -> target (relative to the link's folder)
        self.hardlinks: dict[str, str] = {}   # name -> the earlier member it repeats

    def resolve(self, name: str) -> str:
        """The regular file `name` leads to inside the archive (links followed, never
        outside it); ArchiveError when there is none."""
        name = _clean(name)
        for _ in range(LINK_HOPS):
            if name in self.hardlinks:
                name = self.hardlinks[name]
            elif name in self.links:
                name = _clean(posixpath.join(posixpath.dirname(name), self.links[name]))
            elif name in self.digests:
                return name
            else:
                raise ArchiveError(f"invalid archive: {name}: no such file in the archive")
        raise ArchiveError(f"invalid archive: {name}: too many levels of symbolic links")

    def path(self, name: str) -> Path:
        return self.root / self.resolve(name)

    def digest(self, name: str) -> str:
        return self.digests[self.resolve(name)]

    def exists(self, name: str) -> bool:
        try:
            self.resolve(name)
            return True
        except ArchiveError:
            return False

    def json(self, name: str):
        path = self.path(name)
        if path.stat().st_size > JSON_LIMIT:
            raise ArchiveError(f"invalid archive: {name} is larger than {JSON_LIMIT >> 20} MB")
        try:
            return json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as e:
            raise ArchiveError(f"invalid archive: failed to decode {name}: {e}") from None


def _clean(name: str) -> str:
    """An archive member's name, normalised; ArchiveError if it would leave the archive."""
    norm = posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")
    if norm in ("", "."):
        return ""
    if "\x00" in norm or any(part == ".." for part in norm.split("/")):
        raise ArchiveError(f"invalid archive: the name {name!r} leaves the archive")
    return norm


def open_stream(stream):
    """The bytes of `stream`, decompressed when they start with gzip, bzip2 or xz magic
    (Docker's DecompressStream); plain ones as they are. None when there are none."""
    peekable = _Peekable(stream)
    head = peekable.peek(6)
    if not head:
        return None
    raw = io.BufferedReader(peekable, CHUNK)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(raw, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw, mode="rb")
    if head.startswith(compress.ZSTD_MAGIC):
        return compress.zstd_reader(raw)
    return raw


class _Peekable(io.RawIOBase):
    def __init__(self, raw):
        self.raw, self.buf = raw, b""

    def readable(self):
        return True

    def peek(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.raw.read(n - len(self.buf))
            if not chunk:
                break
            self.buf += chunk
        return self.buf[:n]

    def readinto(self, b):
        if self.buf:
            n = min(len(b), len(self.buf))
            b[:n], self.buf = self.buf[:n], self.buf[n:]
            return n
        data = self.raw.read(len(b))
        b[:len(data)] = data
        return len(data)


class _Counting:
    """A read-only stream that counts the bytes read through it."""

    def __init__(self, src):
        self.src, self.count = src, 0

    def read(self, n=-1):
        data = self.src.read(n)
        self.count += len(data)
        return data


def unpack(stream, dest: Path) -> Staged:
    """Unpack the archive in `stream` into `dest` (an empty private folder)."""
    staged = Staged(dest)
    data = open_stream(stream)
    if data is None:
        return staged                        # an empty input is an empty archive
    data = _Counting(data)
    try:
        with tarfile.open(fileobj=data, mode="r|", bufsize=CHUNK) as tar:
            for count, member in enumerate(tar, 1):
                if count > MEMBER_LIMIT:
                    raise ArchiveError(f"invalid archive: more than {MEMBER_LIMIT} entries")
                _unpack_member(tar, member, staged)
        if data.count % tarfile.BLOCKSIZE:   # it ended inside a header: tarfile stops quietly
            raise ArchiveError("unexpected EOF")
    except tarfile.ReadError as e:
        text = str(e)
        raise ArchiveError("unexpected EOF" if "unexpected end" in text or "truncated" in text
                           else "archive/tar: invalid tar header") from None
    except (EOFError, gzip.BadGzipFile, OSError, *compress.errors()) as e:
        if isinstance(e, OSError) and e.errno is not None:
            raise
        raise ArchiveError("unexpected EOF" if isinstance(e, EOFError) else
                           f"invalid archive: {e}") from None
    return staged


def _unpack_member(tar: tarfile.TarFile, m: tarfile.TarInfo, staged: Staged) -> None:
    name = _clean(m.name)
    if not name:
        return
    path = staged.root / name
    if m.isdir():
        path.mkdir(parents=True, exist_ok=True)
        return
    if m.issym():
        staged.links[name] = m.linkname
        return
    if m.islnk():
        staged.hardlinks[name] = _clean(m.linkname)
        return
    if not m.isfile():
        return                               # devices, fifos: nothing an image archive needs
    path.parent.mkdir(parents=True, exist_ok=True)
    src = tar.extractfile(m)
    sha = hashlib.sha256()
    size = 0
    with open(path, "wb") as f:
        while True:
            chunk = src.read(CHUNK)
            if not chunk:
                break
            sha.update(chunk)
            f.write(chunk)
            size += len(chunk)
    if size != m.size:                       # the archive ended inside this file
        raise ArchiveError("unexpected EOF")
    staged.digests[name] = "sha256:" + sha.hexdigest()
    staged.links.pop(name, None)
    staged.hardlinks.pop(name, None)


# --- load: what the archive holds ---------------------------------------------------------

class Item:
    """One image of an archive: its config file, its layer files, its names."""

    def __init__(self, config: str, layers: list[str], tags: list[str],
                 layer_digests: list[str | None] | None = None, config_digest: str | None = None):
        self.config, self.layers, self.tags = config, layers, tags
        self.layer_digests = layer_digests or [None] * len(layers)
        self.config_digest = config_digest


def items_of(staged: Staged) -> list[Item]:
    if staged.exists("manifest.json"):
        return _docker_items(staged)
    if staged.exists("index.json"):
        return _oci_items(staged)
    raise ArchiveError("invalid archive: does not contain a manifest.json")


def _docker_items(staged: Staged) -> list[Item]:
    manifest = staged.json("manifest.json")
    if manifest is None:
        raise ArchiveError("invalid manifest, manifest cannot be null (but can be [])")
    if not isinstance(manifest, list):
        raise ArchiveError("invalid archive: failed to decode manifest.json: not a list")
    out = []
    for m in manifest:
        if not isinstance(m, dict) or not isinstance(m.get("Config"), str) or \
                not isinstance(m.get("Layers") or [], list):
            raise ArchiveError("invalid archive: failed to decode manifest.json")
        tags = m.get("RepoTags") or []
        if not all(isinstance(t, str) for t in tags):
            raise ArchiveError("invalid archive: failed to decode manifest.json")
        out.append(Item(m["Config"], [str(l) for l in m.get("Layers") or []], list(tags)))
    return out


def _oci_items(staged: Staged) -> list[Item]:
    index = staged.json("index.json")
    if not isinstance(index, dict):
        raise ArchiveError("invalid archive: failed to decode index.json")
    out = []
    for desc in index.get("manifests") or []:
        manifest, digest = _platform_manifest(staged, desc, depth=0)
        if manifest is None:
            continue
        tags = _oci_names(desc)
        layers = manifest.get("layers") or []
        out.append(Item(_blob_name(manifest["config"]["digest"]),
                        [_blob_name(l["digest"]) for l in layers], tags,
                        [l["digest"] for l in layers], manifest["config"]["digest"]))
    return out


def _blob_name(digest: str) -> str:
    algo, _, hexpart = str(digest).partition(":")
    if algo != "sha256" or len(hexpart) != 64 or not all(c in "0123456789abcdef" for c in hexpart):
        raise ArchiveError(f"invalid archive: unsupported digest {digest!r}")
    return f"blobs/sha256/{hexpart}"


def _checked_json(staged: Staged, desc: dict):
    name = _blob_name(desc.get("digest", ""))
    if staged.digest(name) != desc["digest"]:
        raise ArchiveError(f"invalid archive: {name} does not match its digest")
    return staged.json(name)


def _platform_manifest(staged: Staged, desc: dict, depth: int):
    """The image manifest a descriptor leads to for linux/<this machine>, or None."""
    if depth > 4 or not isinstance(desc, dict):
        raise ArchiveError("invalid archive: image indexes nested too deep")
    doc = _checked_json(staged, desc)
    media = desc.get("mediaType") or doc.get("mediaType")
    if media in INDEXES or "manifests" in doc:
        for d in doc.get("manifests") or []:
            p = d.get("platform") or {}
            if p and (p.get("os") != "linux" or p.get("architecture") != go_arch()):
                continue
            found = _platform_manifest(staged, d, depth + 1)[0]
            if found is not None:
                return found, d.get("digest")
        return None, None
    return doc, desc.get("digest")


def _oci_names(desc: dict) -> list[str]:
    notes = desc.get("annotations") or {}
    name = notes.get(ANNOTATION_IMAGE_NAME) or ""
    ref_name = notes.get(ANNOTATION_REF_NAME) or ""
    for candidate in (name, ref_name):
        if candidate and ("/" in candidate or ":" in candidate):
            try:
                ref = reference.parse(candidate)
            except EngineError:
                continue
            if ref.tag:
                return [ref.familiar()]
    return []


# --- load: into the store ---------------------------------------------------------------

def load(engine, stream, say=lambda line: None, progress=None) -> list[str]:
    """Load every image of the archive in `stream`; calls say() with Docker's lines
    ("Loaded image: busybox:latest", "Loaded image ID: sha256:..."); returns them."""
    tmp = engine.paths.tmp / f".new-{os.getpid()}-load-{os.urandom(6).hex()}"
    tmp.mkdir(mode=0o700, parents=True)
    lines: list[str] = []

    def tell(line: str) -> None:
        lines.append(line)
        say(line)
    try:
        staged = unpack(stream, tmp)
        items = items_of(staged)
        with lock.locked(engine.paths.lock):
            ids_only, tagged = [], 0
            for item in items:
                image_id, loaded_tags = _load_item(engine, staged, item, tell, progress)
                ids_only.append(f"Loaded image ID: {image_id}")
                tagged += loaded_tags
            if not tagged:
                for line in ids_only:
                    tell(line)
    finally:
        remove_tree(tmp)
    return lines


def _load_item(engine, staged: Staged, item: Item, tell, progress) -> tuple[str, int]:
    config_bytes = staged.path(item.config).read_bytes()
    if len(config_bytes) > JSON_LIMIT:
        raise ArchiveError(f"invalid archive: {item.config} is larger than {JSON_LIMIT >> 20} MB")
    image_id = digest_of(config_bytes)
    if item.config_digest and item.config_digest != image_id:
        raise ArchiveError(f"invalid archive: {item.config} does not match its digest")
    try:
        config = json.loads(config_bytes)
    except ValueError as e:
        raise ArchiveError(f"invalid archive: failed to decode {item.config}: {e}") from None
    if not isinstance(config, dict):
        raise ArchiveError(f"invalid archive: failed to decode {item.config}")
    if (config.get("os") or "linux") != "linux":
        raise ArchiveError(f"cannot load {config.get('os')} image on linux")
    diff_ids = list(((config.get("rootfs") or {}).get("diff_ids")) or [])
    if len(item.layers) != len(diff_ids):
        raise ArchiveError(f"invalid manifest, layers length mismatch: expected "
                           f"{len(item.layers)}, got {len(diff_ids)}")
    layers, parent = [], None
    for i, (name, diff_id, blob_digest) in enumerate(zip(item.layers, diff_ids,
                                                         item.layer_digests)):
        layer = _load_layer(engine, staged, i, name, str(diff_id), blob_digest, parent, progress)
        layers.append(layer)
        parent = layer.chain_id
    engine.images.create(config, layers, diff_ids, raw=config_bytes)
    from ..system import events
    events.emit(engine.paths.root, "image", "load", image_id, {"name": image_id})
    for familiar in item.tags:
        try:
            ref = reference.parse(familiar)
        except EngineError:
            raise InvalidParameter(f"invalid tag {familiar!r}") from None
        if not ref.tag:
            raise InvalidParameter(f"invalid tag {familiar!r}")
        old = engine.images.refs().get(str(ref))
        if old and old != image_id:
            tell(f"The image {ref.familiar()} already exists, renaming the old one with ID "
                 f"{old} to empty string")
        engine.images.set_ref(str(ref), image_id, tagged=False)
        tell(f"Loaded image: {ref.familiar()}")
    return image_id, len(item.tags)


def _load_layer(engine, staged: Staged, i: int, name: str, diff_id: str,
                blob_digest: str | None, parent, progress):
    cid = chain_id(parent, diff_id)
    if engine.layers.exists(cid) and engine.images.blob_path(diff_id).exists():
        return engine.layers.get(cid)
    path = staged.path(name)
    if blob_digest and staged.digest(name) != blob_digest:
        raise ArchiveError(f"invalid archive: {name} does not match its digest")
    if progress:
        progress(diff_id, path.stat().st_size)
    tar_path = _uncompressed(engine, staged, name, path)
    actual = digest_of_file(tar_path) if tar_path != path else staged.digest(name)
    if actual != diff_id:
        _unlink(tar_path, keep=path)
        raise ArchiveError(f'invalid diffID for layer {i}: expected "{diff_id}", got "{actual}"')
    engine.images.adopt_blob_file(tar_path, diff_id)
    return engine.layers.add_from_tar(parent, engine.images.blob_path(diff_id), diff_id)


def _uncompressed(engine, staged: Staged, name: str, path: Path) -> Path:
    """The layer as a plain tar file in the blob folder's staging area."""
    with open(path, "rb") as f:
        head = f.read(6)
    opener = (gzip.open if head.startswith(b"\x1f\x8b") else
              bz2.open if head.startswith(b"BZh") else
              lzma.open if head.startswith(b"\xfd7zXZ\x00") else
              (lambda p, mode: compress.zstd_reader(open(p, "rb")))
              if head.startswith(compress.ZSTD_MAGIC) else None)
    out = engine.images.new_blob_file()
    if opener is None:
        os.link(path, out) if _same_device(path, out.parent) else shutil.copyfile(path, out)
        return out
    try:
        with opener(path, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    except (EOFError, OSError, *compress.errors()) as e:
        _unlink(out)
        if isinstance(e, OSError) and e.errno is not None:
            raise
        raise ArchiveError(f"invalid archive: {name}: {e or 'unexpected EOF'}") from None
    return out


def _same_device(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def _unlink(path: Path, keep: Path | None = None) -> None:
    if keep is not None and path == keep:
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


__all__ = ["save", "load", "resolve_for_save"]
