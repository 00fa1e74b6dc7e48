"""`docker pull` from a registry: manifest (an index resolved to this machine's platform),
config, then each layer streamed to a file while its digest is checked, unpacked and
checked against its diff ID, in the same store commit and build write to.

Nothing is trusted before it is checked: a blob that does not match its digest is
refused and removed, so an interrupted or corrupt pull leaves only staging files that
fsck already cleans. Layers already here are not downloaded again.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil

from ..errors import NotFound
from ..util.fsutil import read_json, write_json
from ..images.hello import go_arch
from ..store import lock
from ..store.images import digest_of, digest_of_file
from ..store.layers import chain_id
from . import compress
from .registry import JSON_LIMIT, Registry, RegistryError

INDEX_TYPES = ("application/vnd.docker.distribution.manifest.list.v2+json",
               "application/vnd.oci.image.index.v1+json")
SCHEMA1 = ("application/vnd.docker.distribution.manifest.v1+json",
           "application/vnd.docker.distribution.manifest.v1+prettyjws")
CHUNK = 1 << 20


def repo_path(ref) -> str:
    """The repository as the registry names it (library/busybox on Docker Hub)."""
    return ref.path


def all_tags(ref, environ=os.environ, login: tuple[str, str] | None = None) -> list:
    """`docker pull -a` (the API's pull without a tag): a reference for every tag the
    registry holds of `ref`'s repository, in order. Offline (no registry to ask) it is
    the one tag an offline image has: latest."""
    from ..images import reference
    from ..images.ops import remote_allowed
    if not remote_allowed(ref, environ):
        return [reference.parse(f"{ref.name}:latest")]
    tags = Registry(ref.domain, environ, user=login).tags(repo_path(ref))
    return [reference.parse(f"{ref.name}:{t}") for t in sorted(tags)]


def plain(say):
    """Per-layer events as the docker CLI prints them off a terminal: one line each,
    download progress left out."""
    def event(short: str, status: str, progress: str = "") -> None:
        if not progress:
            say(f"{short}: {status}")
    return event


def pull(engine, ref, say=lambda line: None, platform: str | None = None, environ=os.environ,
         event=None, login: tuple[str, str] | None = None):
    """Pull `ref` (a parsed reference); returns the image. say(line) gets the lines of
    the whole pull, event(short_id, status, progress) each layer's (a terminal redraws
    them in place; by default they become plain lines)."""
    event = event or plain(say)
    reg = Registry(ref.domain, environ, user=login)
    repo = repo_path(ref)
    wanted = ref.digest or ref.tag or "latest"
    manifest, digest = resolve(reg, ref, repo, wanted, platform)
    if not ref.digest:                       # said once the manifest is there, as moby
        say(f"{ref.tag}: Pulling from {repo}")
    config_desc = manifest.get("config") or {}
    config_bytes = _small_blob(reg, repo, config_desc)
    image_id = digest_of(config_bytes)
    config = json.loads(config_bytes)
    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    layer_descs = manifest.get("layers") or []
    if len(diff_ids) != len(layer_descs):
        raise RegistryError("invalid manifest: layers do not match the image's diff IDs")
    layers, parent = [], None
    pending = []
    for desc, diff_id in zip(layer_descs, diff_ids):
        cid = chain_id(parent, diff_id)
        if engine.layers.exists(cid) and engine.images.blob_path(diff_id).exists():
            event(_short(desc), "Already exists")
        else:
            pending.append((desc, diff_id, parent))
            event(_short(desc), "Pulling fs layer")
        parent = cid
    for desc, diff_id, parent_cid in pending:
        _fetch_layer(engine, reg, repo, desc, diff_id, parent_cid, event)
    parent = None
    for diff_id in diff_ids:
        layer_cid = chain_id(parent, diff_id)
        layers.append(engine.layers.get(layer_cid))
        parent = layer_cid
    repo_digest = f"{ref.domain}/{ref.path}@{digest}"
    with lock.locked(engine.paths.lock):
        before = engine.images.refs().get(str(ref)) if not ref.digest else None
        if not _unchanged(engine, image_id, repo_digest, before, ref):
            engine.images.create(config, layers, diff_ids, raw=config_bytes)
            record_digest(engine, image_id, repo_digest)
            remember_sources(engine, diff_ids, layer_descs, ref.domain, repo)
            if not ref.digest:
                engine.images.set_ref(str(ref), image_id, tagged=False)
        img = engine.images.get(image_id)
    say(f"Digest: {digest}")
    familiar = ref.familiar()
    if before == image_id or (ref.digest and not pending):
        say(f"Status: Image is up to date for {familiar}")
    else:
        say(f"Status: Downloaded newer image for {familiar}")
    return img


def _unchanged(engine, image_id: str, repo_digest: str, before, ref) -> bool:
    """True when the pull found everything as it already was: nothing to write."""
    return (engine.images.exists(image_id) and (ref.digest or before == image_id) and
            repo_digest in repo_digests(engine, image_id))


def resolve(reg: Registry, ref, repo: str, wanted: str, platform: str | None):
    """(image manifest, digest of what the reference names)."""
    data, media, served = reg.manifest(repo, wanted)
    digest = digest_of(data)
    if ref.digest and digest != ref.digest:
        raise RegistryError(f"manifest verification failed for digest {ref.digest}")
    doc = _parse(data)
    media = doc.get("mediaType") or media
    if media in SCHEMA1 or doc.get("schemaVersion") == 1:
        raise RegistryError("Docker Image Format v1 and Docker Image manifest version 2, "
                            "schema 1 support has been removed. Suggest the author of "
                            f"{ref.familiar()} to upgrade the image to the OCI Format or "
                            "Docker Image manifest v2, schema 2.")
    if media in INDEX_TYPES or "manifests" in doc:
        chosen = _choose(doc, platform)
        if chosen is None:
            want = platform or f"linux/{go_arch()}"
            raise NotFound(f"no matching manifest for {want} in the manifest list entries")
        data, _, _ = reg.manifest(repo, chosen)
        if digest_of(data) != chosen:
            raise RegistryError(f"manifest verification failed for digest {chosen}")
        return _parse(data), digest
    return doc, digest


def _parse(data: bytes) -> dict:
    try:
        doc = json.loads(data)
    except ValueError:
        raise RegistryError("invalid manifest: not JSON") from None
    if not isinstance(doc, dict):
        raise RegistryError("invalid manifest")
    return doc


def _choose(index: dict, platform: str | None) -> str | None:
    os_name, _, arch = (platform or f"linux/{go_arch()}").partition("/")
    arch, _, variant = arch.partition("/")
    for entry in index.get("manifests") or []:
        p = entry.get("platform") or {}
        if p.get("os") == os_name and p.get("architecture") == arch and \
                (not variant or p.get("variant") == variant):
            return entry.get("digest")
    return None


def _short(desc: dict) -> str:
    return str(desc.get("digest", ""))[7:19]


def _small_blob(reg: Registry, repo: str, desc: dict) -> bytes:
    digest = desc.get("digest", "")
    if int(desc.get("size") or 0) > JSON_LIMIT:
        raise RegistryError("image config too big")
    resp = reg.blob(repo, digest)
    try:
        data = resp.read(JSON_LIMIT + 1)
    finally:
        resp.close()
    if digest_of(data) != digest:
        raise RegistryError(f"failed to verify config digest {digest}")
    return data


def _fetch_layer(engine, reg: Registry, repo: str, desc: dict, diff_id: str, parent, event):
    digest, short = desc.get("digest", ""), _short(desc)
    size = int(desc.get("size") or 0)
    packed = engine.images.new_blob_file()
    try:
        resp = reg.blob(repo, digest)
        sha = hashlib.sha256()
        got = 0
        try:
            with open(packed, "wb") as f:
                while chunk := resp.read(CHUNK):
                    sha.update(chunk)
                    f.write(chunk)
                    got += len(chunk)
                    event(short, "Downloading", _progress(got, size))
        except (OSError, ValueError) as e:
            raise RegistryError(f"failed to download layer {digest}: {e}") from None
        finally:
            resp.close()
        if size and got < size:                  # the connection ended early
            raise RegistryError(f"failed to download layer {digest}: unexpected EOF")
        if "sha256:" + sha.hexdigest() != digest or (size and got != size):
            raise RegistryError(f"filesystem layer verification failed for digest {digest}")
        event(short, "Verifying Checksum")
        event(short, "Download complete")
        event(short, "Extracting", _progress(size, size))   # a bar: terminals only, as docker
        tar = _decompress(engine, packed, desc)
        if digest_of_file(tar) != diff_id:
            _refuse(tar, f"layer {digest} does not match its diff ID {diff_id}")
        engine.images.adopt_blob_file(tar, diff_id)
        engine.layers.add_from_tar(parent, engine.images.blob_path(diff_id), diff_id)
        event(short, "Pull complete")
    finally:
        if packed.exists():
            packed.unlink()


def _progress(got: int, size: int) -> str:
    """jsonmessage's progress bar: [====>     ] 12.3MB/45.1MB."""
    if not size:
        return f"{got}B"
    width = 50
    done = min(width, got * width // size)
    bar = "=" * max(done - 1, 0) + (">" if done < width else "=") + " " * (width - done)
    return f"[{bar}] {_human(got)}/{_human(size)}"


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.3g}{unit}" if unit != "B" else f"{int(n)}B"
        n /= 1000
    return f"{n}"


def _refuse(path, message: str):
    os.unlink(path)
    raise RegistryError(message)


def _decompress(engine, packed, desc: dict):
    """The layer as a plain tar in a new blob file."""
    out = engine.images.new_blob_file()
    with open(packed, "rb") as f:
        head = f.read(4)
    try:
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(packed, "rb") as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
        elif head.startswith(compress.ZSTD_MAGIC):
            with open(packed, "rb") as raw, compress.zstd_reader(raw) as src, \
                    open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
        else:
            os.link(packed, out)
    except (EOFError, OSError, *compress.errors()) as e:
        if out.exists():
            out.unlink()
        if isinstance(e, OSError) and e.errno is not None:
            raise
        raise RegistryError(f"failed to decompress layer: {e or 'unexpected EOF'}") from None
    return out


# --- what the store remembers about where images and layers came from -----------------------

def record_digest(engine, image_id: str, repo_digest: str) -> None:
    """RepoDigests: NAME@sha256:... of the manifests this image was pulled or pushed as."""
    path = engine.images._meta_path(image_id)
    meta = read_json(path)
    have = meta.setdefault("repo_digests", [])
    name = repo_digest.split("@", 1)[0]
    have[:] = [d for d in have if d.split("@", 1)[0] != name] + [repo_digest]
    write_json(path, meta)
    engine.images._cache.pop(image_id, None)


def repo_digests(engine, image_id: str) -> list[str]:
    try:
        return list(read_json(engine.images._meta_path(image_id)).get("repo_digests") or [])
    except (FileNotFoundError, ValueError):
        return []


def _sources_path(engine):
    return engine.paths.root / "image" / "distribution.json"


def remember_sources(engine, diff_ids, descs, domain: str, repo: str) -> None:
    """diff ID -> the compressed blobs a registry holds it as (Docker's v2 metadata), so
    a push can skip a layer the registry has or mount it from another repository."""
    path = _sources_path(engine)
    try:
        doc = read_json(path)
    except (FileNotFoundError, ValueError):
        doc = {}
    for diff_id, desc in zip(diff_ids, descs):
        entry = {"digest": desc["digest"], "size": int(desc.get("size") or 0),
                 "mediaType": desc.get("mediaType", ""), "registry": domain,
                 "repository": repo}
        have = [e for e in doc.get(diff_id, []) if (e["registry"], e["repository"]) !=
                (domain, repo)]
        doc[diff_id] = (have + [entry])[-8:]
    write_json(path, doc)


def sources(engine, diff_id: str) -> list[dict]:
    try:
        return list(read_json(_sources_path(engine)).get(diff_id) or [])
    except (FileNotFoundError, ValueError):
        return []


